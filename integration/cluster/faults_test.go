// Package cluster_test breaks the deployed topology (internal/cluster)
// while filings are in flight: the Temporal services on PostgreSQL as
// separate processes, two APIs behind a load balancer, two workers. It
// runs under `make test-cluster` (BEIANFLOW_CLUSTER_TEST=1), which .ci/run
// runs after `make test`.
package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/cluster"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// filingsInFlight is how many filings walk through the faults at once, each
// walked by a `beianflow demo` process as a backend and its reviewers.
const filingsInFlight = 4

// devAccount is the account `beianflow demo` files for (its instances are
// the sandbox inventory's i-dev-account-…).
const devAccount = "dev-account"

func TestEveryFilingCompletesOnceThroughAKilledWorkerAStoppedAPIAndARestartedHistoryService(t *testing.T) {
	if os.Getenv("BEIANFLOW_CLUSTER_TEST") == "" {
		t.Skip("runs under make test-cluster (BEIANFLOW_CLUSTER_TEST=1): it builds and runs the whole cluster topology")
	}
	testenv.NeedsServers(t)
	tools := testenv.NeedClusterTools(t)
	bin := buildBeianflow(t)
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()

	ports, err := cluster.FreePorts(2, 2)
	require.NoError(t, err)
	dir := t.TempDir()
	var (
		mu       sync.Mutex
		expected = map[*cluster.Process]bool{} // parts this test ends on purpose
	)
	unexpected := make(chan string, 16)
	c, err := cluster.Start(ctx, cluster.Options{
		Dir: dir, Beianflow: bin, VersityGW: tools.VersityGW, UIServer: tools.UIServer,
		Temporal: cluster.TemporalOptions{Server: tools.TemporalServer, SQLTool: tools.SQLTool, Schema: tools.Schema},
		Postgres: testenv.AdminURL(t), Database: "bftest_cluster_" + testenv.RandomDigits(8), Ports: ports,
		Env: []string{"BEIANFLOW_SANDBOX_PUSH_INTERVAL=500ms", "BEIANFLOW_LOG_LEVEL=info",
			"BEIANFLOW_DELIVERY_FIRST_BACKOFF=50ms", "BEIANFLOW_DELIVERY_MAX_BACKOFF=1s"},
		AfterMigrate: func(ctx context.Context, databaseURL string) error { return writeAPIKeys(ctx, databaseURL, dir) },
		Exited: func(p *cluster.Process, err error) {
			mu.Lock()
			defer mu.Unlock()
			if !expected[p] {
				unexpected <- fmt.Sprintf("%s exited (%v):\n%s", p.Name, err, p.LogTail(2048))
			}
		},
	})
	if c != nil {
		t.Cleanup(func() {
			c.Stop()
			if t.Failed() {
				t.Logf("the topology's logs are in %s", filepath.Join(dir, "logs"))
				for _, p := range append(append([]*cluster.Process{}, c.APIs...), c.Workers...) {
					t.Logf("%s ends:\n%s", p.Name, p.LogTail(1500))
				}
			}
			assert.NoError(t, c.DropDatabases(context.Background()))
		})
	}
	require.NoError(t, err)
	t.Logf("the cluster started in %s (databases and Temporal schemas created, 4 Temporal services, S3, migration, 2 workers, codec server, Web UI, 2 APIs)",
		c.Started.Round(time.Millisecond))

	keys := readEnv(t, filepath.Join(dir, "api-keys.env"))
	reviewer := apiclient.New(c.URL(), keys["BEIANFLOW_REVIEWER_KEY"], apiclient.WithRetries(0))
	backend := apiclient.New(c.URL(), keys["BEIANFLOW_BACKEND_KEY"])
	db, err := store.Open(ctx, c.DatabaseURL, "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })

	// A filing that stays in its information stage: deciding its initial
	// review goes to the workflow (an update) and is refused while the
	// workflow service is up (409), so it probes the API's answer when a
	// dependency is down.
	probe := createProbeFiling(ctx, t, backend)

	demos := startDemos(ctx, t, bin, c, dir)
	waitForFilings(ctx, t, db, filingsInFlight+1)

	// 1. A worker dies where it stands, as on a lost node, and its
	// supervisor starts it again.
	worker := c.Workers[1]
	mu.Lock()
	expected[worker] = true
	mu.Unlock()
	killedAt := time.Now()
	require.NoError(t, worker.Kill())
	time.Sleep(2 * time.Second)
	require.NoError(t, worker.Start())
	require.NoError(t, c.WaitReady(ctx, worker))
	t.Logf("fault 1: %s SIGKILLed, restarted after 2s, ready again %s after the kill", worker.Name, time.Since(killedAt).Round(time.Millisecond))

	// 2. An API process is stopped, as in a rolling deploy, for long
	// enough that every backend call meanwhile goes to the other.
	api := c.APIs[1]
	mu.Lock()
	expected[api] = true
	mu.Unlock()
	stoppedAt := time.Now()
	require.NoError(t, api.Stop(20*time.Second))
	stopTook := time.Since(stoppedAt)
	time.Sleep(5 * time.Second)
	require.NoError(t, api.Start())
	require.NoError(t, c.WaitReady(ctx, api))
	t.Logf("fault 2: %s stopped gracefully in %s, down 5s, ready again %s after the stop", api.Name, stopTook.Round(time.Millisecond),
		time.Since(stoppedAt).Round(time.Millisecond))

	// 3. The Temporal history service restarts. While it is down, the
	// probe's update is answered 503, never 500.
	history := c.Temporal["history"]
	mu.Lock()
	expected[history] = true
	mu.Unlock()
	restartAt := time.Now()
	require.NoError(t, history.Stop(30*time.Second))
	historyStop := time.Since(restartAt)
	outage := probeFor(ctx, reviewer, probe, 6*time.Second)
	require.NoError(t, history.Start())
	restarted := time.Now()
	recovery := probeUntilAnswered(ctx, reviewer, probe)
	t.Logf("fault 3: history stopped in %s; while down the probe got %v; restarted, the workflow service answered the probe again after %s (%v)",
		historyStop.Round(time.Millisecond), outage, time.Since(restarted).Round(time.Millisecond), recovery)
	if e := probeFailures.Load(); e != nil {
		t.Logf("a probe got no answer: %v", e)
	}
	assert.NotContains(t, outage, 0, "the API answers while a dependency is down")
	assert.NotContains(t, outage, 500, "a dependency down is 503, never 500")
	assert.NotContains(t, recovery, 500, "a dependency coming back is 503, never 500")
	assert.Positive(t, outage[503], "with history down, the update is answered 503 dependency_unavailable")

	// Every filing completes.
	var approved []filing.ID
	for _, d := range demos {
		select {
		case <-d.done:
		case <-ctx.Done():
			t.Fatalf("demo %d did not finish: %v\n%s", d.n, ctx.Err(), d.out.String())
		}
		if !assert.NoError(t, d.err, "demo %d:\n%s", d.n, d.out.String()) {
			continue
		}
		assert.Contains(t, d.out.String(), "approved in", "demo %d", d.n)
		t.Logf("demo %d: %s", d.n, lastLine(d.out.String(), "approved in"))
	}
	select {
	case msg := <-unexpected:
		t.Errorf("a part of the topology died on its own: %s", msg)
	default:
	}

	// Exactly one of each side effect, whatever was killed when.
	type row struct {
		FilingID string
		Stage    string
		Closed   bool
	}
	var rows []row
	require.NoError(t, db.Gorm.WithContext(ctx).Raw(`SELECT id AS filing_id, stage, closed FROM filings WHERE id <> ?`, string(probe)).Scan(&rows).Error)
	require.Len(t, rows, filingsInFlight)
	count := func(query string, id string) int {
		var n int
		require.NoError(t, db.Gorm.WithContext(ctx).Raw(query, id).Scan(&n).Error)
		return n
	}
	// The last filings' last messages are queued as they end; the
	// outbox sends within a second or so.
	waitUntil(ctx, t, time.Minute, "every queued message sent", func() bool {
		var pending int
		require.NoError(t, db.Gorm.WithContext(ctx).Raw(`SELECT count(*) FROM outbox_messages WHERE status <> 'sent'`).Scan(&pending).Error)
		return pending == 0
	})
	var firstMessages []string
	for _, r := range rows {
		approved = append(approved, filing.ID(r.FilingID))
		assert.Equal(t, string(filing.StageApproved), r.Stage, "filing %s in the read model", r.FilingID)
		assert.True(t, r.Closed, "filing %s closed", r.FilingID)
		// The demo files two websites, each with its own 备案服务号.
		assert.Equal(t, 2, count(`SELECT count(*) FROM service_numbers WHERE filing_id = ? AND status = 'consumed'`, r.FilingID),
			"filing %s: one service number per website, consumed", r.FilingID)
		assert.Equal(t, 1, count(`SELECT count(*) FROM sandbox_shipments WHERE filing_id = ?`, r.FilingID), "filing %s: one backdrop shipped", r.FilingID)
		assert.Equal(t, 1, count(`SELECT count(*) FROM sandbox_bureau_submissions WHERE filing_id = ?`, r.FilingID), "filing %s: one bureau submission", r.FilingID)
		// Every filing walked the same path, so each has the same
		// messages: an extra one from a retry after a kill would show.
		var messages []string
		require.NoError(t, db.Gorm.WithContext(ctx).Raw(`SELECT event || '/' || channel || ' ×' || count(*) FROM outbox_messages
			WHERE filing_id = ? GROUP BY event, channel ORDER BY event, channel`, r.FilingID).Scan(&messages).Error)
		if firstMessages == nil {
			firstMessages = messages
			t.Logf("messages of each filing: %v", messages)
		}
		assert.Equal(t, firstMessages, messages, "filing %s: the same messages as every other filing", r.FilingID)
		assert.Zero(t, count(`SELECT count(*) FROM outbox_messages WHERE filing_id = ? AND status <> 'sent'`, r.FilingID),
			"filing %s: every message sent", r.FilingID)
		assert.Zero(t, count(`SELECT count(*) - max(seq) FROM filing_events WHERE filing_id = ?`, r.FilingID),
			"filing %s: the audit trail has every event once", r.FilingID)
		assert.Zero(t, count(`SELECT count(*) FROM (SELECT seq FROM events WHERE filing_id = ? GROUP BY seq HAVING count(*) > 1) d`, r.FilingID),
			"filing %s: the event feed has every event once", r.FilingID)
	}
	statuses := c.Balancer.Statuses()
	t.Logf("every answer through the load balancer: %v", statuses)
	for code, n := range statuses {
		if code >= 500 && code != 503 {
			t.Errorf("%d answers with status %d: a dependency down must be 503 (the balancer's own: %v)", n, code, c.Balancer.Failures())
		}
	}
	t.Logf("approved: %v", approved)
}

// buildBeianflow builds the system's binary for the topology's processes.
func buildBeianflow(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "beianflow")
	out, err := exec.Command("go", "build", "-o", bin, filepath.Join(testenv.RepoRoot(), "cmd", "beianflow")).CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)
	return bin
}

