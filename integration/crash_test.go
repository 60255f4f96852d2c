package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/faults"
	"github.com/beianflow/beianflow/internal/testenv"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// beianflowBinary builds the real binary once for the crash tests.
func beianflowBinary(t testing.TB) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "beianflow-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "beianflow")
		out, err := exec.Command("go", "build", "-o", binaryPath, filepath.Join(testenv.RepoRoot(), "cmd", "beianflow")).CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	require.NoError(t, binaryErr)
	return binaryPath
}

// crashingWorker runs `beianflow worker` as a separate process on its own
// task queue, with a fault that SIGKILLs it once at the named point, and
// restarts it whenever it dies, like a process supervisor would.
type crashingWorker struct {
	crashed chan struct{} // closed when the fault fired
	stop    func()
}

func startCrashingWorker(t testing.TB, taskQueue, fault string) *crashingWorker {
	t.Helper()
	cfg := sys.app.Config
	marker := filepath.Join(t.TempDir(), "fault-fired")
	env := append(os.Environ(),
		"TEMPORAL_ADDRESS="+cfg.TemporalAddress, "TEMPORAL_NAMESPACE="+cfg.TemporalNamespace,
		"BEIANFLOW_TASK_QUEUE="+taskQueue, "DATABASE_URL="+cfg.DatabaseURL,
		// Several of these workers come and go: no ops port to share, and
		// they deliver the other tests' webhooks to loopback receivers as
		// the shared system's senders do.
		"BEIANFLOW_WORKER_OPS_ADDR=off", "BEIANFLOW_DELIVERY_ALLOW_INSECURE_URLS=true",
		"BEIANFLOW_DELIVERY_FIRST_BACKOFF=50ms", "BEIANFLOW_DELIVERY_MAX_BACKOFF=1s", "BEIANFLOW_DELIVERY_TIMEOUT=500ms",
		"S3_ENDPOINT="+cfg.S3.Endpoint, "S3_BUCKET="+cfg.S3.Bucket, "S3_REGION="+cfg.S3.Region,
		"S3_ACCESS_KEY_ID="+cfg.S3.AccessKeyID, "S3_SECRET_ACCESS_KEY="+cfg.S3.SecretAccessKey,
		// The in-process sandbox world serves the bureau and courier and
		// pushes to the in-process API; this worker only calls them.
		"BEIANFLOW_SANDBOX_ADDR=off", "BEIANFLOW_BUREAU_URL="+cfg.World.BureauURL, "BEIANFLOW_COURIER_URL="+cfg.World.CourierURL,
		"BEIANFLOW_RDAP_URL="+cfg.World.RDAPURL,
		"BEIANFLOW_REGISTRAR_API_URL="+cfg.World.RegistrarAPIURL,
		"BEIANFLOW_WEBHOOK_SECRET="+cfg.World.WebhookSecret, "BEIANFLOW_LOG_LEVEL=error",
		"BEIANFLOW_FAULT="+fault, "BEIANFLOW_FAULT_MARKER="+marker, "BEIANFLOW_PAYLOAD_KEYS="+cfg.PayloadKeys, "BEIANFLOW_DATA_KEYS="+cfg.DataKeys,
	)
	ctx, cancel := context.WithCancel(context.Background())
	w := &crashingWorker{crashed: make(chan struct{})}
	done := make(chan struct{})
	bin := beianflowBinary(t)
	go func() {
		defer close(done)
		fired := false
		for ctx.Err() == nil {
			cmd := exec.CommandContext(ctx, bin, "worker")
			cmd.Env = env
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL && !fired {
				if _, serr := os.Stat(marker); serr == nil {
					fired = true
					close(w.crashed)
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond): // the supervisor's restart delay
			}
		}
	}()
	w.stop = func() { cancel(); <-done }
	t.Cleanup(w.stop)
	return w
}

// startOnQueue starts a filing as the API does, on the crashing worker's
// task queue.
func startOnQueue(t testing.TB, taskQueue, province, domain, name string) *scenario {
	return startWith(t, taskQueue, "acc-crash", "i-crash-", province, domain, name, sys.app.Config.Process.TimeScale)
}

func TestAWorkerKilledInTheMiddleOfASideEffectLeavesExactlyOneOfIt(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{faults.AfterBind, faults.AfterShipment, faults.AfterSubmission, faults.AfterReadModel} {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			queue := "crash-" + fault + "-" + uuid.NewString()[:8]
			w := startCrashingWorker(t, queue, fault)
			s := startOnQueue(t, queue, "ZJ", "crash-"+uuid.NewString()[:8]+".com", "云栖科技官网")
			s.fill()
			s.throughInitialReview()
			s.throughPhotoApproval()
			s.wait(filing.StageApproved, filing.StepNone)
			select {
			case <-w.crashed:
			default:
				t.Fatalf("the worker never crashed at %s", fault)
			}
			st := s.result()
			require.Equal(t, filing.StageApproved, st.Stage)
			ctx := context.Background()

			count := func(query string) int {
				var n int
				require.NoError(t, sys.app.DB.Gorm.Raw(query, s.id).Scan(&n).Error)
				return n
			}
			assert.Equal(t, 1, count(`SELECT count(*) FROM service_numbers WHERE filing_id = ?`), "one 备案服务号 bound")
			assert.Equal(t, 1, count(`SELECT count(*) FROM service_numbers WHERE filing_id = ? AND status = 'consumed'`))
			ships, err := sys.app.World.CourierSandbox.Shipments(ctx, s.id)
			require.NoError(t, err)
			assert.Len(t, ships, 1, "one backdrop shipped")
			subs, err := sys.app.World.BureauSandbox.Submissions(ctx, s.id)
			require.NoError(t, err)
			assert.Len(t, subs, 1, "one bureau submission")
			assert.Zero(t, count(`SELECT count(*) FROM (SELECT event, channel FROM outbox_messages WHERE filing_id = ?
				GROUP BY event, channel HAVING count(*) > 1) d`), "one message per event and channel")
			row, err := storeFilings().Get(ctx, filing.ID(s.id))
			require.NoError(t, err)
			assert.Equal(t, string(filing.StageApproved), row.Stage, "the read model is consistent")
			assert.True(t, row.Closed)
			var gaps int
			require.NoError(t, sys.app.DB.Gorm.Raw(`SELECT count(*) - max(seq) FROM filing_events WHERE filing_id = ?`, s.id).Scan(&gaps).Error)
			assert.Zero(t, gaps, "the audit trail has every event once")
		})
	}
}
