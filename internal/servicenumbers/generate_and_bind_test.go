package servicenumbers_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/instances"
	"github.com/beianflow/beianflow/internal/servicenumbers"
)

func TestFilingNamingAnInstanceGetsANumberInUseAtOnce(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		inst := instances.Instance{ID: "i-web01-direct", Region: "cn-hangzhou", Mainland: true, Subscription: true,
			Running: true, ServiceNumberQuota: 2}
		require.NoError(t, w.sb.Add(inst))
		sn, err := w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-1")
		require.NoError(t, err)
		assert.Equal(t, servicenumbers.StatusInUse, sn.Status)
		assert.Equal(t, "filing-1", sn.FilingID)
		assert.Equal(t, sn.FilingID, stored(t, w, sn.Number).FilingID)

		// A retried activity gets the same number, even after the instance
		// stopped, and spends no quota.
		inst.Running = false
		require.NoError(t, w.sb.Add(inst))
		again, err := w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-1")
		require.NoError(t, err)
		assert.Equal(t, sn.Number, again.Number)

		inst.Running = true
		require.NoError(t, w.sb.Add(inst))
		other, err := w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-2")
		require.NoError(t, err)
		assert.NotEqual(t, sn.Number, other.Number)
		_, err = w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "filing-3")
		assert.ErrorIs(t, err, servicenumbers.ErrQuotaExhausted)

		_, err = w.reg.GenerateAndBind(ctx, "acc-1", "i-hk-web01", "filing-4")
		assert.ErrorIs(t, err, servicenumbers.ErrNotMainland)
		_, err = w.reg.GenerateAndBind(ctx, "acc-1", inst.ID, "")
		assert.Error(t, err)
	})
}

func TestConcurrentAttemptsOfOneFilingSpendQuotaOnce(t *testing.T) {
	inEachDialect(t, func(t *testing.T, w world) {
		ctx := context.Background()
		const attempts = 10
		numbers := make([]string, attempts)
		errs := make([]error, attempts)
		var wg sync.WaitGroup
		for i := range attempts {
			wg.Go(func() {
				sn, err := w.reg.GenerateAndBind(ctx, "acc-1", "i-web01-twice", "filing-1")
				numbers[i], errs[i] = sn.Number, err
			})
		}
		wg.Wait()
		for i := range attempts {
			require.NoError(t, errs[i])
			assert.Equal(t, numbers[0], numbers[i])
		}
		var rows int64
		require.NoError(t, w.db.Gorm.Table("service_numbers").Where("instance_id = ?", "i-web01-twice").Count(&rows).Error)
		assert.EqualValues(t, 1, rows)
	})
}
