package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/webhook"
)

// cities gives each test province a city and district for addresses.
var cities = map[string][2]string{"ZJ": {"杭州市", "西湖区"}, "SH": {"上海市", "浦东新区"}, "GD": {"广州市", "天河区"}}

// applicationFor is a complete, valid one-website application of a company.
func applicationFor(province, company, domain, name string) filing.Application {
	app := sample.ValidApplication()
	app.Subject.Province = province
	app.Subject.CertificateNumber = company
	for _, a := range []*filing.Address{&app.Subject.CertificateAddress, &app.Subject.MailingAddress} {
		a.Province, a.City, a.District = province, cities[province][0], cities[province][1]
	}
	app.Websites = app.Websites[:1]
	app.Websites[0].Domain = domain
	app.Websites[0].HomepageURL = "https://www." + domain + "/"
	app.Websites[0].Name = name
	app.Product = filing.ProductVerification{CloudInstance: &filing.CloudInstance{InstanceID: "i-acc-scn-web", Region: "cn-hangzhou"}}
	return app
}

// scenario is one filing driven through the HTTP API.
type scenario struct {
	t    testing.TB
	id   string
	app  filing.Application
	base string // the API it talks to
	// follow makes wait learn of changes from the filing's event feed,
	// from cursor on, as a backend does, instead of reading the filing's
	// state (a query of its workflow) until it shows them.
	follow bool
	cursor string
}

// startScenario creates a filing through the API and fills it in.
func startScenario(t testing.TB, province, domain, name string) *scenario {
	t.Helper()
	return startScenarioAt(t, sys.baseURL, province, domain, name)
}

// startScenarioAt is startScenario through the API at base.
func startScenarioAt(t testing.TB, base, province, domain, name string) *scenario {
	t.Helper()
	company := newCompany(province)
	// An account (and so an instance) per scenario: each instance has a
	// quota of five 备案服务号.
	account := "acc-scn" + company[10:16]
	res := doAt(t, base, http.MethodPost, "/v1/filings", "application/json", createBody(account, province, domain, company))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Raw)
	s := &scenario{t: t, id: res.Body["filing_id"].(string), app: applicationFor(province, company, domain, name), base: base}
	s.fill()
	return s
}

// startDirect starts a filing as the API does but with its own time scale,
// for paths whose timers run for weeks (expiry, overdue): the API's scale
// is a deployment setting.
func startDirect(t testing.TB, province, domain, name string, scale float64) *scenario {
	return startWith(t, sys.app.Config.TaskQueue, "acc-scn", "i-direct-", province, domain, name, scale)
}

// startWith starts a filing of account on taskQueue straight through
// Temporal, with the input and options the API would give it and the
// time scale scale, for the paths the API cannot set up.
func startWith(t testing.TB, taskQueue, account, instancePrefix, province, domain, name string, scale float64) *scenario {
	t.Helper()
	company := newCompany(province)
	id := uuid.Must(uuid.NewV7()).String()
	settings := filing.DefaultSettings()
	settings.TimeScale = scale
	in := filing.Input{
		Identity: filing.Identity{FilingID: filing.ID(id), AccountID: account, Province: province,
			FilingType: filing.TypeNewWebsiteElsewhere, Domain: domain},
		CreatedAt: time.Now().UTC(), Product: filing.Product{InstanceID: instancePrefix + company[10:16]}, Settings: settings,
	}
	_, err := sys.temporal.ExecuteWorkflow(context.Background(), filings.StartOptions(in, taskQueue, domain), filing.WorkflowName, in)
	require.NoError(t, err)
	own(id, account)
	return &scenario{t: t, id: id, app: applicationFor(province, company, domain, name), base: sys.baseURL}
}

func (s *scenario) path(p string) string { return "/v1/filings/" + s.id + p }

func (s *scenario) ok(p, body string) map[string]any {
	s.t.Helper()
	return s.acted(http.MethodPost, p, body)
}

