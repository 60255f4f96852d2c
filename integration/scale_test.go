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
	"gorm.io/gorm"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
)

// TestScaleFilingsInFlightAtOnce puts N filings in flight at once, for each
// N of BEIANFLOW_SCALE (`make scale`: 200, 1000 and 2000), on the dev
// server: all created through the API and filled in, then each party acts
// on all of them in turn, as reviewers work through a queue, while the
// sandbox world ships, delivers, submits and decides at the system's time
// scale (a day a second). Every filing must be approved. For each N it
// reports the peak RSS of this process (worker, API and sandbox world in
// one) and of the Temporal dev server, the worker's goroutines and sticky
// cache hit rate, the database rows and bytes each filing left, and the
// p99 of the API's reads during the run against an idle baseline taken
// just before it. Loopback only; bounded by BEIANFLOW_SCALE_TIMEOUT
// (default 20 minutes) per size. TestScaleFilingsInFlightOnTheCluster is
// the same run on the deployed topology.
func TestScaleFilingsInFlightAtOnce(t *testing.T) {
	sizes := scaleSizes(t)
	ops := serveOps(t)
	target := scaleTarget{
		name: "the dev server", base: sys.baseURL, db: sys.app.DB.Gorm, metrics: []string{ops + "/metrics"},
		processes: []scaleRole{
			{"beianflow (API, worker, sandbox world)", []int{os.Getpid()}},
			{"Temporal dev server", childrenNamed(t, "temporal")},
		},
	}
	runScales(t, target, sizes)
}

// runScales runs one scale run per size on target, one after the other,
// and reports them together so the growth shows.
func runScales(t *testing.T, target scaleTarget, sizes []int) {
	timeout := 20 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("BEIANFLOW_SCALE_TIMEOUT")); err == nil {
		timeout = d
	}
	probe := startScenarioAt(t, target.base, "ZJ", "scale-probe.com", "探针网站").id
	defer func(d time.Duration) { waitPoll = d }(waitPoll)
	waitPoll = 250 * time.Millisecond
	var report []string
	for _, n := range sizes {
		r := runScale(t, target, n, probe, timeout)
		report = append(report, r.String())
		t.Log(r)
	}
	t.Logf("scale on %s, %d sizes:\n%s", target.name, len(sizes), strings.Join(report, "\n"))
}

