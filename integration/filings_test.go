package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
	"github.com/beianflow/beianflow/rules"
	"github.com/beianflow/beianflow/workflows"
)

func createFiling(t testing.TB, account, province, domain string) string {
	t.Helper()
	res := postJSON(t, "/v1/filings", createBody(account, province, domain, newCompany(strings.TrimPrefix(strings.ToUpper(province), "CN-"))))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Raw)
	id, _ := res.Body["filing_id"].(string)
	require.NotEmpty(t, id)
	assert.Equal(t, "/v1/filings/"+id, res.Header.Get("Location"))
	return id
}

func TestNewFilingIsStartedRecordedAndReadableThroughTheAPI(t *testing.T) {
	id := createFiling(t, "acc-1001", "CN-zj", "例子.中国")

	// Live state comes from the workflow once its first task has run.
	var state response
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		state = get(t, "/v1/filings/"+id)
		assert.Equal(c, http.StatusOK, state.Status)
		assert.Equal(c, "workflow", state.Body["source"])
		assert.Equal(c, "information", state.Body["stage"], "product verified, waiting for the application")
	}, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, "applicant", state.Body["waiting_on"])
	assert.NotEmpty(t, state.Body["service_number"], "a 备案服务号 was generated for the instance and bound")
	assert.Equal(t, "ZJ", state.Body["province"])
	assert.Equal(t, "xn--fsqu00a.xn--fiqs8s", state.Body["domain"], "the domain is stored in its ASCII form")
	assert.Equal(t, "new_website_elsewhere", state.Body["filing_type"])
	assert.Equal(t, filing.ID(id).WorkflowID(), state.Body["workflow_id"])
	assert.Equal(t, rules.DefaultRuleSet().Version(), state.Body["rule_set_version"], "the filing records the rules it was checked with")
	assert.Equal(t, calendar.Default().Version(), state.Body["calendar_version"])
	deadline, err := time.Parse(time.RFC3339Nano, state.Body["deadline"].(string))
	require.NoError(t, err)
	scale := sys.app.Config.Process.TimeScale
	assert.WithinDuration(t, time.Now().Add(time.Duration(float64(workflows.OrderLifetime)/scale)), deadline, 5*time.Second,
		"an idle filing expires after the 45-day order lifetime (compressed by the time scale)")

	// The workflow wrote the read model through its activity.
	row, err := store.NewFilings(sys.app.DB).Get(context.Background(), filing.ID(id))
	require.NoError(t, err)
	assert.Equal(t, string(filing.StageInformation), row.Stage)
	assert.Equal(t, "acc-1001", row.AccountID)
	assert.Equal(t, filing.ID(id).WorkflowID(), row.WorkflowID)
	assert.False(t, row.Closed)
	assert.Equal(t, rules.DefaultRuleSet().Version(), row.RuleSetVersion)

	// Operators find it in the Web UI by its search attributes.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		list, err := sys.temporal.ListWorkflow(context.Background(), listRequest(
			fmt.Sprintf(`WorkflowId = %q AND BeianStage = "information" AND BeianProvince = "ZJ" AND BeianWaitingOn = "applicant"`, filing.ID(id).WorkflowID())))
		if assert.NoError(c, err) {
			assert.Len(c, list.Executions, 1)
		}
	}, 10*time.Second, 100*time.Millisecond)
}

func TestCancelledFilingIsServedFromTheStateItEndedWith(t *testing.T) {
	id := createFiling(t, "acc-1002", "SH", "example.com")
	waitStage(t, id, filing.StageInformation)

	res := postJSON(t, "/v1/filings/"+id+"/cancel", `{"reason":"user_request"}`)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	assert.Equal(t, "cancelled", res.Body["stage"])
	// The reason is in the audit trail.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		trail := get(t, "/v1/filings/"+id+"/timeline")
		found := false
		for _, e := range trail.Body["events"].([]any) {
			m := e.(map[string]any)
			found = found || (m["action"] == "cancel" && m["detail"] == "user_request")
		}
		assert.True(c, found, "%s", trail.Raw)
	}, 10*time.Second, 50*time.Millisecond)

	// The workflow has closed: the state comes from its result (from the
	// read model once Temporal no longer holds it).
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		st := get(t, "/v1/filings/"+id)
		assert.Equal(c, http.StatusOK, st.Status)
		assert.Equal(c, "workflow_result", st.Body["source"])
		assert.Equal(c, "cancelled", st.Body["stage"])
	}, 10*time.Second, 50*time.Millisecond)

	// Cancelling again is harmless and answers the same final state.
	again := postJSON(t, "/v1/filings/"+id+"/cancel", `{}`)
	assert.Equal(t, http.StatusOK, again.Status, "%s", again.Raw)
	assert.Equal(t, "cancelled", again.Body["stage"])

	recordHistory(t, id, "cancelled_by_applicant")
}

