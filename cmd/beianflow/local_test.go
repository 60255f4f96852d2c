package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// The commands that try beianflow on this machine, against the real system
// `beianflow dev` starts: dev itself (`make run`) and the demo (`make demo`).

func TestMakeRunStartsEverythingAndResumesFilingsAfterARestart(t *testing.T) {
	testenv.NeedsServers(t)
	dataDir := t.TempDir()
	cfg := devConfig(t, dataDir)
	logs := &syncBuffer{}
	base := "http://" + cfg.HTTPAddr

	stop := startDev(t, cfg, logs)
	body := fmt.Sprintf(`{"account_id":%q,"domain":"example.cn","product":{"instance_id":"i-acc-dev-web"},
		"subject":{"province":"GD","nature":"enterprise","certificate_type":"business_license","certificate_number":%q}}`,
		devAccount, sample.CreditCode("91", "440106", sample.OrgCode("MA5DE701")))
	keys := readEnvFile(devKeyFile(dataDir))
	backendKey := keys["BEIANFLOW_BACKEND_KEY"]
	require.NotEmpty(t, backendKey, "make run writes development API keys to data/api-keys.env")
	info, err := os.Stat(devKeyFile(dataDir))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "only the owner may read the keys")
	var created map[string]any
	status, err := callAPI(http.MethodPost, base+"/v1/filings", backendKey, body, &created)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, status, "%v", created)
	id := created["filing_id"].(string)
	waitForStage(t, base, backendKey, id, "information", "workflow")
	uiShowsDecodedPayloads(t, cfg, filing.ID(id))

	for _, want := range []string{"API listening", "Temporal dev server starting", "web_ui=http://", "S3 server starting"} {
		assert.Contains(t, logs.String(), want, "the logs say where each part listens")
	}
	require.NoError(t, stop(), "Ctrl-C stops cleanly\nlogs:\n%s", logs)
	for _, addr := range []string{cfg.HTTPAddr, cfg.TemporalAddress, cfg.Dev.S3ListenAddr} {
		_, err := net.DialTimeout("tcp", addr, time.Second)
		assert.Error(t, err, "nothing may keep listening on %s after a stop", addr)
	}
	for _, f := range []string{"beianflow.db", "temporal/temporal.db", "s3/beianflow-documents"} {
		_, err := os.Stat(filepath.Join(dataDir, f))
		assert.NoError(t, err, "state persists under the data directory")
	}

	// Run it again: the filing is still in flight, served live by its workflow.
	logs.Reset()
	stop = startDev(t, cfg, logs)
	assert.Equal(t, keys, readEnvFile(devKeyFile(dataDir)), "the development keys survive a restart")
	waitForStage(t, base, backendKey, id, "information", "workflow")
	require.NoError(t, stop())
}

