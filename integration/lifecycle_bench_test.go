package integration

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/workflows"
)

// The filing's whole lifecycle against Temporal's own limit: N filings
// driven from creation to approval (the sandbox world at a time scale where
// a day is 100 ms, every party answering at once) and, in the same run on the
// same server and worker process, N bare workflows with as many updates,
// local activities, activities and timers as the filings' histories hold.
// The ratio of their throughputs says what beianflow's own work (the API,
// the database, S3, the sandbox world, the checks) costs on top of
// Temporal's. So does, more steadily, the CPU time each side costs the
// machine per workflow (this process, the Temporal server, PostgreSQL and
// S3, read from /proc): the throughput ratio is only the capacity ratio
// where both sides keep the machine equally busy, and the bare side at 32
// at a time keeps it less busy than the filings do (each side's busy
// cores are logged).
//
//	make bench-lifecycle   (BEIANFLOW_BENCH_FILINGS=N, default 96;
//	                        BEIANFLOW_BENCH_CONCURRENCY, default 32)
const (
	// lifecycleScale runs a day in 100 ms: the bureau's review and the
	// courier take a fraction of a second, and the 45-day order lifetime
	// (4.5 s) outlasts any pause of the applicant's driver under load.
	lifecycleScale = 864_000
	// lifecycleConcurrency filings (or bare workflows) are driven at once:
	// enough that the filings keep both cores busy (a Temporal timer fires
	// up to a second late on the dev server).
	lifecycleConcurrency = 32
)

func BenchmarkFilingLifecycleVsBare(b *testing.B) {
	n := 96
	if v, err := strconv.Atoi(os.Getenv("BEIANFLOW_BENCH_FILINGS")); err == nil && v > 0 {
		n = v
	}
	concurrency := lifecycleConcurrency
	if v, err := strconv.Atoi(os.Getenv("BEIANFLOW_BENCH_CONCURRENCY")); err == nil && v > 0 {
		concurrency = v
	}
	bare := startBareWorker(b)
	defer func(d time.Duration) { waitPoll = d }(waitPoll)
	waitPoll = 250 * time.Millisecond
	var filingsPerSec, barePerSec, filingCPU, bareCPU []float64
	// Warm up connections, caches and pollers on both sides; not measured.
	warm, _ := runConcurrently(2, 2, func(int) string { return driveToApproval(b) })
	shape, events := shapeOf(b, warm[0])
	runConcurrently(2, 2, func(int) string { return bare.drive(b, shape) })
	var bareEvents int
	b.ResetTimer()
	for i := range b.N {
		cpu0 := cpuSeconds(b)
		ids, took := runConcurrently(n, concurrency, func(int) string { return driveToApproval(b) })
		cpuFilings := cpuSeconds(b).minus(cpu0)
		filingsPerSec = append(filingsPerSec, float64(n)/took.Seconds())
		if i == 0 {
			// The shape of a filing's happy path, as the server recorded
			// it, is the bare workflow's.
			shape, events = shapeOf(b, ids[0])
		}
		b.Logf("round %d: %d filings in %s", i+1, n, took.Round(time.Millisecond))
		cpu0 = cpuSeconds(b)
		bareIDs, bareTook := runConcurrently(n, concurrency, func(int) string { return bare.drive(b, shape) })
		cpuBare := cpuSeconds(b).minus(cpu0)
		barePerSec = append(barePerSec, float64(n)/bareTook.Seconds())
		filingCPU, bareCPU = append(filingCPU, cpuFilings.total()/float64(n)), append(bareCPU, cpuBare.total()/float64(n))
		b.Logf("round %d: %d bare workflows in %s", i+1, n, bareTook.Round(time.Millisecond))
		b.Logf("round %d: CPU per filing %s, %.2f cores busy; per bare workflow %s, %.2f cores busy",
			i+1, cpuFilings.per(n), cpuFilings.total()/took.Seconds(), cpuBare.per(n), cpuBare.total()/bareTook.Seconds())
		if i == 0 {
			bareEvents = historyLength(b, bareIDs[0])
		}
	}
	b.StopTimer()
	f, r := median(filingsPerSec), median(barePerSec)
	b.ReportMetric(f, "filings/s")
	b.ReportMetric(r, "bare/s")
	b.ReportMetric(f/r, "ratio")
	fc, bc := median(filingCPU), median(bareCPU)
	b.ReportMetric(fc*1000, "cpu-ms/filing")
	b.ReportMetric(bc*1000, "cpu-ms/bare")
	b.ReportMetric(bc/fc, "cost-ratio")
	b.ReportMetric(float64(events), "events/filing")
	b.ReportMetric(float64(bareEvents), "events/bare")
	b.Logf("%d filings at a time %d: %.2f filings/s against %.2f bare workflows/s (ratio %.2f); CPU %.0f ms per filing against %.0f per bare workflow (ratio %.2f); %d events per filing, %d per bare workflow of %+v",
		n, concurrency, f, r, f/r, fc*1000, bc*1000, bc/fc, events, bareEvents, shape)
}

