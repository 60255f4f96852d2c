package api

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/codecserver"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// supportAPI is the API without Temporal: enough for what the support
// endpoints check before asking it, and for replaying uploaded histories,
// which needs only the workflow code and the payload keys.
type supportAPI struct {
	h    http.Handler
	keys map[string]string
}

func newSupportAPI(t *testing.T) supportAPI {
	t.Helper()
	db := testenv.SQLiteDB(t)
	keys, err := codec.ParseKeys(testenv.PayloadKeys)
	require.NoError(t, err)
	h := New(Deps{DB: db, Log: slog.New(slog.DiscardHandler), Now: time.Now, Codec: codecserver.Options{Codec: codec.New(keys)}})
	out := supportAPI{h: h, keys: map[string]string{}}
	for role, account := range map[string]string{"support": "", "reviewer": "", "backend": "acc-1"} {
		k, err := apikeys.Issue(context.Background(), store.NewAPIKeys(db), role, account, "support test", time.Now())
		require.NoError(t, err)
		out.keys[role] = k.Token
	}
	return out
}

func (a supportAPI) do(t *testing.T, role, method, target, body string) (int, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+a.keys[role])
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), "%s", rec.Body)
	return rec.Code, out
}

func TestSupportEndpointsAreForSupportKeysOnly(t *testing.T) {
	a := newSupportAPI(t)
	for _, role := range []string{"backend", "reviewer"} {
		for _, r := range []struct{ method, target, body string }{
			{http.MethodGet, "/v1/support/stuck", ""},
			{http.MethodGet, "/v1/support/filings/" + fid + "/history", ""},
			{http.MethodPost, "/v1/support/filings/" + fid + "/retry", "{}"},
			{http.MethodPost, "/v1/support/replay", `{"filing_id":"` + fid + `"}`},
		} {
			status, body := a.do(t, role, r.method, r.target, r.body)
			assert.Equal(t, http.StatusForbidden, status, "%s %s %s", role, r.method, r.target)
			assert.Equal(t, filing.CodeForbidden, body["code"])
		}
	}
}

func TestSupportEndpointsRefuseBadInputBeforeAskingTemporal(t *testing.T) {
	a := newSupportAPI(t)
	cases := []struct {
		method, target, body string
		status               int
		code, field          string
	}{
		{http.MethodGet, "/v1/support/stuck?limit=0", "", 400, filing.CodeInvalidValue, "limit"},
		{http.MethodGet, "/v1/support/stuck?scan=1001", "", 400, filing.CodeInvalidValue, "scan"},
		{http.MethodGet, "/v1/support/stuck?min_attempts=x", "", 400, filing.CodeInvalidValue, "min_attempts"},
		{http.MethodGet, "/v1/support/stuck?stage=information", "", 400, filing.CodeUnknownField, "stage"},
		{http.MethodGet, "/v1/support/stuck?cursor=AQIDBAUGBwgJ", "", 400, filing.CodeInvalidCursor, "cursor"},
		{http.MethodGet, "/v1/support/filings/not-a-filing/history", "", 404, filing.CodeFilingNotFound, ""},
		{http.MethodPost, "/v1/support/filings/not-a-filing/retry", "", 404, filing.CodeFilingNotFound, ""},
		{http.MethodPost, "/v1/support/filings/" + fid + "/retry", `{"now":true}`, 400, filing.CodeUnknownField, "now"},
		{http.MethodPost, "/v1/support/replay", `{}`, 400, filing.CodeRequired, "events"},
		{http.MethodPost, "/v1/support/replay", `[]`, 400, filing.CodeInvalidJSON, ""},
		{http.MethodPost, "/v1/support/replay", `{"filing_id":7}`, 400, filing.CodeInvalidType, "filing_id"},
		{http.MethodPost, "/v1/support/replay", `{"filing_id":"x","events":[]}`, 400, filing.CodeInvalidValue, "filing_id"},
		{http.MethodPost, "/v1/support/replay", `{"filing_id":"x","note":"y"}`, 400, filing.CodeInvalidValue, "filing_id"},
		{http.MethodPost, "/v1/support/replay", `{"filing_id":"not-a-filing"}`, 404, filing.CodeFilingNotFound, ""},
		{http.MethodPost, "/v1/support/replay", `{"events":[]}`, 400, filing.CodeInvalidValue, "events"},
		{http.MethodPost, "/v1/support/replay", `{"events":[{"eventId":"1","eventType":"EVENT_TYPE_TIMER_FIRED"}]}`, 400, filing.CodeInvalidValue, "events"},
		{http.MethodPost, "/v1/support/replay", `{"events":[{"eventId":"one"}]}`, 400, filing.CodeInvalidValue, "events"},
		// Events without their attributes make the SDK's replayer panic.
		{http.MethodPost, "/v1/support/replay", `{"events":[{"eventId":"1","eventType":"EVENT_TYPE_WORKFLOW_EXECUTION_STARTED",` +
			`"workflowExecutionStartedEventAttributes":{"workflowType":{"name":"FilingWorkflow"},"taskQueue":{"name":"q"}}},` +
			`{"eventId":"2","eventType":"EVENT_TYPE_WORKFLOW_TASK_SCHEDULED"},{"eventId":"3","eventType":"EVENT_TYPE_WORKFLOW_TASK_STARTED"},` +
			`{"eventId":"4","eventType":"EVENT_TYPE_WORKFLOW_TASK_COMPLETED"},{"eventId":"5","eventType":"EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"}]}`,
			400, filing.CodeInvalidValue, "events"},
	}
	for _, c := range cases {
		status, body := a.do(t, "support", c.method, c.target, c.body)
		if assert.Equal(t, c.status, status, "%s %s %s: %v", c.method, c.target, c.body, body) {
			assert.Equal(t, c.code, body["code"], "%s %s %s: %v", c.method, c.target, c.body, body)
			if c.field != "" {
				assert.Equal(t, c.field, body["field"], "%s %s %s: %v", c.method, c.target, c.body, body)
			}
		}
	}
}

// TestSupportReplayRunsRecordedHistoriesAgainstThisBuild replays what
// `temporal workflow show --output json` would export: the recorded
// histories of package workflows, encrypted with the test keys.
func TestSupportReplayRunsRecordedHistoriesAgainstThisBuild(t *testing.T) {
	a := newSupportAPI(t)
	js, err := os.ReadFile(filepath.Join("..", "workflows", "testdata", "histories", "bureau_rejected_then_approved.json"))
	require.NoError(t, err)
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, js))
	status, body := a.do(t, "support", http.MethodPost, "/v1/support/replay", compact.String())
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Equal(t, true, body["deterministic"], "%v", body)
	assert.NotEmpty(t, body["filing_id"])
	assert.Greater(t, body["events"], float64(100))

	// The history records another activity than the code schedules.
	bad := strings.ReplaceAll(compact.String(), `"SubmitToBureau"`, `"SubmitToAnotherBureau"`)
	require.NotEqual(t, compact.String(), bad)
	status, body = a.do(t, "support", http.MethodPost, "/v1/support/replay", bad)
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Equal(t, false, body["deterministic"])
	assert.Contains(t, body["error"], "SubmitToAnotherBureau")
}