// acted sends an action and requires it taken. A scenario that follows
// the filing's events asks for no state in the answer, as such a backend
// does (Prefer: return=minimal), and gets none.
func (s *scenario) acted(method, p, body string) map[string]any {
	s.t.Helper()
	if !s.follow {
		return mustOK(s.t, doAt(s.t, s.base, method, s.path(p), "application/json", body))
	}
	res := doAtWith(s.t, s.base, method, s.path(p), "application/json", body, map[string]string{"Prefer": "return=minimal"})
	require.Equal(s.t, http.StatusNoContent, res.Status, "%s %s: %s", method, p, res.Raw)
	return nil
}

func (s *scenario) refused(p, body, code string) {
	s.t.Helper()
	res := doAt(s.t, s.base, http.MethodPost, s.path(p), "application/json", body)
	assert.Equal(s.t, http.StatusConflict, res.Status, "%s", res.Raw)
	assert.Equal(s.t, code, res.Body["code"])
}

func (s *scenario) wait(stage filing.Stage, step filing.Step) map[string]any {
	s.t.Helper()
	if s.follow {
		return s.followTo(stage, step)
	}
	return waitStepAt(s.t, s.base, s.id, stage, step)
}

// followTo reads the filing's event feed until it says the filing waits in
// stage and step (step StepNone: until it reaches stage), and returns that
// event's data. A filing writes an event before it waits, so by then it
// takes the action the wait is for.
func (s *scenario) followTo(stage filing.Stage, step filing.Step) map[string]any {
	s.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		path := s.path("/events")
		if s.cursor != "" {
			path += "?after=" + url.QueryEscape(s.cursor)
		}
		page := mustOK(s.t, doAt(s.t, s.base, http.MethodGet, path, "", ""))
		if next, _ := page["next_cursor"].(string); next != "" {
			s.cursor = next
		}
		events, _ := page["events"].([]any)
		for _, e := range events {
			e := e.(map[string]any)
			data, _ := e["data"].(map[string]any)
			switch filing.EventType(e["type"].(string)) {
			case filing.EventWaiting:
				if filing.Stage(data["stage"].(string)) == stage && data["step"] == string(step) {
					return data
				}
			case filing.EventStageChanged:
				to := filing.Stage(data["to"].(string))
				if to == stage && step == filing.StepNone {
					return data
				}
				if to != stage && to.Terminal() {
					s.t.Fatalf("filing %s ended in %s, want %s/%s", s.id, to, stage, step)
				}
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("filing %s never reached %s/%s by its events (cursor %q)", s.id, stage, step, s.cursor)
		}
		if len(events) == 0 {
			time.Sleep(waitPoll)
		}
	}
}

// fill saves the application and attaches the materials it needs.
func (s *scenario) fill() {
	s.t.Helper()
	s.wait(filing.StageInformation, filing.StepEditing)
	s.save()
	s.attachDemanded()
}

// attachDemanded asks the dry run which documents the scenario's
// application needs and attaches them in one action, as a backend does; the
// signed verification form is attached by save.
func (s *scenario) attachDemanded() {
	s.t.Helper()
	body, err := json.Marshal(s.app)
	require.NoError(s.t, err)
	checked := mustOK(s.t, doAt(s.t, s.base, http.MethodPost, "/v1/filings/validate", "application/json", string(body)))
	var materials []json.RawMessage
	for _, m := range checked["materials"].([]any) {
		if kind := m.(map[string]any)["kind"].(string); kind != string(filing.MaterialVerificationForm) {
			materials = append(materials, json.RawMessage(documentAt(s.t, s.base, s.id, kind)))
		}
	}
	if len(materials) == 0 {
		return
	}
	batch, err := json.Marshal(map[string]any{"materials": materials})
	require.NoError(s.t, err)
	s.ok("/materials/batch", string(batch))
}

