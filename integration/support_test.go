package integration

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/testenv"
	bfworker "github.com/beianflow/beianflow/worker"
)

// The support tooling (GET/POST /v1/support/..., `beianflow ctl`) against
// the real dev server: a filing whose activity is broken is listed by
// stuck, retried once fixed, and completes; a filing whose workflow code
// fails after a "deploy" is listed and its retry refused until the worker
// is rolled back; histories are shown decoded and replayed.

// faultyBureau is the bureau gateway with a switch: while broken, every
// submission fails like an unreachable gateway.
type faultyBureau struct {
	bureau.Gateway
	broken atomic.Bool
}

func (b *faultyBureau) Submit(ctx context.Context, s bureau.Submission) (bureau.Receipt, error) {
	if b.broken.Load() {
		return bureau.Receipt{}, errors.New("bureau gateway: dial tcp: connection refused (support test fault)")
	}
	return b.Gateway.Submit(ctx, s)
}

// startWorker runs an in-process worker of the real workflows and
// activities on its own task queue, with the bureau replaced by gw when
// gw is not nil.
func startWorker(t testing.TB, queue string, gw bureau.Gateway) worker.Worker {
	t.Helper()
	acts := sys.app.Activities()
	if gw != nil {
		acts.Bureau = gw
	}
	w := bfworker.New(sys.temporal, queue, acts, 0)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return w
}

// supportClient is the support role's client of the test system.
func supportClient(t testing.TB) *apiclient.Client {
	t.Helper()
	return clientAs(t, sys.baseURL, api.RoleSupport, "")
}

