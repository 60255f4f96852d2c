package telemetry

import (
	"fmt"

	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// TracingInterceptor returns the Temporal SDK's OpenTelemetry tracing
// interceptor over tp. Registered in client.Options.Interceptors it traces
// the client's calls (StartWorkflow, UpdateWorkflow, QueryWorkflow, …) as
// children of the span in their context, and, being a worker interceptor
// too, every worker built on that client traces the workflows, their
// handlers and activities under the span that called them: one trace from
// an HTTP request to the activities it set off.
func TracingInterceptor(tp trace.TracerProvider) (interceptor.Interceptor, error) {
	i, err := opentelemetry.NewTracingInterceptor(opentelemetry.TracerOptions{
		Tracer:            tp.Tracer("go.temporal.io/sdk/contrib/opentelemetry"),
		TextMapPropagator: Propagator,
		// Baggage would copy whatever a caller sent into histories.
		DisableBaggage: true,
	})
	if err != nil {
		return nil, fmt.Errorf("telemetry: Temporal tracing interceptor: %w", err)
	}
	return i, nil
}
