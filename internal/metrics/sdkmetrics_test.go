package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/internal/metrics"
	"github.com/beianflow/beianflow/internal/testenv"
)

// dashboardNames are the metric names Temporal's Grafana dashboard for the
// Go and Java SDKs queries: temporalio/dashboards,
// sdk/temporal-go-java-sdks-tally.json as of commit
// f10143b89ca887b1096f5c9498ec2f1599562007 (the file's latest change, read
// at b5d9a1bc1888f73057f1639495e5773caad783ee). It queries two more that
// the Go SDK never emits: temporal_workflow_active_thread_count (the Java
// threads panel) and temporal_activity_execution_cancelled_total (no Go
// SDK counter has that name).
var dashboardNames = []string{
	"temporal_activity_execution_failed_total",
	"temporal_activity_execution_latency_seconds_bucket",
	"temporal_activity_poll_no_task_total",
	"temporal_activity_schedule_to_start_latency_seconds_bucket",
	"temporal_activity_schedule_to_start_latency_seconds_count",
	"temporal_activity_succeed_endtoend_latency_seconds_bucket",
	"temporal_local_activity_execution_failed_total",
	"temporal_local_activity_execution_latency_seconds_bucket",
	"temporal_local_activity_succeed_endtoend_latency_seconds_bucket",
	"temporal_long_request_failure_total",
	"temporal_long_request_latency_seconds_bucket",
	"temporal_request_failure_total",
	"temporal_request_latency_seconds_bucket",
	"temporal_request_total",
	"temporal_sticky_cache_hit_total",
	"temporal_sticky_cache_miss_total",
	"temporal_sticky_cache_size",
	"temporal_sticky_cache_total_forced_eviction_total",
	"temporal_worker_task_slots_available",
	"temporal_worker_task_slots_used",
	"temporal_workflow_completed_total",
	"temporal_workflow_endtoend_latency_seconds_bucket",
	"temporal_workflow_failed_total",
	"temporal_workflow_task_execution_failed_total",
	"temporal_workflow_task_execution_latency_seconds_bucket",
	"temporal_workflow_task_queue_poll_empty_total",
	"temporal_workflow_task_queue_poll_succeed_total",
	"temporal_workflow_task_replay_latency_seconds_bucket",
	"temporal_workflow_task_schedule_to_start_latency_seconds_bucket",
}

