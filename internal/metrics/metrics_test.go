package metrics_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/metrics"
)

// scrape fetches Handler's text exposition, as Prometheus would.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	body, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	return string(body)
}

// value returns the sample value of the exposition line for series (name
// plus labels exactly as exposed), or "" when there is none.
func value(body, series string) string {
	for line := range strings.Lines(body) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), series+" "); ok {
			return v
		}
	}
	return ""
}

// newAPI returns an Echo server shaped like the real API: a recoverer
// outside and the metrics middleware inside it.
func newAPI(m *metrics.Metrics) *echo.Echo {
	e := echo.New()
	e.Logger.SetOutput(io.Discard) // the recovered panic's stack trace is expected noise
	e.Use(middleware.Recover())
	e.Use(m.EchoMiddleware())
	v1 := e.Group("/v1")
	v1.GET("/filings/:id", func(c echo.Context) error {
		if c.Param("id") == "missing" {
			return echo.NewHTTPError(http.StatusNotFound, "no such filing")
		}
		return c.JSON(http.StatusOK, map[string]string{"id": c.Param("id")})
	})
	v1.POST("/filings/:id/cancel", func(c echo.Context) error {
		return echo.NewHTTPError(http.StatusConflict, "already finished")
	})
	v1.GET("/boom", func(echo.Context) error { panic("boom") })
	v1.GET("/plain-error", func(echo.Context) error { return errors.New("database down") })
	return e
}

func do(t *testing.T, e *echo.Echo, method, target string) int {
	t.Helper()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Code
}

func TestHTTPRequestsAreCountedByRouteTemplateAndFinalStatus(t *testing.T) {
	m := metrics.New()
	e := newAPI(m)

	require.Equal(t, http.StatusOK, do(t, e, http.MethodGet, "/v1/filings/01HXAAA"))
	require.Equal(t, http.StatusOK, do(t, e, http.MethodGet, "/v1/filings/01HXBBB?name=张三"))
	require.Equal(t, http.StatusNotFound, do(t, e, http.MethodGet, "/v1/filings/missing"))
	require.Equal(t, http.StatusConflict, do(t, e, http.MethodPost, "/v1/filings/01HXAAA/cancel"))
	require.Equal(t, http.StatusNotFound, do(t, e, http.MethodGet, "/no/such/path/01HXCCC"))
	require.Equal(t, http.StatusMethodNotAllowed, do(t, e, http.MethodDelete, "/v1/filings/01HXAAA"))
	require.Equal(t, http.StatusInternalServerError, do(t, e, http.MethodGet, "/v1/plain-error"))
	require.Equal(t, http.StatusInternalServerError, do(t, e, http.MethodGet, "/v1/boom"))
	require.Equal(t, http.StatusMethodNotAllowed, do(t, e, "PROPFIND", "/v1/filings/01HXAAA"))

	body := scrape(t, m)
	for series, want := range map[string]string{
		`beianflow_http_requests_total{method="GET",route="/v1/filings/:id",status="200"}`:             "2",
		`beianflow_http_requests_total{method="GET",route="/v1/filings/:id",status="404"}`:             "1",
		`beianflow_http_requests_total{method="POST",route="/v1/filings/:id/cancel",status="409"}`:     "1",
		`beianflow_http_requests_total{method="GET",route="unmatched",status="404"}`:                   "1",
		`beianflow_http_requests_total{method="DELETE",route="unmatched",status="405"}`:                "1",
		`beianflow_http_requests_total{method="GET",route="/v1/plain-error",status="500"}`:             "1",
		`beianflow_http_requests_total{method="GET",route="/v1/boom",status="500"}`:                    "1",
		`beianflow_http_requests_total{method="OTHER",route="unmatched",status="405"}`:                 "1",
		`beianflow_http_request_duration_seconds_count{method="GET",route="/v1/filings/:id"}`:          "3",
		`beianflow_http_request_duration_seconds_bucket{method="GET",route="/v1/filings/:id",le="10"}`: "3",
		`beianflow_http_requests_in_flight`:                                                            "0",
	} {
		assert.Equal(t, want, value(body, series), series)
	}
	// Raw URLs carry filing IDs and query strings with personal data.
	for _, leak := range []string{"01HXAAA", "01HXBBB", "01HXCCC", "no/such", "张三", "PROPFIND"} {
		assert.NotContains(t, body, leak)
	}
}

