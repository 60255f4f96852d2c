package servicenumbers_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/instances"
	"github.com/beianflow/beianflow/internal/servicenumbers"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
	"github.com/beianflow/beianflow/rules"
)

// world is one database with a registry over a fresh sandbox inventory.
type world struct {
	db  *store.DB
	sb  *instances.Sandbox
	reg *servicenumbers.Registry
}

// inEachDialect runs a scenario against PostgreSQL and SQLite.
func inEachDialect(t *testing.T, scenario func(t *testing.T, w world)) {
	for _, open := range []func(testing.TB, ...testenv.DBOption) *store.DB{testenv.PostgresDB, testenv.SQLiteDB} {
		db := open(t)
		t.Run(string(db.Dialect), func(t *testing.T) {
			sb := instances.NewSandbox()
			scenario(t, world{db: db, sb: sb, reg: servicenumbers.New(db, sb)})
		})
	}
}

// boundNumber generates a number for an ordinary instance.
func boundNumber(t *testing.T, w world) servicenumbers.ServiceNumber {
	t.Helper()
	sn, err := w.reg.Generate(context.Background(), "acc-1", "i-web01-ordinary")
	require.NoError(t, err)
	return sn
}

// stored reads a number's row directly, bypassing the registry.
func stored(t *testing.T, w world, number string) servicenumbers.ServiceNumber {
	t.Helper()
	var sn servicenumbers.ServiceNumber
	require.NoError(t, w.db.Gorm.Table("service_numbers").Where("number = ?", number).Take(&sn).Error)
	return sn
}

func TestGeneratedNumberIsBoundAndPassesTheFilingRules(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		sn, err := w.reg.Generate(context.Background(), "acc-1", "i-bp1a2b3c4d")
		require.NoError(t, err)
		assert.Regexp(t, `^BSN[A-Z2-7]{13}$`, sn.Number)
		assert.Equal(t, servicenumbers.StatusBound, sn.Status)
		assert.Equal(t, "i-bp1a2b3c4d", sn.InstanceID)
		assert.Equal(t, "acc-1", sn.AccountID)
		assert.Empty(t, sn.FilingID)

		row := stored(t, w, sn.Number)
		assert.Equal(t, sn.Status, row.Status)
		assert.WithinDuration(t, sn.CreatedAt, row.CreatedAt, time.Millisecond)

		app := filing.Application{Product: filing.ProductVerification{ServiceNumber: sn.Number}}
		for _, v := range rules.Validate(app, time.Now(), nil) {
			assert.False(t, strings.HasPrefix(v.Field, "product"), "%+v", v)
		}
	})
}

func TestTwoFilingsRacingForOneServiceNumberExactlyOneWins(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		const filings = 20
		errs := make([]error, filings)
		var wg sync.WaitGroup
		for i := range filings {
			wg.Go(func() {
				_, errs[i] = w.reg.Bind(ctx, sn.Number, fmt.Sprintf("filing-%02d", i))
			})
		}
		wg.Wait()
		winner := ""
		for i, err := range errs {
			if err == nil {
				require.Empty(t, winner, "a second filing won")
				winner = fmt.Sprintf("filing-%02d", i)
				continue
			}
			assert.ErrorIs(t, err, servicenumbers.ErrInUse)
		}
		require.NotEmpty(t, winner, "no filing won")
		got := stored(t, w, sn.Number)
		assert.Equal(t, servicenumbers.StatusInUse, got.Status)
		assert.Equal(t, winner, got.FilingID)
	})
}

func TestQuotaOfFivePerInstanceHoldsUnderConcurrency(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		const callers = 20
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() { _, errs[i] = w.reg.Generate(ctx, "acc-1", "i-web01-busy") })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			assert.ErrorIs(t, err, servicenumbers.ErrQuotaExhausted)
		}
		assert.Equal(t, instances.DefaultServiceNumberQuota, ok)
		var rows int64
		require.NoError(t, w.db.Gorm.Table("service_numbers").Where("instance_id = ?", "i-web01-busy").Count(&rows).Error)
		assert.EqualValues(t, instances.DefaultServiceNumberQuota, rows)

		_, err := w.reg.Generate(ctx, "acc-1", "i-web02-idle")
		assert.NoError(t, err, "the quota is per instance")
	})
}

