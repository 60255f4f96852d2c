package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/otlptranslator"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/opentelemetry"
)

// The Temporal SDK's metrics go through its own OpenTelemetry integration
// (contrib/opentelemetry) and OpenTelemetry's Prometheus exporter into the
// process's registry, so they are exposed under the names Temporal's
// Grafana dashboard for the Go SDK queries (temporalio/dashboards,
// sdk/temporal-go-java-sdks-tally.json): counters as temporal_<name>_total,
// timers as temporal_<name>_seconds histograms, gauges as temporal_<name>.
// sdkmetrics_test.go runs real workflows and checks every name that
// dashboard queries.
//
// That dashboard rather than sdk/temporal-go-sdk-otel.json: the latter
// matches the handler's default, which records counters as up-down
// counters, exposed as gauges without _total, and it queries one counter
// with _total all the same; no naming matches it throughout. Monotonic
// counters are real Prometheus counters, the dashboard's names follow
// Prometheus's conventions, and they are the names this process exposed
// before.

// temporalTimerBuckets are in seconds. SDK timers range from milliseconds
// (RPCs, task latencies) to the whole life of a filing workflow
// (temporal_workflow_endtoend_latency), which waits weeks for the bureau.
// OpenTelemetry's default buckets (0 to 10000) are meant for milliseconds
// and would put every task latency in the first one.
var temporalTimerBuckets = []float64{
	.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60,
	5 * 60, 15 * 60, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600, 30 * 24 * 3600,
}

// newTemporalHandler returns the SDK's OpenTelemetry metrics handler over a
// meter provider of its own, whose metrics reg exposes, and registers the
// counter of instruments OpenTelemetry refused.
func newTemporalHandler(reg prometheus.Registerer) (client.MetricsHandler, error) {
	exporter, err := otelprom.New(
		otelprom.WithRegisterer(reg),
		// A unit suffix (_seconds) and _total on counters, as the
		// dashboard queries. Not UnderscoreEscapingWithSuffixes: it drops
		// every "total" word from a counter's name before appending one,
		// turning temporal_sticky_cache_total_forced_eviction into
		// temporal_sticky_cache_forced_eviction_total. The SDK's names are
		// plain underscores already, and the scrape still escapes any
		// other name for scrapers that do not ask for UTF-8.
		otelprom.WithTranslationStrategy(otlptranslator.NoUTF8EscapingWithSuffixes),
		// Prometheus names the target (job, instance); the resource and
		// the instrumentation scope would only add a target_info series
		// and otel_scope_* labels to every SDK series.
		otelprom.WithoutTargetInfo(),
		otelprom.WithoutScopeInfo(),
	)
	if exporter == nil {
		return nil, fmt.Errorf("metrics: Prometheus exporter of the Temporal SDK's metrics: %w", err)
	}
	// A non-nil error with an exporter comes from the exporter's optional
	// self-observability, which is no reason to go without SDK metrics.
	provider := sdkmetric.NewMeterProvider(
		sdkmetric.WithReader(exporter),
		sdkmetric.WithView(sdkmetric.NewView(
			sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram, Unit: "s"},
			sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{
				Boundaries: temporalTimerBuckets, NoMinMax: true,
			}},
		)),
	)
	errs := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "beianflow_temporal_metric_errors_total",
		Help: "Temporal SDK instruments that OpenTelemetry refused (an invalid name, a conflicting kind); their measurements are dropped.",
	})
	if err := reg.Register(errs); err != nil {
		return nil, fmt.Errorf("metrics: register beianflow_temporal_metric_errors_total: %w", err)
	}
	return opentelemetry.NewMetricsHandler(opentelemetry.MetricsHandlerOptions{
		Meter: provider.Meter("go.temporal.io/sdk"),
		// Counters the SDK only ever increments: exposed as counters,
		// with _total, rather than as gauges.
		UseMonotonicCounters: true,
		// The handler's default panics, and would take the worker down
		// over a metric.
		OnError: func(error) { errs.Inc() },
	}), nil
}

// TemporalHandler returns the client.MetricsHandler that records the
// Temporal SDK's metrics in this registry. Pass it as
// client.Options.MetricsHandler; workers built on that client inherit it.
//
// Tag values become label values, so the tags given to WithTags must be
// bounded (type and queue names, never workflow or filing IDs).
func (m *Metrics) TemporalHandler() client.MetricsHandler { return m.temporal }
