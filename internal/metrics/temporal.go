package metrics

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// temporalTimerBuckets are in seconds. SDK timers range from milliseconds
// (RPCs, task latencies) to the whole life of a filing workflow
// (temporal_workflow_endtoend_latency), which waits weeks for the bureau.
var temporalTimerBuckets = []float64{
	.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60,
	5 * 60, 15 * 60, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600, 30 * 24 * 3600,
}

const temporalHelp = "Temporal Go SDK metric; see https://docs.temporal.io/references/sdk-metrics."

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

// family is one exposed metric name with all its series.
type family struct {
	name string
	kind kind

	mu     sync.RWMutex
	keys   []string // sorted union of the series' label keys; replaced, never modified in place
	series map[string]*seriesEntry
}

type seriesEntry struct {
	tags   *tagSet
	metric series
}

// series is one counter, gauge or histogram with a fixed tag set.
type series interface {
	constMetric(desc *prometheus.Desc, labelValues []string) (prometheus.Metric, error)
}

func (f *family) get(t *tagSet) series {
	f.mu.RLock()
	e := f.series[t.sig]
	f.mu.RUnlock()
	if e != nil {
		return e.metric
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e := f.series[t.sig]; e != nil {
		return e.metric
	}
	var s series
	switch f.kind {
	case kindCounter:
		s = &counterSeries{}
	case kindGauge:
		s = &gaugeSeries{}
	default:
		s = &timerSeries{counts: make([]uint64, len(temporalTimerBuckets))}
	}
	f.series[t.sig] = &seriesEntry{tags: t, metric: s}
	f.keys = unionSorted(f.keys, t.keys)
	return s
}

func (f *family) collect(ch chan<- prometheus.Metric) {
	f.mu.RLock()
	keys := f.keys
	entries := make([]*seriesEntry, 0, len(f.series))
	for _, e := range f.series {
		entries = append(entries, e)
	}
	f.mu.RUnlock()

	desc := prometheus.NewDesc(f.name, temporalHelp, keys, nil)
	for _, e := range entries {
		values := make([]string, len(keys))
		for i, k := range keys {
			values[i] = e.tags.m[k]
		}
		m, err := e.metric.constMetric(desc, values)
		if err != nil {
			m = prometheus.NewInvalidMetric(desc, fmt.Errorf("temporal metric %s: %w", f.name, err))
		}
		ch <- m
	}
}

// unionSorted returns the sorted union of a and b, both sorted. It returns a
// new slice when the union grows so that collectors holding a stay valid.
func unionSorted(a, b []string) []string {
	var extra []string
	for _, k := range b {
		if i := sort.SearchStrings(a, k); i == len(a) || a[i] != k {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return a
	}
	u := make([]string, 0, len(a)+len(extra))
	u = append(append(u, a...), extra...)
	sort.Strings(u)
	return u
}

type counterSeries struct{ n atomic.Uint64 }

// Inc ignores negative deltas: a Prometheus counter that goes down reads as
// a restart and corrupts rate().
func (s *counterSeries) Inc(d int64) {
	if d > 0 {
		s.n.Add(uint64(d))
	}
}

func (s *counterSeries) constMetric(desc *prometheus.Desc, lv []string) (prometheus.Metric, error) {
	return prometheus.NewConstMetric(desc, prometheus.CounterValue, float64(s.n.Load()), lv...)
}

type gaugeSeries struct{ bits atomic.Uint64 }

func (s *gaugeSeries) Update(v float64) { s.bits.Store(math.Float64bits(v)) }

func (s *gaugeSeries) constMetric(desc *prometheus.Desc, lv []string) (prometheus.Metric, error) {
	return prometheus.NewConstMetric(desc, prometheus.GaugeValue, math.Float64frombits(s.bits.Load()), lv...)
}

// timerSeries is a histogram over temporalTimerBuckets. A mutex rather than
// atomics keeps count, sum and buckets consistent with each other in a
// scrape; SDK timers fire per task, not per instruction.
type timerSeries struct {
	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; values above the last bound are only in count
	count  uint64
	sum    float64
}

// Record clamps negative durations (clock steps) to zero so the sum, which
// rate() treats as a counter, never decreases.
func (s *timerSeries) Record(d time.Duration) {
	v := max(d.Seconds(), 0)
	i := sort.SearchFloat64s(temporalTimerBuckets, v) // first bound >= v, matching "le"
	s.mu.Lock()
	if i < len(s.counts) {
		s.counts[i]++
	}
	s.count++
	s.sum += v
	s.mu.Unlock()
}

func (s *timerSeries) constMetric(desc *prometheus.Desc, lv []string) (prometheus.Metric, error) {
	buckets := make(map[float64]uint64, len(temporalTimerBuckets))
	s.mu.Lock()
	var cum uint64
	for i, b := range temporalTimerBuckets {
		cum += s.counts[i]
		buckets[b] = cum
	}
	count, sum := s.count, s.sum
	s.mu.Unlock()
	return prometheus.NewConstHistogram(desc, count, sum, buckets, lv...)
}

// tagSet is an immutable, sanitized set of tags with its signature, shared
// by a handler and the series created through it.
type tagSet struct {
	m    map[string]string
	keys []string // sorted
	sig  string   // identifies the set among a family's series
}

// with returns t overlaid with tags. Keys are sanitized into label names and
// visited in sorted order, so two keys that sanitize alike resolve the same
// way every time. An empty value removes the tag: Prometheus cannot tell an
// empty label from a missing one, and keeping both as separate series would
// expose duplicates once the label sets are unioned.
func (t *tagSet) with(tags map[string]string) *tagSet {
	m := make(map[string]string, len(t.m)+len(tags))
	for k, v := range t.m {
		m[k] = v
	}
	raw := make([]string, 0, len(tags))
	for k := range tags {
		raw = append(raw, k)
	}
	sort.Strings(raw)
	for _, k := range raw {
		name, v := labelName(k), strings.ToValidUTF8(tags[k], string(utf8.RuneError))
		if v == "" {
			delete(m, name)
		} else {
			m[name] = v
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sig strings.Builder
	for _, k := range keys {
		// 0xff never occurs in valid UTF-8, so the signature is unambiguous.
		sig.WriteString(k)
		sig.WriteByte(0xff)
		sig.WriteString(m[k])
		sig.WriteByte(0xff)
	}
	return &tagSet{m: m, keys: keys, sig: sig.String()}
}

// exposedName turns an SDK name into a valid Prometheus name with the
// conventional unit or _total suffix for its kind.
func exposedName(name string, k kind) string {
	n := sanitize(name, true)
	if n == "" {
		n = "temporal_unnamed"
	}
	switch k {
	case kindCounter:
		if !strings.HasSuffix(n, "_total") {
			n += "_total"
		}
	case kindTimer:
		if !strings.HasSuffix(n, "_seconds") {
			n += "_seconds"
		}
	}
	return n
}

// labelName turns a tag key into a valid label name. Names starting with
// "__" are reserved by Prometheus and "le" is the histogram bucket label, so
// those are prefixed rather than rejected.
func labelName(key string) string {
	n := sanitize(key, false)
	if n == "" || n == "le" || strings.HasPrefix(n, "__") {
		n = "tag_" + n
	}
	return n
}

// sanitize maps every byte outside [a-zA-Z0-9_] (plus ':' in metric names)
// to '_' and prefixes a leading digit, so no SDK input can make
// registration or exposition fail.
func sanitize(s string, colon bool) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || colon && c == ':') {
			b[i] = '_'
		}
	}
	if len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
		return "_" + string(b)
	}
	return string(b)
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