func TestUnknownFilingIs404(t *testing.T) {
	for _, id := range []string{"01a227a5-be39-7787-9814-9c07e6468f61", "not-a-filing-id", "1"} {
		res := get(t, "/v1/filings/"+id)
		assert.Equal(t, http.StatusNotFound, res.Status, id)
		assert.Equal(t, "filing_not_found", res.Body["code"], id)
	}
	res := postJSON(t, "/v1/filings/01a227a5-be39-7787-9814-9c07e6468f61/cancel", `{}`)
	assert.Equal(t, http.StatusNotFound, res.Status)
	assert.Equal(t, "filing_not_found", res.Body["code"])
}

func TestBadInputGetsA4xxNamingTheFieldAndStartsNothing(t *testing.T) {
	company := newCompany("ZJ")
	valid := func(edit func(m map[string]any)) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(createBody("a", "ZJ", "example.com", company)), &m))
		edit(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	subject := func(m map[string]any) map[string]any { return m["subject"].(map[string]any) }
	cases := []struct {
		name, contentType, body string
		status                  int
		code, field             string
	}{
		{"malformed JSON", "application/json", `{"account_id": "a",`, 400, "invalid_json", ""},
		{"not an object", "application/json", `["ZJ"]`, 400, "invalid_json", ""},
		{"two objects", "application/json", valid(func(map[string]any) {}) + `{}`, 400, "invalid_json", ""},
		{"empty body", "application/json", ``, 400, "invalid_json", ""},
		{"missing province", "application/json", valid(func(m map[string]any) { delete(subject(m), "province") }), 400, "required", "subject.province"},
		{"missing domain", "application/json", valid(func(m map[string]any) { delete(m, "domain") }), 400, "required", "domain"},
		{"missing certificate number", "application/json", valid(func(m map[string]any) { delete(subject(m), "certificate_number") }), 400, "required", "subject.certificate_number"},
		{"wrong type", "application/json", valid(func(m map[string]any) { subject(m)["province"] = 42 }), 400, "invalid_type", "subject.province"},
		{"unknown field", "application/json", valid(func(m map[string]any) { m["provnce"] = "ZJ" }), 400, "unknown_field", "provnce"},
		{"unknown province", "application/json", valid(func(m map[string]any) { subject(m)["province"] = "HK" }), 400, "invalid_value", "subject.province"},
		{"bad account", "application/json", valid(func(m map[string]any) { m["account_id"] = "a b" }), 400, "invalid_value", "account_id"},
		{"bad domain", "application/json", valid(func(m map[string]any) { m["domain"] = "http://example.com/" }), 400, "invalid_value", "domain"},
		{"subdomain", "application/json", valid(func(m map[string]any) { m["domain"] = "www.example.com" }), 400, "invalid_value", "domain"},
		{"TLD not approved by MIIT", "application/json", valid(func(m map[string]any) { m["domain"] = "example.io" }), 400, "domain.tld_not_approved", "domain"},
		{"wrong credit code check character", "application/json", valid(func(m map[string]any) {
			c := subject(m)["certificate_number"].(string)
			subject(m)["certificate_number"] = c[:17] + map[bool]string{true: "1", false: "0"}[c[17] == '0']
		}), 400, "credit_code.check_character", "subject.certificate_number"},
		{"both products", "application/json", valid(func(m map[string]any) {
			m["product"] = map[string]string{"instance_id": "i-a-web", "service_number": "BSN1234567890"}
		}), 400, "invalid_value", "product"},
		{"domain filed under another subject", "application/json", valid(func(m map[string]any) { m["domain"] = "taken-example.com" }), 409, "filing_type.domain_conflict", "domain"},
		{"not JSON", "text/plain", valid(func(map[string]any) {}), 415, "unsupported_media_type", ""},
	}
	before := countFilings(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := do(t, http.MethodPost, "/v1/filings", tc.contentType, tc.body)
			assert.Equal(t, tc.status, res.Status, "%s", res.Raw)
			assert.Equal(t, tc.code, res.Body["code"])
			if tc.field != "" {
				assert.Equal(t, tc.field, res.Body["field"])
			} else {
				assert.NotContains(t, res.Body, "field")
			}
			assert.NotEmpty(t, res.Body["message"])
		})
	}
	assert.Equal(t, before, countFilings(t), "no rejected request may start a filing")

	big := fmt.Sprintf(`{"account_id":"a","domain":"example.com","pad":%q}`, make([]byte, 2<<20))
	res := postJSON(t, "/v1/filings", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.Status)
	assert.Equal(t, "body_too_large", res.Body["code"])

	id := createFiling(t, "acc-1004", "ZJ", "reason-code.com")
	res = postJSON(t, "/v1/filings/"+id+"/cancel", `{"reason":"my name is Zhang San"}`)
	assert.Equal(t, http.StatusBadRequest, res.Status)
	assert.Equal(t, "reason", res.Body["field"])
	assert.NotEqual(t, "cancelled", get(t, "/v1/filings/"+id).Body["stage"], "a refused cancel changes nothing")
	postJSON(t, "/v1/filings/"+id+"/cancel", `{}`)
}