func TestConsumedNumberCannotBeReused(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn, err := w.reg.Generate(ctx, "acc-1", "i-quota1-market")
		require.NoError(t, err)
		_, err = w.reg.Bind(ctx, sn.Number, "filing-1")
		require.NoError(t, err)
		require.NoError(t, w.reg.Consume(ctx, sn.Number, "filing-1"))
		require.NoError(t, w.reg.Consume(ctx, sn.Number, "filing-1"), "consuming again is harmless")

		_, err = w.reg.Verify(ctx, sn.Number)
		assert.ErrorIs(t, err, servicenumbers.ErrConsumed)
		_, err = w.reg.Bind(ctx, sn.Number, "filing-2")
		assert.ErrorIs(t, err, servicenumbers.ErrConsumed)
		_, err = w.reg.Bind(ctx, sn.Number, "filing-1")
		assert.ErrorIs(t, err, servicenumbers.ErrConsumed)

		// Cancelling an approved filing does not give its code back.
		require.NoError(t, w.reg.Release(ctx, sn.Number, "filing-1"))
		assert.Equal(t, servicenumbers.StatusConsumed, stored(t, w, sn.Number).Status)

		// A consumed number still counts against the instance's quota.
		_, err = w.reg.Generate(ctx, "acc-1", "i-quota1-market")
		assert.ErrorIs(t, err, servicenumbers.ErrQuotaExhausted)
	})
}

func TestCancelledFilingReleasesItsNumber(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		_, err := w.reg.Bind(ctx, sn.Number, "filing-1")
		require.NoError(t, err)

		require.NoError(t, w.reg.Release(ctx, sn.Number, "filing-1"))
		got := stored(t, w, sn.Number)
		assert.Equal(t, servicenumbers.StatusBound, got.Status)
		assert.Empty(t, got.FilingID)
		require.NoError(t, w.reg.Release(ctx, sn.Number, "filing-1"), "releasing again is harmless")

		_, err = w.reg.Verify(ctx, sn.Number)
		require.NoError(t, err, "the number is usable again")
		_, err = w.reg.Bind(ctx, sn.Number, "filing-2")
		require.NoError(t, err)

		// A late retry of the first filing's release leaves the new holder alone.
		require.NoError(t, w.reg.Release(ctx, sn.Number, "filing-1"))
		got = stored(t, w, sn.Number)
		assert.Equal(t, servicenumbers.StatusInUse, got.Status)
		assert.Equal(t, "filing-2", got.FilingID)
	})
}

func TestBindIsIdempotentForTheSameFiling(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		first, err := w.reg.Bind(ctx, sn.Number, "filing-1")
		require.NoError(t, err)
		again, err := w.reg.Bind(ctx, sn.Number, "filing-1")
		require.NoError(t, err)
		assert.Equal(t, servicenumbers.StatusInUse, again.Status)
		assert.Equal(t, "filing-1", again.FilingID)
		assert.Equal(t, first.UpdatedAt, again.UpdatedAt, "a repeated bind changes nothing")

		_, err = w.reg.Bind(ctx, sn.Number, "filing-2")
		assert.ErrorIs(t, err, servicenumbers.ErrInUse)
		_, err = w.reg.Verify(ctx, sn.Number)
		assert.ErrorIs(t, err, servicenumbers.ErrInUse)
	})
}

func TestHongKongInstanceCannotGetANumber(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		_, err := w.reg.Generate(context.Background(), "acc-1", "i-hk-web01")
		assert.ErrorIs(t, err, servicenumbers.ErrNotMainland)
		assert.EqualError(t, err, "servicenumbers: generate for instance i-hk-web01: instance is not in a mainland China region")
	})
}

func TestInstancesThatCannotBackAFilingGetNoNumber(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		require.NoError(t, w.sb.Add(instances.Instance{ID: "i-owned-by-acc2", AccountID: "acc-2", Region: "cn-beijing",
			Mainland: true, Subscription: true, Running: true, ServiceNumberQuota: 5}))
		tests := []struct {
			instance string
			want     error
		}{
			{"i-payg-web01", servicenumbers.ErrNotSubscription},
			{"i-web01-stopped", servicenumbers.ErrNotRunning},
			{"i-released-web01", servicenumbers.ErrInstanceNotFound},
			{"no-such-instance", servicenumbers.ErrInstanceNotFound},
			{"i-foreign-web01", servicenumbers.ErrNotOwner},
			{"i-owned-by-acc2", servicenumbers.ErrNotOwner},
			{"i-quota0-web01", servicenumbers.ErrQuotaExhausted},
		}
		for _, tt := range tests {
			_, err := w.reg.Generate(context.Background(), "acc-1", tt.instance)
			assert.ErrorIs(t, err, tt.want, tt.instance)
		}
		var rows int64
		require.NoError(t, w.db.Gorm.Table("service_numbers").Count(&rows).Error)
		assert.Zero(t, rows)

		_, err := w.reg.Generate(context.Background(), "acc-2", "i-owned-by-acc2")
		assert.NoError(t, err, "the owner gets one")
	})
}

func TestNumberOfAnInstanceStoppedSinceIsRefused(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		inst := instances.Instance{ID: "i-web01-later", Region: "cn-hangzhou", Mainland: true, Subscription: true,
			Running: true, ServiceNumberQuota: 5}
		require.NoError(t, w.sb.Add(inst))
		sn, err := w.reg.Generate(ctx, "acc-1", inst.ID)
		require.NoError(t, err)

		inst.Running = false
		require.NoError(t, w.sb.Add(inst))
		_, err = w.reg.Verify(ctx, sn.Number)
		assert.ErrorIs(t, err, servicenumbers.ErrNotRunning)
	})
}

func TestOnlyTheFilingHoldingANumberConsumesIt(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		assert.ErrorIs(t, w.reg.Consume(ctx, sn.Number, "filing-1"), servicenumbers.ErrWrongFiling, "not bound to any filing")
		_, err := w.reg.Bind(ctx, sn.Number, "filing-1")
		require.NoError(t, err)
		err = w.reg.Consume(ctx, sn.Number, "filing-2")
		assert.ErrorIs(t, err, servicenumbers.ErrWrongFiling)
		assert.Equal(t, servicenumbers.StatusInUse, stored(t, w, sn.Number).Status)
	})
}

func TestUnknownNumberIsNotFound(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		_, err := w.reg.Verify(ctx, "BSNNOSUCHNUMBER1")
		assert.ErrorIs(t, err, servicenumbers.ErrNotFound)
		_, err = w.reg.Bind(ctx, "BSNNOSUCHNUMBER1", "filing-1")
		assert.ErrorIs(t, err, servicenumbers.ErrNotFound)
		assert.EqualError(t, err, "servicenumbers: bind BSNNOSUCHNUMBER1: service number not found")
		assert.ErrorIs(t, w.reg.Consume(ctx, "BSNNOSUCHNUMBER1", "filing-1"), servicenumbers.ErrNotFound)
		assert.ErrorIs(t, w.reg.Release(ctx, "BSNNOSUCHNUMBER1", "filing-1"), servicenumbers.ErrNotFound)
	})
}

func TestNumberIsAcceptedAsAnApplicantTypesIt(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		typed := " " + strings.ToLower(sn.Number) + " "
		got, err := w.reg.Verify(ctx, typed)
		require.NoError(t, err)
		assert.Equal(t, sn.Number, got.Number)
		got, err = w.reg.Bind(ctx, typed, "filing-1")
		require.NoError(t, err)
		assert.Equal(t, sn.Number, got.Number)
	})
}

func TestLifecycleCallsNeedAFiling(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		_, err := w.reg.Bind(ctx, sn.Number, "")
		assert.Error(t, err)
		assert.Error(t, w.reg.Consume(ctx, sn.Number, ""))
		assert.Error(t, w.reg.Release(ctx, sn.Number, ""))
		_, err = w.reg.Generate(ctx, "", "i-web01-noacct")
		assert.Error(t, err)
		assert.Equal(t, servicenumbers.StatusBound, stored(t, w, sn.Number).Status)
	})
}
