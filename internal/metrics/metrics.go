// Package metrics exposes beianflow's Prometheus metrics: the Go runtime and
// process, the HTTP API (EchoMiddleware) and the Temporal SDK
// (TemporalHandler, through the SDK's OpenTelemetry integration), all
// served by Handler from one registry.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
)

// Metrics owns one Prometheus registry and every collector of the system.
// Each value is independent of the others and of the global default
// registry and meter provider, so tests (and several servers in one
// process) can each have their own without "duplicate metrics collector
// registration" panics.
type Metrics struct {
	registry *prometheus.Registry
	handler  http.Handler
	http     *httpMetrics
	temporal client.MetricsHandler
}

// New returns Metrics with the Go runtime, process, HTTP and Temporal
// collectors registered.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	temporal, err := newTemporalHandler(reg)
	if err != nil {
		// Only a fresh registry is registered into: a failure is a bug.
		panic(err)
	}
	m := &Metrics{
		registry: reg,
		http:     newHTTPMetrics(reg),
		temporal: temporal,
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		// One family failing to gather (say, an SDK metric whose name
		// collides with another) must not blank every other metric: serve
		// the rest and count the failure in
		// promhttp_metric_handler_errors_total so it can be alerted on.
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      reg,
	})
	return m
}

// Handler serves the registry in the Prometheus exposition formats; mount
// it at /metrics.
func (m *Metrics) Handler() http.Handler { return m.handler }

// Registry returns the registry behind Handler, for registering further
// collectors or gathering in tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }
