package httpx

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/beianflow/beianflow/internal/metrics"
	"github.com/beianflow/beianflow/internal/telemetry"
)

// RequestIDAttribute is the span attribute holding the request ID, which
// the answer's X-Request-Id and the logs quote.
const RequestIDAttribute = attribute.Key("beianflow.request_id")

// Trace starts a server span for every request, in the request's context,
// so that what its handler does (Temporal calls above all) becomes its
// children; a caller's W3C traceparent makes it a child of the caller's.
// Install it with e.Use on an Echo from New.
//
// A span is named by method and route template ("POST /v1/filings/:id/submit")
// and carries the method, the route, the final status and the request ID:
// never the raw URL, whose path holds filing IDs and secrets and whose
// query may hold personal data, and no header. Like EchoMiddleware it
// handles a handler's error itself, so that the status is final.
func Trace(tp trace.TracerProvider) echo.MiddlewareFunc {
	tracer := tp.Tracer("github.com/beianflow/beianflow/internal/httpx")
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			method := metrics.Method(r.Method)
			ctx := telemetry.Propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			ctx, span := tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
				semconv.HTTPRequestMethodKey.String(method), RequestIDAttribute.String(RequestID(c))))
			defer span.End()
			c.SetRequest(r.WithContext(ctx))

			panicked := true
			defer func() {
				if panicked {
					// The recoverer outside answers 500.
					finish(span, method, metrics.Route(c, nil), http.StatusInternalServerError)
				}
			}()
			err := next(c)
			panicked = false
			if err != nil {
				c.Error(err)
			}
			finish(span, method, metrics.Route(c, err), c.Response().Status)
			return nil
		}
	}
}

// finish names the span once the route is known for sure (a group's
// catch-all only looks like a match) and records the status; a 5xx is an
// error of the server, a 4xx the client's.
func finish(span trace.Span, method, route string, status int) {
	span.SetName(method + " " + route)
	span.SetAttributes(semconv.HTTPRoute(route), semconv.HTTPResponseStatusCode(status))
	if status >= http.StatusInternalServerError {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
}
