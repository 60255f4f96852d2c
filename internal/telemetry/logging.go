package telemetry

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/requestid"
)

// NewWorkerInterceptor returns the worker interceptor that puts filing_id
// (the filing whose workflow it is) and request_id (the API request whose
// action it is) on every line logged through workflow.GetLogger and
// activity.GetLogger, and logs each failed activity attempt with them.
// Register it in worker.Options.Interceptors.
//
// A request ID belongs to the handler of the update that carried it and
// to the activities that handler starts. The filing's main
// flow, which runs on for weeks after the request that started the
// workflow, carries none: its log lines are the filing's, not that
// request's. The start's request ID is logged once, as the workflow begins.
func NewWorkerInterceptor() interceptor.WorkerInterceptor { return &workerInterceptor{} }

type workerInterceptor struct {
	interceptor.WorkerInterceptorBase
}

// InterceptWorkflow wraps each workflow's inbound calls.
func (*workerInterceptor) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &workflowInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}}
}

// InterceptActivity wraps each activity's inbound calls.
func (*workerInterceptor) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &activityInbound{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type workflowInbound struct {
	interceptor.WorkflowInboundInterceptorBase
}

// Init hands the workflow an outbound interceptor whose logger names
// the filing and the request.
func (w *workflowInbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return w.Next.Init(&workflowOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}})
}

// ExecuteWorkflow logs the start with its request ID, then runs the main
// flow without it.
func (w *workflowInbound) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	// The logger is replay-aware: this is logged once, on the first run.
	workflow.GetLogger(ctx).Info("workflow started")
	return w.Next.ExecuteWorkflow(workflow.WithValue(ctx, requestIDKey{}, ""), in)
}

type workflowOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
}

// GetLogger is the workflow's logger with filing_id and request_id.
func (o *workflowOutbound) GetLogger(ctx workflow.Context) log.Logger {
	return withIDs(o.Next.GetLogger(ctx), o.Next.GetInfo(ctx).WorkflowExecution.ID, requestIDOf(ctx))
}

type activityInbound struct {
	interceptor.ActivityInboundInterceptorBase
}

// Init hands the activity an outbound interceptor whose logger names the
// filing and the request.
func (a *activityInbound) Init(outbound interceptor.ActivityOutboundInterceptor) error {
	return a.Next.Init(&activityOutbound{ActivityOutboundInterceptorBase: interceptor.ActivityOutboundInterceptorBase{Next: outbound}})
}

// ExecuteActivity runs the activity and logs a failed attempt.
func (a *activityInbound) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := a.Next.ExecuteActivity(ctx, in)
	if err != nil && !errors.Is(err, activity.ErrResultPending) {
		logFailure(ctx, err)
	}
	return res, err
}

type activityOutbound struct {
	interceptor.ActivityOutboundInterceptorBase
}

// GetLogger is the activity's logger with filing_id and request_id.
func (o *activityOutbound) GetLogger(ctx context.Context) log.Logger {
	return withIDs(o.Next.GetLogger(ctx), o.Next.GetInfo(ctx).WorkflowExecution.ID, requestid.From(ctx))
}

// withIDs adds the filing of workflowID and the request ID, when there are
// any, to l. Both are opaque IDs minted or checked by beianflow, never
// personal data.
func withIDs(l log.Logger, workflowID, requestID string) log.Logger {
	var kv []any
	if id, ok := filing.IDFromWorkflowID(workflowID); ok {
		kv = append(kv, "filing_id", string(id))
	}
	if requestID != "" {
		kv = append(kv, "request_id", requestID)
	}
	if len(kv) == 0 {
		return l
	}
	return log.With(l, kv...)
}

// logFailure logs a failed activity attempt: a business rejection (a
// non-retryable application error, which the workflow handles) with its
// type and reason code, a benign one (a poll's "not yet") at debug level,
// anything else as a warning saying whether Temporal will try again. The SDK logs the error too, but without the
// filing and the request.
func logFailure(ctx context.Context, err error) {
	l := activity.GetLogger(ctx)
	info := activity.GetInfo(ctx)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.NonRetryable() {
		var reason filing.Reason
		if appErr.HasDetails() {
			_ = appErr.Details(&reason)
		}
		l.Info("activity refused", "error_type", appErr.Type(), "code", reason.Code)
		return
	}
	if errors.As(err, &appErr) && appErr.Category() == temporal.ApplicationErrorCategoryBenign {
		// A poll by retries (the bureau's review): an attempt that finds
		// nothing new yet is how it works, not worth a warning each time.
		l.Debug("activity not done yet", "attempt", info.Attempt, "error_type", appErr.Type())
		return
	}
	if errors.Is(err, context.Canceled) {
		l.Info("activity cancelled")
		return
	}
	retry := true
	if p := info.RetryPolicy; p != nil && p.MaximumAttempts > 0 && info.Attempt >= p.MaximumAttempts {
		retry = false
	}
	l.Warn("activity attempt failed", "attempt", info.Attempt, "will_retry", retry, "error", err)
}
