package telemetry

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/internal/requestid"
)

// requestIDHeader is the Temporal header that carries the API's request ID
// from the client into the workflow and from the workflow into the
// activities it starts.
const requestIDHeader = "beianflow-request-id"

// requestIDKey holds the request ID in a workflow.Context.
type requestIDKey struct{}

// RequestIDPropagator carries the request ID of requestid.With through
// Temporal: a call the API makes while answering a request (a start, an
// update) takes it along in a header, the workflow's handler of that call
// and the activities the handler starts see it, and so do their loggers
// (NewWorkerInterceptor). Register it in client.Options.ContextPropagators;
// workers built on that client use it too.
func RequestIDPropagator() workflow.ContextPropagator { return requestIDPropagator{} }

type requestIDPropagator struct{}

var _ workflow.CodecContextPropagator = requestIDPropagator{}

// EncodeHeaders has the client's payload codec encrypt the header like
// every payload: a request ID is the caller's to choose, and headers are
// stored in the history.
func (requestIDPropagator) EncodeHeaders() bool { return true }

// Inject writes the request ID of a client call's context.
func (requestIDPropagator) Inject(ctx context.Context, w workflow.HeaderWriter) error {
	return inject(requestid.From(ctx), w)
}

// InjectFromWorkflow writes the request ID of the workflow context that
// starts an activity (or a child workflow).
func (requestIDPropagator) InjectFromWorkflow(ctx workflow.Context, w workflow.HeaderWriter) error {
	return inject(requestIDOf(ctx), w)
}

// Extract gives an activity's context the request ID of its header.
func (requestIDPropagator) Extract(ctx context.Context, r workflow.HeaderReader) (context.Context, error) {
	id, err := extract(r)
	if err != nil {
		return nil, err
	}
	return requestid.With(ctx, id), nil
}

// ExtractToWorkflow sets the request ID even when the header has none: an
// update's context derives from the workflow's root context, and an update
// sent without a request must not pass for the request that started the
// filing.
func (requestIDPropagator) ExtractToWorkflow(ctx workflow.Context, r workflow.HeaderReader) (workflow.Context, error) {
	id, err := extract(r)
	if err != nil {
		return nil, err
	}
	return workflow.WithValue(ctx, requestIDKey{}, id), nil
}

// requestIDOf is the request ID a workflow context carries, or "".
func requestIDOf(ctx workflow.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func inject(id string, w workflow.HeaderWriter) error {
	if id == "" {
		return nil
	}
	p, err := converter.GetDefaultDataConverter().ToPayload(id)
	if err != nil {
		return fmt.Errorf("telemetry: encode the request ID header: %w", err)
	}
	w.Set(requestIDHeader, p)
	return nil
}

func extract(r workflow.HeaderReader) (string, error) {
	p, ok := r.Get(requestIDHeader)
	if !ok {
		return "", nil
	}
	var id string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &id); err != nil {
		return "", fmt.Errorf("telemetry: decode the request ID header: %w", err)
	}
	return id, nil
}
