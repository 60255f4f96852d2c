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
		FilingID:        s.FilingID,
		AccountID:       s.AccountID,
		Province:        s.Province,
		FilingType:      s.FilingType,
		Domain:          s.Domain,
		RuleSetVersion:  s.RuleSetVersion,
		CalendarVersion: s.CalendarVersion,
		Stage:           string(s.Stage),
		WaitingOn:       string(s.WaitingOn),
		Revision:        s.Revision,
		WorkflowID:      workflow.GetInfo(ctx).WorkflowExecution.ID,
		Closed:          s.Stage.Terminal(),
		CreatedAt:       s.CreatedAt,
		UpdatedAt:       s.UpdatedAt,
		Notifications:   notifications,
	}).Get(ctx, nil)
}
