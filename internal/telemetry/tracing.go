// Package telemetry is how beianflow's processes trace and log what a
// filing does across them: the OpenTelemetry tracer provider built from the
// configuration, and the Temporal client's and worker's interceptors and
// context propagator that carry a trace and the API's request ID from an
// HTTP request through the workflow into its activities, and put the
// filing ID and the request ID on the SDK's loggers.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/beianflow/beianflow/internal/config"
)

// Propagator is how trace context crosses process boundaries: W3C
// traceparent and tracestate, in HTTP headers and Temporal headers alike.
// Baggage is left out on purpose: it is free text a caller chooses, and
// Temporal headers are stored in workflow histories.
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// Options are what a process adds to the configuration.
type Options struct {
	// Service is the process's service.name, e.g. beianflow-api; the
	// configuration's ServiceName overrides it.
	Service string
	// Exporter, when set, receives every sampled span as it ends, in place
	// of the configured OTLP endpoint: tests read the spans from it.
	Exporter sdktrace.SpanExporter
}

// Tracing is a process's tracer provider.
type Tracing struct {
	// Provider creates the process's tracers. It records nothing when
	// spans go nowhere (no endpoint, no exporter), but still passes on the
	// trace context of the requests it serves.
	Provider trace.TracerProvider
	sdk      *sdktrace.TracerProvider
}

// NewTracing builds the tracer provider c and o describe.
func NewTracing(ctx context.Context, c config.Telemetry, o Options) (*Tracing, error) {
	var processor sdktrace.SpanProcessor
	switch {
	case o.Exporter != nil:
		// As the spans end, so a test sees them all once the request that
		// made them has been answered.
		processor = sdktrace.NewSimpleSpanProcessor(o.Exporter)
	case c.OTLPEndpoint != "":
		url := c.OTLPEndpoint
		if !strings.HasSuffix(url, "/v1/traces") {
			url += "/v1/traces"
		}
		exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(url))
		if err != nil {
			return nil, fmt.Errorf("telemetry: OTLP exporter for %s: %w", url, err)
		}
		processor = sdktrace.NewBatchSpanProcessor(exp)
	default:
		return &Tracing{Provider: noop.NewTracerProvider()}, nil
	}
	service := c.ServiceName
	if service == "" {
		service = o.Service
	}
	if service == "" {
		service = "beianflow"
	}
	// resource.Default adds the SDK's own attributes and
	// OTEL_RESOURCE_ATTRIBUTES (deployment.environment, k8s.pod.name, …).
	res, err := resource.Merge(resource.Default(),
		resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(service)))
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	ratio := c.TraceSampleRatio
	if o.Exporter != nil {
		ratio = 1 // a test reads every span
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithSpanProcessor(processor),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	)
	return &Tracing{Provider: tp, sdk: tp}, nil
}

// Shutdown exports the spans still buffered and stops the provider; ctx
// bounds how long that may take.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil || t.sdk == nil {
		return nil
	}
	if err := t.sdk.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("telemetry: shut down the tracer provider: %w", err)
	}
	return nil
}
