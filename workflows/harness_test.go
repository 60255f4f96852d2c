package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
	"github.com/beianflow/beianflow/worker"
)

// cst builds an instant in China Standard Time.
func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.China)
}

// world is the scripted outside world of one test: the activities'
// answers and a record of every side effect.
type world struct {
	mu            sync.Mutex
	findings      [][]filing.Reason                  // automated-check results, one per round; then none
	productErrs   []error                            // BindServiceNumber failures, in order; then success
	bureauStatus  map[string]activities.BureauStatus // by receipt
	submissions   []activities.SubmitToBureauRequest
	submittedAt   []time.Time
	shipments     int
	notifications []string
	consumed      int
	released      int
	subjectFreed  int
	subjectClaims int
	subjectTaken  bool // another filing took the subject over before this one started
	// websites are the domains of the saved application beyond the one the
	// filing was started for; noQuotaFor is one the instance cannot serve.
	websites   []string
	noQuotaFor string
	// persons are the responsible persons of an application revision; by
	// default one person answers for every website.
	persons       map[string][]filing.PersonVerification
	rows          []recordedRow
	audit         []filing.AuditEntry
	badUploads    map[string]string // object key → rejection reason
	undeliverable map[string]bool   // address revision → refused by the courier
	recordFails   int               // read-model writes that fail before the database is back
	recordCalls   int
}

// setBureauStatus is what the bureau answers about receipt from now on.
func (w *world) setBureauStatus(receipt string, st activities.BureauStatus) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.bureauStatus[receipt] = st
}

// recordedRow is one read-model write: the row and the notifications that
// travelled with it.
type recordedRow struct {
	filing.Row
	Notifications []activities.NotifyRequest
}

func (w *world) notified(event string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, e := range w.notifications {
		if e == event {
			n++
		}
	}
	return n
}

// filingTest is one scripted filing on the time-skipping test server.
type filingTest struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	world *world
	in    filing.Input
	start time.Time
}

func newFilingTest(t *testing.T, province string, start time.Time) *filingTest {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	in := filing.Input{
		Identity: filing.Identity{FilingID: "01a227a5-be39-7787-9814-9c07e6468f61", AccountID: "acc-1",
			Province: province, FilingType: "new_website_elsewhere", Domain: "example.com"},
		CreatedAt:  start,
		SubjectKey: "subject-key",
		Product:    filing.Product{InstanceID: "i-hangzhou-1"},
		Settings:   filing.DefaultSettings(),
	}
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: in.FilingID.WorkflowID()})
	worker.Register(env, &activities.Activities{})
	ft := &filingTest{t: t, env: env, world: &world{bureauStatus: map[string]activities.BureauStatus{}, badUploads: map[string]string{}, undeliverable: map[string]bool{}, persons: map[string][]filing.PersonVerification{}}, in: in, start: start}
	ft.mockWorld()
	return ft
}

