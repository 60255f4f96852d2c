package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
)

// TestScaleFilingsInFlightAtOnce puts N filings in flight at once, for each
// N of BEIANFLOW_SCALE (`make scale`: 200, 1000 and 2000): all created
// through the API and filled in, then each party acts on all of them in
// turn, as reviewers work through a queue, while the sandbox world ships,
// delivers, submits and decides at the system's time scale (a day a
// second). Every filing must be approved. For each N it reports the
// process's peak RSS and goroutines (worker, API and sandbox world run in
// this one process), the worker's sticky cache hit rate, the database rows
// and bytes each filing left, and the p99 of the API's reads during the run
// against an idle baseline taken just before it. Loopback only; bounded by
// BEIANFLOW_SCALE_TIMEOUT (default 20 minutes) per size.
func TestScaleFilingsInFlightAtOnce(t *testing.T) {
	sizes := scaleSizes(t)
	timeout := 20 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("BEIANFLOW_SCALE_TIMEOUT")); err == nil {
		timeout = d
	}
	probe := startScenario(t, "ZJ", "scale-probe.com", "探针网站").id
	defer func(d time.Duration) { waitPoll = d }(waitPoll)
	waitPoll = 250 * time.Millisecond
	var report []string
	for _, n := range sizes {
		r := runScale(t, n, probe, timeout)
		report = append(report, r.String())
		t.Log(r)
	}
	t.Logf("scale, %d sizes:\n%s", len(sizes), strings.Join(report, "\n"))
}

func scaleSizes(t *testing.T) []int {
	raw := os.Getenv("BEIANFLOW_SCALE")
	if raw == "" {
		t.Skip("the scale test runs with `make scale` (BEIANFLOW_SCALE=200,1000,2000)")
	}
	var sizes []int
	for _, f := range strings.Split(raw, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		require.NoError(t, err, "BEIANFLOW_SCALE: %q", raw)
		require.Positive(t, n)
		sizes = append(sizes, n)
	}
	return sizes
}

// scaleResult is what one size measured.
type scaleResult struct {
	n                           int
	took                        time.Duration
	peakRSS, baseRSS            int64 // bytes
	peakGoroutines, goroutines0 int
	stickyHits, stickyMisses    float64
	rows, bytes                 int64 // left by the n filings
	idleP99, busyP99            time.Duration
	reads                       int
	retried                     int64 // actions sent again after a 503
}

func (r scaleResult) String() string {
	hit := 0.0
	if t := r.stickyHits + r.stickyMisses; t > 0 {
		hit = r.stickyHits / t
	}
	return fmt.Sprintf("%5d filings: approved in %s (%.1f filings/s); RSS %d → %d MiB peak (%.2f MiB per filing), goroutines %d → %d peak; "+
		"sticky cache hit rate %.3f (%.0f hits, %.0f misses); %.1f rows and %.1f KiB per filing in the database; "+
		"API read p99 %s idle, %s during the run (%d reads, ratio %.2f); %d actions sent again after a 503",
		r.n, r.took.Round(time.Second), float64(r.n)/r.took.Seconds(), r.baseRSS>>20, r.peakRSS>>20, float64(r.peakRSS-r.baseRSS)/float64(r.n)/(1<<20),
		r.goroutines0, r.peakGoroutines, hit, r.stickyHits, r.stickyMisses,
		float64(r.rows)/float64(r.n), float64(r.bytes)/float64(r.n)/1024,
		r.idleP99.Round(100*time.Microsecond), r.busyP99.Round(100*time.Microsecond), r.reads, float64(r.busyP99)/float64(r.idleP99), r.retried)
}

// scaleDrivers act on the filings at once: the backend's and reviewers'
// concurrency, not the filings'.
const scaleDrivers = 48

// scaleTimeScale is the filings' own time scale, a day in ten seconds (as
// `make demo`'s): the bureau's review takes half a minute or so, and the
// 45-day order lifetime (7.5 minutes) outlasts the time a party takes to
// work through thousands of filings.
const scaleTimeScale = 8640

// startScaled creates a filing through the API with the scale test's time
// scale and fills it in.
func startScaled(t testing.TB, domain string) *scenario {
	t.Helper()
	company := newCompany("ZJ")
	account := "acc-scn" + company[10:16]
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(createBody(account, "ZJ", domain, company)), &body))
	body["sandbox"] = map[string]any{"time_scale": scaleTimeScale}
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	res := doAt(t, sys.baseURL, http.MethodPost, "/v1/filings", "application/json", string(raw))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Raw)
	s := &scenario{t: t, id: res.Body["filing_id"].(string), app: applicationFor("ZJ", company, domain, "规模测试网站"), base: sys.baseURL}
	s.fill()
	return s
}