// uiShowsDecodedPayloads checks what an operator's browser does: the Web
// UI's settings name the codec endpoint, Temporal stores the filing's
// input encrypted, and the codec endpoint decrypts it for the UI's origin
// (CORS) — while the authenticated codec path refuses a caller without a
// support key.
func uiShowsDecodedPayloads(t *testing.T, cfg config.Config, filingID filing.ID) {
	t.Helper()
	ui := fmt.Sprintf("http://127.0.0.1:%d", cfg.Dev.TemporalUI)
	var settings struct{ Codec struct{ Endpoint string } }
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, err := callAPI(http.MethodGet, ui+"/api/v1/settings", "", "", &settings)
		if !assert.NoError(c, err) {
			return
		}
		assert.Contains(c, settings.Codec.Endpoint, "/codec/t/", "the Web UI decodes through the codec server")
	}, 30*time.Second, 200*time.Millisecond)

	raw, err := client.Dial(client.Options{HostPort: cfg.TemporalAddress, Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	require.NoError(t, err)
	defer raw.Close()
	iter := raw.GetWorkflowHistory(context.Background(), filingID.WorkflowID(), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	first, err := iter.Next()
	require.NoError(t, err)
	input := first.GetWorkflowExecutionStartedEventAttributes().GetInput()
	require.NotEmpty(t, input.GetPayloads())
	stored := input.GetPayloads()[0]
	assert.Equal(t, "binary/encrypted", string(stored.GetMetadata()["encoding"]), "Temporal stores ciphertext")
	assert.NotContains(t, string(stored.GetData()), filingID)

	body, err := protojson.Marshal(input)
	require.NoError(t, err)
	res := postCodec(t, settings.Codec.Endpoint+"/decode", cfg.TemporalNamespace, ui, "", body)
	decoded := decodedPayloads(t, res)
	assert.Equal(t, ui, res.Header.Get("Access-Control-Allow-Origin"), "the UI's origin may read the answer")
	require.Len(t, decoded, 1)
	assert.Equal(t, "json/plain", string(decoded[0].GetMetadata()["encoding"]))
	assert.Contains(t, string(decoded[0].GetData()), filingID, "decoded for the UI")

	anon, err := http.Post("http://"+cfg.HTTPAddr+"/codec/decode", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	anon.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, anon.StatusCode, "nobody else decodes")
}

// demoStages are the stages `make demo` must print, in order.
var demoStages = []filing.Stage{
	filing.StageProductVerification, filing.StageInformation, filing.StageInitialReview,
	filing.StagePhotoVerification, filing.StageBureauSubmission, filing.StageSMSVerification,
	filing.StageBureauReview, filing.StageApproved,
}

// TestDemoWalksAFilingThroughEveryStageInUnderFiveMinutes runs `make
// demo` against `make run` as a newcomer does: the system in real time
// (BEIANFLOW_TIME_SCALE=1), the demo asking for its filing's own time
// scale, which the sandbox courier and bureau follow (at the system's
// scale they would take days), so the demo never has to stand in for them.
func TestDemoWalksAFilingThroughEveryStageInUnderFiveMinutes(t *testing.T) {
	testenv.NeedsServers(t)
	dataDir := t.TempDir()
	cfg := withDevSandboxSettings(devConfig(t, dataDir), func(string) string { return "" })
	require.True(t, cfg.API.SandboxSettings, "beianflow dev accepts sandbox settings")
	require.Equal(t, 1.0, cfg.Process.TimeScale, "make run runs in real time")
	logs := &syncBuffer{}
	stop := startDev(t, cfg, logs)
	defer func() { assert.NoError(t, stop(), "logs:\n%s", logs) }()
	base := "http://" + cfg.HTTPAddr

	// A filing's own time scale is checked like any member.
	backendKey := readEnvFile(devKeyFile(dataDir))["BEIANFLOW_BACKEND_KEY"]
	for body, want := range map[string][2]string{
		`{}`:                     {"required", "sandbox.time_scale"},
		`{"time_scale":0.5}`:     {"invalid_value", "sandbox.time_scale"},
		`{"time_scale":1e8}`:     {"invalid_value", "sandbox.time_scale"},
		`{"time_scale":"9"}`:     {"invalid_type", "sandbox.time_scale"},
		`{"time_scale":9,"x":1}`: {"unknown_field", "sandbox.x"},
	} {
		status, code, field := postFiling(t, base, backendKey, body)
		assert.Equal(t, http.StatusBadRequest, status, body)
		assert.Equal(t, want, [2]string{code, field}, body)
	}

	var out bytes.Buffer
	env := map[string]string{"BEIANFLOW_API_URL": base}
	start := time.Now()
	err := demoCommand(context.Background(), cfg, defaultDemoFlags, func(k string) string { return env[k] }, &out)
	took := time.Since(start)
	t.Logf("make demo took %s; it printed:\n%s", took.Round(time.Millisecond), &out)
	require.NoError(t, err, "logs:\n%s", logs)
	assert.Less(t, took, 5*time.Minute, "make demo finishes in under five minutes")

	printed := out.String()
	link := regexp.MustCompile(fmt.Sprintf(`http://localhost:%d/namespaces/%s/workflows/filing-([0-9a-f-]{36})`,
		cfg.Dev.TemporalUI, cfg.TemporalNamespace)).FindStringSubmatch(printed)
	require.NotNil(t, link, "the Web UI link to the filing's workflow")
	assert.Less(t, strings.Index(printed, link[0]), strings.Index(printed, string(filing.StageInformation)),
		"the link comes at the start, before the walk")
	last := -1
	for _, stage := range demoStages {
		at := regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{3}\s+` + string(stage) + `\s`).FindStringIndex(printed)
		if assert.NotNil(t, at, "a line for stage %s", stage) {
			assert.Greater(t, at[0], last, "stage %s printed in order", stage)
			last = at[0]
		}
	}
	assert.Regexp(t, `approved in .*: filing number 浙ICP备\d{8}号-1`, printed)
	assert.Len(t, regexp.MustCompile(`website \S+ has its own 备案服务号 BSN\w+`).FindAllString(printed, -1), 2,
		"two websites, a 备案服务号 each")

	// The filing really ended approved, as the API says.
	res := getJSON(t, base+"/v1/filings/"+link[1], backendKey)
	assert.Equal(t, "approved", res["stage"])
	assert.Equal(t, "workflow_result", res["source"], "a closed filing: the state it ended with")
	assert.Regexp(t, `浙ICP备\d{8}号-1`, res["bureau"].(map[string]any)["filing_number"], "with its filing number")
	assert.Len(t, res["service_numbers"], 2, "both websites' numbers, consumed on approval")

	// The sandbox courier and bureau followed the filing's time scale and
	// acted on their own: the demo never stood in for them. A hand delivery
	// would show in the output and, in the audit trail, as an event by
	// support:<key id> "for the courier: …" / "for the bureau: …".
	assert.NotContains(t, printed, "by hand", "the demo did not stand in for the courier or the bureau")
	supportKey := readEnvFile(devKeyFile(dataDir))["BEIANFLOW_SUPPORT_KEY"]
	trail := getJSON(t, base+"/v1/filings/"+link[1]+"/timeline", supportKey)
	events, _ := trail["events"].([]any)
	require.NotEmpty(t, events, "the audit trail")
	outside := map[string]string{ // update -> the party that delivers it
		filing.ShipmentDelivered.Name: "courier",
		filing.SMSVerification.Name:   "bureau",
		filing.BureauDecision.Name:    "bureau",
	}
	var byParty []string
	for _, e := range events {
		ev, _ := e.(map[string]any)
		actor, _ := ev["actor"].(string)
		action, _ := ev["action"].(string)
		detail, _ := ev["detail"].(string)
		assert.False(t, strings.HasPrefix(actor, "support:"), "no hand delivery, but %s %s by %s: %q", action, ev["seq"], actor, detail)
		if party, ok := outside[action]; ok {
			assert.Equal(t, party, actor, "%s delivered by the %s itself", action, party)
			assert.NotContains(t, detail, "for the ", action)
			byParty = append(byParty, action+" by "+actor)
		}
	}
	// An event the workflow found by polling first leaves no update in the
	// trail, so which ones appear varies from run to run.
	t.Logf("outside events pushed by the sandbox world: %v", byParty)

	// What the filing cost the Temporal server, against the budget of a
	// filing's happy path: 150 events, 25 workflow tasks, 32 KiB of payload
	// data. It was 397 events, 57 tasks and 32,747 bytes before the history
	// diet (docs/history.md); it is about 137, 17 and 21,000 now, and a run
	// varies by a few events with what the sandbox world does first (a
	// push, or the poll that finds it).
	cost := measureHistory(t, cfg.TemporalAddress, cfg.TemporalNamespace, filing.ID(link[1]).WorkflowID())
	t.Logf("the demo filing's history: %s", cost)
	assert.LessOrEqual(t, cost.Events, demoHistoryMaxEvents, "events in the demo filing's history")
	assert.LessOrEqual(t, cost.WorkflowTasks, demoHistoryMaxWorkflowTasks, "workflow tasks of the demo filing")
	assert.LessOrEqual(t, cost.PayloadBytes, demoHistoryMaxPayloadBytes, "payload data in the demo filing's history")
}

// The demo filing's history budget (see the end of
// TestDemoWalksAFilingThroughEveryStageInUnderFiveMinutes).
const (
	demoHistoryMaxEvents        = 150
	demoHistoryMaxWorkflowTasks = 25
	demoHistoryMaxPayloadBytes  = 32 << 10
)

func postFiling(t *testing.T, base, key, sandbox string) (status int, code, field string) {
	t.Helper()
	body := fmt.Sprintf(`{"subject":{"province":"ZJ","nature":"enterprise","certificate_type":"business_license","certificate_number":%q},
		"domain":"sandbox-check.com","product":{"instance_id":"i-dev-account-web"},"sandbox":%s}`,
		sample.CreditCode("91", "330106", sample.OrgCode("MA7CHK01")), sandbox)
	var e struct{ Code, Field string }
	status, err := callAPI(http.MethodPost, base+"/v1/filings", key, body, &e)
	require.NoError(t, err)
	return status, e.Code, e.Field
}

func TestDemoSaysStartMakeRunWhenTheAPIIsNotReachable(t *testing.T) {
	addr, err := testenv.FreeAddr()
	require.NoError(t, err)
	var out bytes.Buffer
	err = run([]string{"demo"}, &out, func(k string) string {
		return map[string]string{"BEIANFLOW_API_URL": "http://" + addr, "BEIANFLOW_DATA_DIR": t.TempDir()}[k]
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not reachable")
	assert.Contains(t, err.Error(), "start `make run` first")
	assert.Empty(t, out.String())
}

func TestDemoSaysStartMakeRunWhenTheKeysAreMissing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK) // a system that is up, but not make run's
	}))
	defer srv.Close()
	dir := t.TempDir()
	err := run([]string{"demo"}, &bytes.Buffer{}, func(k string) string {
		return map[string]string{"BEIANFLOW_API_URL": srv.URL, "BEIANFLOW_DATA_DIR": dir}[k]
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "api-keys.env"))
	assert.Contains(t, err.Error(), "BEIANFLOW_BACKEND_KEY")
	assert.Contains(t, err.Error(), "start `make run` first")
}

func TestDemoCommandRefusesStrayArguments(t *testing.T) {
	err := run([]string{"demo", "now"}, &bytes.Buffer{}, func(string) string { return "" })
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unexpected argument "now"`)
	var out bytes.Buffer
	require.NoError(t, run([]string{"demo", "--help"}, &out, func(string) string { return "" }))
	assert.Contains(t, out.String(), "BEIANFLOW_API_URL")
}

// Only `beianflow dev`, which runs the sandbox world, lets a filing ask for
// its own time scale; a production configuration cannot.
func TestDemoTimeScaleIsAcceptedOnlyByTheDevSystem(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cfg, err := config.Load(env(nil))
	require.NoError(t, err)
	assert.False(t, cfg.API.SandboxSettings, "off unless asked for")
	assert.True(t, withDevSandboxSettings(cfg, env(nil)).API.SandboxSettings, "beianflow dev turns it on")

	off := map[string]string{"BEIANFLOW_SANDBOX_SETTINGS": "false"}
	cfg, err = config.Load(env(off))
	require.NoError(t, err)
	assert.False(t, withDevSandboxSettings(cfg, env(off)).API.SandboxSettings, "unless told not to")

	noWorld := map[string]string{"BEIANFLOW_SANDBOX_ADDR": "off"}
	cfg, err = config.Load(env(noWorld))
	require.NoError(t, err)
	assert.False(t, withDevSandboxSettings(cfg, env(noWorld)).API.SandboxSettings, "nor without the sandbox world")

	_, err = config.Load(env(map[string]string{"BEIANFLOW_SANDBOX_ADDR": "off", "BEIANFLOW_SANDBOX_SETTINGS": "true"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "BEIANFLOW_SANDBOX_SETTINGS=true needs the sandbox world")
	_, err = config.Load(env(map[string]string{"BEIANFLOW_SANDBOX_SETTINGS": "sometimes"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "BEIANFLOW_SANDBOX_SETTINGS")
}

// A production API answers a filing's own time scale with 400
// invalid_value on the field "sandbox" — after the member's own checks, so
// the contract's validator and the handler agree.
func TestDemoTimeScaleIsRefusedInProduction(t *testing.T) {
	ctx := context.Background()
	db := migratedDB(t, filepath.Join(t.TempDir(), "api.db"))
	defer db.Close()
	key, err := apikeys.Issue(ctx, store.NewAPIKeys(db), "backend", "acc-1", "test", time.Now())
	require.NoError(t, err)
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"BEIANFLOW_SANDBOX_ADDR": "off"}[k]
	})
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(api.Deps{DB: db, Process: cfg.Process, API: cfg.API, Log: slog.New(slog.DiscardHandler)}))
	defer srv.Close()

	for body, want := range map[string][2]string{
		`{"time_scale":86400}`: {"invalid_value", "sandbox"},
		`{"time_scale":0}`:     {"invalid_value", "sandbox.time_scale"},
		`{}`:                   {"required", "sandbox.time_scale"},
	} {
		status, code, field := postFiling(t, srv.URL, key.Token, body)
		assert.Equal(t, http.StatusBadRequest, status, body)
		assert.Equal(t, want, [2]string{code, field}, body)
	}
}

// The demo's expected delays, after which it stands in for the sandbox
// world, are the delays the sandboxes schedule at the filing's time scale.
func TestDemoExpectsTheSandboxWorldsDelays(t *testing.T) {
	ctx := context.Background()
	db := migratedDB(t, filepath.Join(t.TempDir(), "world.db"))
	defer db.Close()
	d := &demo{opts: demoOptions{TimeScale: demoTimeScale}}
	china := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, calendar.China)
	}
	for i, now := range []time.Time{
		china(11, 2, 10, 0),  // a Monday morning
		china(11, 2, 3, 11),  // before the courier's pickup
		china(11, 6, 16, 30), // Friday after the cut-off
		china(9, 30, 17, 0),  // the eve of National Day
	} {
		clock := func() time.Time { return now }
		quiet := slog.New(slog.DiscardHandler)
		filingID := fmt.Sprintf("f%d", i)

		sh := courier.Shipment{IdempotencyKey: "backdrop/" + filingID, FilingID: filingID, SandboxTimeScale: demoTimeScale,
			Recipient: filing.Person{Name: "张伟", Mobile: "13800138000"},
			Address:   filing.Address{Province: demoProvince, City: "杭州市", District: "西湖区", Detail: "文三路90号"}}
		_, err := courier.NewSandbox(db, courier.SandboxOptions{Now: clock, Logger: quiet}).CreateShipment(ctx, sh)
		require.NoError(t, err)
		parcels, err := courier.NewSandbox(db, courier.SandboxOptions{}).Shipments(ctx, filingID)
		require.NoError(t, err)
		require.Len(t, parcels, 1)
		assert.InDelta(t, parcels[0].DeliveredAt.Sub(now), d.deliveryDelay(now), float64(time.Millisecond), "delivery from %v", now)

		app := sample.ValidApplication()
		sub := bureau.Submission{IdempotencyKey: filingID + "/submission/1", FilingID: filingID, Province: demoProvince,
			FilingType: string(filing.TypeNewWebsiteElsewhere), SMSRequired: true, Application: app, SandboxTimeScale: demoTimeScale}
		_, err = bureau.NewSandbox(db, bureau.SandboxOptions{Now: clock, Logger: quiet}).Submit(ctx, sub)
		require.NoError(t, err)
		subs, err := bureau.NewSandbox(db, bureau.SandboxOptions{}).Submissions(ctx, filingID)
		require.NoError(t, err)
		require.Len(t, subs, 1)
		require.NotNil(t, subs[0].SMSVerifiedAt)
		require.NotNil(t, subs[0].DecidedAt)
		verified := *subs[0].SMSVerifiedAt
		assert.InDelta(t, verified.Sub(now), d.smsDelay(now), float64(time.Millisecond), "SMS from %v", now)
		assert.InDelta(t, subs[0].DecidedAt.Sub(verified), d.reviewDelay(verified), float64(time.Millisecond), "review from %v", now)
	}
}