func scaleSizes(t *testing.T) []int {
	raw := os.Getenv("BEIANFLOW_SCALE")
	if raw == "" {
		t.Skip("the scale test runs with `make scale` or `make scale-cluster` (BEIANFLOW_SCALE=200,1000,2000)")
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

// scaleTarget is a running system a scale run drives through its API and
// measures from outside, as an operator would: its processes' RSS, its
// workers' /metrics and its databases.
type scaleTarget struct {
	name string
	// base is the API's base URL (the balancer's on the cluster).
	base string
	// processes are what is measured, by role, in the report's order.
	processes []scaleRole
	// metrics are the workers' /metrics endpoints.
	metrics []string
	// db is beianflow's database; temporal are the Temporal server's own
	// where they are PostgreSQL (the cluster's persistence and visibility;
	// the dev server keeps its state in SQLite).
	db       *gorm.DB
	temporal []*gorm.DB
}

// scaleRole is one kind of process of a target: its RSS is their sum.
type scaleRole struct {
	name string
	pids []int
}

// roleMemory is a role's RSS before a run and at its peak during it.
type roleMemory struct {
	name       string
	base, peak int64 // bytes
}

// scaleResult is what one size measured.
type scaleResult struct {
	n                           int
	took                        time.Duration
	memory                      []roleMemory
	peakGoroutines, goroutines0 int // the workers'
	stickyHits, stickyMisses    float64
	rows, bytes                 int64 // left by the n filings in beianflow's database
	temporalRows, temporalBytes int64 // and in Temporal's, where measured
	measuredTemporal            bool
	idleP99, busyP99            time.Duration
	reads                       int
	retried                     int64 // actions sent again after a 503
	mostAttempts                int64 // the most attempts one of them took
}

func (r scaleResult) String() string {
	hit := 0.0
	if t := r.stickyHits + r.stickyMisses; t > 0 {
		hit = r.stickyHits / t
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%5d filings: approved in %s (%.1f filings/s); RSS before → peak:", r.n, r.took.Round(time.Second), float64(r.n)/r.took.Seconds())
	for i, m := range r.memory {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s %d → %d MiB (%.0f KiB per filing)", m.name, m.base>>20, m.peak>>20, float64(m.peak-m.base)/float64(r.n)/1024)
	}
	fmt.Fprintf(&b, "; workers' goroutines %d → %d peak; sticky cache hit rate %.3f (%.0f hits, %.0f misses); "+
		"beianflow's database %.1f rows and %.1f KiB per filing",
		r.goroutines0, r.peakGoroutines, hit, r.stickyHits, r.stickyMisses, float64(r.rows)/float64(r.n), float64(r.bytes)/float64(r.n)/1024)
	if r.measuredTemporal {
		fmt.Fprintf(&b, ", Temporal's %.1f rows and %.1f KiB per filing", float64(r.temporalRows)/float64(r.n), float64(r.temporalBytes)/float64(r.n)/1024)
	}
	fmt.Fprintf(&b, "; API read p99 %s idle, %s during the run (%d reads, ratio %.2f); %d actions sent again after a 503 (at most %d attempts)",
		r.idleP99.Round(100*time.Microsecond), r.busyP99.Round(100*time.Microsecond), r.reads, float64(r.busyP99)/float64(r.idleP99), r.retried, r.mostAttempts)
	return b.String()
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
func startScaled(t testing.TB, base, domain string) *scenario {
	t.Helper()
	company := newCompany("ZJ")
	account := "acc-scn" + company[10:16]
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(createBody(account, "ZJ", domain, company)), &body))
	body["sandbox"] = map[string]any{"time_scale": scaleTimeScale}
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	res := doAt(t, base, http.MethodPost, "/v1/filings", "application/json", string(raw))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Raw)
	s := &scenario{t: t, id: res.Body["filing_id"].(string), app: applicationFor("ZJ", company, domain, "规模测试网站"), base: base}
	s.fill()
	return s
}

func runScale(t *testing.T, target scaleTarget, n int, probe string, timeout time.Duration) scaleResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r := scaleResult{n: n, measuredTemporal: len(target.temporal) > 0}
	runtime.GC()
	for _, role := range target.processes {
		m := rssOf(role.pids)
		r.memory = append(r.memory, roleMemory{name: role.name, base: m, peak: m})
	}
	w0 := scrapeWorkers(t, target.metrics)
	r.goroutines0, r.peakGoroutines = int(w0.goroutines), int(w0.goroutines)
	rows0, bytes0 := databaseSize(t, target.db)
	trows0, tbytes0 := databasesSize(t, target.temporal)
	key := keyFor(t, target.base, api.RoleSupport, "")
	r.idleP99, _ = readLatencies(target.base, key, probe, 300)

	// Sampled during the run: the API's reads every 20 ms, the processes'
	// RSS and the workers' goroutines every 250 ms.
	var (
		mu    sync.Mutex
		busy  []time.Duration
		stop  = make(chan struct{})
		doneS = make(chan struct{})
	)
	go func() {
		defer close(doneS)
		lastSample := time.Time{}
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			_, lat := readLatencies(target.base, key, probe, 1)
			mu.Lock()
			busy = append(busy, lat...)
			mu.Unlock()
			if time.Since(lastSample) < 250*time.Millisecond {
				continue
			}
			lastSample = time.Now()
			g := scrapeWorkers(t, target.metrics).goroutines
			mu.Lock()
			for i, role := range target.processes {
				r.memory[i].peak = max(r.memory[i].peak, rssOf(role.pids))
			}
			r.peakGoroutines = max(r.peakGoroutines, int(g))
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
		s := startScaled(t, target.base, fmt.Sprintf("scale-%d-%d.com", n, i))
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
	scaleMostTries.Lock()
	r.mostAttempts, scaleMostTries.n = scaleMostTries.n, 0
	scaleMostTries.Unlock()
	close(stop)
	<-doneS

	w1 := scrapeWorkers(t, target.metrics)
	r.stickyHits, r.stickyMisses = w1.stickyHits-w0.stickyHits, w1.stickyMisses-w0.stickyMisses
	rows1, bytes1 := databaseSize(t, target.db)
	r.rows, r.bytes = rows1-rows0, bytes1-bytes0
	trows1, tbytes1 := databasesSize(t, target.temporal)
	r.temporalRows, r.temporalBytes = trows1-trows0, tbytes1-tbytes0
	mu.Lock()
	r.reads = len(busy)
	r.busyP99 = p99(busy)
	mu.Unlock()
	return r
}

// scaleAttempts is how often a driver sends an action that was answered
// 503, as a backend does, with the same Idempotency-Key, pausing longer
// each time (up to 5 s): the system was too busy or a part of it down, and
// the action was not taken, or not yet. An action the API answered 503 for
// longer (its update outlasting the API's 20 s bound each time) fails the
// run. The number of actions sent again, and the most attempts one took,
// are reported.
const scaleAttempts = 16

var (
	scaleRetried atomic.Int64
	// scaleMostTries is the most attempts an action took.
	scaleMostTries struct {
		sync.Mutex
		n int64
	}
)

// retrying posts an action, again after a pause while it is answered 503.
func retrying(s *scenario, path, body string) {
	s.t.Helper()
	// The same key on every attempt: an action the system took after all
	// (an update that outlasted the API's 20 s bound) is answered as taken.
	key := uuid.NewString()
	for attempt := 1; ; attempt++ {
		res := doKeyed(s.t, s.base, s.path(path), body, key)
		if res.Status != http.StatusServiceUnavailable || attempt == scaleAttempts {
			scaleMostTries.Lock()
			scaleMostTries.n = max(scaleMostTries.n, int64(attempt))
			scaleMostTries.Unlock()
			require.Equal(s.t, http.StatusOK, res.Status, "%s %s (attempt %d): %s", s.id, path, attempt, res.Raw)
			return
		}
		if attempt == 1 {
			scaleRetried.Add(1)
		}
		time.Sleep(min(time.Duration(attempt)*500*time.Millisecond, 5*time.Second))
	}
}

// readLatencies reads filing id through the API at base with key count
// times, one after the other, and returns the p99 and the latencies.
func readLatencies(base, key, id string, count int) (time.Duration, []time.Duration) {
	var lat []time.Duration
	for range count {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/filings/"+id, nil)
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

// rssOf is the summed resident set size of the processes pids (0 for one
// that has gone).
func rssOf(pids []int) int64 {
	var sum int64
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err == nil {
					sum += kb << 10
				}
			}
		}
	}
	return sum
}

