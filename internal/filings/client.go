// Package filings acts on running filings from outside Temporal: the API's
// handlers and the outside world's event listeners (bureau, courier) both
// go through it, so an action means the same thing whoever sends it.
package filings

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/beianflow/beianflow/workflows"
)

// Errors of an action.
var (
	// ErrNotFound: no filing with this ID exists in Temporal.
	ErrNotFound = errors.New("filing not found")
	// ErrClosed: the filing has ended; only its read model remains.
	// State answers a *ClosedError, which says how.
	ErrClosed = errors.New("filing has ended")
)

// RefusedError is an action the filing refused: it does not fit the stage
// (Conflict) or its content is wrong (otherwise).
type RefusedError struct {
	Conflict bool
	Message  string
	// Code is the reason of a rejected upload (e.g. checksum_mismatch).
	Code string
}

func (e *RefusedError) Error() string { return e.Message }

// Client acts on filings through Temporal.
type Client struct {
	Temporal client.Client
}

// Act sends an update to the filing and waits for its acknowledgement.
// updateID makes a retried request idempotent (Temporal deduplicates updates
// by ID); empty means a fresh one.
func (c *Client) Act(ctx context.Context, filingID, update, updateID string, arg any) (workflows.Ack, error) {
	// Filing IDs are UUIDs we minted: anything else names no filing, and
	// must not reach Temporal (invalid UTF-8 in a workflow ID fails the
	// gRPC call itself, which would read as an outage). Found by fuzzing
	// the webhooks.
	if _, err := uuid.Parse(filingID); err != nil {
		return workflows.Ack{}, ErrNotFound
	}
	if updateID == "" {
		updateID = uuid.NewString()
	}
	handle, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.WorkflowID(filingID),
		UpdateID:     updateID,
		UpdateName:   update,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var st workflows.Ack
	if err == nil {
		err = handle.Get(ctx, &st)
	}
	if err == nil {
		return st, nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case workflows.ErrTypeStageMismatch:
			return st, &RefusedError{Conflict: true, Message: appErr.Message()}
		case workflows.ErrTypeInvalidAction:
			return st, &RefusedError{Message: appErr.Message()}
		case workflows.ErrTypeMaterialRejected:
			var r workflows.Reason
			if appErr.HasDetails() {
				_ = appErr.Details(&r)
			}
			return st, &RefusedError{Message: appErr.Message(), Code: r.Code}
		}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		if c.exists(ctx, filingID) {
			return st, ErrClosed
		}
		return st, ErrNotFound
	}
	return st, fmt.Errorf("filings: %s on %s: %w", update, filingID, err)
}

// exists tells a closed filing from one that never was.
func (c *Client) exists(ctx context.Context, filingID string) bool {
	_, err := c.Temporal.DescribeWorkflowExecution(ctx, workflows.WorkflowID(filingID), "")
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
func (c *Client) Final(ctx context.Context, filingID string) (workflows.FilingState, error) {
	var st workflows.FilingState
	if _, err := uuid.Parse(filingID); err != nil {
		return st, ErrNotFound
	}
	if err := c.Temporal.GetWorkflow(ctx, workflows.WorkflowID(filingID), "").Get(ctx, &st); err != nil {
		return st, fmt.Errorf("filings: result of %s: %w", filingID, err)
	}
	return st, nil
}

// State returns the live state of a running filing. A closed filing is
// ErrClosed (the caller reads the read model: querying it would replay its
// whole history on a worker).
func (c *Client) State(ctx context.Context, filingID string) (workflows.FilingState, error) {
	if _, err := uuid.Parse(filingID); err != nil {
		return workflows.FilingState{}, ErrNotFound // see Act
	}
	resp, err := c.Temporal.QueryWorkflowWithOptions(ctx, &client.QueryWorkflowWithOptionsRequest{
		WorkflowID:           workflows.WorkflowID(filingID),
		QueryType:            workflows.QueryState,
		QueryRejectCondition: enumspb.QUERY_REJECT_CONDITION_NOT_OPEN,
	})
	var st workflows.FilingState
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		return st, ErrNotFound
	case err != nil:
		return st, fmt.Errorf("filings: state of %s: %w", filingID, err)
	case resp.QueryRejected != nil:
		return st, &ClosedError{Status: resp.QueryRejected.GetStatus()}
	}
	if err := resp.QueryResult.Get(&st); err != nil {
		return st, fmt.Errorf("filings: decode state of %s: %w", filingID, err)
	}
	return st, nil
}
