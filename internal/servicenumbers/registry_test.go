package servicenumbers_test

import (
	"context"
	"fmt"
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
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sb := instances.NewSandbox()
		scenario(t, world{db: db, sb: sb, reg: servicenumbers.New(db, sb)})
	})
}

// boundNumber generates a number for an ordinary instance.
func boundNumber(t *testing.T, w world) servicenumbers.ServiceNumber {
	t.Helper()
	sn, err := w.reg.Generate(context.Background(), "acc-1", "i-web01-ordinary")
	require.NoError(t, err)
	return sn
}

// heldNumber generates a number and binds it to filingID.
func heldNumber(t *testing.T, w world, filingID string) servicenumbers.ServiceNumber {
	t.Helper()
	sn, err := w.reg.Bind(context.Background(), boundNumber(t, w).Number, filingID, "example.com")
	require.NoError(t, err)
	return sn
}

// addInstance puts an instance that can back a filing into the inventory
// under id, with quota numbers, and returns it for the test to change.
func addInstance(t *testing.T, w world, id string, quota int) instances.Instance {
	t.Helper()
	inst := instances.Instance{ID: id, Region: "cn-hangzhou", Mainland: true, Subscription: true,
		Running: true, ServiceNumberQuota: quota}
	require.NoError(t, w.sb.Add(inst))
	return inst
}

// generated counts the numbers ever generated for an instance (any
// instance when instanceID is empty), reading the table directly.
func generated(t *testing.T, w world, instanceID string) int64 {
	t.Helper()
	q := w.db.Gorm.Table("service_numbers")
	if instanceID != "" {
		q = q.Where("instance_id = ?", instanceID)
	}
	var rows int64
	require.NoError(t, q.Count(&rows).Error)
	return rows
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
			assert.NotRegexp(t, "^product", v.Field, "%+v", v)
		}
	})
}

func TestTwoFilingsRacingForOneServiceNumberExactlyOneWins(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		sn := boundNumber(t, w)
		const filings = 20
		errs := testenv.Concurrently(filings, func(i int) error {
			_, err := w.reg.Bind(ctx, sn.Number, fmt.Sprintf("filing-%02d", i), "example.com")
			return err
		})
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
		errs := testenv.Concurrently(20, func(int) error {
			_, err := w.reg.Generate(ctx, "acc-1", "i-web01-busy")
			return err
		})
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			assert.ErrorIs(t, err, servicenumbers.ErrQuotaExhausted)
		}
		assert.Equal(t, instances.DefaultServiceNumberQuota, ok)
		assert.EqualValues(t, instances.DefaultServiceNumberQuota, generated(t, w, "i-web01-busy"))

		_, err := w.reg.Generate(ctx, "acc-1", "i-web02-idle")
		assert.NoError(t, err, "the quota is per instance")
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
		owned := addInstance(t, w, "i-owned-by-acc2", 5)
		owned.AccountID, owned.Region = "acc-2", "cn-beijing"
		require.NoError(t, w.sb.Add(owned))
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
		assert.Zero(t, generated(t, w, ""))

		_, err := w.reg.Generate(context.Background(), "acc-2", "i-owned-by-acc2")
		assert.NoError(t, err, "the owner gets one")
	})
}

func TestFilingNamingAnInstanceGetsANumberInUseAtOnce(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		inst := addInstance(t, w, "i-web01-direct", 2)
		sn, err := w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-1", "example.com")
		require.NoError(t, err)
		assert.Equal(t, servicenumbers.StatusInUse, sn.Status)
		assert.Equal(t, "filing-1", sn.FilingID)
		assert.Equal(t, sn.FilingID, stored(t, w, sn.Number).FilingID)

		// A retried activity gets the same number, even after the instance
		// stopped, and spends no quota.
		inst.Running = false
		require.NoError(t, w.sb.Add(inst))
		again, err := w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-1", "example.com")
		require.NoError(t, err)
		assert.Equal(t, sn.Number, again.Number)

		inst.Running = true
		require.NoError(t, w.sb.Add(inst))
		other, err := w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-2", "example.com")
		require.NoError(t, err)
		assert.NotEqual(t, sn.Number, other.Number)
		_, err = w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-3", "example.com")
		assert.ErrorIs(t, err, servicenumbers.ErrQuotaExhausted)

		_, err = w.reg.GenerateAndBind(ctx, "acc-1", "i-hk-web01", "filing-4", "example.com")
		assert.ErrorIs(t, err, servicenumbers.ErrNotMainland)
		_, err = w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "", "example.com")
		assert.Error(t, err)
	})
}

// One code per website: a filing with three websites holds three numbers
// of its instance, and the instance's quota counts each of them.
func TestEachWebsiteOfAFilingHoldsItsOwnNumber(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		inst := addInstance(t, w, "i-web01-sites", 3)
		seen := map[string]bool{}
		for _, site := range []string{"example.com", "blog.example.com", "shop.example.com"} {
			sn, err := w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-1", site)
			require.NoError(t, err, site)
			assert.Equal(t, site, stored(t, w, sn.Number).Website)
			assert.False(t, seen[sn.Number], "a number of its own")
			seen[sn.Number] = true
			again, err := w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-1", site)
			require.NoError(t, err)
			assert.Equal(t, sn.Number, again.Number, "a retry for the same website spends nothing")
		}
		assert.EqualValues(t, 3, generated(t, w, inst.ID))
		_, err := w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-1", "news.example.com")
		assert.ErrorIs(t, err, servicenumbers.ErrQuotaExhausted, "the fourth website finds the quota of three spent")

		// A number bound to one website cannot serve another.
		for n := range seen {
			require.NoError(t, w.reg.Release(ctx, n, "filing-1"))
			assert.Empty(t, stored(t, w, n).Website, "released: no website")
			_, err := w.reg.Bind(ctx, n, "filing-1", "example.com")
			require.NoError(t, err)
			_, err = w.reg.Bind(ctx, n, "filing-1", "blog.example.com")
			assert.ErrorIs(t, err, servicenumbers.ErrInUse)
			break
		}
	})
}

func TestConcurrentAttemptsOfOneFilingSpendQuotaOnce(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		numbers := make([]string, 10)
		errs := testenv.Concurrently(len(numbers), func(i int) error {
			sn, err := w.reg.GenerateAndBind(ctx, "acc-1", "i-web01-twice", "filing-1", "example.com")
			numbers[i] = sn.Number
			return err
		})
		for i := range numbers {
			require.NoError(t, errs[i])
			assert.Equal(t, numbers[0], numbers[i])
		}
		assert.EqualValues(t, 1, generated(t, w, "i-web01-twice"))
	})
}
