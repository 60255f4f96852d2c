package integration

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/config"
)

// TestOneFilingActionIsOneTraceFromItsHTTPRequestToItsActivity attaches a
// material through the API of a system that exports its spans, and finds
// the request's whole path in one trace: the API's server span, the
// Temporal client's update, the workflow's update handler, the activity it
// schedules to verify the upload and the activity's run on the worker, each
// the child of the one before.
func TestOneFilingActionIsOneTraceFromItsHTTPRequestToItsActivity(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	_, base := startSystemWith(t, "tracing", slog.New(slog.DiscardHandler), func(*config.Config) {},
		app.WithService("beianflow-api"), app.WithSpanExporter(exp))

	company := newCompany("ZJ")
	res := doAt(t, base, http.MethodPost, "/v1/filings", "application/json",
		createBody("acc-trace"+company[10:16], "ZJ", fmt.Sprintf("trace-%s.com", strings.ToLower(company[10:16])), company))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Raw)
	id := res.Body["filing_id"].(string)
	waitStepAt(t, base, id, filing.StageInformation, filing.StepEditing)
	attach := documentAt(t, base, id, string(filing.MaterialLeaderID))

	res = doAt(t, base, http.MethodPost, "/v1/filings/"+id+"/materials", "application/json", attach)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	requestID := res.Header.Get("X-Request-Id")
	require.NotEmpty(t, requestID)

	// The server span ends once the answer is written.
	var root tracetest.SpanStub
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		root = spanNamed(exp.GetSpans(), "POST /v1/filings/:id/materials", "")
		assert.True(c, root.SpanContext.IsValid(), "no span of the request")
	}, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, trace.SpanKindServer, root.SpanKind)
	assert.Contains(t, root.Attributes, attribute.String("beianflow.request_id", requestID))
	assert.Contains(t, root.Resource.Attributes(), attribute.String("service.name", "beianflow-api"))

	spans := exp.GetSpans()
	var inTrace []string
	for _, s := range spans {
		if s.SpanContext.TraceID() == root.SpanContext.TraceID() {
			inTrace = append(inTrace, s.Name)
		}
	}
	// Each span of the path is the child of the one before it.
	parent := root
	for _, name := range []string{
		"UpdateWorkflow:" + filing.AttachMaterials.Name,
		"HandleUpdate:" + filing.AttachMaterials.Name,
		"StartActivity:VerifyMaterials",
		"RunActivity:VerifyMaterials",
	} {
		child := spanNamed(spans, name, parent.SpanContext.SpanID().String())
		require.True(t, child.SpanContext.IsValid(), "no %s under %s; the trace holds %v", name, parent.Name, inTrace)
		assert.Equal(t, root.SpanContext.TraceID(), child.SpanContext.TraceID(), name)
		parent = child
	}
	// No span names the filing's URL or carries its query.
	for _, s := range spans {
		assert.NotContains(t, s.Name, id)
	}
}

// spanNamed returns the span called name (whose parent is parentID, unless
// that is empty), or a zero span.
func spanNamed(spans tracetest.SpanStubs, name, parentID string) tracetest.SpanStub {
	for _, s := range spans {
		if s.Name == name && (parentID == "" || s.Parent.SpanID().String() == parentID) {
			return s
		}
	}
	return tracetest.SpanStub{}
}