// waitStuck polls GET /v1/support/stuck until the filing is listed for
// reason with ok(item), and returns that entry.
func waitStuck(t testing.TB, c *apiclient.Client, id string, reason filing.StuckReason, ok func(filing.StuckFiling) bool) filing.StuckFiling {
	t.Helper()
	var found filing.StuckFiling
	var last *filing.StuckReport
	deadline := time.Now().Add(60 * time.Second)
	for {
		rep, err := c.Stuck(context.Background(), apiclient.StuckQuery{Limit: 200, Scan: 1000})
		require.NoError(t, err)
		last = rep
		for _, it := range rep.Items {
			if it.FilingID == filing.ID(id) && it.Reason == reason && ok(it) {
				found = it
				return found
			}
		}
		if time.Now().After(deadline) {
			js, _ := json.MarshalIndent(last, "", "  ")
			t.Fatalf("filing %s never listed as %s; last answer: %s", id, reason, js)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// ctl runs `beianflow ctl args...` (the real binary) against the test
// system with a support key.
func ctl(t testing.TB, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(beianflowBinary(t), append([]string{"ctl"}, args...)...)
	cmd.Env = append(os.Environ(), "BEIANFLOW_API_URL="+sys.baseURL,
		"BEIANFLOW_SUPPORT_KEY="+keyFor(t, sys.baseURL, api.RoleSupport, ""))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustCtl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := ctl(t, args...)
	require.NoError(t, err, "beianflow ctl %v:\n%s", args, out)
	return out
}

func TestSupportFindsAFailingActivityAndRetryCompletesTheFiling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	queue := "support-activity-" + uuid.NewString()[:8]
	gw := &faultyBureau{Gateway: sys.app.World.Bureau}
	gw.broken.Store(true)
	startWorker(t, queue, gw)
	domain := "support-" + uniq() + ".com"
	s := startOnQueue(t, queue, "ZJ", domain, "云栖科技官网")
	s.fill()
	s.throughInitialReview()
	s.throughPhotoApproval()

	// The submission fails again and again; stuck lists it with the error
	// and what to do. Attempt 4 waits 8 s for attempt 5, long enough to
	// tell a retry from Temporal's own schedule.
	sc := supportClient(t)
	it := waitStuck(t, sc, s.id, filing.StuckActivityFailing, func(it filing.StuckFiling) bool {
		return it.Details.Attempt >= 4 && it.Details.State == "scheduled"
	})
	assert.Equal(t, "SubmitToBureau", it.Details.ActivityType)
	assert.Contains(t, it.Details.LastFailure, "support test fault")
	assert.LessOrEqual(t, len([]rune(it.Details.LastFailure)), 301)
	assert.Equal(t, filing.StageBureauSubmission, it.Stage)
	assert.Equal(t, filing.PartyProvider, it.WaitingOn)
	assert.Contains(t, it.NextStep, "beianflow ctl retry "+s.id)
	assert.Contains(t, it.NextStep, "bureau")
	require.NotNil(t, it.Details.NextAttemptAt)

	// The CLI shows the same.
	out := mustCtl(t, "stuck", "--scan", "1000", "--limit", "200")
	assert.Contains(t, out, s.id)
	assert.Contains(t, out, "activity_failing")
	assert.Contains(t, out, "SubmitToBureau attempt")
	assert.Contains(t, out, "support test fault")
	var rep filing.StuckReport
	require.NoError(t, json.Unmarshal([]byte(mustCtl(t, "--json", "stuck", "--scan", "1000", "--limit", "200")), &rep))
	assert.NotZero(t, rep.Scanned)

	// A backend key may not look.
	_, err := clientAs(t, sys.baseURL, api.RoleBackend, "acc-crash").Stuck(ctx, apiclient.StuckQuery{})
	requireCode(t, err, http.StatusForbidden, filing.CodeForbidden, "")

	// Fixed; retry runs it now rather than at the next scheduled attempt,
	// which is seconds away (attempts back off: 1 s, 2 s, 4 s, 8 s, ...).
	for {
		it = waitStuck(t, sc, s.id, filing.StuckActivityFailing, func(it filing.StuckFiling) bool {
			return it.Details.State == "scheduled" && it.Details.NextAttemptAt != nil
		})
		if time.Until(*it.Details.NextAttemptAt) > 3*time.Second {
			break
		}
		time.Sleep(time.Until(*it.Details.NextAttemptAt) + time.Second)
	}
	gw.broken.Store(false)
	out = mustCtl(t, "retry", s.id)
	assert.Contains(t, out, "retrying SubmitToBureau now")
	retriedAt := time.Now()
	moved := waitLeaves(t, s.id, filing.StageBureauSubmission)
	assert.True(t, moved.Before(*it.Details.NextAttemptAt),
		"the submission went through at %s, not before Temporal's own next attempt at %s (retried at %s)", moved, it.Details.NextAttemptAt, retriedAt)
	s.wait(filing.StageApproved, filing.StepNone)

	// The history shows the submission ran again as attempt 1 (Temporal
	// writes the started event of a retried activity when it ends).
	h, err := sc.FilingHistory(ctx, filing.ID(s.id))
	require.NoError(t, err)
	var started string
	for _, e := range h.Events {
		if e.Type == "ActivityTaskStarted" && strings.Contains(e.Summary, "SubmitToBureau") {
			started = e.Summary
		}
	}
	assert.Contains(t, started, "SubmitToBureau attempt 1", "ResetActivity starts the attempts over")

	// Nothing left to retry, and a finished filing cannot be retried.
	_, err = sc.RetryFiling(ctx, filing.ID(s.id))
	requireCode(t, err, http.StatusConflict, filing.CodeFilingClosed, "")
	res, err := sc.ReplayFiling(ctx, filing.ID(s.id))
	require.NoError(t, err)
	assert.True(t, res.Deterministic, "%s", res.Error)
}

// waitLeaves waits until the filing's stage is not stage any more and
// returns when it saw that.
func waitLeaves(t testing.TB, id string, stage filing.Stage) time.Time {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res := get(t, "/v1/filings/"+id)
		if got, _ := res.Body["stage"].(string); got != "" && got != string(stage) {
			return time.Now()
		}
		require.False(t, time.Now().After(deadline), "filing %s never left %s: %s", id, stage, res.Raw)
		time.Sleep(50 * time.Millisecond)
	}
}

// brokenFilingWorkflow is a "deploy" of incompatible workflow code: where
// the real workflow first records version markers, it starts a timer.
func brokenFilingWorkflow(ctx workflow.Context, in filing.Input) (filing.State, error) {
	if err := workflow.Sleep(ctx, time.Hour); err != nil {
		return filing.State{}, err
	}
	return filing.State{Identity: filing.Identity{FilingID: in.FilingID}}, nil
}

func TestSupportListsAFailingWorkflowTaskAndRefusesToRetryItUntilRolledBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	queue := "support-nde-" + uuid.NewString()[:8]
	good := startWorker(t, queue, nil)
	s := startOnQueue(t, queue, "ZJ", "support-nde-"+uniq()+".com", "云栖科技官网")
	s.wait(filing.StageInformation, filing.StepEditing)
	good.Stop()
	time.Sleep(500 * time.Millisecond) // let the server forget its pollers

	// The bad deploy: the same workflow name, other decisions. The next
	// workflow task (here from a signal) replays the history on it.
	bad := worker.New(sys.temporal, queue, worker.Options{})
	bad.RegisterWorkflowWithOptions(brokenFilingWorkflow, workflow.RegisterOptions{Name: filing.WorkflowName})
	require.NoError(t, bad.Start())
	badStopped := false
	t.Cleanup(func() {
		if !badStopped {
			bad.Stop()
		}
	})
	require.NoError(t, sys.temporal.SignalWorkflow(ctx, filing.ID(s.id).WorkflowID(), "", "support-test-poke", nil))

	sc := supportClient(t)
	it := waitStuck(t, sc, s.id, filing.StuckWorkflowTaskFailing, func(it filing.StuckFiling) bool {
		return it.Details.Attempt >= 2
	})
	if it.Details.Cause != "" {
		assert.Contains(t, strings.ToLower(it.Details.Cause), "nondeterministic", "cause %q", it.Details.Cause)
		assert.Contains(t, it.Details.LastFailure, "TMPRL1100")
	} else {
		// Rarely the stopped worker's last poll takes the task and lets it
		// time out; Temporal then keeps the failures that follow out of
		// the history, and the advice points at the worker's log.
		assert.Contains(t, it.NextStep, "worker's log")
	}
	assert.Contains(t, it.NextStep, "roll the worker back")
	assert.Equal(t, filing.StageInformation, it.Stage)

	// Retrying cannot help: refused with advice.
	_, err := sc.RetryFiling(ctx, filing.ID(s.id))
	e := requireCode(t, err, http.StatusConflict, filing.CodeWorkflowTaskFailing, "")
	assert.Contains(t, e.Message, "Roll the worker back")
	out, err := ctl(t, "retry", s.id)
	require.Error(t, err)
	assert.Contains(t, out, "workflow_task_failing")

	// The API's code (the rollback) replays the history: safe to deploy.
	res, err := sc.ReplayFiling(ctx, filing.ID(s.id))
	require.NoError(t, err)
	assert.True(t, res.Deterministic, "%s", res.Error)
	assert.Equal(t, filing.ID(s.id), res.FilingID)

	// Rolled back, the filing goes on by itself.
	bad.Stop()
	badStopped = true
	startWorker(t, queue, nil)
	require.Eventually(t, func() bool {
		d, err := sys.temporal.DescribeWorkflow(ctx, filing.ID(s.id).WorkflowID(), "")
		return err == nil && d.RawResponse.GetPendingWorkflowTask() == nil
	}, 60*time.Second, 200*time.Millisecond, "the rolled-back worker never completed the workflow task")
	s.ok("/cancel", `{"reason":"user_request"}`)
	s.wait(filing.StageCancelled, filing.StepNone)
}

