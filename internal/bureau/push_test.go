package bureau_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

var errPushRefused = errors.New("listener unavailable")

// runPush runs the push loop until the test ends.
func runPush(t *testing.T, sb *bureau.Sandbox, l bureau.Listener) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sb.Run(ctx, l, 5*time.Millisecond) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
}

func TestPushesStateChangesAndRetriesFailedPushes(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(monday)
		sb := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now})
		r, err := sb.Submit(ctx, submission("k1", "f1", true))
		require.NoError(t, err)

		l := &recordingListener{failFirst: 2}
		runPush(t, sb, l)
		require.Eventually(t, func() bool { return len(l.states()) == 1 }, 5*time.Second, time.Millisecond,
			"the failed pushes are retried")
		assert.Equal(t, []bureau.State{bureau.StateSMSPending}, l.states())
		assert.Equal(t, 3, l.callCount())

		clk.Set(monday.Add(10 * time.Minute))
		require.Eventually(t, func() bool { return len(l.states()) == 2 }, 5*time.Second, time.Millisecond)
		clk.Set(cst(2026, 11, 5, 10, 10))
		require.Eventually(t, func() bool { return len(l.states()) == 3 }, 5*time.Second, time.Millisecond)
		assert.Equal(t, []bureau.State{bureau.StateSMSPending, bureau.StateUnderReview, bureau.StateApproved}, l.states())
		approved := l.pushed[2]
		assert.Equal(t, r.ReceiptID, approved.ReceiptID)
		assert.NotEmpty(t, approved.FilingNumber)

		// The push is recorded once the listener has returned (the
		// courier's twin of this test once saw that take over 50 ms); then,
		// nothing changing any more, nothing more is pushed.
		require.Eventually(t, func() bool {
			recs, err := sb.Submissions(ctx, "f1")
			return err == nil && len(recs) > 0 && recs[0].LastPushedState == bureau.StateApproved
		}, 5*time.Second, time.Millisecond, "the approval's push is recorded")
		calls := l.callCount()
		time.Sleep(50 * time.Millisecond)
		assert.Equal(t, calls, l.callCount())
	})
}

func TestARestartedSandboxPushesOnlyWhatWasNotPushed(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(monday)
		before := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now})
		_, err := before.Submit(ctx, submission("k1", "f1", false))
		require.NoError(t, err)
		_, err = before.Submit(ctx, submission("k2", "f2", false, bureau.MarkerOverdue))
		require.NoError(t, err)
		first := &recordingListener{}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- before.Run(runCtx, first, 5*time.Millisecond) }()
		require.Eventually(t, func() bool { return len(first.states()) == 2 }, 5*time.Second, time.Millisecond)
		stop()
		require.NoError(t, <-done)
		for _, f := range []string{"f1", "f2"} {
			recs, err := before.Submissions(ctx, f)
			require.NoError(t, err)
			assert.Equal(t, bureau.StateUnderReview, recs[0].LastPushedState, "a delivered push is recorded even as the loop stops")
		}

		// While the sandbox is down f1 is decided; the restarted one pushes
		// that decision and nothing about the unchanged f2.
		clk.Set(cst(2026, 11, 5, 10, 0))
		after := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now})
		second := &recordingListener{}
		runPush(t, after, second)
		require.Eventually(t, func() bool { return len(second.states()) == 1 }, 5*time.Second, time.Millisecond)
		time.Sleep(30 * time.Millisecond)
		require.Equal(t, []bureau.State{bureau.StateApproved}, second.states())
		assert.Equal(t, "f1", second.pushed[0].FilingID)
	})
}

func TestRunNeedsAListenerAndAnInterval(t *testing.T) {
	sb := bureau.NewSandbox(nil, bureau.SandboxOptions{})
	assert.Error(t, sb.Run(context.Background(), nil, time.Second))
	assert.Error(t, sb.Run(context.Background(), &recordingListener{}, 0))
}