// childrenNamed are this process's children whose command name starts with
// prefix (the Temporal dev server the harness started).
func childrenNamed(t testing.TB, prefix string) []int {
	out := processesNamed(t, prefix, os.Getpid())
	require.NotEmpty(t, out, "no child process named %s*", prefix)
	return out
}

// processesNamed are the processes whose command name starts with prefix
// and, unless parent is 0, whose parent is parent.
func processesNamed(t testing.TB, prefix string, parent int) []int {
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: the name may hold spaces and parentheses.
		open, end := strings.IndexByte(string(stat), '('), strings.LastIndexByte(string(stat), ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(string(stat[end+1:]))
		if len(fields) > 1 && (parent == 0 || fields[1] == strconv.Itoa(parent)) && strings.HasPrefix(string(stat[open+1:end]), prefix) {
			out = append(out, pid)
		}
	}
	return out
}

// databaseSize counts the rows of every table of db's schema and their
// bytes (tables, indexes and TOAST).
func databaseSize(t *testing.T, db *gorm.DB) (rows, bytes int64) {
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

// databasesSize is databaseSize summed over dbs.
func databasesSize(t *testing.T, dbs []*gorm.DB) (rows, bytes int64) {
	for _, db := range dbs {
		r, b := databaseSize(t, db)
		rows, bytes = rows+r, bytes+b
	}
	return rows, bytes
}

// serveOps serves the in-process worker's operations endpoints (/metrics)
// for the test and returns their base URL.
func serveOps(t *testing.T) string {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- sys.app.RunOps(ctx, "127.0.0.1:0", ready) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + (<-ready).String()
}

// workerFigures are figures read off the workers' /metrics, summed.
type workerFigures struct {
	goroutines, stickyHits, stickyMisses float64
}

// scrapeWorkers reads the workers' goroutines and sticky cache hits and
// misses from their /metrics.
func scrapeWorkers(t *testing.T, urls []string) workerFigures {
	var f workerFigures
	for _, u := range urls {
		res, err := http.Get(u)
		require.NoError(t, err)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			name, value, ok := metricLine(sc.Text())
			if !ok {
				continue
			}
			switch name {
			case "go_goroutines":
				f.goroutines += value
			case "temporal_sticky_cache_hit_total":
				f.stickyHits += value
			case "temporal_sticky_cache_miss_total":
				f.stickyMisses += value
			}
		}
		_ = res.Body.Close()
	}
	return f
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
