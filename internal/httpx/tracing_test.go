package httpx_test

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/requestid"
)

func TestTraceNamesEachRequestsSpanByItsRouteAndKeepsTheURLOut(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	e := httpx.New(slog.New(slog.DiscardHandler), nil)
	e.Use(httpx.Trace(sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))))
	var inHandler trace.SpanContext
	var requestID string
	e.POST("/v1/filings/:id/submit", func(c echo.Context) error {
		inHandler = trace.SpanContextFromContext(c.Request().Context())
		requestID = requestid.From(c.Request().Context())
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/v1/plain-error", func(echo.Context) error { return errors.New("database down") })

	req := httptest.NewRequest(http.MethodPost, "/v1/filings/01HXAAA/submit?name=张三", nil)
	req.Header.Set(echo.HeaderXRequestID, "req-42")
	// The caller's trace: the request's span is a child of its span.
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	require.Equal(t, http.StatusNoContent, rec.Code)
	for _, target := range []string{"/v1/plain-error", "/no/such/01HXCCC"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, target, nil))
	}

	spans := exp.GetSpans()
	require.Len(t, spans, 3)
	submit := spans[0]
	assert.Equal(t, "POST /v1/filings/:id/submit", submit.Name)
	assert.Equal(t, trace.SpanKindServer, submit.SpanKind)
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", submit.SpanContext.TraceID().String())
	assert.Equal(t, "00f067aa0ba902b7", submit.Parent.SpanID().String())
	assert.Equal(t, submit.SpanContext.SpanID(), inHandler.SpanID(), "the handler's context holds the span")
	assert.Equal(t, "req-42", requestID, "the handler's context holds the request ID")
	attrs := map[string]string{}
	for _, kv := range submit.Attributes {
		attrs[string(kv.Key)] = kv.Value.String()
	}
	assert.Equal(t, map[string]string{
		"http.request.method":       "POST",
		"http.route":                "/v1/filings/:id/submit",
		"http.response.status_code": "204",
		"beianflow.request_id":      "req-42",
	}, attrs, "the raw URL (IDs, query) and the headers stay out")
	assert.Equal(t, codes.Unset, submit.Status.Code)

	assert.Equal(t, "GET /v1/plain-error", spans[1].Name)
	assert.Equal(t, codes.Error, spans[1].Status.Code, "a 5xx is the server's error")
	assert.Equal(t, "GET unmatched", spans[2].Name)
	assert.Equal(t, codes.Unset, spans[2].Status.Code, "a 4xx is the client's")
}
