package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// acts is the nil receiver whose methods name the activities; the worker
// registers the real implementation under the same names.
var acts *activities.Activities

// withActivity returns a context for a side-effecting activity: retried
// with backoff without limit for infrastructure failures (the outside world
// comes back eventually), never for business rejections, which activities
// return as non-retryable errors of the types in package activities.
func withActivity(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		// A worker that dies mid-activity is noticed only when this
		// expires, so it is as short as the slowest call allows: gateway
		// calls give up within their 20 s budget.
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
		},
		Summary: summary,
	})
}

// withLocalStep returns a context for a short step on the worker's own
// connections (a database transaction, a quick read of a gateway) run as a
// local activity: one marker in the history instead of an activity's three
// events and the workflow task its completion starts. Retried like
// withActivity, for as long as the read model's writes are; the step must
// be idempotent, since a worker lost before its workflow task completes
// runs it again.
func withLocalStep(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: readModelRetryWindow,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
		},
		Summary: summary,
	})
}
