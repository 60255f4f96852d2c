package metrics

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// temporalTimerBuckets are in seconds. SDK timers range from milliseconds
// (RPCs, task latencies) to the whole life of a filing workflow
// (temporal_workflow_endtoend_latency), which waits weeks for the bureau.
var temporalTimerBuckets = []float64{
	.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60,
	5 * 60, 15 * 60, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600, 30 * 24 * 3600,
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

// Update keeps the last value. It is stored as atomic bits, without a lock,
// because the SDK updates gauges on hot paths that scrapes run beside.
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