func (ft *filingTest) mockWorld() {
	w, env := ft.world, ft.env
	var a *activities.Activities
	env.OnActivity(a.RecordFiling, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.RecordFilingRequest) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.recordCalls++
			if w.recordFails > 0 {
				w.recordFails--
				return errors.New("database unavailable")
			}
			w.rows = append(w.rows, recordedRow{Row: r.Row, Notifications: r.Notifications})
			w.audit = append(w.audit, r.Audit...)
			for _, n := range r.Notifications {
				w.notifications = append(w.notifications, n.Event)
			}
			return nil
		})
	env.OnActivity(a.VerifyMaterials, mock.Anything, mock.Anything).Return(
		func(_ context.Context, uploads []activities.VerifyMaterialRequest) ([]activities.MaterialVerdict, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			verdicts := make([]activities.MaterialVerdict, len(uploads))
			for i, r := range uploads {
				verdicts[i] = activities.MaterialVerdict{OK: true}
				if reason, bad := w.badUploads[r.ObjectKey]; bad {
					verdicts[i] = activities.MaterialVerdict{Reason: reason, Message: "rejected: " + reason}
				}
			}
			return verdicts, nil
		})
	env.OnActivity(a.BindServiceNumber, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.BindServiceNumberRequest) (activities.BoundServiceNumber, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if len(w.productErrs) > 0 {
				err := w.productErrs[0]
				w.productErrs = w.productErrs[1:]
				return activities.BoundServiceNumber{}, err
			}
			return activities.BoundServiceNumber{Number: "BSN0000000001", InstanceID: r.InstanceID}, nil
		})
	env.OnActivity(a.CheckApplication, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ activities.CheckApplicationRequest) (activities.CheckApplicationResult, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			res := activities.CheckApplicationResult{RuleSetVersion: rules.DefaultRuleSet().Version()}
			if len(w.findings) == 0 {
				return res, nil
			}
			res.Reasons = w.findings[0]
			w.findings = w.findings[1:]
			return res, nil
		})
	env.OnActivity(a.ShipBackdrop, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.ShipBackdropRequest) (activities.ShipmentTracking, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.undeliverable[r.AddressRevisionID] {
				return activities.ShipmentTracking{}, temporal.NewNonRetryableApplicationError("undeliverable",
					activities.ErrTypeUndeliverable, nil, filing.Reason{Code: "address_undeliverable", Message: "the courier cannot deliver to this address"})
			}
			w.shipments++
			return activities.ShipmentTracking{TrackingNumber: "SF000000000001", ShippedAt: env.Now()}, nil
		})
	env.OnActivity(a.TrackBackdrop, mock.Anything, mock.Anything).Return(
		func(_ context.Context, n string) (activities.ShipmentTracking, error) {
			return activities.ShipmentTracking{TrackingNumber: n}, nil
		})
	env.OnActivity(a.SubmitToBureau, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.SubmitToBureauRequest) (activities.BureauReceipt, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.submissions = append(w.submissions, r)
			w.submittedAt = append(w.submittedAt, env.Now())
			receipt := fmt.Sprintf("R-%d", r.Round)
			if _, scripted := w.bureauStatus[receipt]; !scripted && r.SMSRequired {
				// MIIT sends the code two minutes after the submission.
				sent := env.Now().Add(2 * time.Minute)
				w.bureauStatus[receipt] = activities.BureauStatus{SMSSentAt: &sent}
			}
			return activities.BureauReceipt{ReceiptID: receipt, SubmittedAt: env.Now()}, nil
		})
	env.OnActivity(a.BureauStatus, mock.Anything, mock.Anything).Return(
		func(_ context.Context, receipt string) (activities.BureauStatus, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			return w.bureauStatus[receipt], nil
		})
	env.OnActivity(a.AwaitBureauDecision, mock.Anything, mock.Anything).Return(
		func(_ context.Context, receipt string) (activities.BureauStatus, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if st := w.bureauStatus[receipt]; st.Decided {
				return st, nil
			}
			return activities.BureauStatus{}, temporal.NewApplicationError("undecided", activities.ErrTypeUndecided)
		})
	env.OnActivity(a.ConsumeServiceNumbers, mock.Anything, mock.Anything).Return(numbered(w, &w.consumed))
	env.OnActivity(a.ReleaseServiceNumbers, mock.Anything, mock.Anything).Return(numbered(w, &w.released))
	env.OnActivity(a.BindWebsiteNumbers, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.WebsiteNumbersRequest) ([]filing.WebsiteServiceNumber, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			out := r.Held
			for i, d := range w.websites {
				if d == w.noQuotaFor {
					return nil, temporal.NewNonRetryableApplicationError("no quota", activities.ErrTypeProductRejected, nil,
						filing.Reason{Field: fmt.Sprintf("websites[%d]", i+1), Code: "service_number_quota_exhausted"})
				}
				if !slices.ContainsFunc(out, func(n filing.WebsiteServiceNumber) bool { return n.Domain == d }) {
					out = append(out, filing.WebsiteServiceNumber{Domain: d, Number: fmt.Sprintf("BSN-%s", d)})
				}
			}
			return out, nil
		})
	env.OnActivity(a.ResponsiblePersons, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.PersonsRequest) ([]filing.PersonVerification, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if ps, ok := w.persons[r.RevisionID]; ok {
				return ps, nil
			}
			return []filing.PersonVerification{{Person: "rp-leader", Websites: append([]string{"example.com"}, w.websites...)}}, nil
		})
	env.OnActivity(a.ClaimSubject, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.SubjectRequest) (bool, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.subjectClaims++
			return !w.subjectTaken, nil
		})
	env.OnActivity(a.ReleaseSubject, mock.Anything, mock.Anything).Return(counted[activities.SubjectRequest](w, &w.subjectFreed))
}

// counted is the outside world of an activity that only has to happen: it
// counts the calls in n.
// numbered counts the service numbers a request names, once each: a
// retried request counts none twice.
func numbered(w *world, n *int) func(context.Context, activities.ServiceNumbersRequest) error {
	seen := map[string]bool{}
	return func(_ context.Context, r activities.ServiceNumbersRequest) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, number := range r.Numbers {
			if !seen[number] {
				seen[number] = true
				*n++
			}
		}
		return nil
	}
}

func counted[Req any](w *world, n *int) func(context.Context, Req) error {
	return func(context.Context, Req) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		*n++
		return nil
	}
}

// at schedules fn at an absolute instant of the test's clock.
func (ft *filingTest) at(when time.Time, fn func()) {
	ft.t.Helper()
	d := when.Sub(ft.start)
	require.Positive(ft.t, d, "scripted events must come after the start")
	ft.env.RegisterDelayedCallback(fn, d)
}

