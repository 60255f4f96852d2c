package metrics

import (
	"fmt"
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

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