// save puts the scenario's application and attaches the verification
// form printed for it, as an applicant re-signs the form after an edit.
func (s *scenario) save() {
	s.t.Helper()
	body, err := json.Marshal(s.app)
	require.NoError(s.t, err)
	s.acted(http.MethodPut, "/application", string(body))
	s.ok("/materials", documentAt(s.t, s.base, s.id, "verification_form"))
}

// throughInitialReview submits and has a reviewer approve.
func (s *scenario) throughInitialReview() {
	s.t.Helper()
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	s.ok("/initial-review", `{"approve":true,"reviewer":"staff-1"}`)
}

// throughBackdrop ships the backdrop and uploads a photo for review.
func (s *scenario) throughBackdrop() {
	s.t.Helper()
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	s.ok("/mailing-address", `{"recipient":{"name":"张伟","mobile":"13800138000"},"address":{"province":"ZJ","city":"杭州市","detail":"文三路90号"}}`)
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingPhoto)
	s.ok("/photo", photoAt(s.t, s.base, s.id))
	s.wait(filing.StagePhotoVerification, filing.StepPhotoReview)
}

// returnedBy waits until the filing is back in editing, returned by by,
// and returns its state.
func (s *scenario) returnedBy(by string) map[string]any {
	s.t.Helper()
	st := s.wait(filing.StageInformation, filing.StepEditing)
	assert.Equal(s.t, by, st["last_rejection"].(map[string]any)["by"])
	return st
}

// throughPhotoApproval ships the backdrop, uploads a photo and has the
// reviewer approve it.
func (s *scenario) throughPhotoApproval() {
	s.t.Helper()
	s.throughBackdrop()
	s.ok("/photo-review", `{"approve":true,"reviewer":"staff-2"}`)
}

func (s *scenario) result() filing.State {
	s.t.Helper()
	var st filing.State
	require.NoError(s.t, sys.temporal.GetWorkflow(context.Background(), filing.ID(s.id).WorkflowID(), "").Get(context.Background(), &st))
	return st
}

func TestShanghaiFilingVerifiedInTheBureauAppOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "SH", "yunqi-sh.com", "云栖科技官网")
	s.throughInitialReview()
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingAppVerification)
	s.refused("/mailing-address", `{"recipient":{"name":"张伟","mobile":"13800138000"},"address":{"province":"SH","city":"上海市","detail":"世纪大道1号"}}`, "stage_conflict")
	s.ok("/verification-result", `{"passed":false,"reasons":[{"code":"face_mismatch"}]}`)
	s.ok("/verification-result", `{"passed":true}`)
	s.wait(filing.StageApproved, filing.StepNone)
	st := s.result()
	assert.Equal(t, filing.PhotoShanghaiBureauApp, st.PhotoMode)
	assert.Nil(t, st.Shipment, "no backdrop in Shanghai")
	recordHistory(t, s.id, "shanghai_app")
}

func TestInitialReviewRejectedTwiceThenApprovedOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-review.com", "云栖科技官网")
	s.refused("/initial-review", `{"approve":true,"reviewer":"staff-1"}`, "stage_conflict") // nothing to review yet
	// The automated checks reject: the application names a website
	// responsible person whose ID document is missing.
	s.app.Websites[0].ResponsibleSameAsLeader = false
	s.app.Websites[0].Responsible = sample.ValidApplication().Websites[1].Responsible
	s.save()
	s.ok("/submit", `{}`)
	st := s.wait(filing.StageInformation, filing.StepEditing)
	rejection := st["last_rejection"].(map[string]any)
	assert.Equal(t, "automated_checks", rejection["by"])
	assert.Equal(t, "materials.responsible_id", rejection["reasons"].([]any)[0].(map[string]any)["field"])

	s.attachDemanded() // the responsible person's ID and the legal representative's 授权书
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	s.ok("/initial-review", `{"approve":false,"reviewer":"staff-1","reasons":[{"field":"subject.leader.mobile","code":"phone_unreachable","message":"the leader could not be reached"}]}`)
	st = s.wait(filing.StageInformation, filing.StepEditing)
	assert.Equal(t, "reviewer", st["last_rejection"].(map[string]any)["by"])

	s.throughInitialReview()
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	s.ok("/cancel", `{"reason":"user_request"}`)
	assert.Equal(t, 3, s.result().InitialReviewRounds)
	recordHistory(t, s.id, "initial_review_rejected_twice")
}

func TestPhotoRejectedThenApprovedOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-photo.com", "云栖科技官网")
	s.throughInitialReview()
	s.throughBackdrop()
	s.ok("/photo-review", `{"approve":false,"reviewer":"staff-2","reasons":[{"field":"photo","code":"background_not_backdrop"}]}`)
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingPhoto)
	s.ok("/photo", photo(t, s.id))
	s.wait(filing.StagePhotoVerification, filing.StepPhotoReview)
	s.ok("/photo-review", `{"approve":true,"reviewer":"staff-2"}`)
	s.wait(filing.StageApproved, filing.StepNone)
	st := s.result()
	require.Len(t, st.Verifications, 1)
	assert.Equal(t, 2, st.Verifications[0].Rounds)
	ships, err := sys.app.World.CourierSandbox.Shipments(context.Background(), s.id)
	require.NoError(t, err)
	assert.Len(t, ships, 1, "a rejected photo mails no second backdrop")
	recordHistory(t, s.id, "photo_rejected_then_approved")
}

func TestSMSWindowMissedThenResubmittedOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-sms.com", "云栖科技官网"+bureau.MarkerSMSTimeout)
	s.throughInitialReview()
	s.throughPhotoApproval()
	s.wait(filing.StageApproved, filing.StepNone)
	st := s.result()
	assert.Equal(t, 2, st.Bureau.Submissions, "resubmitted after the missed window")
	assert.Equal(t, 1, st.InitialReviewRounds, "without a new initial review")
	subs, err := sys.app.World.BureauSandbox.Submissions(context.Background(), s.id)
	require.NoError(t, err)
	assert.Len(t, subs, 2)
	recordHistory(t, s.id, "sms_window_missed_then_resubmitted")
}

// Two missed SMS windows in a row mean the text does not reach the
// applicant: the filing comes back for a corrected number, goes through the
// initial review again and is submitted afresh.
func TestSMSMissedTwiceReturnsTheFilingForACorrectedNumberOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-sms2.com", "云栖科技官网"+bureau.MarkerSMSUnreachable)
	s.throughInitialReview()
	s.throughPhotoApproval()
	st := s.returnedBy("sms")
	subs, err := sys.app.World.BureauSandbox.Submissions(context.Background(), s.id)
	require.NoError(t, err)
	require.Len(t, subs, 2, "resubmitted once, then returned")
	// The window ran from the code MIIT sent, which the filing learned from
	// the bureau.
	sent, err := time.Parse(time.RFC3339Nano, st["bureau"].(map[string]any)["sms_sent_at"].(string))
	require.NoError(t, err)
	require.NotNil(t, subs[1].SMSSentAt)
	assert.True(t, sent.Equal(*subs[1].SMSSentAt), "sms_sent_at %v is the sandbox's %v", sent, subs[1].SMSSentAt)
	assert.True(t, sent.After(subs[1].SubmittedAt), "the code comes after the submission")

	// The applicant corrects the number (the marker goes with it).
	s.app.Websites[0].Name = "云栖科技官网"
	s.app.Subject.Leader.Mobile = "13700137001"
	s.save()
	s.throughInitialReview()
	s.wait(filing.StageApproved, filing.StepNone)
	final := s.result()
	assert.Equal(t, 3, final.Bureau.Submissions)
	assert.Equal(t, 2, final.InitialReviewRounds)
	require.Len(t, final.Verifications, 1)
	assert.Equal(t, 1, final.Verifications[0].Rounds, "the approved photo stands")
	recordHistory(t, s.id, "sms_missed_twice_then_corrected")
}

