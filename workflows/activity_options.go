package workflows

import (
	"math"
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
	return withLocal(ctx, summary, readModelRetryWindow, 10*time.Minute)
}

// withLocal returns a context for a local activity of up to 30 s per
// attempt, retried with doubling pauses up to maxPause for budget in all.
func withLocal(ctx workflow.Context, summary string, budget, maxPause time.Duration) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: budget,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    maxPause,
		},
		Summary: summary,
	})
}

// pollsLifetime bounds an activity of polls; the flow starts another if the
// partner has had no news for that long.
const pollsLifetime = 90 * 24 * time.Hour

// withPolls returns a context for an activity that polls a partner by
// failing until the partner has news: its retries, one per interval, are
// the polls, and Temporal records none of them in the history, only the
// attempt that brings the news.
func withPolls(ctx workflow.Context, every time.Duration, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: pollsLifetime,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    every,
			BackoffCoefficient: 1,
			MaximumInterval:    every,
			// As many as fit in the lifetime, said outright: Temporal's
			// test environment otherwise stops at ten.
			MaximumAttempts: int32(min(pollsLifetime/max(every, time.Second)+1, math.MaxInt32)),
		},
		Summary: summary,
	})
}

// call runs a side-effecting activity once the flow has committed: the flow
// blocks on it, maybe for long (a gateway that is down), and operators and
// the read model must see the step it is in meanwhile.
func (f *flow) call(ctx workflow.Context, summary string, activity, in, out any) error {
	if err := f.commit(ctx); err != nil {
		return err
	}
	return workflow.ExecuteActivity(withActivity(ctx, summary), activity, in).Get(ctx, out)
}

// pollBudget bounds one poll of a partner (the courier, the bureau): a poll
// that fails is only news not had, which the next poll or a push brings, so
// it is not retried for long.
const pollBudget = 2 * time.Minute

// poll asks a partner for news through a local activity: in the workflow
// task the poll's timer started, one marker instead of an activity's three
// events and the workflow task its completion starts. It reports false,
// logged, when the partner could not be asked.
func (f *flow) poll(ctx workflow.Context, summary string, activity, in, out any) bool {
	ctx = withLocal(ctx, summary, pollBudget, 30*time.Second)
	if err := workflow.ExecuteLocalActivity(ctx, activity, in).Get(ctx, out); err != nil {
		workflow.GetLogger(ctx).Warn("poll failed; waiting for the next one or a push", "poll", summary, "error", err)
		return false
	}
	return true
}
