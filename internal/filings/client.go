// Package filings is the one way in to Temporal for filings: starting one,
// acting on it, reading its state. The API's handlers, the outside world's
// event listeners (bureau, courier) and the support tooling all go through
// it, so an action means the same thing whoever sends it.
package filings

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/workflows"
)

// Errors of an action.
var (
	// ErrNotFound: no filing with this ID exists in Temporal.
	ErrNotFound = errors.New("filing not found")
	// ErrClosed: the filing has ended; only its read model remains.
	// State answers a *ClosedError, which says how.
	ErrClosed = errors.New("filing has ended")
	// ErrExists: a filing with this ID was started before.
	ErrExists = errors.New("filing exists")
)

// RefusedError is an action the filing refused: it does not fit the stage
// (Conflict) or its content is wrong (otherwise).
type RefusedError struct {
	Conflict bool
	Message  string
	// Code is the reason of a rejected upload (e.g. checksum_mismatch),
	// Field the request's field that named it (object_key, or
	// materials[2].object_key when several were attached at once).
	Code, Field string
}

func (e *RefusedError) Error() string { return e.Message }

// Client acts on filings through Temporal.
type Client struct {
	Temporal  client.Client
	TaskQueue string
	// ActTimeout bounds a start or an action (an update waited for until
	// it completes), ReadTimeout a query; zero takes DefaultActTimeout and
	// DefaultReadTimeout. Without a bound, a call made while a Temporal
	// service is down waits as long as the caller does: the SDK retries
	// an unavailable server until its context ends. Bounded, it ends as
	// a deadline the API answers 503, below a client's own timeout
	// (apiclient's is 30 s), and a retry with the same idempotency key
	// finds the same update.
	ActTimeout, ReadTimeout time.Duration
}

// Defaults of Client's bounds.
const (
	DefaultActTimeout  = 20 * time.Second
	DefaultReadTimeout = 10 * time.Second
)

func (c *Client) actContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, cmp.Or(c.ActTimeout, DefaultActTimeout))
}

func (c *Client) readContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, cmp.Or(c.ReadTimeout, DefaultReadTimeout))
}

// StartOptions are how a filing's workflow is started: its workflow ID,
// which Temporal refuses to reuse, and the search attributes operators
// filter on from the first moment. summary is the Web UI's one-line title.
func StartOptions(in filing.Input, taskQueue, summary string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       in.FilingID.WorkflowID(),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrStage.ValueSet(string(filing.StageProductVerification)),
			workflows.AttrProvince.ValueSet(in.Province),
			workflows.AttrFilingType.ValueSet(string(in.FilingType)),
			workflows.AttrOverdue.ValueSet(false),
		),
		StaticSummary: summary,
		StaticDetails: fmt.Sprintf("Filing `%s` of account `%s`, type `%s`, created %s, time scale %g.",
			in.FilingID, in.AccountID, in.FilingType, in.CreatedAt.Format(time.RFC3339), in.Settings.TimeScale),
	}
}

// Start starts the filing's workflow. A filing ID used before is ErrExists.
func (c *Client) Start(ctx context.Context, in filing.Input, summary string) error {
	ctx, cancel := c.actContext(ctx)
	defer cancel()
	_, err := c.Temporal.ExecuteWorkflow(ctx, StartOptions(in, c.TaskQueue, summary), filing.WorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return ErrExists
	}
	if err != nil {
		return fmt.Errorf("filings: start %s: %w", in.FilingID, err)
	}
	return nil
}

// Act sends update u with req to the filing and waits for its
// acknowledgement. updateID makes a retried request idempotent (Temporal
// deduplicates updates by ID); empty means a fresh one.
func Act[Req filing.Request](ctx context.Context, c *Client, id filing.ID, u filing.Update[Req], updateID string, req Req) (filing.Ack, error) {
	return c.act(ctx, id, u.Name, updateID, req)
}

// ActAs sends update name with req, for callers that hold an action
// without its static type (a support reset's redelivery, the API's routes
// that add who delivered an event).
func (c *Client) ActAs(ctx context.Context, id filing.ID, name, updateID string, req filing.Request) (filing.Ack, error) {
	return c.act(ctx, id, name, updateID, req)
}