func TestSupportHistoryShowsTheAuditTrailAndTheDecodedEventsSideBySide(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	domain := "support-history-" + uniq() + ".com"
	s := startScenario(t, "ZJ", domain, "云栖科技官网")
	s.ok("/cancel", `{"reason":"user_request"}`)
	s.wait(filing.StageCancelled, filing.StepNone)

	sc := supportClient(t)
	var h *filing.HistoryReport
	// The audit trail is written as events happen; wait for the last one.
	require.Eventually(t, func() bool {
		var err error
		h, err = sc.FilingHistory(ctx, filing.ID(s.id))
		require.NoError(t, err)
		n := len(h.Audit)
		return n > 0 && h.Audit[n-1].ToStage == filing.StageCancelled
	}, 30*time.Second, 100*time.Millisecond)
	assert.Equal(t, "completed", h.Status)
	assert.Equal(t, filing.ID(s.id).WorkflowID(), h.WorkflowID)
	actions := map[string]bool{}
	for _, a := range h.Audit {
		actions[a.Action] = true
	}
	for _, want := range []string{"stage_changed", filing.SaveApplication.Name, filing.AttachMaterials.Name, filing.Cancel.Name} {
		assert.True(t, actions[want], "audit trail has %s: %+v", want, h.Audit)
	}
	require.NotEmpty(t, h.Events)
	first := h.Events[0]
	assert.Equal(t, "WorkflowExecutionStarted", first.Type)
	assert.Contains(t, first.Summary, `"domain":"`+domain+`"`, "the input is decoded")
	assert.Equal(t, "WorkflowExecutionCompleted", h.Events[len(h.Events)-1].Type)
	assert.Zero(t, h.UndecodablePayloads)
	var sawUpdate, sawActivity bool
	for _, e := range h.Events {
		sawUpdate = sawUpdate || (e.Type == "WorkflowExecutionUpdateAccepted" && strings.Contains(e.Summary, filing.Cancel.Name))
		// Binding the 备案服务号 is a local step: its result is in a marker.
		sawActivity = sawActivity || (e.Type == "MarkerRecorded" && strings.Contains(e.Summary, "BindServiceNumber") &&
			strings.Contains(e.Summary, `"number":"BSN`))
	}
	assert.True(t, sawUpdate, "the cancel update is shown with its name")
	assert.True(t, sawActivity, "local activity results are decoded: %+v", h.Events[:min(len(h.Events), 12)])
	// Temporal itself holds ciphertext only.
	assert.NotContains(t, rawHistory(t, s.id), domain)

	// The CLI interleaves both in time order.
	out := mustCtl(t, "timeline", s.id)
	assert.Contains(t, out, "AUDIT 1")
	assert.Contains(t, out, "EVENT 1     WorkflowExecutionStarted")
	assert.Contains(t, out, domain)
	assert.Less(t, strings.Index(out, "EVENT 1 "), strings.Index(out, "AUDIT 1 "), "time order: the start comes first")

	// Support only; unknown and malformed IDs are 404.
	_, err := clientAs(t, sys.baseURL, api.RoleReviewer, "").FilingHistory(ctx, filing.ID(s.id))
	requireCode(t, err, http.StatusForbidden, filing.CodeForbidden, "")
	_, err = sc.FilingHistory(ctx, filing.ID(uuid.NewString()))
	requireCode(t, err, http.StatusNotFound, filing.CodeFilingNotFound, "")
	_, err = sc.FilingHistory(ctx, "not-a-filing")
	requireCode(t, err, http.StatusNotFound, filing.CodeFilingNotFound, "")
	_, err = sc.RetryFiling(ctx, filing.ID(uuid.NewString()))
	requireCode(t, err, http.StatusNotFound, filing.CodeFilingNotFound, "")
}