func TestBureauRejectsThenApprovesAfterEditsOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-bureau.com", "云栖科技官网"+bureau.MarkerReject)
	s.throughInitialReview()
	s.throughPhotoApproval()
	s.returnedBy("bureau")
	s.throughInitialReview()
	s.wait(filing.StageApproved, filing.StepNone)
	final := s.result()
	assert.Equal(t, 2, final.Bureau.Submissions)
	assert.Equal(t, 2, final.InitialReviewRounds)
	require.Len(t, final.Verifications, 1)
	assert.Equal(t, 1, final.Verifications[0].Rounds, "the approved photo stands")
	recordHistory(t, s.id, "bureau_rejected_then_approved")
}

func TestBureauOverdueIsFlaggedAndKeepsWaitingOnTheRealServer(t *testing.T) {
	t.Parallel()
	// Guangdong's bureau has 20 business days; at this scale they pass in
	// about three seconds.
	s := startDirect(t, "GD", "yunqi-overdue.com", "云栖科技官网"+bureau.MarkerOverdue, 864000)
	s.fill()
	s.throughInitialReview()
	s.throughPhotoApproval()
	s.wait(filing.StageBureauReview, filing.StepAwaitingDecision)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		st := get(t, s.path(""))
		// The status first, so that a failure says what the API answered.
		assert.Equal(c, http.StatusOK, st.Status, "%s", st.Raw)
		assert.Equal(c, true, st.Body["overdue"], "source %v, step %v", st.Body["source"], st.Body["step"])
		assert.Equal(c, "bureau_review", st.Body["stage"], "and keeps waiting")
		// The workflow asks the bureau once per business day on the way:
		// about twenty timer and activity round trips. 30 s was too short
		// once, in a CI run that shared the machine with another suite,
		// and 90 s once in a full make test on two cores (alone it takes
		// about 5 s).
	}, 180*time.Second, 100*time.Millisecond)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		list, err := sys.temporal.ListWorkflow(context.Background(), listRequest(`WorkflowId = "`+filing.ID(s.id).WorkflowID()+`" AND BeianOverdue = true`))
		if assert.NoError(c, err) {
			assert.Len(c, list.Executions, 1, "operators find it with BeianOverdue = true")
		}
	}, 10*time.Second, 100*time.Millisecond)
	recordHistoryInFlight(t, s.id, "bureau_overdue")
	require.NoError(t, sys.temporal.TerminateWorkflow(context.Background(), filing.ID(s.id).WorkflowID(), "", "test over"))
	// A run that did not end normally has no final state: the read model
	// answers.
	st := get(t, s.path(""))
	assert.Equal(t, "read_model", st.Body["source"], "%s", st.Raw)
	assert.Equal(t, "bureau_review", st.Body["stage"])
}

func TestIdleFilingExpiresAfter45DaysWithTwoRemindersOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startDirect(t, "ZJ", "yunqi-idle.com", "云栖科技官网", 864000) // 45 days in about 4.5 s
	s.fill()
	st := s.wait(filing.StageExpired, filing.StepNone)
	assert.NotEmpty(t, st)
	final := s.result()
	assert.Equal(t, filing.StageExpired, final.Stage)
	recordHistory(t, s.id, "expired_after_45_days")
}

