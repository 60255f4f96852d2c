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