// act performs an update that must be accepted; then, if given, receives
// its answer. The test environment delivers outcomes asynchronously, so
// every expectation is checked when the callback runs and, for those that
// never ran, at the end of the test.
func (ft *filingTest) act(name string, req any, then ...func(filing.Ack)) {
	ft.t.Helper()
	done := ft.expectation(name + " accepted and completed")
	ft.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { ft.t.Errorf("%s rejected: %v", name, err) },
		OnComplete: func(v any, err error) {
			if err != nil {
				ft.t.Errorf("%s failed: %v", name, err)
				return
			}
			done()
			if st, ok := v.(filing.Ack); ok {
				for _, f := range then {
					f(st)
				}
			}
		},
	}, req)
}

// refused performs an update that its validator must reject; check, if
// given, inspects the error.
func (ft *filingTest) refused(name string, req any, check ...func(error)) {
	ft.t.Helper()
	done := ft.expectation(name + " refused")
	ft.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnAccept: func() { ft.t.Errorf("%s was accepted, want refused", name) },
		OnReject: func(err error) {
			done()
			for _, c := range check {
				c(err)
			}
		},
		OnComplete: func(any, error) {},
	}, req)
}

// refusedAs expects a refusal with an ApplicationError of errType.
func (ft *filingTest) refusedAs(name string, req any, errType string) {
	ft.refused(name, req, func(err error) {
		var appErr *temporal.ApplicationError
		if assert.True(ft.t, errors.As(err, &appErr), "%s: %v", name, err) {
			assert.Equal(ft.t, errType, appErr.Type(), name)
		}
	})
}

// expectation registers something that must happen before the test ends.
func (ft *filingTest) expectation(what string) (done func()) {
	ft.t.Helper()
	ok := false
	ft.t.Cleanup(func() {
		if !ok {
			ft.t.Errorf("never happened: %s", what)
		}
	})
	return func() { ok = true }
}

func (ft *filingTest) state() filing.State {
	ft.t.Helper()
	v, err := ft.env.QueryWorkflow(filing.QueryState)
	require.NoError(ft.t, err)
	var st filing.State
	require.NoError(ft.t, v.Get(&st))
	return st
}

// returnedBy checks that the filing is back in editing, returned by by,
// and returns its state.
func (ft *filingTest) returnedBy(by string) filing.State {
	ft.t.Helper()
	st := ft.state()
	assert.Equal(ft.t, filing.StageInformation, st.Stage)
	assert.Equal(ft.t, filing.StepEditing, st.Step)
	if assert.NotNil(ft.t, st.LastRejection) {
		assert.Equal(ft.t, by, st.LastRejection.By)
	}
	return st
}

func (ft *filingTest) run() filing.State {
	ft.t.Helper()
	ft.env.ExecuteWorkflow(filing.WorkflowName, ft.in)
	require.True(ft.t, ft.env.IsWorkflowCompleted(), "the filing did not finish")
	require.NoError(ft.t, ft.env.GetWorkflowError())
	var st filing.State
	require.NoError(ft.t, ft.env.GetWorkflowResult(&st))
	return st
}

// Applicant and reviewer actions used by the scenarios.
var (
	saveApp = filing.SaveApplicationRequest{Application: filing.ApplicationRef{RevisionID: "rev-1", Digest: "d1"}}
	sha     = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	form    = attach(filing.AttachMaterialRequest{Kind: filing.MaterialVerificationForm, ObjectKey: "filings/x/form", Size: 1024, SHA256: sha})
	approve = filing.DecisionRequest{Approve: true, Reviewer: "staff-7"}
	rejectW = func(field, code string) filing.DecisionRequest {
		return filing.DecisionRequest{Reviewer: "staff-7", Reasons: []filing.Reason{{Field: field, Code: code}}}
	}
)

// fillAndSubmit is the applicant completing the application at t and
// submitting a minute later (attaching runs the upload's verification, and a
// client waits for each answer before the next call).
func (ft *filingTest) fillAndSubmit(t time.Time) {
	ft.at(t, func() {
		ft.act(filing.SaveApplication.Name, saveApp)
		ft.act(filing.AttachMaterials.Name, form)
	})
	ft.at(t.Add(time.Minute), func() { ft.act(filing.Submit.Name, filing.SubmitRequest{}) })
}

// approvedAtInitialReview fills in and submits the application 10 minutes
// after day and has the reviewer approve it 20 minutes later.
func (ft *filingTest) approvedAtInitialReview(day time.Time) {
	ft.fillAndSubmit(day.Add(10 * time.Minute))
	ft.at(day.Add(30*time.Minute), func() { ft.act(filing.InitialReviewDecision.Name, approve) })
}

// stages lists the distinct stages of the timeline in order.
func stages(st filing.State) []filing.Stage {
	var out []filing.Stage
	for _, c := range st.Timeline {
		out = append(out, c.Stage)
	}
	return out
}

// attach is the action that attaches materials.
func attach(materials ...filing.AttachMaterialRequest) filing.AttachMaterialsRequest {
	return filing.AttachMaterialsRequest{Materials: materials}
}