func runScale(t *testing.T, n int, probe string, timeout time.Duration) scaleResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r := scaleResult{n: n}
	runtime.GC()
	r.baseRSS, r.goroutines0 = rss(t), runtime.NumGoroutine()
	rows0, bytes0 := databaseSize(t)
	hits0, misses0 := stickyCounts(t)
	key := keyFor(t, sys.baseURL, api.RoleSupport, "")
	r.idleP99, _ = readLatencies(key, probe, 300)

	// Sampled during the run: RSS, goroutines and the API's reads.
	var (
		mu    sync.Mutex
		busy  []time.Duration
		stop  = make(chan struct{})
		doneS = make(chan struct{})
	)
	go func() {
		defer close(doneS)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			_, lat := readLatencies(key, probe, 1)
			m, g := rss(t), runtime.NumGoroutine()
			mu.Lock()
			busy = append(busy, lat...)
			r.peakRSS, r.peakGoroutines = max(r.peakRSS, m), max(r.peakGoroutines, g)
			mu.Unlock()
		}
	}()

	start := time.Now()
	scenarios := make([]*scenario, n)
	phase := func(name string, act func(i int, s *scenario)) {
		t.Helper()
		if ctx.Err() != nil {
			t.Fatalf("%d filings: out of time before %s", n, name)
		}
		runConcurrently(n, scaleDrivers, func(i int) string { act(i, scenarios[i]); return "" })
		t.Logf("%d filings: %s after %s", n, name, time.Since(start).Round(time.Second))
	}
	// The applicant submits as soon as the application is filled in: a
	// filing left waiting on the applicant expires after 45 idle days.
	phase("created, filled in and submitted", func(i int, _ *scenario) {
		s := startScaled(t, fmt.Sprintf("scale-%d-%d.com", n, i))
		retrying(s, "/submit", `{}`)
		scenarios[i] = s
	})
	phase("initial review approved", func(_ int, s *scenario) {
		s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
		retrying(s, "/initial-review", `{"approve":true,"reviewer":"staff-1"}`)
	})
	phase("mailing address given", func(_ int, s *scenario) {
		s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
		retrying(s, "/mailing-address", `{"recipient":{"name":"张伟","mobile":"13800138000"},"address":{"province":"ZJ","city":"杭州市","detail":"文三路90号"}}`)
	})
	phase("photo handed in", func(_ int, s *scenario) {
		s.wait(filing.StagePhotoVerification, filing.StepAwaitingPhoto)
		retrying(s, "/photo", photoAt(s.t, s.base, s.id))
	})
	phase("photo review approved", func(_ int, s *scenario) {
		s.wait(filing.StagePhotoVerification, filing.StepPhotoReview)
		retrying(s, "/photo-review", `{"approve":true,"reviewer":"staff-2"}`)
	})
	phase("approved by the bureau", func(_ int, s *scenario) { s.wait(filing.StageApproved, filing.StepNone) })
	r.took = time.Since(start)
	r.retried = scaleRetried.Swap(0)
	close(stop)
	<-doneS

	hits1, misses1 := stickyCounts(t)
	r.stickyHits, r.stickyMisses = hits1-hits0, misses1-misses0
	rows1, bytes1 := databaseSize(t)
	r.rows, r.bytes = rows1-rows0, bytes1-bytes0
	mu.Lock()
	r.reads = len(busy)
	r.busyP99 = p99(busy)
	mu.Unlock()
	return r
}

// scaleRetries is how often a driver sends an action again that was
// answered 503, as a backend does: the system was too busy or a part of it
// down, and the action was not taken. The number of retries is reported.
const scaleRetries = 8

var scaleRetried atomic.Int64

// retrying posts an action, again after a pause while it is answered 503.
func retrying(s *scenario, path, body string) {
	s.t.Helper()
	// The same key on every attempt: an action the system took after all
	// (an update that outlasted the API's 20 s bound) is answered as taken.
	key := uuid.NewString()
	for attempt := 1; ; attempt++ {
		res := doKeyed(s.t, s.base, s.path(path), body, key)
		if res.Status != http.StatusServiceUnavailable || attempt == scaleRetries {
			require.Equal(s.t, http.StatusOK, res.Status, "%s %s: %s", s.id, path, res.Raw)
			return
		}
		scaleRetried.Add(1)
		time.Sleep(time.Duration(attempt) * 500 * time.Millisecond)
	}
}

// readLatencies reads filing id through the API with key count times, one
// after the other, and returns the p99 and the latencies.
func readLatencies(key, id string, count int) (time.Duration, []time.Duration) {
	var lat []time.Duration
	for range count {
		req, _ := http.NewRequest(http.MethodGet, sys.baseURL+"/v1/filings/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		began := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				lat = append(lat, time.Since(began))
			}
		}
	}
	return p99(lat), lat
}

func p99(lat []time.Duration) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*99/100)]
}

// rss is this process's resident set size.
func rss(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// databaseSize counts the rows of every table of the system's database and
// their bytes (tables, indexes and TOAST).
func databaseSize(t *testing.T) (rows, bytes int64) {
	db := sys.app.DB.Gorm
	var tables []string
	require.NoError(t, db.Raw(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables).Error)
	for _, table := range tables {
		var n int64
		require.NoError(t, db.Raw(`SELECT count(*) FROM "`+table+`"`).Scan(&n).Error)
		rows += n
	}
	require.NoError(t, db.Raw(`SELECT coalesce(sum(pg_total_relation_size(quote_ident(tablename))), 0) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&bytes).Error)
	return rows, bytes
}

// stickyCounts reads the worker's sticky cache hits and misses from its
// /metrics.
func stickyCounts(t *testing.T) (hits, misses float64) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- sys.app.RunOps(ctx, "127.0.0.1:0", ready) }()
	defer func() { cancel(); <-done }()
	res, err := http.Get("http://" + (<-ready).String() + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, value, ok := metricLine(line)
		if !ok {
			continue
		}
		switch name {
		case "temporal_sticky_cache_hit_total":
			hits += value
		case "temporal_sticky_cache_miss_total":
			misses += value
		}
	}
	return hits, misses
}

// metricLine splits a Prometheus text line into its metric name and value.
func metricLine(line string) (string, float64, bool) {
	if line == "" || line[0] == '#' {
		return "", 0, false
	}
	name := line
	if i := strings.IndexAny(line, "{ "); i >= 0 {
		name = line[:i]
	}
	fields := strings.Fields(line)
	v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
	if err != nil {
		return "", 0, false
	}
	return name, v, true
}

// doKeyed posts body to path on the API at base with an Idempotency-Key.
func doKeyed(t testing.TB, base, path, body, key string) response {
	t.Helper()
	return doAtWith(t, base, http.MethodPost, path, "application/json", body, map[string]string{"Idempotency-Key": key})
}
