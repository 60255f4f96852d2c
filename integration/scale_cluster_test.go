package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/beianflow/beianflow/internal/cluster"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// TestScaleFilingsInFlightOnTheCluster is TestScaleFilingsInFlightAtOnce on
// the deployed topology (`make scale-cluster`): Temporal's four services as
// processes of their own on PostgreSQL, two workers (the first also serving
// the sandbox world), two APIs behind the load balancer, each a process of
// its own, so the report gives each role's RSS apart and what a filing
// costs Temporal's own databases. The cluster's databases are its own and
// dropped at the end.
func TestScaleFilingsInFlightOnTheCluster(t *testing.T) {
	sizes := scaleSizes(t)
	tools := testenv.NeedClusterTools(t)
	bin := filepath.Join(t.TempDir(), "beianflow")
	out, err := exec.Command("go", "build", "-o", bin, filepath.Join(testenv.RepoRoot(), "cmd", "beianflow")).CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ports, err := cluster.FreePorts(2, 2)
	require.NoError(t, err)
	// Not t.TempDir: a failed run keeps its topology's logs to be read.
	dir, err := os.MkdirTemp("", "beianflow-scale-cluster-")
	require.NoError(t, err)
	exited := make(chan string, 16)
	c, err := cluster.Start(ctx, cluster.Options{
		Dir: dir, Beianflow: bin, VersityGW: tools.VersityGW,
		Temporal: cluster.TemporalOptions{Server: tools.TemporalServer, SQLTool: tools.SQLTool, Schema: tools.Schema},
		Postgres: testenv.AdminURL(t), Database: "bfscale_" + testenv.RandomDigits(8), Ports: ports,
		// As the dev server's harness (main_test.go): a day of the sandbox
		// world in a second, pushes every 100 ms, and no rate limit on the
		// few keys the drivers share.
		Env: []string{"BEIANFLOW_TIME_SCALE=86400", "BEIANFLOW_SANDBOX_PUSH_INTERVAL=100ms", "BEIANFLOW_LOG_LEVEL=warn",
			"BEIANFLOW_RATE_LIMIT=10000", "BEIANFLOW_RATE_BURST=10000"},
		Exited: func(p *cluster.Process, err error) {
			exited <- fmt.Sprintf("%s exited (%v):\n%s", p.Name, err, p.LogTail(2048))
		},
	})
	if c != nil {
		t.Cleanup(func() {
			c.Stop()
			assert.NoError(t, c.DropDatabases(context.Background()))
			if t.Failed() {
				t.Logf("the topology's logs are kept in %s", filepath.Join(dir, "logs"))
				return
			}
			_ = os.RemoveAll(dir)
		})
	}
	require.NoError(t, err)
	t.Logf("the cluster started in %s", c.Started.Round(time.Millisecond))

	db, err := store.Open(context.Background(), c.DatabaseURL, "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	registerAPI(c.URL(), db)
	persistence, visibility := c.TemporalDatabaseURLs()
	var temporalDBs []*gorm.DB
	for _, u := range []string{persistence, visibility} {
		tdb, err := gorm.Open(postgres.Open(u), &gorm.Config{Logger: logger.Discard})
		require.NoError(t, err)
		sqlDB, err := tdb.DB()
		require.NoError(t, err)
		t.Cleanup(func() { _ = sqlDB.Close() })
		temporalDBs = append(temporalDBs, tdb)
	}
	pids := func(ps ...*cluster.Process) []int {
		var out []int
		for _, p := range ps {
			out = append(out, p.PID())
		}
		return out
	}
	var services []*cluster.Process
	for _, name := range cluster.TemporalServices {
		services = append(services, c.Temporal[name])
	}
	target := scaleTarget{
		name: "the cluster", base: c.URL(), db: db.Gorm, temporal: temporalDBs, metrics: c.WorkerMetricsURLs(),
		processes: []scaleRole{
			{"2 workers", pids(c.Workers...)},
			{"2 APIs", pids(c.APIs...)},
			{"Temporal's 4 services", pids(services...)},
		},
	}
	runScales(t, target, sizes)
	select {
	case msg := <-exited:
		t.Errorf("a part of the topology died on its own: %s", msg)
	default:
	}
	t.Logf("every answer through the load balancer: %v", c.Balancer.Statuses())
}