func TestHTTPErrorStatusIsRecordedWhenAnOuterMiddlewareAlsoHandlesErrors(t *testing.T) {
	m := metrics.New()
	e := echo.New()
	var logged []int
	// Stands in for httpx.accessLog, which reads the status after c.Error.
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := next(c); err != nil {
				c.Error(err)
			}
			logged = append(logged, c.Response().Status)
			return nil
		}
	})
	e.Use(m.EchoMiddleware())
	e.GET("/v1/filings/:id/timeline", func(echo.Context) error {
		return echo.NewHTTPError(http.StatusTooManyRequests, "slow down")
	})

	require.Equal(t, http.StatusTooManyRequests, do(t, e, http.MethodGet, "/v1/filings/x/timeline"))
	assert.Equal(t, []int{http.StatusTooManyRequests}, logged)
	assert.Equal(t, "1", value(scrape(t, m),
		`beianflow_http_requests_total{method="GET",route="/v1/filings/:id/timeline",status="429"}`))
}

func TestRuntimeAndProcessMetricsAreExposed(t *testing.T) {
	body := scrape(t, metrics.New())
	assert.Contains(t, body, "\ngo_goroutines ")
	assert.Contains(t, body, "\nprocess_start_time_seconds ")
}

func TestEachMetricsHasItsOwnRegistry(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.TemporalHandler().Counter("temporal_request").Inc(1)
	assert.Contains(t, scrape(t, a), "temporal_request_total")
	assert.NotContains(t, scrape(t, b), "temporal_request_total")
}

func TestTemporalCountersGaugesAndTimersAreExposedUnderPrometheusNames(t *testing.T) {
	m := metrics.New()
	root := m.TemporalHandler().WithTags(map[string]string{"namespace": "default", "client_name": "temporal_go"})
	wf := root.WithTags(map[string]string{"task_queue": "filings", "workflow_type": "FilingWorkflow"})

	wf.Counter("temporal_workflow_completed").Inc(2)
	wf.Counter("temporal_workflow_completed").Inc(1)
	wf.Gauge("temporal_num_pollers").Update(3)
	wf.Gauge("temporal_num_pollers").Update(2)
	wf.Timer("temporal_workflow_task_execution_latency").Record(30 * time.Millisecond)
	wf.Timer("temporal_workflow_task_execution_latency").Record(3 * time.Second)
	// Later tags overwrite earlier ones with the same key.
	root.WithTags(map[string]string{"namespace": "other"}).Counter("temporal_workflow_completed").Inc(7)
	// A "total" inside the name stays where the dashboard expects it.
	root.Counter("temporal_sticky_cache_total_forced_eviction").Inc(1)

	body := scrape(t, m)
	const tags = `client_name="temporal_go",namespace="default",task_queue="filings",workflow_type="FilingWorkflow"`
	for series, want := range map[string]string{
		`temporal_workflow_completed_total{` + tags + `}`:                                                  "3",
		`temporal_workflow_completed_total{client_name="temporal_go",namespace="other"}`:                   "7",
		`temporal_num_pollers{` + tags + `}`:                                                               "2",
		`temporal_sticky_cache_total_forced_eviction_total{client_name="temporal_go",namespace="default"}`: "1",
		`temporal_workflow_task_execution_latency_seconds_count{` + tags + `}`:                             "2",
		`temporal_workflow_task_execution_latency_seconds_sum{` + tags + `}`:                               "3.03",
		`temporal_workflow_task_execution_latency_seconds_bucket{` + tags + `,le="0.05"}`:                  "1",
		`temporal_workflow_task_execution_latency_seconds_bucket{` + tags + `,le="5"}`:                     "2",
		`temporal_workflow_task_execution_latency_seconds_bucket{` + tags + `,le="+Inf"}`:                  "2",
		// Buckets reach the weeks a filing waits for the bureau.
		`temporal_workflow_task_execution_latency_seconds_bucket{` + tags + `,le="2.592e+06"}`: "2",
	} {
		assert.Equal(t, want, value(body, series), series)
	}
	assert.Contains(t, body, "# TYPE temporal_workflow_completed_total counter")
	assert.Contains(t, body, "# TYPE temporal_num_pollers gauge")
	assert.Contains(t, body, "# TYPE temporal_workflow_task_execution_latency_seconds histogram")
	// Prometheus names the target; no OpenTelemetry resource or scope.
	assert.NotContains(t, body, "target_info")
	assert.NotContains(t, body, "otel_scope_")
}

