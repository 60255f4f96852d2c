package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// readModelRetryWindow is how long a read-model write is retried before the
// workflow task fails (and Temporal retries that in turn): long enough for
// any database outage an operator would fix.
const readModelRetryWindow = 7 * 24 * time.Hour

// readModel is what the flow knows of its read-model row.
type readModel struct {
	// recorded is the wait the row last got; the row gets a new revision
	// whenever the wait changes (listings filter on what a filing waits
	// for, reviewer queues sort by since when).
	recorded waitKey
	// rewrite asks for a new revision of the row after a support reset,
	// even if the wait stays the same: the old run may have recorded a
	// later stage.
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
		Summary: "record the change",
	})
}

// uncommitted reports whether the filing changed since its last commit:
// another wait, audit entries or notifications not yet written, a reset to
// absorb, or search attributes that no longer say what the state does.
func (f *flow) uncommitted(ctx workflow.Context) bool {
	return f.currentWait() != f.reads.recorded || f.reads.rewrite ||
		len(f.trail.pending) > 0 || len(f.outbox.unsent) > 0 ||
		f.resetInbox(ctx).Len() > 0 || !f.wanted().equal(f.pub)
}

// commit makes a change visible, once per change however many concerns it
// touches: the search attributes in one upsert of what differs, and the
// read-model row with the change's audit entries and notifications in one
// local activity, one transaction. The flow commits before it blocks (a
// wait, an activity) and when it ends, so a workflow task writes at most
// once, and nothing is written while nothing changed.
func (f *flow) commit(ctx workflow.Context) error {
	f.absorbResets(ctx)
	if !f.uncommitted(ctx) {
		return nil
	}
	// A failed upsert only degrades the operators' filters; never fail the
	// filing for it.
	_ = f.publish(ctx, f.wanted())
	k := f.currentWait()
	newRevision := k != f.reads.recorded || f.reads.rewrite
	if !newRevision && len(f.trail.pending) == 0 && len(f.outbox.unsent) == 0 {
		return nil // only the search attributes were behind
	}
	if newRevision {
		f.state.Revision++
	}
	err := workflow.ExecuteLocalActivity(withDatabase(ctx), acts.RecordFiling, activities.RecordFilingRequest{
		Row:           filing.RowOf(f.state),
		Notifications: f.outbox.take(),
		Audit:         f.trail.take(),
	}).Get(ctx, nil)
	if err != nil {
		return err
	}
	f.reads.recorded, f.reads.rewrite = k, false
	return nil
}