func TestARetriedActionWithTheSameIdempotencyKeyActsOnce(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-retry.com", "云栖科技官网")
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	send := func(key string) response {
		req, err := http.NewRequest(http.MethodPost, sys.baseURL+s.path("/initial-review"),
			strings.NewReader(`{"approve":false,"reviewer":"staff-1","reasons":[{"field":"websites[0].name","code":"name_mismatch"}]}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+keyFor(t, sys.baseURL, api.RoleReviewer, ""))
		req.Header.Set("Idempotency-Key", key)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var body map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
		return response{Status: res.StatusCode, Body: body}
	}
	first := send("review-42")
	require.Equal(t, http.StatusOK, first.Status, "%v", first.Body)
	again := send("review-42") // the reviewer's client retried after a timeout
	assert.Equal(t, http.StatusOK, again.Status, "a retry is answered, not refused: %v", again.Body)
	other := send("review-43") // a genuinely new decision in the wrong stage
	assert.Equal(t, http.StatusConflict, other.Status)
	assert.Equal(t, 1, s.rejections(), "the rejection was applied once")
	s.ok("/cancel", `{}`)
}

// A mailing address whose answer was lost (the API answered 503 once the
// update had outlasted its bound, so nothing was stored under the key) is
// sent again with the same Idempotency-Key after the filing has moved on
// because of it: it is answered as taken, not refused; the backdrop ships
// once. A new request in the same stage is still refused.
func TestARetriedMailingAddressWhoseAnswerWasLostIsAnsweredAsTaken(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-lost-answer.com", "云栖科技官网")
	s.throughInitialReview()
	s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	address := `{"recipient":{"name":"张伟","mobile":"13800138000"},"address":{"province":"ZJ","city":"杭州市","detail":"文三路90号"}}`
	first := doKeyed(t, s.base, s.path("/mailing-address"), address, "address-7")
	require.Equal(t, http.StatusOK, first.Status, "%s", first.Raw)
	// As if the first answer had been a 503: the idempotency store keeps
	// no server-side failure, so the retry runs the handler again.
	require.NoError(t, sys.app.DB.Gorm.Exec(`DELETE FROM idempotency_keys WHERE idem_key = ?`, "address-7").Error)
	st := s.wait(filing.StagePhotoVerification, filing.StepNone)
	require.NotEqual(t, string(filing.StepAwaitingMailingAddress), st["step"], "moved on by the first request")
	again := doKeyed(t, s.base, s.path("/mailing-address"), address, "address-7")
	assert.Equal(t, http.StatusOK, again.Status, "the retry is answered as taken: %s", again.Raw)
	began := time.Now()
	other := doKeyed(t, s.base, s.path("/mailing-address"), address, "address-8")
	assert.Equal(t, http.StatusConflict, other.Status, "a new request is still refused: %s", other.Raw)
	assert.Less(t, time.Since(began), 2*time.Second, "and refused at once: looking for an update that never was does not wait")
	shipment := s.wait(filing.StagePhotoVerification, filing.StepAwaitingPhoto)["shipment"].(map[string]any)
	assert.NotEmpty(t, shipment["tracking_number"], "shipped once")
	s.ok("/cancel", `{}`)
}

// rejections counts the filing's returns to editing in its timeline.
func (s *scenario) rejections() int {
	s.t.Helper()
	st := get(s.t, s.path(""))
	n := 0
	for _, c := range st.Body["timeline"].([]any) {
		if c.(map[string]any)["stage"] == "information" {
			n++
		}
	}
	return n - 1 // the first entry into information is not a rejection
}

func TestTheAuditTrailShowsWhoDidWhatAndWhy(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-audit.com", "云栖科技官网")
	s.ok("/submit", `{}`)
	s.wait(filing.StageInitialReview, filing.StepAwaitingReviewer)
	s.ok("/initial-review", `{"approve":false,"reviewer":"staff-9","reasons":[{"field":"websites[0].name","code":"name_mismatch","message":"name does not match the content"}]}`)
	s.wait(filing.StageInformation, filing.StepEditing)
	s.ok("/cancel", `{"reason":"user_request"}`)
	s.result()

	res := get(t, s.path("/timeline"))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	events := res.Body["events"].([]any)
	var actions []string
	var rejection map[string]any
	for i, e := range events {
		m := e.(map[string]any)
		assert.EqualValues(t, i+1, m["seq"], "numbered without gaps or duplicates")
		actions = append(actions, m["actor"].(string)+" "+m["action"].(string))
		if m["actor"] == "reviewer:staff-9" {
			rejection = m
		}
	}
	assert.Contains(t, actions, "account:acc-scn"+s.app.Subject.CertificateNumber[10:16]+" save_application")
	assert.Contains(t, actions, "account:acc-scn"+s.app.Subject.CertificateNumber[10:16]+" cancel")
	require.NotNil(t, rejection, "the reviewer's decision is in the trail: %v", actions)
	assert.Equal(t, "rejected", rejection["detail"])
	assert.Equal(t, "name_mismatch", rejection["reasons"].([]any)[0].(map[string]any)["code"])
	assert.NotContains(t, string(res.Raw), s.app.Subject.Leader.Name, "no personal data in the trail")
	assert.Equal(t, http.StatusNotFound, get(t, "/v1/filings/01a227a5-be39-7787-9814-9c07e6468f61/timeline").Status)
}

func TestUploadsThatAreNotWhatWasDeclaredAreRejectedWithAReason(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-upload.com", "云栖科技官网")
	// A text file declared as a PDF: S3 accepts the bytes (they match the
	// declared checksum) and the verification finds the type is wrong.
	res := postJSON(t, s.path("/materials"), upload(t, s.id, "pre_approval", "application/pdf", []byte("not a pdf at all")))
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Raw)
	assert.Equal(t, "material_rejected", res.Body["code"])
	assert.Equal(t, "type_mismatch", res.Body["details"].(map[string]any)["reason"])
	// Attaching an object that was never uploaded.
	res = postJSON(t, s.path("/materials"), `{"kind":"leader_id","object_key":"filings/`+s.id+`/materials/nothing","size":10,"sha256":"`+strings.Repeat("0", 64)+`"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Raw)
	assert.Equal(t, "not_uploaded", res.Body["details"].(map[string]any)["reason"])
	// Several at once: all attached, or, when one is bad, none, the refusal
	// naming which; the good ones can be attached again as they are.
	license := documentAt(t, s.base, s.id, string(filing.MaterialSubjectCertificate))
	missing := `{"kind":"leader_id","object_key":"filings/` + s.id + `/materials/nothing","size":10,"sha256":"` + strings.Repeat("0", 64) + `"}`
	res = postJSON(t, s.path("/materials/batch"), `{"materials":[`+license+`,`+missing+`]}`)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Raw)
	assert.Equal(t, "material_rejected", res.Body["code"])
	assert.Equal(t, "materials[1].object_key", res.Body["field"])
	assert.Equal(t, "not_uploaded", res.Body["details"].(map[string]any)["reason"])
	keyOf := func(attach string) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(attach), &m))
		return m["object_key"].(string)
	}
	attached := func(view map[string]any) []string {
		var keys []string
		for _, m := range view["materials"].([]any) {
			keys = append(keys, m.(map[string]any)["object_key"].(string))
		}
		return keys
	}
	assert.NotContains(t, attached(get(t, s.path("")).Body), keyOf(license), "none attached, the good one neither")
	leaderID := document(t, s.id, string(filing.MaterialLeaderID))
	res = postJSON(t, s.path("/materials/batch"), `{"materials":[`+license+`,`+leaderID+`]}`)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	assert.Subset(t, attached(res.Body), []string{keyOf(license), keyOf(leaderID)}, "both attached in one action")
	res = postJSON(t, s.path("/materials/batch"), `{"materials":[]}`)
	assert.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Raw)
	assert.Equal(t, "materials", res.Body["field"])
	// Presigning refuses what the rules forbid before anything is uploaded.
	res = postJSON(t, s.path("/uploads"), `{"kind":"photo","content_type":"application/pdf","size":100,"sha256":"`+strings.Repeat("a", 64)+`"}`)
	assert.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Raw)
	s.ok("/cancel", `{}`)
	// A filing that has ended takes no more uploads (its read model says
	// so; an upload does not ask the workflow).
	s.wait(filing.StageCancelled, filing.StepNone)
	res = postJSON(t, s.path("/uploads"), `{"kind":"subject_certificate","content_type":"application/pdf","size":100,"sha256":"`+strings.Repeat("a", 64)+`"}`)
	assert.Equal(t, http.StatusConflict, res.Status, "%s", res.Raw)
	assert.Equal(t, string(filing.CodeFilingClosed), res.Body["code"], "%s", res.Raw)
}