// driveToApproval walks one filing from its start to approval: the
// applicant, the reviewers and the sandbox world answer at once.
func driveToApproval(t testing.TB) string {
	s := startWith(t, sys.app.Config.TaskQueue, "acc-scn", "i-direct-", "ZJ", fmt.Sprintf("life-%d.com", subjectSeq.Add(1)), "生命周期", lifecycleScale)
	// The parties learn of each change from the filing's events, as a
	// backend does: a driver that read the filing's state until it
	// changed would cost the server a query every poll, which the bare
	// workflow's driver does not.
	s.follow = true
	s.fill()
	s.throughInitialReview()
	s.throughPhotoApproval()
	s.wait(filing.StageApproved, filing.StepNone)
	return s.id
}

// runConcurrently runs n drives, c at a time, and returns their IDs and the
// wall time they took.
func runConcurrently(n, c int, drive func(i int) string) ([]string, time.Duration) {
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				ids[i] = drive(i)
			}
		}()
	}
	wg.Wait()
	return ids, time.Since(start)
}

// bareShape is what a workflow does, counted as its history records it.
type bareShape struct {
	Updates, LocalActivities, Activities int
	// Upserts change search attributes, as a filing's commits do.
	Upserts int
	// TimersFired ran out; TimersCancelled were cancelled when what they
	// waited against came first.
	TimersFired, TimersCancelled int
}

// shapeOf counts the happy path's updates, local activities (markers),
// activities, timers and search-attribute upserts in filing id's history,
// and its events.
func shapeOf(t testing.TB, id string) (bareShape, int) {
	h := historyOf(t, id)
	var s bareShape
	for _, e := range h.GetEvents() {
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			s.Updates++
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			s.LocalActivities++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			s.Activities++
		case enumspb.EVENT_TYPE_TIMER_FIRED:
			s.TimersFired++
		case enumspb.EVENT_TYPE_TIMER_CANCELED:
			s.TimersCancelled++
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			s.Upserts++
		}
	}
	return s, len(h.GetEvents())
}

func historyLength(t testing.TB, workflowID string) int {
	n := 0
	it := sys.temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// bareWorker runs the bare workflow on a task queue of its own, in this
// process, beside the system's worker.
type bareWorker struct{ queue string }

func startBareWorker(t testing.TB) *bareWorker {
	queue := fmt.Sprintf("bare-%d", time.Now().UnixNano())
	w := worker.New(sys.temporal, queue, worker.Options{})
	w.RegisterWorkflowWithOptions(bareLifecycle, workflow.RegisterOptions{Name: "BareLifecycle"})
	w.RegisterActivity(bareStep)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return &bareWorker{queue: queue}
}

// drive runs one bare workflow of shape: started, sent its updates one
// after the other as a backend sends its actions, and waited for.
func (w *bareWorker) drive(t testing.TB, shape bareShape) string {
	ctx := context.Background()
	id := fmt.Sprintf("bare-%d", subjectSeq.Add(1))
	run, err := sys.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: w.queue}, "BareLifecycle", shape)
	if err != nil {
		t.Fatal(err)
	}
	for range shape.Updates {
		h, err := sys.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: "step", WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return id
}

