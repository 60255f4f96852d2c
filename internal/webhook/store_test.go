package webhook_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
	"github.com/beianflow/beianflow/internal/webhook"
)

func TestDeliveryIsMarkedOnceEvenWhenRacing(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := webhook.NewDBStore(db)
		seen, err := s.Seen(ctx, "d-1")
		require.NoError(t, err)
		assert.False(t, seen)

		wins := testenv.Winners(t, 8, func(int) (bool, error) { return s.Mark(ctx, "d-1", webhook.SourceBureau, now) })
		assert.Equal(t, 1, wins, "exactly one mark inserts")
		seen, err = s.Seen(ctx, "d-1")
		require.NoError(t, err)
		assert.True(t, seen)
	})
}

func TestPruneForgetsOnlyOldDeliveries(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := webhook.NewDBStore(db)
		for i, age := range []time.Duration{48 * time.Hour, 25 * time.Hour, 23 * time.Hour, time.Second} {
			_, err := s.Mark(ctx, fmt.Sprintf("d-%d", i), webhook.SourceCourier, now.Add(-age))
			require.NoError(t, err)
		}
		n, err := s.Prune(ctx, now.Add(-24*time.Hour))
		require.NoError(t, err)
		assert.EqualValues(t, 2, n)
		for i, want := range []bool{false, false, true, true} {
			seen, err := s.Seen(ctx, fmt.Sprintf("d-%d", i))
			require.NoError(t, err)
			assert.Equal(t, want, seen, "d-%d", i)
		}
	})
}
