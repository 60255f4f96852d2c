package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// readModelRetryWindow is how long a read-model or audit-trail write is
// retried before the workflow task fails (and Temporal retries that in
// turn): long enough for any database outage an operator would fix.
const readModelRetryWindow = 7 * 24 * time.Hour

// readModel is what the flow knows of its read-model row.
type readModel struct {
	// recorded is the wait the row last got; the row is rewritten whenever
	// the wait changes (listings filter on what a filing waits for,
	// reviewer queues sort by since when).
	recorded waitKey
	// rewrite asks the reset watcher to write the row after a support
	// reset, even if the wait stays the same.
	rewrite bool
}

// waitKey is what the read model shows of a wait.
type waitKey struct {
	stage    filing.Stage
	step     filing.Step
	on       filing.Party
	deadline time.Time
}

func (f *flow) currentWait() waitKey {
	k := waitKey{stage: f.state.Stage, step: f.state.Step, on: f.state.WaitingOn}
	if f.state.Deadline != nil {
		k.deadline = *f.state.Deadline
	}
	return k
}

// withDatabase runs local activities on the worker's database: short
// upserts that retry until the database is back, while the filing does not
// advance.
func withDatabase(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		// Without it the SDK bounds all attempts by StartToCloseTimeout,
		// and a ten-second database outage would fail the filing.
		ScheduleToCloseTimeout: readModelRetryWindow,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}

// recordReadModel writes the filing's row, with the notifications that
// announce the change, through a local activity: a short database upsert on
// the worker's own connection pool saves a round trip and two history events
// per write.
func (f *flow) recordReadModel(ctx workflow.Context, notifications []activities.NotifyRequest) error {
	return workflow.ExecuteLocalActivity(withDatabase(ctx), acts.RecordFiling, activities.RecordFilingRequest{
		Row:           filing.RowOf(f.state),
		Notifications: notifications,
		// The audit entries of this change go in the same transaction;
		// the audit trail's writer takes those written between changes.
		Audit: f.trail.take(),
	}).Get(ctx, nil)
}

// recordWait writes the read model when the wait differs from what it last
// recorded (a new revision), and otherwise only flushes notifications.
func (f *flow) recordWait(ctx workflow.Context) error {
	k := f.currentWait()
	if k == f.reads.recorded {
		return f.flushNotifications(ctx)
	}
	f.absorbResets(ctx)
	f.state.Revision++
	if err := f.recordReadModel(ctx, f.outbox.take()); err != nil {
		return err
	}
	f.reads.recorded = k
	return nil
}
