package metrics

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// unmatchedRoute labels requests that no route served. The raw URL is never
// used as a label: it carries filing IDs (unbounded series) and may carry
// personal data.
const unmatchedRoute = "unmatched"

// otherMethod labels requests with a non-standard method: the method is
// client-chosen, so passing it through would let any client mint series.
const otherMethod = "OTHER"

// httpDurationBuckets span 1 ms (a cached read) to 10 s (the server's slowest
// legitimate answers, bounded by the write timeout).
var httpDurationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	h := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianflow_http_requests_total",
			Help: "HTTP requests answered, by method, Echo route template and final status code.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "beianflow_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, including error handling, by method and Echo route template.",
			Buckets: httpDurationBuckets,
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "beianflow_http_requests_in_flight",
			Help: "HTTP requests being answered right now.",
		}),
	}
	reg.MustRegister(h.requests, h.duration, h.inFlight)
	return h
}

// EchoMiddleware records every request in beianflow_http_requests_total,
// beianflow_http_request_duration_seconds and
// beianflow_http_requests_in_flight.
//
// It handles a handler's error itself (c.Error, then returns nil), like the
// API's access log, because the status is only final once the error handler
// has written it. Install it with e.Use after the access log so that it sees
// the errors of the handlers rather than nil; a panic passing through is
// counted as a 500 and re-raised for the recoverer outside.
func (m *Metrics) EchoMiddleware() echo.MiddlewareFunc {
	h := m.http
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			h.inFlight.Inc()
			defer h.inFlight.Dec()
			method := Method(c.Request().Method)

			panicked := true
			defer func() {
				if panicked {
					// The response is not written yet; the recoverer outside
					// will answer 500, so record that rather than the
					// placeholder 200 of the unwritten response.
					h.observe(method, Route(c, nil), http.StatusInternalServerError, time.Since(start))
				}
			}()
			err := next(c)
			panicked = false

			if err != nil {
				c.Error(err)
			}
			h.observe(method, Route(c, err), c.Response().Status, time.Since(start))
			return nil
		}
	}
}

func (h *httpMetrics) observe(method, route string, status int, d time.Duration) {
	h.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	h.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

// Route returns the route template that served c, after its handler
// returned err, or "unmatched": what metrics and trace spans name a
// request by, never its raw URL. An empty path means the router matched
// nothing; Echo's own 404/405 errors mean it only matched a prefix (for
// instance a group's catch-all, whose template would otherwise make every
// typo look like a real route). A handler returning those bare sentinels
// is counted as unmatched too, which is what it claims.
func Route(c echo.Context, err error) string {
	if c.Path() == "" || errors.Is(err, echo.ErrNotFound) || errors.Is(err, echo.ErrMethodNotAllowed) {
		return unmatchedRoute
	}
	return c.Path()
}

// Method returns the request method m, or "OTHER" for a non-standard one.
func Method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return otherMethod
}
