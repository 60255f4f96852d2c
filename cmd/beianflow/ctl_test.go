package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ctlFiling = "01927c3e-5f0a-7b21-9c4d-8e2f1a3b5c7d"

// fakeAPI answers the support endpoints with canned JSON and records what
// it was asked.
type fakeAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
	answers  map[string]func(r *http.Request, body []byte) (int, string)
}

type recorded struct {
	method, path, query, auth, body string
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{answers: map[string]func(*http.Request, []byte) (int, string){}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), string(body)})
		answer := f.answers[r.Method+" "+r.URL.Path]
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if answer == nil {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"code":"route_not_found","message":"no such endpoint"}`)
			return
		}
		status, js := answer(r, body)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, js)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) on(route string, status int, js string) {
	f.answers[route] = func(*http.Request, []byte) (int, string) { return status, js }
}

func (f *fakeAPI) env(key string) func(string) string {
	return func(k string) string {
		switch k {
		case "BEIANFLOW_API_URL":
			return f.URL
		case "BEIANFLOW_SUPPORT_KEY":
			return key
		}
		return ""
	}
}

func (f *fakeAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeAPI) last() recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1]
}

func ctlRun(t *testing.T, env func(string) string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(append([]string{"ctl"}, args...), &out, env)
	return out.String(), err
}

func TestCtlStuckPrintsATableAndFollowsTheScanWithAll(t *testing.T) {
	f := newFakeAPI(t)
	f.answers["GET /v1/support/stuck"] = func(r *http.Request, _ []byte) (int, string) {
		if r.URL.Query().Get("cursor") == "" {
			return 200, `{"items":[{"filing_id":"` + ctlFiling + `","workflow_id":"filing-` + ctlFiling + `","reason":"activity_failing",
				"stage":"bureau_submission","waiting_on":"provider","details":{"activity_id":"57","activity_type":"SubmitToBureau","attempt":5,
				"state":"scheduled","next_attempt_at":"2026-11-05T01:00:31Z","last_failure":"bureau: 502 Bad Gateway"},
				"next_step":"Fix the cause, then run beianflow ctl retry"}],
				"scanned":1,"open_filings":2,"next_cursor":"c1","truncated":false,"checked_at":"2026-11-05T01:00:20Z"}`
		}
		return 200, `{"items":[{"filing_id":"0192806a-1c2d-7e3f-8a9b-0c1d2e3f4a5b","workflow_id":"filing-x","reason":"deadline_passed",
			"stage":"bureau_review","step":"awaiting_decision","waiting_on":"bureau","deadline":"2026-11-04T01:00:00Z",
			"details":{"overdue_seconds":86400},"next_step":"Chase the bureau"}],"scanned":1,"truncated":false,"checked_at":"2026-11-05T01:00:21Z"}`
	}
	for _, c := range []struct {
		args      []string
		query     string
		want, not []string
	}{
		{[]string{"stuck", "--scan", "1", "--min-attempts", "3"}, "min_attempts=3&scan=1", []string{
			"1 stuck (described 1 of 2 open filing(s)", "run with --all", "FILING",
			"SubmitToBureau attempt 5, next 2026-11-05T01:00:31Z", "last error: bureau: 502 Bad Gateway", "next step:  Fix the cause",
		}, []string{"deadline_passed"}},
		{[]string{"stuck", "--all"}, "cursor=c1", []string{
			"2 stuck (described 2 of 2", "overdue 24h0m0s (deadline 2026-11-04T01:00:00Z)", "bureau_review/awaiting_decision (bureau)",
		}, []string{"--all"}},
	} {
		out, err := ctlRun(t, f.env("bfk_k_s"), c.args...)
		require.NoError(t, err, "%v", c.args)
		assert.Equal(t, "Bearer bfk_k_s", f.last().auth)
		assert.Equal(t, c.query, f.last().query, "%v", c.args)
		for _, w := range c.want {
			assert.Contains(t, out, w, "%v", c.args)
		}
		for _, w := range c.not {
			assert.NotContains(t, out, w, "%v", c.args)
		}
	}

	out, err := ctlRun(t, f.env("bfk_k_s"), "--json", "stuck")
	require.NoError(t, err)
	var rep map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, "c1", rep["next_cursor"])

	_, err = ctlRun(t, f.env("bfk_k_s"), "stuck", "extra")
	assert.Error(t, err)
	_, err = ctlRun(t, f.env("bfk_k_s"), "stuck", "--scan", "many")
	assert.Error(t, err)
}

func TestCtlTakesTheSupportKeyFromTheEnvironmentOrMakeRunsFile(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /v1/support/filings/"+ctlFiling+"/retry", 200, `{"filing_id":"`+ctlFiling+`","retried":[{"activity_id":"57","activity_type":"SubmitToBureau","attempt_before":5,"last_failure":"bureau: 502"}]}`)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "api-keys.env"), []byte("# keys\nBEIANFLOW_SUPPORT_KEY=bfk_file_key\n"), 0o600))
	env := func(k string) string {
		switch k {
		case "BEIANFLOW_API_URL":
			return f.URL
		case "BEIANFLOW_DATA_DIR":
			return dir
		}
		return ""
	}
	out, err := ctlRun(t, env, "retry", ctlFiling)
	require.NoError(t, err)
	assert.Equal(t, "Bearer bfk_file_key", f.last().auth)
	assert.Equal(t, "{}", f.last().body)
	assert.Contains(t, out, "retrying SubmitToBureau now (activity 57, was on attempt 5)")

	_, err = ctlRun(t, func(k string) string {
		if k == "BEIANFLOW_DATA_DIR" {
			return t.TempDir()
		}
		return ""
	}, "retry", ctlFiling)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "BEIANFLOW_SUPPORT_KEY")

	// --json after the ID, too.
	out, err = ctlRun(t, env, "retry", ctlFiling, "--json")
	require.NoError(t, err)
	assert.True(t, json.Valid([]byte(out)), out)
}

func TestCtlReportsTheAPIsRefusal(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /v1/support/filings/"+ctlFiling+"/retry", 409, `{"code":"workflow_task_failing","message":"roll the worker back"}`)
	_, err := ctlRun(t, f.env("k"), "retry", ctlFiling)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "workflow_task_failing")
	_, err = ctlRun(t, f.env("k"), "retry")
	assert.Error(t, err)
	_, err = ctlRun(t, f.env("k"), "frobnicate")
	assert.ErrorContains(t, err, "unknown command")
	out, err := ctlRun(t, f.env(""), "--help")
	require.NoError(t, err)
	assert.Contains(t, out, "BEIANFLOW_SUPPORT_KEY")
}

const ctlResetResult = `{"filing_id":"` + ctlFiling + `","to_stage":"photo_verification","event_id":118,"run_id":"run-2",
	"redelivered":[{"action":"mailing_address","at":"2026-11-04T02:15:40Z","kept":true},
	               {"action":"upload_photo","at":"2026-11-06T09:02:11Z","kept":false,"refusal":"uploading the photo refused: the filing is in photo_verification (in_transit)"}],
	"dropped":[{"action":"photo_review_decision","at":"2026-11-06T10:45:03Z","kept":false}]}`

func TestCtlResetPutsTheFilingBackAndListsWhatFollowed(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /v1/support/filings/"+ctlFiling+"/reset", 200, ctlResetResult)
	out, err := ctlRun(t, f.env("k"), "reset", ctlFiling, "--to", "photo_verification", "--reason", "ShipBackdrop fixed; INC-2231")
	require.NoError(t, err)
	assert.JSONEq(t, `{"to_stage":"photo_verification","reason":"ShipBackdrop fixed; INC-2231"}`, f.last().body)
	assert.Equal(t, "reset filing "+ctlFiling+" to photo_verification (history event 118), new run run-2\n"+
		"  redelivered mailing_address (2026-11-04T02:15:40Z): kept\n"+
		"  redelivered upload_photo (2026-11-06T09:02:11Z): refused: uploading the photo refused: the filing is in photo_verification (in_transit)\n"+
		"  dropped photo_review_decision (2026-11-06T10:45:03Z): decided on what is redone\n"+
		"the audit trail (beianflow ctl timeline "+ctlFiling+") records who reset it and why\n", out)

	// Flags before the ID, --json anywhere.
	out, err = ctlRun(t, f.env("k"), "reset", "--to", "photo_verification", "--reason", "INC-2231", ctlFiling, "--json")
	require.NoError(t, err)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	assert.Equal(t, "run-2", res["run_id"])
	assert.Len(t, res["redelivered"], 2)
	assert.Len(t, res["dropped"], 1)
}

func TestCtlResetNeedsAStageAndAReason(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /v1/support/filings/"+ctlFiling+"/reset", 200, ctlResetResult)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"reset", ctlFiling, "--reason", "INC-2231"}, "give --to STAGE, one of product_verification, information"},
		{[]string{"reset", ctlFiling, "--to", "approved", "--reason", "INC-2231"}, "bureau_review"},
		{[]string{"reset", ctlFiling, "--to", "initial_review"}, "give --reason"},
		{[]string{"reset", ctlFiling, "--to", "initial_review", "--reason", "  "}, "give --reason"},
		{[]string{"reset", "--to", "initial_review", "--reason", "INC-2231"}, "give one filing ID"},
		{[]string{"reset", ctlFiling, "--stage", "initial_review"}, "-stage"},
	} {
		_, err := ctlRun(t, f.env("k"), c.args...)
		require.Error(t, err, "%v", c.args)
		assert.Contains(t, err.Error(), c.want, "%v", c.args)
		assert.Zero(t, f.count(), "%v sent nothing", c.args)
	}
}

func TestCtlResetReportsTheAPIsRefusal(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /v1/support/filings/"+ctlFiling+"/reset", 409,
		`{"code":"stage_not_reached","field":"to_stage","message":"the filing has never been in that stage"}`)
	out, err := ctlRun(t, f.env("k"), "reset", ctlFiling, "--to", "bureau_review", "--reason", "INC-2231")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stage_not_reached")
	assert.Contains(t, err.Error(), "never been in that stage")
	assert.Empty(t, out)
	assert.Equal(t, 1, f.count(), "a refusal is not retried")

	help, err := ctlRun(t, f.env(""), "--help")
	require.NoError(t, err)
	assert.Contains(t, help, "reset ID --to STAGE --reason TEXT")
}

func TestCtlTimelineInterleavesTheAuditTrailAndTheEvents(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /v1/support/filings/"+ctlFiling+"/history", 200, `{"filing_id":"`+ctlFiling+`","workflow_id":"filing-`+ctlFiling+`",
		"run_id":"r1","status":"running","truncated":false,
		"audit":[{"seq":1,"at":"2026-11-02T02:00:05Z","actor":"system","action":"stage_changed","from_stage":"product_verification","to_stage":"information","reasons":[]},
		         {"seq":2,"at":"2026-11-02T02:00:09Z","actor":"reviewer:staff-1","action":"initial_review_decision","from_stage":"initial_review","to_stage":"information","detail":"rejected","reasons":[{"field":"websites[0].name","code":"name_mismatch"}]}],
		"events":[{"event_id":1,"time":"2026-11-02T02:00:00Z","type":"WorkflowExecutionStarted","summary":"FilingWorkflow, input {\"domain\":\"yunqi-tech.com\"}"},
		          {"event_id":9,"time":"2026-11-02T02:00:07Z","type":"TimerStarted","summary":"timer 9 for 1h0m0s"}]}`)
	out, err := ctlRun(t, f.env("k"), "timeline", ctlFiling)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 7, out)
	assert.Contains(t, lines[0], "(running)")
	assert.Contains(t, lines[1], "2 audit entries, 2 workflow events")
	assert.Equal(t, `2026-11-02T02:00:00.000Z  EVENT 1     WorkflowExecutionStarted FilingWorkflow, input {"domain":"yunqi-tech.com"}`, lines[3])
	assert.Equal(t, "2026-11-02T02:00:05.000Z  AUDIT 1     system stage_changed product_verification→information", lines[4])
	assert.Contains(t, lines[5], "EVENT 9     TimerStarted")
	assert.Contains(t, lines[6], "initial_review_decision initial_review→information rejected [name_mismatch websites[0].name]")
}

func TestCtlReplayExitsNonZeroWhenTheHistoryIsNotDeterministic(t *testing.T) {
	f := newFakeAPI(t)
	f.answers["POST /v1/support/replay"] = func(_ *http.Request, body []byte) (int, string) {
		if strings.Contains(string(body), "filing_id") {
			return 200, `{"deterministic":true,"events":212,"workflow_id":"filing-x"}`
		}
		return 200, `{"deterministic":false,"error":"nondeterministic workflow: SubmitToTheBureau","events":3}`
	}
	out, err := ctlRun(t, f.env("k"), "replay", ctlFiling)
	require.NoError(t, err)
	assert.Equal(t, `{"filing_id":"`+ctlFiling+`"}`, f.last().body)
	assert.Contains(t, out, "deterministic: filing-x (212 events)")

	file := filepath.Join(t.TempDir(), "h.json")
	require.NoError(t, os.WriteFile(file, []byte("{\n  \"events\": [\n    {\"eventId\": \"1\"}\n  ]\n}\n"), 0o600))
	out, err = ctlRun(t, f.env("k"), "replay", "--file", file)
	require.Error(t, err)
	assert.Equal(t, `{"events":[{"eventId":"1"}]}`, f.last().body, "sent compacted")
	assert.Contains(t, out, "NOT deterministic")
	assert.Contains(t, out, "SubmitToTheBureau")

	_, err = ctlRun(t, f.env("k"), "replay", ctlFiling, "--file", file)
	assert.Error(t, err)
	_, err = ctlRun(t, f.env("k"), "replay", "--file", filepath.Join(t.TempDir(), "missing.json"))
	assert.Error(t, err)
}

func TestCtlSignalDeliversEachEventToItsEndpoint(t *testing.T) {
	f := newFakeAPI(t)
	state := `{"filing_id":"` + ctlFiling + `","stage":"bureau_review","step":"awaiting_decision","waiting_on":"bureau"}`
	for _, p := range []string{"courier-events", "bureau-events/sms", "bureau-events/decision", "verification-result"} {
		f.on("POST /v1/filings/"+ctlFiling+"/"+p, 200, state)
	}
	cases := []struct {
		args []string
		path string
		body map[string]any
	}{
		{[]string{"courier-delivered", "--tracking", "SF1", "--at", "2026-11-11T11:20:00+08:00"}, "courier-events",
			map[string]any{"tracking_number": "SF1", "delivered_at": "2026-11-11T11:20:00+08:00"}},
		{[]string{"bureau-sms", "--receipt", "R1", "--outcome", "returned", "--reason", "sms_timeout:window missed"}, "bureau-events/sms",
			map[string]any{"receipt_id": "R1", "outcome": "returned", "reasons": []any{map[string]any{"code": "sms_timeout", "message": "window missed"}}}},
		{[]string{"bureau-decision", "--receipt", "R1", "--approved", "--filing-number", "浙ICP备26012345号-1"}, "bureau-events/decision",
			map[string]any{"receipt_id": "R1", "approved": true, "filing_number": "浙ICP备26012345号-1"}},
		{[]string{"bureau-decision", "--rejected", "--receipt", "R1", "--reason", "name_mismatch"}, "bureau-events/decision",
			map[string]any{"receipt_id": "R1", "approved": false, "reasons": []any{map[string]any{"code": "name_mismatch"}}}},
		{[]string{"verification-result", "--passed"}, "verification-result", map[string]any{"passed": true}},
	}
	for _, c := range cases {
		out, err := ctlRun(t, f.env("k"), append([]string{"signal", ctlFiling}, c.args...)...)
		require.NoError(t, err, "%v", c.args)
		assert.Contains(t, out, "now bureau_review/awaiting_decision, waiting on the bureau")
		last := f.last()
		assert.Equal(t, "/v1/filings/"+ctlFiling+"/"+c.path, last.path)
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(last.body), &got))
		assert.Equal(t, c.body, got, "%v", c.args)
	}
	for _, bad := range [][]string{
		{"signal", ctlFiling},
		{"signal", ctlFiling, "teleport"},
		{"signal", ctlFiling, "courier-delivered"},
		{"signal", ctlFiling, "courier-delivered", "--tracking", "SF1", "--at", "yesterday"},
		{"signal", ctlFiling, "bureau-sms", "--receipt", "R1", "--outcome", "maybe"},
		{"signal", ctlFiling, "bureau-decision", "--receipt", "R1"},
		{"signal", ctlFiling, "bureau-decision", "--receipt", "R1", "--approved"},
		{"signal", ctlFiling, "bureau-decision", "--receipt", "R1", "--rejected"},
		{"signal", ctlFiling, "verification-result", "--failed"},
		{"signal", ctlFiling, "verification-result", "--passed", "--reason", ":no code"},
	} {
		n := f.count()
		_, err := ctlRun(t, f.env("k"), bad...)
		assert.Error(t, err, "%v", bad)
		assert.Equal(t, n, f.count(), "%v sent nothing", bad)
	}
}