func TestHealthAndReadinessReportEveryDependency(t *testing.T) {
	res := get(t, "/healthz")
	assert.Equal(t, http.StatusOK, res.Status)
	res = get(t, "/readyz")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	assert.Equal(t, map[string]any{"temporal": "ok", "database": "ok", "s3": "ok"}, res.Body["checks"])
	assert.NotEmpty(t, res.Header.Get("X-Request-Id"))
}

func TestAnswersCarrySecurityHeadersAndNoCORS(t *testing.T) {
	for _, path := range []string{"/healthz", "/v1/filings/not-a-filing", "/v1/nothing"} {
		req, err := http.NewRequest(http.MethodGet, sys.baseURL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Origin", "https://evil.example")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), path)
		assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"), path)
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"), path)
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'", path)
		assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), "CORS is off: %s", path)
	}
}

func TestUnknownRouteAndMethodUseTheErrorModel(t *testing.T) {
	res := get(t, "/v1/nothing")
	assert.Equal(t, http.StatusNotFound, res.Status)
	assert.Equal(t, "route_not_found", res.Body["code"])
	res = do(t, http.MethodDelete, "/v1/filings", "", "")
	assert.Equal(t, http.StatusMethodNotAllowed, res.Status)
	assert.Equal(t, "method_not_allowed", res.Body["code"])
}

// countFilings counts filings in the read model and in Temporal's
// visibility store, so a test can show a request started nothing.
func countFilings(t testing.TB) [2]int64 {
	t.Helper()
	var rows int64
	require.NoError(t, sys.app.DB.Gorm.Model(&store.Filing{}).Count(&rows).Error)
	resp, err := sys.temporal.CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{
		Query: "WorkflowType = 'FilingWorkflow'",
	})
	require.NoError(t, err)
	return [2]int64{rows, resp.Count}
}

func listRequest(query string) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{Query: query}
}

// waitStage waits until the filing reaches stage.
func waitStage(t testing.TB, id string, stage filing.Stage) map[string]any {
	t.Helper()
	var last map[string]any
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		res := get(t, "/v1/filings/"+id)
		last = res.Body
		assert.Equal(c, string(stage), res.Body["stage"])
	}, 30*time.Second, 50*time.Millisecond, "filing %s never reached %s", id, stage)
	return last
}

func TestASecondFilingForTheSameSubjectIsRefusedWhileTheFirstRuns(t *testing.T) {
	company := newCompany("ZJ")
	first := postJSON(t, "/v1/filings", createBody("acc-1003", "ZJ", "first-site.com", company))
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Raw)
	second := postJSON(t, "/v1/filings", createBody("acc-1003", "ZJ", "second-site.com", company))
	assert.Equal(t, http.StatusConflict, second.Status, "%s", second.Raw)
	assert.Equal(t, "subject_busy", second.Body["code"])
	assert.NotContains(t, string(second.Raw), company, "the certificate number is never echoed")

	id := first.Body["filing_id"].(string)
	res := postJSON(t, "/v1/filings/"+id+"/cancel", `{}`)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	third := postJSON(t, "/v1/filings", createBody("acc-1003", "ZJ", "second-site.com", company))
	assert.Equal(t, http.StatusCreated, third.Status, "once the first has ended the subject may file again: %s", third.Raw)
	postJSON(t, "/v1/filings/"+third.Body["filing_id"].(string)+"/cancel", `{}`)
}

