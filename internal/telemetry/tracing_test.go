package telemetry_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/telemetry"
)

// collector is an OTLP/HTTP receiver that keeps what it is sent.
type collector struct {
	mu       sync.Mutex
	paths    []string
	requests []*coltracepb.ExportTraceServiceRequest
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := &coltracepb.ExportTraceServiceRequest{}
	if err := proto.Unmarshal(body, req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.paths = append(c.paths, r.URL.Path)
	c.requests = append(c.requests, req)
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(nil)
}

// export sends one span through a tracer provider built from c and o to a
// collector of its own, and returns the paths the collector was sent to,
// the service.name and the span names it received.
func export(t *testing.T, c config.Telemetry, o telemetry.Options) (paths []string, service string, spans []string) {
	t.Helper()
	var got collector
	srv := httptest.NewServer(&got)
	defer srv.Close()
	c.OTLPEndpoint = srv.URL
	tr, err := telemetry.NewTracing(context.Background(), c, o)
	require.NoError(t, err)
	_, span := tr.Provider.Tracer("test").Start(context.Background(), "RunActivity:VerifyMaterial")
	span.End()
	// Spans are batched; shutting down sends what is buffered.
	require.NoError(t, tr.Shutdown(context.Background()))

	got.mu.Lock()
	defer got.mu.Unlock()
	for _, req := range got.requests {
		for _, rs := range req.GetResourceSpans() {
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.GetKey() == "service.name" {
					service = kv.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, sp := range ss.GetSpans() {
					spans = append(spans, sp.GetName())
				}
			}
		}
	}
	return got.paths, service, spans
}

func TestSpansAreExportedOverOTLPToTheConfiguredEndpoint(t *testing.T) {
	paths, service, spans := export(t, config.Telemetry{TraceSampleRatio: 1}, telemetry.Options{Service: "beianflow-worker"})
	assert.Equal(t, []string{"/v1/traces"}, paths)
	assert.Equal(t, "beianflow-worker", service)
	assert.Equal(t, []string{"RunActivity:VerifyMaterial"}, spans)
}

func TestTheConfiguredServiceNameReplacesTheRoles(t *testing.T) {
	_, service, _ := export(t, config.Telemetry{TraceSampleRatio: 1, ServiceName: "beian-prod-api"}, telemetry.Options{Service: "beianflow-api"})
	assert.Equal(t, "beian-prod-api", service)
}

func TestASampleRatioOfZeroExportsNothing(t *testing.T) {
	paths, _, spans := export(t, config.Telemetry{TraceSampleRatio: 0}, telemetry.Options{Service: "beianflow-api"})
	assert.Empty(t, paths)
	assert.Empty(t, spans)
}

func TestWithoutAnEndpointNothingIsRecorded(t *testing.T) {
	tr, err := telemetry.NewTracing(context.Background(), config.Defaults().Telemetry, telemetry.Options{Service: "beianflow-api"})
	require.NoError(t, err)
	_, span := tr.Provider.Tracer("test").Start(context.Background(), "GET /v1/filings/:id")
	assert.False(t, span.IsRecording())
	span.End()
	assert.NoError(t, tr.Shutdown(context.Background()))
}