func TestSupportReplayTellsADeterministicHistoryFromACorruptedOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := supportClient(t)
	file := filepath.Join(testenv.RepoRoot(), "workflows", "testdata", "histories", "complete_filing_zj.json")
	js, err := os.ReadFile(file)
	require.NoError(t, err)

	res, err := sc.ReplayHistory(ctx, js)
	require.NoError(t, err)
	assert.True(t, res.Deterministic, "%s", res.Error)
	assert.Greater(t, res.Events, 100)
	// A history with clear payloads (exported through the codec server, or
	// from before payloads were encrypted) replays too.
	res, err = sc.ReplayHistory(ctx, clearHistory(t, js))
	require.NoError(t, err)
	assert.True(t, res.Deterministic, "%s", res.Error)

	// A history whose recorded activity differs from what the code does.
	require.Contains(t, string(js), `"SubmitToBureau"`)
	bad := strings.ReplaceAll(string(js), `"SubmitToBureau"`, `"SubmitToTheBureau"`)
	res, err = sc.ReplayHistory(ctx, []byte(bad))
	require.NoError(t, err)
	assert.False(t, res.Deterministic)
	assert.Contains(t, res.Error, "SubmitToTheBureau")
	assert.Contains(t, strings.ToLower(res.Error), "nondeterministic")

	// The CLI: exit status 0 and 1.
	out := mustCtl(t, "replay", "--file", file)
	assert.Contains(t, out, "deterministic:")
	badFile := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(badFile, []byte(bad), 0o600))
	out, err = ctl(t, "replay", "--file", badFile)
	require.Error(t, err)
	assert.Contains(t, out, "NOT deterministic")
	assert.Contains(t, out, "SubmitToTheBureau")

	// Bodies that are not histories.
	for _, body := range []string{`{}`, `{"events": []}`, `{"events": [{"eventId": "1", "eventType": "EVENT_TYPE_TIMER_FIRED"}]}`,
		`{"events": "no"}`, `{"filing_id": 7}`, `{"filing_id": "x", "events": []}`} {
		res := doSupport(t, http.MethodPost, "/v1/support/replay", body)
		assert.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", body, res.Raw)
	}
	res2 := doSupport(t, http.MethodPost, "/v1/support/replay", `{"filing_id": "`+uuid.NewString()+`"}`)
	assert.Equal(t, http.StatusNotFound, res2.Status, "%s", res2.Raw)
}