// TestSDKMetricsAreExposedUnderTheNamesOfTheOfficialDashboard runs
// workflows and activities that make the Go SDK emit every metric of the
// dashboard (successes and failures, local activities, a failed workflow
// task, sticky cache evictions and misses, empty polls, failed requests)
// against a real Temporal server, and scrapes /metrics the way Prometheus
// does: each name the dashboard queries must be there, with the namespace
// label it filters on.
func TestSDKMetricsAreExposedUnderTheNamesOfTheOfficialDashboard(t *testing.T) {
	testenv.NeedsServers(t)
	// Two cached workflows at a time: starting a third evicts the first
	// (a forced eviction), and its next task misses the cache. Nothing
	// else in this test binary runs a worker.
	worker.SetStickyWorkflowCacheSize(2)
	failedOnce.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Polls on an idle queue come back empty after a second, not a
	// minute.
	srv, err := testenv.Temporal(ctx, "--dynamic-config-value", `matching.longPollExpirationInterval="1s"`)
	require.NoError(t, err)
	defer func() { _ = srv.Stop() }()

	m := metrics.New()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:       srv.FrontendHostPort(),
		Namespace:      "default",
		MetricsHandler: m.TemporalHandler(),
		// The failures below are on purpose.
		Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	require.NoError(t, err)
	defer c.Close()
	const queue = "sdk-metrics"
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflowWithOptions(parkedWorkflow, workflow.RegisterOptions{Name: "Parked"})
	w.RegisterWorkflowWithOptions(failingWorkflow, workflow.RegisterOptions{Name: "Failing"})
	w.RegisterActivity(succeed)
	w.RegisterActivity(fail)
	require.NoError(t, w.Start())
	defer w.Stop()

	start := func(id, workflowType string) client.WorkflowRun {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, workflowType)
		require.NoError(t, err)
		return run
	}
	// Three workflows park on their signal; the third's start evicts the
	// first, whose next task misses the cache and replays, and whose last
	// one hits. Under load the server may hand a task to the worker's
	// normal queue instead of its sticky one, which is no miss: then
	// another round.
	sticky := func() bool {
		body := scrape(t, m)
		return hasSeries(body, "temporal_sticky_cache_miss_total", `namespace="default"`) &&
			hasSeries(body, "temporal_sticky_cache_hit_total", `namespace="default"`)
	}
	for round := 0; round < 5 && !sticky(); round++ {
		var parked []client.WorkflowRun
		for i := range 3 {
			run := start(fmt.Sprintf("parked-%d-%d", round, i), "Parked")
			waitForTask(t, c, run)
			parked = append(parked, run)
		}
		for _, run := range parked {
			require.NoError(t, c.SignalWorkflow(ctx, run.GetID(), "", "go", nil))
			require.NoError(t, run.Get(ctx, nil))
		}
	}
	// Its first task panics, its activity and local activity fail, and
	// so does the workflow.
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, start("failing", "Failing").Get(ctx, nil), &appErr)
	// A request and a long poll that fail.
	_, err = c.DescribeWorkflow(ctx, "no-such-workflow", "")
	require.Error(t, err)
	require.Error(t, c.GetWorkflow(ctx, "no-such-workflow", "").Get(ctx, nil))

	// Empty polls come once the queue has been idle for a second.
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		body := scrape(t, m)
		for _, name := range dashboardNames {
			assert.True(ct, hasSeries(body, name, `namespace="default"`), "%s with namespace=\"default\"", name)
		}
	}, 30*time.Second, 500*time.Millisecond)
}

// hasSeries reports whether the exposition body has a sample of name whose
// labels include label.
func hasSeries(body, name, label string) bool {
	for line := range strings.Lines(body) {
		rest, ok := strings.CutPrefix(line, name+"{")
		if ok && strings.Contains(rest[:strings.IndexByte(rest, '}')+1], label) {
			return true
		}
	}
	return false
}

// waitForTask waits until the workflow's first task has completed.
func waitForTask(t *testing.T, c client.Client, run client.WorkflowRun) {
	t.Helper()
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		d, err := c.DescribeWorkflow(context.Background(), run.GetID(), run.GetRunID())
		if assert.NoError(ct, err) {
			// Started, task scheduled, started and completed.
			assert.GreaterOrEqual(ct, d.RawResponse.GetWorkflowExecutionInfo().GetHistoryLength(), int64(4))
		}
	}, 10*time.Second, 50*time.Millisecond)
}

// parkedWorkflow waits for its signal, then runs an activity and a local
// activity, which succeed.
func parkedWorkflow(ctx workflow.Context) error {
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, nil)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	if err := workflow.ExecuteActivity(actx, succeed).Get(ctx, nil); err != nil {
		return err
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
	return workflow.ExecuteLocalActivity(lctx, succeed).Get(ctx, nil)
}

// failedOnce makes the first task of failingWorkflow panic, and only the
// first: the task is retried and the workflow goes on.
var failedOnce atomic.Bool

// failingWorkflow fails its first task, then runs an activity and a local
// activity that fail, and fails.
func failingWorkflow(ctx workflow.Context) error {
	if failedOnce.CompareAndSwap(false, true) {
		panic("the first workflow task fails")
	}
	once := &temporal.RetryPolicy{MaximumAttempts: 1}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second, RetryPolicy: once})
	_ = workflow.ExecuteActivity(actx, fail).Get(ctx, nil)
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second, RetryPolicy: once})
	_ = workflow.ExecuteLocalActivity(lctx, fail).Get(ctx, nil)
	return temporal.NewNonRetryableApplicationError("the workflow fails", "test", nil)
}

func succeed(context.Context) error { return nil }

func fail(context.Context) error { return errors.New("the activity fails") }