func TestWebhooksWithABadSignatureOrAStaleTimestampAreRefused(t *testing.T) {
	t.Parallel()
	body := `{"receipt_id":"SBX-1","filing_id":"01a227a5-be39-7787-9814-9c07e6468f61","state":"approved"}`
	send := func(ts, delivery, sig string) response {
		req, err := http.NewRequest(http.MethodPost, sys.baseURL+"/v1/webhooks/bureau", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Beian-Timestamp", ts)
		req.Header.Set("X-Beian-Delivery", delivery)
		req.Header.Set("X-Beian-Signature", sig)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var b map[string]any
		_ = json.NewDecoder(res.Body).Decode(&b)
		return response{Status: res.StatusCode, Body: b}
	}
	now := fmt.Sprint(time.Now().Unix())
	res := send(now, "d-1", "sha256="+strings.Repeat("0", 64))
	assert.Equal(t, http.StatusUnauthorized, res.Status)
	assert.Equal(t, "bad_signature", res.Body["code"])
	staleAt := time.Now().Add(-10 * time.Minute).Unix()
	res = send(fmt.Sprint(staleAt), "d-2", webhook.Sign([]byte(sys.app.Config.World.WebhookSecret), staleAt, "d-2", []byte(body)))
	assert.Equal(t, http.StatusUnauthorized, res.Status)
	assert.Equal(t, "stale_timestamp", res.Body["code"])
}

// The seed ties one 备案服务号 to one website: a filing with two websites
// holds two numbers of its instance once the application passes the
// automated checks, and the approval consumes both.
func TestEachWebsiteOfAFilingGetsItsOwnServiceNumberOnTheRealServer(t *testing.T) {
	t.Parallel()
	s := startScenario(t, "ZJ", "yunqi-two.com", "云栖科技官网")
	blog := s.app.Websites[0]
	blog.Domain, blog.HomepageURL, blog.Name = "yunqi-two-blog.com", "https://www.yunqi-two-blog.com/", "云栖技术博客"
	s.app.Websites = append(s.app.Websites, blog)
	s.save()

	s.throughInitialReview()
	st := s.wait(filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
	numbers, _ := st["service_numbers"].([]any)
	require.Len(t, numbers, 2, "%v", st["service_numbers"])
	byDomain := map[string]string{}
	for _, n := range numbers {
		m := n.(map[string]any)
		byDomain[m["domain"].(string)] = m["number"].(string)
	}
	assert.Equal(t, st["service_number"], byDomain["yunqi-two.com"], "the started-for website keeps its number")
	require.NotEmpty(t, byDomain["yunqi-two-blog.com"])
	assert.NotEqual(t, byDomain["yunqi-two.com"], byDomain["yunqi-two-blog.com"])

	s.throughPhotoApproval()
	s.wait(filing.StageApproved, filing.StepNone)
	for domain, number := range byDomain {
		var row struct{ Status, Website, FilingID string }
		require.NoError(t, sys.app.DB.Gorm.Table("service_numbers").Where("number = ?", number).Take(&row).Error)
		assert.Equal(t, "consumed", row.Status, domain)
		assert.Equal(t, domain, row.Website)
		assert.Equal(t, s.id, row.FilingID)
	}
}