// doSupport sends a raw request with the support key.
func doSupport(t testing.TB, method, path, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, sys.baseURL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+keyFor(t, sys.baseURL, api.RoleSupport, ""))
	r, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer r.Body.Close()
	out := response{Status: r.StatusCode, Header: r.Header}
	require.NoError(t, json.NewDecoder(r.Body).Decode(&out.Body))
	out.Raw, _ = json.Marshal(out.Body)
	return out
}

func TestSupportStuckListsOverdueWaitsAndRefusesBadParameters(t *testing.T) {
	t.Parallel()
	// A filing at its reviewer: one business day is a second here, so its
	// deadline passes at once. Its read-model deadline is moved further
	// into the past, which makes it the first candidate; the deadline
	// listed is the live one, from the workflow's search attributes.
	s := startScenario(t, "ZJ", "support-overdue-"+uniq()+".com", "云栖科技官网")
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	past := time.Now().Add(-2 * time.Hour).UTC()
	require.NoError(t, sys.app.DB.Gorm.Exec(`UPDATE filings SET deadline = ? WHERE id = ?`, past, s.id).Error)

	sc := supportClient(t)
	it := waitStuck(t, sc, s.id, filing.StuckDeadlinePassed, func(filing.StuckFiling) bool { return true })
	assert.Equal(t, filing.PartyReviewer, it.WaitingOn)
	assert.Equal(t, filing.StepAwaitingReviewer, it.Step)
	require.NotNil(t, it.Deadline)
	assert.True(t, it.Deadline.After(past.Add(time.Hour)), "the live deadline %s, not the read model's", it.Deadline)
	assert.GreaterOrEqual(t, it.Details.OverdueSeconds, int64(0))
	assert.Contains(t, it.NextStep, "review queue")

	// A read-model deadline the workflow has moved past is not listed:
	// approved, the filing waits for a mailing address, its 45-day order
	// deadline ahead.
	s.ok("/initial-review", `{"approve":true,"reviewer":"staff-1"}`)
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	require.NoError(t, sys.app.DB.Gorm.Exec(`UPDATE filings SET deadline = ?, closed = false WHERE id = ?`, past, s.id).Error)
	rep, err := sc.Stuck(context.Background(), apiclient.StuckQuery{Limit: 200})
	require.NoError(t, err)
	for _, it := range rep.Items {
		if it.FilingID == filing.ID(s.id) {
			assert.NotEqual(t, filing.StuckDeadlinePassed, it.Reason, "%+v", it)
		}
	}

	for _, q := range []string{"limit=0", "limit=201", "scan=x", "min_attempts=0", "cursor=%21%21", "cursor=AQIDBAUG", "bogus=1", "limit=1&limit=2"} {
		res := doSupport(t, http.MethodGet, "/v1/support/stuck?"+q, "")
		assert.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", q, res.Raw)
	}
	// A small scan hands out a cursor that continues it.
	rep, err = sc.Stuck(context.Background(), apiclient.StuckQuery{Scan: 1})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Scanned)
	if rep.OpenFilings != nil && *rep.OpenFilings > 1 {
		require.NotEmpty(t, rep.NextCursor)
		more, err := sc.Stuck(context.Background(), apiclient.StuckQuery{Scan: 1, Cursor: rep.NextCursor})
		require.NoError(t, err)
		assert.Equal(t, 1, more.Scanned)
	}
	s.ok("/cancel", `{"reason":"user_request"}`)
}

