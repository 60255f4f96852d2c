package courier_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestPushesShipmentChangesAndRetriesFailedPushes(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		requested := cst(2026, 11, 6, 17, 0) // ships Monday 09:00
		clk := newClock(requested)
		sb := courier.NewSandbox(db, courier.SandboxOptions{Now: clk.Now})
		created, err := sb.CreateShipment(ctx, shipment("k1", "f1"))
		require.NoError(t, err)

		l := &recordingListener{failFirst: 2}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- sb.Run(runCtx, l, 5*time.Millisecond) }()
		t.Cleanup(func() {
			stop()
			assert.NoError(t, <-done)
		})
		require.Eventually(t, func() bool { return len(l.states()) == 1 }, 5*time.Second, time.Millisecond,
			"the failed pushes are retried")
		assert.Equal(t, 3, l.callCount())

		clk.Set(cst(2026, 11, 9, 9, 0))
		require.Eventually(t, func() bool { return len(l.states()) == 2 }, 5*time.Second, time.Millisecond)
		clk.Set(cst(2026, 11, 11, 9, 0))
		require.Eventually(t, func() bool { return len(l.states()) == 3 }, 5*time.Second, time.Millisecond)
		assert.Equal(t, []courier.TrackingState{courier.StateCreated, courier.StateInTransit, courier.StateDelivered}, l.states())
		assert.Equal(t, created.TrackingNumber, l.pushed[2].TrackingNumber)
		assert.True(t, l.pushed[2].DeliveredAt.Equal(cst(2026, 11, 11, 9, 0)))

		// The push is recorded once the listener has returned (on a loaded
		// machine that took over 50 ms once); then, delivered being final,
		// nothing more is pushed.
		require.Eventually(t, func() bool {
			recs, err := sb.Shipments(ctx, "f1")
			return err == nil && len(recs) > 0 && recs[0].LastPushedState == courier.StateDelivered
		}, 5*time.Second, time.Millisecond, "the delivered push is recorded")
		calls := l.callCount()
		time.Sleep(50 * time.Millisecond)
		assert.Equal(t, calls, l.callCount())
	})
}

func TestRunNeedsAListenerAndAnInterval(t *testing.T) {
	sb := courier.NewSandbox(nil, courier.SandboxOptions{})
	assert.Error(t, sb.Run(context.Background(), nil, time.Second))
	assert.Error(t, sb.Run(context.Background(), &recordingListener{}, 0))
}