// writeAPIKeys issues one key per role and writes them where `beianflow
// demo` reads them, as `beianflow cluster` does.
func writeAPIKeys(ctx context.Context, databaseURL, dir string) error {
	db, err := store.Open(ctx, databaseURL, "")
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	var b strings.Builder
	for _, k := range []struct{ name, role, account string }{
		{"BEIANFLOW_BACKEND_KEY", "backend", devAccount},
		{"BEIANFLOW_REVIEWER_KEY", "reviewer", ""},
		{"BEIANFLOW_SUPPORT_KEY", "support", ""},
	} {
		key, err := apikeys.Issue(ctx, store.NewAPIKeys(db), k.role, k.account, "cluster test "+k.role, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s=%s\n", k.name, key.Token)
	}
	return os.WriteFile(filepath.Join(dir, "api-keys.env"), []byte(b.String()), 0o600)
}

func readEnv(t *testing.T, path string) map[string]string {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			out[k] = v
		}
	}
	return out
}

func createProbeFiling(ctx context.Context, t *testing.T, backend *apiclient.Client) filing.ID {
	t.Helper()
	seq := testenv.RandomDigits(6)
	f, err := backend.CreateFiling(ctx, filing.CreateRequest{
		Subject: filing.SubjectIdentity{Province: "ZJ", Nature: filing.NatureEnterprise, CertificateType: filing.CertBusinessLicense,
			CertificateNumber: sample.CreditCode("91", "330106", sample.OrgCode("MA"+seq))},
		Domain:  "cluster-probe-" + seq + ".com",
		Product: filing.Product{InstanceID: "i-" + devAccount + "-probe" + seq},
	})
	require.NoError(t, err)
	return f.FilingID
}

