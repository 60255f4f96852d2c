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

func TestTemporalCountersGaugesAndTimersWithTags(t *testing.T) {
	m := metrics.New()
	root := m.TemporalHandler().WithTags(map[string]string{"namespace": "default", "client_name": "temporal_go"})
	wf := root.WithTags(map[string]string{"task_queue": "filings", "workflow_type": "FilingWorkflow"})

	wf.Counter("temporal_workflow_completed").Inc(2)
	wf.Counter("temporal_workflow_completed").Inc(1)
	wf.Counter("temporal_workflow_completed").Inc(-5) // must not make the counter go down
	wf.Gauge("temporal_num_pollers").Update(3)
	wf.Gauge("temporal_num_pollers").Update(2)
	wf.Timer("temporal_workflow_task_execution_latency").Record(30 * time.Millisecond)
	wf.Timer("temporal_workflow_task_execution_latency").Record(3 * time.Second)
	// Later tags overwrite earlier ones with the same key.
	root.WithTags(map[string]string{"namespace": "other"}).Counter("temporal_workflow_completed").Inc(7)

	body := scrape(t, m)
	const tags = `client_name="temporal_go",namespace="default",task_queue="filings",workflow_type="FilingWorkflow"`
	for series, want := range map[string]string{
		`temporal_workflow_completed_total{` + tags + `}`:                                                               "3",
		`temporal_workflow_completed_total{client_name="temporal_go",namespace="other",task_queue="",workflow_type=""}`: "7",
		`temporal_num_pollers{` + tags + `}`:                                                                            "2",
		`temporal_workflow_task_execution_latency_seconds_count{` + tags + `}`:                                          "2",
		`temporal_workflow_task_execution_latency_seconds_sum{` + tags + `}`:                                            "3.03",
		`temporal_workflow_task_execution_latency_seconds_bucket{` + tags + `,le="0.05"}`:                               "1",
		`temporal_workflow_task_execution_latency_seconds_bucket{` + tags + `,le="5"}`:                                  "2",
		`temporal_workflow_task_execution_latency_seconds_bucket{` + tags + `,le="+Inf"}`:                               "2",
	} {
		assert.Equal(t, want, value(body, series), series)
	}
	assert.Contains(t, body, "# TYPE temporal_workflow_completed_total counter")
	assert.Contains(t, body, "# TYPE temporal_num_pollers gauge")
	assert.Contains(t, body, "# TYPE temporal_workflow_task_execution_latency_seconds histogram")
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
	// An empty value is the same as no tag to Prometheus, so it joins the
	// untagged series instead of exposing a duplicate.
	h.WithTags(map[string]string{"operation": ""}).Counter("temporal_request").Inc(3)

	_, err := m.Registry().Gather()
	require.NoError(t, err)
	body := scrape(t, m)
	for series, want := range map[string]string{
		`temporal_request_total{namespace="default",operation="StartWorkflowExecution",poller_type="",task_queue=""}`: "1",
		`temporal_request_total{namespace="default",operation="",poller_type="workflow_task",task_queue="filings"}`:   "4",
		`temporal_request_total{namespace="",operation="",poller_type="",task_queue=""}`:                              "5",
	} {
		assert.Equal(t, want, value(body, series), series)
	}
}

func TestTemporalOddNamesAndTagsNeverBreakTheScrape(t *testing.T) {
	m := metrics.New()
	h := m.TemporalHandler().WithTags(map[string]string{
		"task.queue": "q1", "9lives": "x", "__name__": "evil", "le": "0.5", "": "blank", "bad-value": "\xff\xfe",
	})

	h.Counter("temporal.weird-name/ops").Inc(1)
	h.Counter("").Inc(1)
	h.Timer("2fast").Record(time.Millisecond)
	h.Timer("already_seconds").Record(-time.Second) // clock step: counted as zero
	h.Counter("done_total").Inc(1)
	// Each name below is exposed as one a metric of another kind already
	// has; the later instruments are dropped, and counted, rather than
	// breaking the family.
	h.Gauge("done_total").Update(1)
	h.Gauge("temporal_weird_name_ops_total").Update(1)

	_, err := m.Registry().Gather()
	require.NoError(t, err)
	body := scrape(t, m)
	// Invalid UTF-8 in a value becomes U+FFFD rather than failing the scrape.
	const tags = `_9lives="x",bad_value="` + "\uFFFD" + `",tag_="blank",tag___name__="evil",tag_le="0.5",task_queue="q1"`
	for series, want := range map[string]string{
		`temporal_weird_name_ops_total{` + tags + `}`:                                     "1",
		`temporal_unnamed_total{` + tags + `}`:                                            "1",
		`_2fast_seconds_count{` + tags + `}`:                                              "1",
		`already_seconds_sum{` + tags + `}`:                                               "0",
		`done_total{` + tags + `}`:                                                        "1",
		`beianflow_temporal_metric_conflicts_total{name="done_total"}`:                    "1",
		`beianflow_temporal_metric_conflicts_total{name="temporal_weird_name_ops_total"}`: "1",
	} {
		assert.Equal(t, want, value(body, series), series)
	}
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
