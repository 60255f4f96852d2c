package main

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
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/internal/testenv"
)

// devConfig is what `make run` uses, on free ports and a temporary data
// directory so the test cannot collide with a running system.
func devConfig(t *testing.T, dataDir string) config.Config {
	t.Helper()
	cfg, err := config.Load(os.Getenv)
	require.NoError(t, err)
	cfg.DatabaseURL = "" // embedded SQLite, as on a fresh machine
	cfg.DataDir = dataDir
	cfg.Dev.TemporalCLI = toolPath("BEIANFLOW_TEMPORAL_CLI", "temporal")
	cfg.Dev.VersityGW = toolPath("BEIANFLOW_VERSITYGW", "versitygw")
	addrs := make([]string, 5)
	for i := range addrs {
		addrs[i], err = testenv.FreeAddr()
		require.NoError(t, err)
	}
	cfg.HTTPAddr, cfg.TemporalAddress, cfg.Dev.S3ListenAddr, cfg.Sandbox.Addr = addrs[0], addrs[1], addrs[2], addrs[4]
	_, uiPort, _ := net.SplitHostPort(addrs[3])
	fmt.Sscan(uiPort, &cfg.Dev.TemporalUI)
	return cfg
}

func toolPath(envVar, name string) string {
	if p := os.Getenv(envVar); p != "" {
		return p
	}
	return filepath.Join(testenv.RepoRoot(), "bin", name)
}

// startDev runs `beianflow dev` in-process (its children are real
// processes) and waits until the API says every dependency is ready.
func startDev(t *testing.T, cfg config.Config, logs io.Writer) (stop func() error) {
	t.Helper()
	return startDevAttempt(t, cfg, logs, 2)
}

// startDevAttempt starts `beianflow dev`, once more if the Temporal dev
// server lost a race for one of the internal ports it picks at random
// (it closes a free port and binds it later; parallel test packages start
// servers too). Any other failure fails the test at once.
func startDevAttempt(t *testing.T, cfg config.Config, logs io.Writer, attempts int) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runDev(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil))) }()
	base := "http://" + cfg.HTTPAddr
	deadline := time.Now().Add(90 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			cancel()
			if attempts > 1 && err != nil && strings.Contains(err.Error(), "address already in use") {
				t.Logf("the Temporal dev server lost a port race; starting again: %v", err)
				return startDevAttempt(t, cfg, logs, attempts-1)
			}
			t.Fatalf("beianflow dev exited before it was ready: %v\nlogs:\n%s", err, logs)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("beianflow dev not ready after 90s\nlogs:\n%s", logs)
		}
	}
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(60 * time.Second):
			return fmt.Errorf("beianflow dev did not stop within 60s")
		}
	}
}

func TestMakeRunStartsEverythingAndResumesFilingsAfterARestart(t *testing.T) {
	testenv.NeedsServers(t)
	dataDir := t.TempDir()
	cfg := devConfig(t, dataDir)
	var logs bytes.Buffer
	base := "http://" + cfg.HTTPAddr

	stop := startDev(t, cfg, &logs)
	body := fmt.Sprintf(`{"account_id":"acc-dev","domain":"example.cn","product":{"instance_id":"i-acc-dev-web"},
		"subject":{"province":"GD","nature":"enterprise","certificate_type":"business_license","certificate_number":%q}}`,
		sample.CreditCode("91", "440106", sample.OrgCode("MA5DE701")))
	keys := readEnvFile(devKeyFile(dataDir))
	backendKey := keys["BEIANFLOW_BACKEND_KEY"]
	require.NotEmpty(t, backendKey, "make run writes development API keys to data/api-keys.env")
	info, err := os.Stat(devKeyFile(dataDir))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "only the owner may read the keys")
	body = strings.Replace(body, `"account_id":"acc-dev"`, `"account_id":"`+devAccount+`"`, 1)
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
	require.NoError(t, stop(), "Ctrl-C stops cleanly\nlogs:\n%s", &logs)
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
	stop = startDev(t, cfg, &logs)
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
		res, err := http.Get(ui + "/api/v1/settings")
		if !assert.NoError(c, err) {
			return
		}
		defer res.Body.Close()
		assert.NoError(c, json.NewDecoder(res.Body).Decode(&settings))
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
	req, err := http.NewRequest(http.MethodPost, settings.Codec.Endpoint+"/decode", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", cfg.TemporalNamespace)
	req.Header.Set("Origin", ui)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	answer, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", answer)
	assert.Equal(t, ui, res.Header.Get("Access-Control-Allow-Origin"), "the UI's origin may read the answer")
	var decoded commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(answer, &decoded))
	require.Len(t, decoded.GetPayloads(), 1)
	assert.Equal(t, "json/plain", string(decoded.GetPayloads()[0].GetMetadata()["encoding"]))
	assert.Contains(t, string(decoded.GetPayloads()[0].GetData()), filingID, "decoded for the UI")

	anon, err := http.Post("http://"+cfg.HTTPAddr+"/codec/decode", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	anon.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, anon.StatusCode, "nobody else decodes")
}