func TestTemporalSameNameWithDifferentTagSetsKeepsEverySeries(t *testing.T) {
	m := metrics.New()
	h := m.TemporalHandler()

	// The SDK's client and its pollers tag temporal_request differently.
	h.WithTags(map[string]string{"namespace": "default", "operation": "StartWorkflowExecution"}).
		Counter("temporal_request").Inc(1)
	h.WithTags(map[string]string{"namespace": "default", "poller_type": "workflow_task", "task_queue": "filings"}).
		Counter("temporal_request").Inc(4)
	h.Counter("temporal_request").Inc(2)

	_, err := m.Registry().Gather()
	require.NoError(t, err)
	body := scrape(t, m)
	for series, want := range map[string]string{
		`temporal_request_total{namespace="default",operation="StartWorkflowExecution"}`:               "1",
		`temporal_request_total{namespace="default",poller_type="workflow_task",task_queue="filings"}`: "4",
		`temporal_request_total`: "2",
	} {
		assert.Equal(t, want, value(body, series), series)
	}
}

func TestTemporalInstrumentsOpenTelemetryRefusesAreCountedNotFatal(t *testing.T) {
	m := metrics.New()
	h := m.TemporalHandler()

	// The SDK's handler panics on such errors by default.
	require.NotPanics(t, func() {
		h.Counter("").Inc(1)
		h.Timer("2fast").Record(time.Millisecond)
	})
	h.Counter("temporal.dotted-name/ops").Inc(1)

	body := scrape(t, m)
	assert.Equal(t, "2", value(body, "beianflow_temporal_metric_errors_total"))
	assert.Equal(t, "1", value(body, "temporal_dotted_name_ops_total"), "sanitized, not refused")
	assert.Contains(t, body, "\ngo_goroutines ", "the rest of the scrape is served")
}

func TestConcurrentUseIsSafe(t *testing.T) {
	m := metrics.New()
	e := newAPI(m)
	h := m.TemporalHandler()

	const workers, rounds = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				th := h.WithTags(map[string]string{"task_queue": fmt.Sprint("q", i%3)})
				if i%2 == 0 {
					th = th.WithTags(map[string]string{"worker": fmt.Sprint(w)})
				}
				th.Counter("temporal_request").Inc(1)
				th.Gauge("temporal_num_pollers").Update(float64(i))
				th.Timer("temporal_request_latency").Record(time.Duration(i) * time.Millisecond)
				do(t, e, http.MethodGet, fmt.Sprint("/v1/filings/", i))
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if _, err := m.Registry().Gather(); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()

	body := scrape(t, m)
	assert.Equal(t, fmt.Sprint(workers*rounds),
		value(body, `beianflow_http_requests_total{method="GET",route="/v1/filings/:id",status="200"}`))
	var total int
	for line := range strings.Lines(body) {
		if strings.HasPrefix(line, "temporal_request_total{") {
			var n int
			_, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &n)
			require.NoError(t, err)
			total += n
		}
	}
	assert.Equal(t, workers*rounds, total)
}
