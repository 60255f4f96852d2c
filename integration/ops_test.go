package integration

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/instances"
	"github.com/beianflow/beianflow/internal/records"
)

// A worker serves what an orchestrator and a scraper ask of it: liveness,
// readiness naming its dependencies, and its metrics — the SDK's worker
// metrics and the webhook senders'.
func TestAWorkerServesItsHealthAndMetrics(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- sys.app.RunOps(ctx, "127.0.0.1:0", ready) }()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + (<-ready).String()

	get := func(path string) (int, string) {
		res, err := http.Get(base + path)
		require.NoError(t, err)
		defer func() { _ = res.Body.Close() }()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(b)
	}
	status, _ := get("/healthz")
	assert.Equal(t, http.StatusOK, status)
	status, body := get("/readyz")
	assert.Equal(t, http.StatusOK, status, body)
	for _, dep := range []string{`"temporal":"ok"`, `"database":"ok"`, `"s3":"ok"`} {
		assert.Contains(t, body, dep)
	}
	status, body = get("/metrics")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "beianflow_webhook_delivery_latency_seconds")
	assert.Contains(t, body, "temporal_", "the SDK's worker metrics")
}

// A system that asks the instance inventory and the MIIT records over
// their HTTP protocols (here the sandbox world's, as a provider's would
// be) files as one that asks them in process: the product is verified and
// the filing type determined through them.
func TestAFilingGoesThroughTheInventoryAndTheRecordsOverHTTP(t *testing.T) {
	t.Parallel()
	world := "http://" + sys.app.Config.Sandbox.Addr
	a, base := startSystemWith(t, "over-http", slog.New(slog.DiscardHandler), func(c *config.Config) {
		c.World.InstancesURL, c.World.RecordsURL = world+"/inventory", world+"/records"
	})
	require.IsType(t, &instances.HTTPClient{}, a.World.Instances)
	require.IsType(t, &records.HTTPClient{}, a.World.Records)
	s := startScenarioAt(t, base, "ZJ", "yunqi-over-http.com", "云栖远程查询示例")
	st := doAt(t, base, http.MethodGet, s.path(""), "", "").Body
	assert.Equal(t, string(filing.TypeNewWebsiteElsewhere), st["filing_type"], "the records said: on record elsewhere")
	assert.NotEmpty(t, st["service_number"], "the inventory verified the instance")
}