// Many backends, or one backend retrying impatiently, may create filings
// for one subject at the same moment (different domains, different
// idempotency keys). The bureau reviews a subject at one provider at a
// time, so exactly one of them may start a filing — on PostgreSQL, and on
// the embedded SQLite of `make run` alike — and the others learn why.
func TestOfManySimultaneousCreatesForOneSubjectExactlyOneStartsAFiling(t *testing.T) {
	const racers, runs = 24, 10
	systems := []struct{ name, base string }{{"postgres", sys.baseURL}, {"sqlite", startSQLiteSystem(t)}}
	for _, s := range systems {
		t.Run(s.name, func(t *testing.T) {
			for run := range runs {
				// An account, and so a cloud instance, per run: each filing
				// that starts binds one of the instance's five 备案服务号.
				account := fmt.Sprintf("acc-race-%d", run)
				key := keyFor(t, s.base, api.RoleBackend, account)
				company := newCompany("ZJ")
				answers := make([]raceAnswer, racers)
				errs := testenv.Concurrently(racers, func(i int) (err error) {
					domain := fmt.Sprintf("race-%d-%d-%s.com", run, i, uuid.NewString()[:6])
					answers[i], err = createAs(s.base, key, createBody(account, "ZJ", domain, company))
					return err
				})
				var created []string
				for i, a := range answers {
					require.NoError(t, errs[i])
					switch a.Status {
					case http.StatusCreated:
						created = append(created, a.FilingID)
					case http.StatusConflict:
						assert.Equal(t, filing.CodeSubjectBusy, a.Code, "run %d racer %d", run, i)
					default:
						t.Errorf("run %d racer %d: HTTP %d %s", run, i, a.Status, a.Code)
					}
				}
				require.Len(t, created, 1, "run %d: exactly one filing starts", run)
				callers.Lock()
				callers.owner[created[0]] = account
				callers.Unlock()
				// The one filing runs: it claims its subject and goes on.
				waitStepAt(t, s.base, created[0], filing.StageInformation, filing.StepEditing)
				cancel := doAt(t, s.base, http.MethodPost, "/v1/filings/"+created[0]+"/cancel", "application/json", `{}`)
				require.Equal(t, http.StatusOK, cancel.Status, "%s", cancel.Raw)
			}
		})
	}
}

type raceAnswer struct {
	Status   int
	Code     string
	FilingID string
}

// createAs posts a create with key, safely from any goroutine.
func createAs(base, key, body string) (raceAnswer, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/v1/filings", bytes.NewBufferString(body))
	if err != nil {
		return raceAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return raceAnswer{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return raceAnswer{}, err
	}
	var b struct {
		Code     string `json:"code"`
		FilingID string `json:"filing_id"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return raceAnswer{}, fmt.Errorf("HTTP %d: body is not JSON: %s", res.StatusCode, raw)
	}
	return raceAnswer{Status: res.StatusCode, Code: b.Code, FilingID: b.FilingID}, nil
}

// startSQLiteSystem runs a second system, as `make run` does, on the
// embedded SQLite database beside the shared Temporal and S3 servers, and
// returns its API's base URL.
func startSQLiteSystem(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "beianflow-sqlite-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return startSystem(t, "sqlite", func(c *config.Config) { c.DatabaseURL, c.DataDir = "", dir })
}

// startSystem runs another complete beianflow (API, worker, sandbox world,
// outbox) beside the shared one, on the shared Temporal and S3 servers, with
// a task queue named after name, ports of its own and cfg changed by
// adjust, and returns its API's base URL. It stops with the test.
func startSystem(t testing.TB, name string, adjust func(*config.Config)) string {
	t.Helper()
	_, base := startSystemWith(t, name, slog.New(slog.DiscardHandler), adjust)
	return base
}

// startSystemWith is startSystem logging to log, opening the app with
// opts; it returns the app too.
func startSystemWith(t testing.TB, name string, log *slog.Logger, adjust func(*config.Config), opts ...app.Option) (*app.App, string) {
	t.Helper()
	ctx := context.Background()
	cfg := sys.app.Config
	cfg.TaskQueue = name + "-" + uuid.NewString()[:8]
	apiAddr, err := testenv.FreeAddr()
	require.NoError(t, err)
	sandboxAddr, err := testenv.FreeAddr()
	require.NoError(t, err)
	cfg.HTTPAddr, cfg.Sandbox.Addr = apiAddr, sandboxAddr
	cfg.Sandbox.WebhookURL = "http://" + apiAddr
	cfg.World.BureauURL, cfg.World.CourierURL = "http://"+sandboxAddr+"/bureau", "http://"+sandboxAddr+"/courier"
	cfg.World.RDAPURL = "http://" + sandboxAddr + "/rdap"
	cfg.World.RegistrarAPIURL = "http://" + sandboxAddr + "/aliyun-domain"
	adjust(&cfg)
	a, err := app.Open(ctx, cfg, log, opts...)
	require.NoError(t, err)
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	ready := make(chan net.Addr, 1)
	for _, run := range []func(context.Context) error{a.RunWorker, a.RunWorld, a.RunOutbox,
		func(ctx context.Context) error { return a.RunAPI(ctx, ready) }} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = run(runCtx) }()
	}
	t.Cleanup(func() { stop(); wg.Wait(); a.Close() })
	<-ready
	base := "http://" + apiAddr
	registerAPI(base, a.DB)
	return a, base
}
