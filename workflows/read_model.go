package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// readModelRetryWindow is how long a read-model write is retried before the
// workflow task fails (and Temporal retries that in turn): long enough for
// any database outage an operator would fix.
const readModelRetryWindow = 7 * 24 * time.Hour

// recordReadModel writes the filing's row through a local activity: it is a
// short database upsert on the worker's own connection pool, so a local
// activity saves a round trip and two history events per stage change. It
// retries until the database is back; the filing does not advance meanwhile.
func recordReadModel(ctx workflow.Context, s FilingState, notifications []activities.NotifyRequest) error {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
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
	var a *activities.Activities
	return workflow.ExecuteLocalActivity(ctx, a.RecordFiling, activities.FilingRecord{
		FilingID:             s.FilingID,
		AccountID:            s.AccountID,
		Province:             s.Province,
		FilingType:           s.FilingType,
		Domain:               s.Domain,
		RuleSetVersion:       s.RuleSetVersion,
		CalendarVersion:      s.CalendarVersion,
		Stage:                string(s.Stage),
		Step:                 s.Step,
		WaitingOn:            string(s.WaitingOn),
		Since:                s.Since,
		Deadline:             s.Deadline,
		DeadlineBusinessDays: s.DeadlineBusinessDays,
		Revision:             s.Revision,
		WorkflowID:           workflow.GetInfo(ctx).WorkflowExecution.ID,
		Closed:               s.Stage.Terminal(),
		CreatedAt:            s.CreatedAt,
		UpdatedAt:            s.UpdatedAt,
		Notifications:        notifications,
	}).Get(ctx, nil)
}

// readModelWaitsChange gates recording every change of wait in the read
// model (listings filter on what a filing waits for, reviewer queues sort by
// since when). Filings started before it record stage changes only.
const readModelWaitsChange = "read-model-waits"

// waitKey is what the read model shows of a wait.
type waitKey struct {
	stage    Stage
	step     string
	on       Party
	deadline time.Time
}

func (f *filing) currentWait() waitKey {
	k := waitKey{stage: f.state.Stage, step: f.state.Step, on: f.state.WaitingOn}
	if f.state.Deadline != nil {
		k.deadline = *f.state.Deadline
	}
	return k
}

// recordWait writes the read model when the wait differs from what it last
// recorded (a new revision), and otherwise only flushes notifications.
func (f *filing) recordWait(ctx workflow.Context) error {
	k := f.currentWait()
	if k == f.recorded {
		return f.flushNotifications(ctx)
	}
	f.absorbResets(ctx)
	f.state.Revision++
	if err := recordReadModel(ctx, f.state, f.takeUnsent()); err != nil {
		return err
	}
	f.recorded = k
	return nil
}