// bareLifecycle does what a filing's happy path does to Temporal and
// nothing else: each update runs a local activity (as an action commits its
// change), a wait for an update begins with a search-attribute upsert (as a
// filing commits before it waits) while the filing's upserts last, some
// waits run against a timer the update cancels,
// and between the updates the workflow runs the rest of its local
// activities, its activities and its timers that fire.
func bareLifecycle(ctx workflow.Context, s bareShape) error {
	local := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
	remote := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1}})
	got := 0
	if err := workflow.SetUpdateHandler(ctx, "step", func(ctx workflow.Context) error {
		got++
		return workflow.ExecuteLocalActivity(local, bareStep).Get(ctx, nil)
	}); err != nil {
		return err
	}
	rest := s
	rest.LocalActivities = max(s.LocalActivities-s.Updates, 0)
	upserted := 0
	upsert := func() error {
		upserted++
		// What a filing's commit sets: its stage and whom it waits on.
		v := "bare-" + strconv.Itoa(upserted)
		return workflow.UpsertTypedSearchAttributes(ctx, workflows.AttrStage.ValueSet(v), workflows.AttrWaitingOn.ValueSet(v))
	}
	for i := range s.Updates {
		if rest.Upserts > 0 {
			rest.Upserts--
			if err := upsert(); err != nil {
				return err
			}
		}
		cancel := func() {}
		if rest.TimersCancelled > 0 {
			rest.TimersCancelled--
			var tctx workflow.Context
			tctx, cancel = workflow.WithCancel(ctx)
			workflow.NewTimer(tctx, time.Hour)
		}
		if err := workflow.Await(ctx, func() bool { return got > i }); err != nil {
			return err
		}
		cancel()
		// Spread the rest over the waits between updates, as a filing's
		// stages spread theirs.
		if rest.LocalActivities > 0 {
			rest.LocalActivities--
			if err := workflow.ExecuteLocalActivity(local, bareStep).Get(ctx, nil); err != nil {
				return err
			}
		}
		if rest.Activities > 0 && i%2 == 1 {
			rest.Activities--
			if err := workflow.ExecuteActivity(remote, bareStep).Get(ctx, nil); err != nil {
				return err
			}
		}
		if rest.TimersFired > 0 && i%3 == 2 {
			rest.TimersFired--
			if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
		}
	}
	for ; rest.LocalActivities > 0; rest.LocalActivities-- {
		if err := workflow.ExecuteLocalActivity(local, bareStep).Get(ctx, nil); err != nil {
			return err
		}
	}
	for ; rest.Activities > 0; rest.Activities-- {
		if err := workflow.ExecuteActivity(remote, bareStep).Get(ctx, nil); err != nil {
			return err
		}
	}
	for ; rest.TimersFired > 0; rest.TimersFired-- {
		if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
	}
	for ; rest.Upserts > 0; rest.Upserts-- {
		if err := upsert(); err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// bareStep is the bare workflow's activity: nothing.
func bareStep(context.Context) error { return nil }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// cpuUse is CPU time used so far, in seconds, by process group.
type cpuUse struct{ self, temporal, postgres, s3 float64 }

func (c cpuUse) total() float64 { return c.self + c.temporal + c.postgres + c.s3 }

func (c cpuUse) minus(d cpuUse) cpuUse {
	return cpuUse{c.self - d.self, c.temporal - d.temporal, c.postgres - d.postgres, c.s3 - d.s3}
}

// per is c per one of n workflows, as milliseconds by group.
func (c cpuUse) per(n int) string {
	k := 1000 / float64(n)
	return fmt.Sprintf("%.0f ms (this process %.0f, Temporal %.0f, PostgreSQL %.0f, S3 %.0f)", c.total()*k, c.self*k, c.temporal*k, c.postgres*k, c.s3*k)
}

// cpuSeconds is the CPU time used so far by this process (API, worker,
// sandbox world, drivers), the Temporal dev server, the S3 server and
// PostgreSQL's processes.
func cpuSeconds(t testing.TB) cpuUse {
	of := func(pids ...int) float64 {
		var ticks int64
		for _, pid := range pids {
			stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
			if err != nil {
				continue
			}
			fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
			// utime and stime, the 14th and 15th fields of stat(5).
			for _, f := range fields[11:13] {
				n, _ := strconv.ParseInt(f, 10, 64)
				ticks += n
			}
		}
		return float64(ticks) / 100 // USER_HZ
	}
	return cpuUse{
		self:     of(os.Getpid()),
		temporal: of(processesNamed(t, "temporal", os.Getpid())...),
		postgres: of(processesNamed(t, "postgres", 0)...),
		s3:       of(processesNamed(t, "versitygw", os.Getpid())...),
	}
}
