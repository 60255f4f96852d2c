package metrics

import "go.temporal.io/sdk/client"

// Why a bridge of our own: the Go SDK's integrations, contrib/tally (with
// tally's Prometheus reporter) and contrib/opentelemetry (with
// OpenTelemetry's Prometheus exporter), were tried in its place against
// metrics_test.go and break what it guarantees:
//   - tally registers one fixed-label vector per name, so the second tag set
//     the SDK uses for a name (temporal_request from the client and from the
//     pollers) fails registration and its series are dropped; it publishes
//     only on a reporting interval, so a scrape lags the SDK; and a net
//     negative counter delta panics its reporting goroutine.
//   - OpenTelemetry keeps an empty-valued tag as a series apart from the
//     untagged one (Prometheus ingests the two as duplicate samples of one
//     series), lets a counter go down, and fails the gather on an empty tag
//     key.
//
// Names are no reason to switch: tally behind contrib/tally's Prometheus
// naming scope, and OpenTelemetry with monotonic counters, expose the SDK's
// metrics under the names this bridge gives them (temporal_<name>_total,
// temporal_<name>_seconds, temporal_<name>), which are the names Temporal's
// Grafana dashboard for the Go SDK with tally queries.

// TemporalHandler returns a client.MetricsHandler that records the Temporal
// SDK's metrics in this registry. Pass it as client.Options.MetricsHandler;
// workers built on that client inherit it.
//
// Names keep the SDK's temporal_ prefix; counters get a _total suffix and
// timers, recorded as histograms in seconds, a _seconds suffix. Tag values
// become label values, so the tags given to WithTags must be bounded (type
// and queue names, never workflow or filing IDs).
func (m *Metrics) TemporalHandler() client.MetricsHandler {
	return temporalHandler{c: m.temporal, tags: &tagSet{}}
}

// temporalHandler implements client.MetricsHandler.
type temporalHandler struct {
	c    *temporalCollector
	tags *tagSet
}

var _ client.MetricsHandler = temporalHandler{}

// WithTags implements client.MetricsHandler; later tags overwrite earlier
// ones with the same key.
func (h temporalHandler) WithTags(tags map[string]string) client.MetricsHandler {
	return temporalHandler{c: h.c, tags: h.tags.with(tags)}
}

// Counter implements client.MetricsHandler.
func (h temporalHandler) Counter(name string) client.MetricsCounter {
	f := h.c.family(name, kindCounter)
	if f == nil {
		return client.MetricsNopHandler.Counter(name)
	}
	return f.get(h.tags).(*counterSeries)
}

// Gauge implements client.MetricsHandler.
func (h temporalHandler) Gauge(name string) client.MetricsGauge {
	f := h.c.family(name, kindGauge)
	if f == nil {
		return client.MetricsNopHandler.Gauge(name)
	}
	return f.get(h.tags).(*gaugeSeries)
}

// Timer implements client.MetricsHandler.
func (h temporalHandler) Timer(name string) client.MetricsTimer {
	f := h.c.family(name, kindTimer)
	if f == nil {
		return client.MetricsNopHandler.Timer(name)
	}
	return f.get(h.tags).(*timerSeries)
}