// demo is one `beianflow demo` process walking a filing.
type demo struct {
	n    int
	out  *testenv.LogBuffer
	done chan struct{}
	err  error
}

func startDemos(ctx context.Context, t *testing.T, bin string, c *cluster.Cluster, dir string) []*demo {
	var out []*demo
	for i := range filingsInFlight {
		d := &demo{n: i + 1, out: &testenv.LogBuffer{}, done: make(chan struct{})}
		cmd := exec.CommandContext(ctx, bin, "demo", "--timeout", "9m")
		cmd.Env = append(append(os.Environ(), c.Env...), "BEIANFLOW_API_URL="+c.URL(), "BEIANFLOW_DATA_DIR="+dir)
		cmd.Stdout, cmd.Stderr = d.out, d.out
		require.NoError(t, cmd.Start())
		go func() {
			d.err = cmd.Wait()
			close(d.done)
		}()
		out = append(out, d)
	}
	return out
}

// waitForFilings waits until n filings exist: the faults start with every
// filing in flight.
func waitForFilings(ctx context.Context, t *testing.T, db *store.DB, n int) {
	t.Helper()
	for {
		var have int
		require.NoError(t, db.Gorm.WithContext(ctx).Raw(`SELECT count(*) FROM filings`).Scan(&have).Error)
		if have >= n {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("only %d of %d filings were created", have, n)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// probeFor decides the probe's initial review every 250 ms for d and counts
// the answers' statuses (0: no answer).
func probeFor(ctx context.Context, reviewer *apiclient.Client, id filing.ID, d time.Duration) map[int]int {
	statuses := map[int]int{}
	end := time.Now().Add(d)
	for time.Now().Before(end) && ctx.Err() == nil {
		statuses[probeOnce(ctx, reviewer, id)]++
		time.Sleep(250 * time.Millisecond)
	}
	return statuses
}

// probeUntilAnswered probes until the workflow service answers the probe
// again (409: the update reached the workflow, which refused it).
func probeUntilAnswered(ctx context.Context, reviewer *apiclient.Client, id filing.ID) map[int]int {
	statuses := map[int]int{}
	for ctx.Err() == nil {
		s := probeOnce(ctx, reviewer, id)
		statuses[s]++
		if s == 409 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	return statuses
}

func probeOnce(ctx context.Context, reviewer *apiclient.Client, id filing.ID) int {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := reviewer.DecideInitialReview(ctx, id, filing.DecisionRequest{Approve: true, Reviewer: "cluster-probe"})
	var apiErr *apiclient.Error
	switch {
	case err == nil:
		return 200
	case errors.As(err, &apiErr):
		return apiErr.Status
	}
	probeFailures.Store(err.Error())
	return 0
}

// probeFailures holds the last probe that got no answer at all.
var probeFailures atomic.Value

func lastLine(s, containing string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], containing) {
			return strings.TrimSpace(lines[i])
		}
	}
	return ""
}

// waitUntil polls cond every 200 ms until it holds, failing the test
// after d.
func waitUntil(ctx context.Context, t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) || ctx.Err() != nil {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
