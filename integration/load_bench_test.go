package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/rules"
)

// The requirement: a backend starting a filing through the API waits at
// most about 1.5× what starting the workflow directly costs, at p99. The
// benchmark starts filings both ways in the same run, over loopback, in
// alternating phases so both sides share the machine's noise, and reports
// the ratio.
//
//	go test -count=1 -run XXX -bench BenchmarkCreateFilingVsBareStart -benchtime 1x ./integration/
//
// Each b.N round starts benchPerSide filings per side.
const (
	benchPerSide = 200
	// benchConcurrency requests are in flight during a phase.
	benchConcurrency = 8
	// benchPhase requests of one side run before the other side's turn.
	benchPhase = 20
)

func BenchmarkCreateFilingVsBareStart(b *testing.B) {
	account := fmt.Sprintf("acc-bench-%d", time.Now().UnixNano()%1_000_000_000)
	key, err := apikeys.Issue(context.Background(), store.NewAPIKeys(sys.app.DB), "backend", account, "benchmark", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	viaAPI := &benchSide{start: apiStart(account, key.Token)}
	bare := &benchSide{start: bareStart(account)}
	b.Cleanup(func() {
		// Started filings would keep the shared worker busy for whatever
		// runs next.
		terminate(slices.Concat(viaAPI.started, bare.started), "benchmark over")
	})

	// Warm up connections, the key cache and the worker's caches; not
	// measured.
	for _, s := range []*benchSide{viaAPI, bare} {
		if err := s.phase(benchConcurrency); err != nil {
			b.Fatal(err)
		}
		s.latencies, s.busy = nil, 0
	}

	b.ResetTimer()
	for range b.N {
		for p := range benchPerSide / benchPhase {
			order := []*benchSide{viaAPI, bare}
			if p%2 == 1 {
				order[0], order[1] = bare, viaAPI
			}
			for _, s := range order {
				if err := s.phase(benchPhase); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.StopTimer()

	b.ReportMetric(ms(viaAPI.quantile(0.50)), "api-p50-ms")
	b.ReportMetric(ms(viaAPI.quantile(0.99)), "api-p99-ms")
	b.ReportMetric(viaAPI.rps(), "api-rps")
	b.ReportMetric(ms(bare.quantile(0.50)), "bare-p50-ms")
	b.ReportMetric(ms(bare.quantile(0.99)), "bare-p99-ms")
	b.ReportMetric(bare.rps(), "bare-rps")
	b.ReportMetric(float64(viaAPI.quantile(0.99))/float64(bare.quantile(0.99)), "p99-ratio")
}

// benchSide is one way of starting filings and what it measured.
type benchSide struct {
	// start starts the i-th filing and returns its ID; only the start
	// itself is timed, between the returned instants.
	start     func(i int) (id string, began, ended time.Time, err error)
	next      int
	latencies []time.Duration
	// busy is the wall time of this side's phases.
	busy    time.Duration
	started []string
	mu      sync.Mutex
}

// phase starts n filings with benchConcurrency in flight.
func (s *benchSide) phase(n int) error {
	first := s.next
	s.next += n
	work := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	began := time.Now()
	for range benchConcurrency {
		wg.Go(func() {
			for i := range work {
				id, t0, t1, err := s.start(i)
				if err != nil {
					errs <- err
					continue
				}
				s.mu.Lock()
				s.latencies = append(s.latencies, t1.Sub(t0))
				s.started = append(s.started, id)
				s.mu.Unlock()
			}
		})
	}
	for i := first; i < first+n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	s.busy += time.Since(began)
	close(errs)
	return <-errs // nil when there was none
}

// quantile is the nearest-rank quantile of the latencies.
func (s *benchSide) quantile(q float64) time.Duration {
	l := slices.Clone(s.latencies)
	if len(l) == 0 {
		return 0
	}
	slices.Sort(l)
	i := int(float64(len(l))*q+0.999999) - 1
	return l[max(0, min(i, len(l)-1))]
}

func (s *benchSide) rps() float64 { return float64(len(s.latencies)) / s.busy.Seconds() }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchDomain is the i-th filing's domain: every filing a subject and a
// domain of its own, so no start meets another's subject lock.
func benchDomain(account string, i int) string { return fmt.Sprintf("%s-%d.com", account, i) }

// apiStart is a backend's POST /v1/filings, each for a new company.
func apiStart(account, token string) func(i int) (string, time.Time, time.Time, error) {
	c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: benchConcurrency}}
	return func(i int) (string, time.Time, time.Time, error) {
		// An instance per filing, as customers have: an instance binds at
		// most five filings, and failed bindings would make the worker's
		// load differ from the bare side's.
		body := strings.Replace(createBody(account, "ZJ", "api-"+benchDomain(account, i), newCompany("ZJ")),
			"i-"+account+"-web", fmt.Sprintf("i-%s-api-%d", account, i), 1)
		req, err := http.NewRequest(http.MethodPost, sys.baseURL+"/v1/filings", bytes.NewBufferString(body))
		if err != nil {
			return "", time.Time{}, time.Time{}, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		t0 := time.Now()
		res, err := c.Do(req)
		if err != nil {
			return "", t0, time.Now(), err
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		t1 := time.Now()
		if err != nil {
			return "", t0, t1, err
		}
		var created struct {
			FilingID string `json:"filing_id"`
		}
		if res.StatusCode != http.StatusCreated || json.Unmarshal(raw, &created) != nil {
			return "", t0, t1, fmt.Errorf("POST /v1/filings: %d %s", res.StatusCode, raw)
		}
		return created.FilingID, t0, t1, nil
	}
}

// bareStart starts the same workflow with the input and options the API
// would give it, straight through the Temporal client: the floor any API
// start stands on.
func bareStart(account string) func(i int) (string, time.Time, time.Time, error) {
	cfg := sys.app.Config
	rs, cal := rules.DefaultRuleSet(), calendar.Default()
	return func(i int) (string, time.Time, time.Time, error) {
		id := uuid.Must(uuid.NewV7()).String()
		company := newCompany("ZJ")
		subjectKey := sha256.Sum256([]byte("ZJ|business_license|" + company))
		in := filing.Input{
			Identity: filing.Identity{FilingID: filing.ID(id), AccountID: account, Province: "ZJ",
				FilingType: filing.TypeNewWebsiteElsewhere, Domain: "bare-" + benchDomain(account, i),
				RuleSetVersion: rs.Version(), CalendarVersion: cal.Version()},
			CreatedAt: time.Now().UTC(), SubjectKey: hex.EncodeToString(subjectKey[:]),
			Product: filing.Product{InstanceID: fmt.Sprintf("i-%s-bare-%d", account, i)},
			Settings: filing.Settings{
				TimeScale:             cfg.Process.TimeScale,
				SubmissionWindowOpen:  cfg.Process.SubmissionWindowOpen,
				SubmissionWindowClose: cfg.Process.SubmissionWindowClose,
				BureauPollInterval:    filing.DefaultSettings().BureauPollInterval,
				CourierPollInterval:   filing.DefaultSettings().CourierPollInterval,
			},
		}
		opts := filings.StartOptions(in, cfg.TaskQueue, "新增网站 filing · 浙江省 (ZJ) · "+in.Domain)
		t0 := time.Now()
		_, err := sys.temporal.ExecuteWorkflow(context.Background(), opts, filing.WorkflowName, in)
		return id, t0, time.Now(), err
	}
}