func (c *Client) act(ctx context.Context, id filing.ID, name, updateID string, arg any) (filing.Ack, error) {
	if updateID == "" {
		updateID = uuid.NewString()
	}
	ctx, cancel := c.actContext(ctx)
	defer cancel()
	handle, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   id.WorkflowID(),
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var ack filing.Ack
	if err == nil {
		err = handle.Get(ctx, &ack)
	}
	if err == nil {
		return ack, nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case filing.ErrTypeStageMismatch:
			return ack, &RefusedError{Conflict: true, Message: appErr.Message()}
		case filing.ErrTypeInvalidAction:
			return ack, &RefusedError{Message: appErr.Message()}
		case filing.ErrTypeMaterialRejected:
			var r filing.Reason
			if appErr.HasDetails() {
				_ = appErr.Details(&r)
			}
			return ack, &RefusedError{Message: appErr.Message(), Code: r.Code, Field: r.Field}
		}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		if c.exists(ctx, id) {
			return ack, ErrClosed
		}
		return ack, ErrNotFound
	}
	return ack, fmt.Errorf("filings: %s on %s: %w", name, id, err)
}

// exists tells a closed filing from one that never was.
func (c *Client) exists(ctx context.Context, id filing.ID) bool {
	_, err := c.Temporal.DescribeWorkflow(ctx, id.WorkflowID(), "")
	return err == nil
}

// ClosedError is ErrClosed with how the filing's workflow ended, as
// Temporal reported it when it refused the state query.
type ClosedError struct {
	Status enumspb.WorkflowExecutionStatus
}

func (e *ClosedError) Error() string { return ErrClosed.Error() + " (" + e.Status.String() + ")" }

// Is makes errors.Is(err, ErrClosed) hold.
func (e *ClosedError) Is(target error) bool { return target == ErrClosed }

// Completed reports whether the workflow ended normally, with a result
// (approved, cancelled, expired) rather than terminated or failed.
func (e *ClosedError) Completed() bool {
	return e.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
}

// Final returns the state a completed filing ended with (its workflow's
// result): the filing number, the timeline and the references that the
// read model does not keep. Temporal sends only the closing event. Call it
// for a filing State reported completed; one whose history Temporal no
// longer holds is an error, and the caller reads the read model.
func (c *Client) Final(ctx context.Context, id filing.ID) (filing.State, error) {
	var st filing.State
	if err := c.Temporal.GetWorkflow(ctx, id.WorkflowID(), "").Get(ctx, &st); err != nil {
		return st, fmt.Errorf("filings: result of %s: %w", id, err)
	}
	return st, nil
}

// Applied reports whether the update with updateID was accepted and
// completed on the filing: a retried request whose first attempt outlasted
// its answer finds its own action done. It waits for an update still
// running, within the read bound.
func (c *Client) Applied(ctx context.Context, id filing.ID, updateID string) (bool, error) {
	ctx, cancel := c.readContext(ctx)
	defer cancel()
	handle := c.Temporal.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{WorkflowID: id.WorkflowID(), UpdateID: updateID})
	var ack filing.Ack
	err := handle.Get(ctx, &ack)
	var nf *serviceerror.NotFound
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &nf):
		return false, nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return false, nil // it ran and was refused: not applied
	}
	return false, fmt.Errorf("filings: update %s of %s: %w", updateID, id, err)
}

// State returns the live state of a running filing. A closed filing is
// ErrClosed (the caller reads the read model: querying it would replay its
// whole history on a worker).
func (c *Client) State(ctx context.Context, id filing.ID) (filing.State, error) {
	ctx, cancel := c.readContext(ctx)
	defer cancel()
	resp, err := c.Temporal.QueryWorkflowWithOptions(ctx, &client.QueryWorkflowWithOptionsRequest{
		WorkflowID:           id.WorkflowID(),
		QueryType:            filing.QueryState,
		QueryRejectCondition: enumspb.QUERY_REJECT_CONDITION_NOT_OPEN,
	})
	var st filing.State
	var nf *serviceerror.NotFound
	var noWorker *serviceerror.FailedPrecondition
	switch {
	case errors.As(err, &nf):
		return st, ErrNotFound
	case errors.As(err, &noWorker):
		// Matching saw no worker poll the filing's queue lately ("no poller
		// seen for task queue recently"): the workers are down or too
		// busy to poll. The service is unavailable (503, or the read model
		// answers), not failing on this request (found at 2,000 filings in
		// flight, `make scale`).
		return st, fmt.Errorf("filings: state of %s: %w", id, serviceerror.NewUnavailable(noWorker.Error()))
	case err != nil:
		return st, fmt.Errorf("filings: state of %s: %w", id, err)
	case resp.QueryRejected != nil:
		return st, &ClosedError{Status: resp.QueryRejected.GetStatus()}
	}
	if err := resp.QueryResult.Get(&st); err != nil {
		return st, fmt.Errorf("filings: decode state of %s: %w", id, err)
	}
	return st, nil
}