func TestSupportCtlSignalDeliversAnOutsideEventByHand(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "SH", "support-signal-"+uniq()+".com", "云栖科技官网")
	s.throughInitialReview()
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingAppVerification)
	out, err := ctl(t, "signal", s.id, "verification-result", "--failed")
	require.Error(t, err, "a failure needs a reason")
	assert.Contains(t, out, "--reason")
	out = mustCtl(t, "signal", s.id, "verification-result", "--failed", "--reason", "face_mismatch")
	assert.Contains(t, out, "delivered verification-result to filing "+s.id)
	out = mustCtl(t, "signal", s.id, "verification-result", "--passed")
	assert.Contains(t, out, "delivered verification-result")
	s.wait(filing.StageApproved, filing.StepNone)
	h, err := supportClient(t).FilingHistory(context.Background(), filing.ID(s.id))
	require.NoError(t, err)
	var results []string
	for _, a := range h.Audit {
		if a.Action == filing.VerificationResult.Name {
			results = append(results, a.Detail)
			assert.True(t, strings.HasPrefix(a.Actor, "support:"), "delivered by hand: the support key is the actor, not %q", a.Actor)
		}
	}
	assert.Equal(t, []string{"for the verification_app: failed", "for the verification_app: passed"}, results)
}

func TestSupportResetRedoesPhotoVerificationKeepingTheApplicantsLaterActions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startScenario(t, "ZJ", "support-reset-"+uniq()+".com", "云栖科技官网")
	s.throughInitialReview()
	s.throughBackdrop()
	shipped := s.state()["shipment"].(map[string]any)["tracking_number"]
	require.NotEmpty(t, shipped)
	oldRun, err := sys.temporal.DescribeWorkflow(ctx, filing.ID(s.id).WorkflowID(), "")
	require.NoError(t, err)

	// Refused before anything changes: a stage that is not one to go back
	// to, one the filing never reached, no reason.
	path := "/v1/support/filings/" + s.id + "/reset"
	for _, c := range []struct {
		body        string
		status      int
		code, field string
	}{
		{`{"to_stage":"approved","reason":"x"}`, http.StatusBadRequest, "invalid_value", "to_stage"},
		{`{"to_stage":"bureau_review","reason":"x"}`, http.StatusConflict, "stage_not_reached", "to_stage"},
		{`{"to_stage":"photo_verification"}`, http.StatusBadRequest, "required", "reason"},
		{`{"to_stage":"photo_verification","reason":"two\nlines"}`, http.StatusBadRequest, "invalid_value", "reason"},
	} {
		res := doSupport(t, http.MethodPost, path, c.body)
		assert.Equal(t, c.status, res.Status, "%s: %s", c.body, res.Raw)
		assert.Equal(t, c.code, res.Body["code"], c.body)
		assert.Equal(t, c.field, res.Body["field"], c.body)
	}
	res := doAt(t, sys.baseURL, http.MethodPost, path, "application/json", `{"to_stage":"photo_verification","reason":"x"}`)
	assert.Equal(t, http.StatusForbidden, res.Status, "a backend key may not reset: %s", res.Raw)

	// The photo was taken against a damaged backdrop: support puts the
	// filing back to the start of photo verification.
	out := mustCtl(t, "reset", s.id, "--to", "photo_verification", "--reason", "photo taken against a damaged backdrop")
	t.Logf("beianflow ctl reset:\n%s", out)
	assert.Contains(t, out, "reset filing "+s.id+" to photo_verification")
	h, err := supportClient(t).FilingHistory(ctx, filing.ID(s.id))
	require.NoError(t, err)
	assert.NotEqual(t, oldRun.RawResponse.GetWorkflowExecutionInfo().GetExecution().GetRunId(), h.RunID, "a new run")

	// The applicant's mailing address was delivered again and kept; the
	// courier's delivery event was dropped (it was about the step that is
	// redone); the backdrop is not mailed twice: the courier answers the
	// same shipment for the filing's idempotency key.
	assert.Contains(t, out, "redelivered mailing_address")
	assert.Regexp(t, `redelivered mailing_address \([^)]*\): kept`, out)
	// (The delivery reaches the filing as the courier's push, dropped
	// here, or through the workflow's own poll, which leaves no action.)
	assert.NotContains(t, out, "redelivered shipment_delivered")
	assert.NotContains(t, out, "photo_review_decision", "no review had happened; only decisions taken are listed")
	st := waitAny(t, s, []filing.Step{filing.StepAwaitingPhoto, filing.StepPhotoReview})
	assert.Equal(t, shipped, s.state()["shipment"].(map[string]any)["tracking_number"])
	if st == filing.StepAwaitingPhoto {
		// The photo came back before the backdrop's delivery was
		// confirmed again, so it no longer fitted: uploaded once more.
		assert.Regexp(t, `redelivered upload_photo \([^)]*\): refused`, out)
		s.ok("/photo", photoAt(t, s.base, s.id))
		s.wait(filing.StagePhotoVerification, filing.StepPhotoReview)
	}

	// Who reset it and why is in the audit trail, numbered above every
	// entry of the old run; the read model followed the new run.
	h, err = supportClient(t).FilingHistory(ctx, filing.ID(s.id))
	require.NoError(t, err)
	var reset *filing.AuditEntry
	for i, a := range h.Audit {
		if a.Action == "reset" {
			reset = &h.Audit[i]
			for _, before := range h.Audit[:i] {
				assert.Less(t, before.Seq, int64(1_000_000))
			}
			for j, after := range h.Audit[i+1:] {
				assert.Equal(t, reset.Seq+int64(j+1), after.Seq)
			}
		}
	}
	require.NotNil(t, reset, "the reset is audited")
	assert.Equal(t, int64(1_000_001), reset.Seq)
	assert.True(t, strings.HasPrefix(reset.Actor, "support:"), reset.Actor)
	assert.Contains(t, reset.Detail, "to photo_verification")
	assert.Contains(t, reset.Detail, "photo taken against a damaged backdrop")
	var row struct {
		Stage    string
		Revision int64
	}
	require.NoError(t, sys.app.DB.Gorm.Raw(`SELECT stage, revision FROM filings WHERE id = ?`, s.id).Scan(&row).Error)
	assert.Equal(t, string(filing.StagePhotoVerification), row.Stage)
	assert.Greater(t, row.Revision, int64(1_000_000))

	// The filing goes on to the end on the new run; an approved filing
	// cannot be reset.
	s.ok("/photo-review", `{"approve":true,"reviewer":"staff-2"}`)
	s.wait(filing.StageApproved, filing.StepNone)
	_, err = supportClient(t).ResetFiling(ctx, filing.ID(s.id), filing.ResetRequest{ToStage: filing.StagePhotoVerification, Reason: "again"})
	requireCode(t, err, http.StatusConflict, filing.CodeFilingClosed, "")
	res2, err := supportClient(t).ReplayFiling(ctx, filing.ID(s.id))
	require.NoError(t, err)
	assert.True(t, res2.Deterministic, "the reset run replays: %s", res2.Error)
	recordHistory(t, s.id, "support_reset_photo_verification")
}

// state is the filing as GET /v1/filings/{id} answers.
func (s *scenario) state() map[string]any {
	s.t.Helper()
	return mustOK(s.t, get(s.t, s.path("")))
}

// waitAny waits until the filing is in photo verification at one of steps.
func waitAny(t testing.TB, s *scenario, steps []filing.Step) filing.Step {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := s.state()
		if st["stage"] == string(filing.StagePhotoVerification) {
			for _, step := range steps {
				if st["step"] == string(step) {
					return step
				}
			}
		}
		require.True(t, time.Now().Before(deadline), "filing never reached %v: %v/%v", steps, st["stage"], st["step"])
		time.Sleep(100 * time.Millisecond)
	}
}
