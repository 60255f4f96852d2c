package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

const temporalHelp = "Temporal Go SDK metric; see https://docs.temporal.io/references/sdk-metrics."

// temporalCollector holds every SDK metric, keyed by exposed name.
//
// Prometheus wants one label set per metric name, but the SDK tags the same
// name differently at different call sites (temporal_request, for instance,
// is emitted by the client with only the root tags and by pollers with
// poller and task queue tags). Rather than register a fixed-label vector per
// name, which would force either dropping the tags of whichever call site
// came second (so the label set would depend on start-up order) or failing,
// each name keeps one series per distinct tag set and is exposed with the
// union of all tag keys seen, missing ones empty. That loses nothing, and
// Prometheus treats an empty label as an absent one, so queries written
// against either call site's tags work. Because the union grows at run time
// the collector is unchecked (Describe sends nothing).
type temporalCollector struct {
	mu       sync.RWMutex
	families map[string]*family  // by exposed name
	lookups  map[rawName]*lookup // caches the name work the SDK repeats on every event

	conflicts *prometheus.CounterVec
}

type kind int

const (
	kindCounter kind = iota
	kindGauge
	kindTimer
)

type rawName struct {
	kind kind
	name string
}

// lookup is what a raw name resolves to: its family, or nil when the exposed
// name already belongs to a metric of another kind.
type lookup struct {
	name   string
	family *family
}

func newTemporalCollector(reg prometheus.Registerer) *temporalCollector {
	c := &temporalCollector{
		families: make(map[string]*family),
		lookups:  make(map[rawName]*lookup),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianflow_temporal_metric_conflicts_total",
			Help: "Temporal SDK instrument lookups dropped because their exposed name belongs to a metric of another kind.",
		}, []string{"name"}),
	}
	reg.MustRegister(c, c.conflicts)
	return c
}

// Describe sends nothing, which makes the collector unchecked: the label
// sets of its families grow as the SDK uses new tags.
func (c *temporalCollector) Describe(chan<- *prometheus.Desc) {}

// Collect implements prometheus.Collector.
func (c *temporalCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.RLock()
	fams := make([]*family, 0, len(c.families))
	for _, f := range c.families {
		fams = append(fams, f)
	}
	c.mu.RUnlock()
	for _, f := range fams {
		f.collect(ch)
	}
}

// family returns the family for an SDK name of kind k, or nil (after
// counting the conflict) when the name is taken by another kind.
func (c *temporalCollector) family(name string, k kind) *family {
	key := rawName{k, name}
	c.mu.RLock()
	l := c.lookups[key]
	c.mu.RUnlock()
	if l == nil {
		l = c.resolve(key)
	}
	if l.family == nil {
		c.conflicts.WithLabelValues(l.name).Inc()
	}
	return l.family
}

func (c *temporalCollector) resolve(key rawName) *lookup {
	exposed := exposedName(key.name, key.kind)
	c.mu.Lock()
	defer c.mu.Unlock()
	if l := c.lookups[key]; l != nil {
		return l
	}
	f := c.families[exposed]
	if f == nil {
		f = &family{name: exposed, kind: key.kind, series: make(map[string]*seriesEntry)}
		c.families[exposed] = f
	}
	l := &lookup{name: exposed}
	if f.kind == key.kind {
		l.family = f
	}
	c.lookups[key] = l
	return l
}
