package integration

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
)

// TestAWorkersMetricsCarryTheNamesOfTemporalsSDKDashboard scrapes the
// worker's /metrics once it has run a filing's first steps, and finds the
// SDK's metrics under the names Temporal's Grafana dashboard for the Go SDK
// queries (temporalio/dashboards, sdk/temporal-go-java-sdks-tally.json),
// with the namespace it filters on: the production wiring, from app.Open
// to the worker. internal/metrics checks every name of the dashboard,
// failures included.
func TestAWorkersMetricsCarryTheNamesOfTemporalsSDKDashboard(t *testing.T) {
	t.Parallel()
	id := createFiling(t, "acc-sdk-metrics", "ZJ", "sdk-metrics-"+uuid.NewString()[:8]+".com")
	waitStage(t, id, filing.StageInformation)

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- sys.app.RunOps(ctx, "127.0.0.1:0", ready) }()
	t.Cleanup(func() { cancel(); <-done })
	res, err := http.Get("http://" + (<-ready).String() + "/metrics")
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	body := string(b)

	for _, name := range []string{
		"temporal_request_total",
		"temporal_request_latency_seconds_bucket",
		"temporal_long_request_latency_seconds_bucket",
		"temporal_workflow_task_queue_poll_succeed_total",
		"temporal_workflow_task_schedule_to_start_latency_seconds_bucket",
		"temporal_workflow_task_execution_latency_seconds_bucket",
		"temporal_activity_schedule_to_start_latency_seconds_count",
		"temporal_activity_execution_latency_seconds_bucket",
		"temporal_activity_succeed_endtoend_latency_seconds_bucket",
		"temporal_sticky_cache_size",
		"temporal_worker_task_slots_available",
		"temporal_worker_task_slots_used",
	} {
		found := false
		for line := range strings.Lines(body) {
			if rest, ok := strings.CutPrefix(line, name+"{"); ok && strings.Contains(rest, `namespace="default"`) {
				found = true
				break
			}
		}
		assert.True(t, found, "%s with namespace=\"default\" on the worker's /metrics", name)
	}
	assert.Contains(t, body, "# TYPE temporal_request_total counter")
	assert.Contains(t, body, "# TYPE temporal_workflow_task_execution_latency_seconds histogram")
}
