package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/workflows"
)

func newDevCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "dev",
		Short: "run the whole system locally (what make run starts)",
		Long: `Runs the whole system on this machine, in the foreground: the Temporal dev
server and its Web UI and the versitygw S3 server as child processes, the
worker, the sandbox world and the API in this one. State persists under
BEIANFLOW_DATA_DIR (default ./data), so a restart resumes the filings in
flight; the API keys of each role are written to $BEIANFLOW_DATA_DIR/api-keys.env.
Ctrl-C stops everything. Needs the pinned tools of "make tools"
(BEIANFLOW_TEMPORAL_CLI, BEIANFLOW_VERSITYGW).`,
		Args: noArgs,
		RunE: c.configured(func(ctx context.Context, cfg config.Config, log *slog.Logger) error {
			return runDev(ctx, withDevSandboxSettings(cfg, c.getenv), log)
		}),
	}
}

// withDevSandboxSettings is what `beianflow dev` does to the configuration:
// the system it starts runs the sandbox world, so filings may ask for
// sandbox settings (make demo does) unless BEIANFLOW_SANDBOX_SETTINGS says
// otherwise, and webhook endpoints may be on localhost unless
// BEIANFLOW_DELIVERY_ALLOW_INSECURE_URLS says otherwise.
func withDevSandboxSettings(cfg config.Config, getenv func(string) string) config.Config {
	if getenv("BEIANFLOW_SANDBOX_SETTINGS") == "" {
		cfg.API.SandboxSettings = cfg.Sandbox.Addr != ""
	}
	// Webhook receivers under development listen on localhost.
	if getenv("BEIANFLOW_DELIVERY_ALLOW_INSECURE_URLS") == "" {
		cfg.Deliveries.AllowInsecureURLs = true
	}
	return cfg
}

// runDev runs the complete system in the foreground: the Temporal dev server
// (SQLite under data/, Web UI) and the versitygw S3 server as child
// processes, and the worker and API in this process. State persists under
// BEIANFLOW_DATA_DIR, so a restart resumes the filings in flight.
func runDev(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("dev: data dir: %w", err)
	}
	cfg.DataDir = dataDir
	for _, dir := range []string{"temporal", "s3", "logs"} {
		if err := os.MkdirAll(filepath.Join(dataDir, dir), 0o750); err != nil {
			return fmt.Errorf("dev: %w", err)
		}
	}
	for _, bin := range []string{cfg.Dev.TemporalCLI, cfg.Dev.VersityGW} {
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("dev: %s not found: run `make tools` (or `make run`) to build the pinned tools", bin)
		}
	}
	tHost, tPort, _ := net.SplitHostPort(cfg.TemporalAddress)
	if tHost == "" {
		tHost = "127.0.0.1"
	}
	// The parts must talk to the servers this command starts, whatever
	// ports were configured: the S3 server, the sandbox world, the API.
	cfg.S3.Endpoint = "http://" + cfg.Dev.S3ListenAddr
	if cfg.Sandbox.Addr != "" {
		cfg.World.BureauURL = "http://" + cfg.Sandbox.Addr + "/bureau"
		cfg.World.CourierURL = "http://" + cfg.Sandbox.Addr + "/courier"
		cfg.World.RDAPURL = "http://" + cfg.Sandbox.Addr + "/rdap"
		cfg.World.RegistrarAPIURL = "http://" + cfg.Sandbox.Addr + "/aliyun-domain"
		cfg.Sandbox.WebhookURL = "http://" + displayAddr(cfg.HTTPAddr)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var procs []*child
	defer func() { stopChildren(procs, log) }()

	s3Proc, err := startChild(ctx, cancel, log, "s3", filepath.Join(dataDir, "logs", "versitygw.log"),
		[]string{"ROOT_ACCESS_KEY=" + cfg.S3.AccessKeyID, "ROOT_SECRET_KEY=" + cfg.S3.SecretAccessKey},
		cfg.Dev.VersityGW, "--port", cfg.Dev.S3ListenAddr, "posix", filepath.Join(dataDir, "s3"))
	if err != nil {
		return err
	}
	procs = append(procs, s3Proc)
	log.Info("S3 server starting", "endpoint", cfg.S3.Endpoint, "root", filepath.Join(dataDir, "s3"), "log", s3Proc.logPath)

	// The Web UI decodes payloads through the API's codec server. The dev
	// server's UI cannot send credentials, so it gets a secret path, new
	// each run; only this machine can open the UI.
	if cfg.CodecPathToken == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("dev: codec secret: %w", err)
		}
		cfg.CodecPathToken = hex.EncodeToString(b)
	}
	// Reviewers sign in to the workbench through a link with a secret,
	// new each run, instead of single sign-on.
	if cfg.Workbench.DevSignInToken == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("dev: workbench secret: %w", err)
		}
		cfg.Workbench.DevSignInToken = hex.EncodeToString(b)
	}
	for _, h := range []string{"localhost", "127.0.0.1", tHost} {
		origin := "http://" + net.JoinHostPort(h, fmt.Sprint(cfg.Dev.TemporalUI))
		if !slices.Contains(cfg.CodecOrigins, origin) {
			cfg.CodecOrigins = append(cfg.CodecOrigins, origin)
		}
	}
	temporalArgs := []string{"server", "start-dev",
		"--ip", tHost, "--port", tPort,
		"--ui-port", fmt.Sprint(cfg.Dev.TemporalUI),
		"--db-filename", filepath.Join(dataDir, "temporal", "temporal.db"),
		"--log-level", "warn",
		"--ui-codec-endpoint", "http://" + displayAddr(cfg.HTTPAddr) + "/codec/t/" + cfg.CodecPathToken,
	}
	if cfg.TemporalNamespace != "default" {
		temporalArgs = append(temporalArgs, "--namespace", cfg.TemporalNamespace)
	}
	temporalArgs = append(temporalArgs, workflows.SearchAttributeFlags()...)
	tProc, err := startChild(ctx, cancel, log, "temporal", filepath.Join(dataDir, "logs", "temporal.log"), nil,
		cfg.Dev.TemporalCLI, temporalArgs...)
	if err != nil {
		return err
	}
	procs = append(procs, tProc)
	log.Info("Temporal dev server starting", "address", cfg.TemporalAddress,
		"web_ui", fmt.Sprintf("http://%s:%d", tHost, cfg.Dev.TemporalUI), "log", tProc.logPath)

	if cfg.DataKeys == "" && cfg.DataKeyFile == "" {
		path, err := ensureKeyFile(dataDir, "data-keys", "dev-data-1",
			"# Key-encryption keys of `make run`'s filings' data keys: id:base64, the last one current.\n"+
				"# Rotate by appending a line and running `beianflow keys rewrap`.\n")
		if err != nil {
			return err
		}
		cfg.DataKeyFile = path
	}
	if cfg.PayloadKeys == "" && cfg.PayloadKeyFile == "" {
		path, err := ensurePayloadKeyFile(dataDir)
		if err != nil {
			return err
		}
		cfg.PayloadKeyFile = path
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil {
			return cause
		}
		return err
	}
	defer a.Close()
	if _, err := ensureDevKeys(ctx, a.DB, dataDir); err != nil {
		return err
	}

	done := make(chan error, 1)
	go func() {
		done <- runAll(ctx, a.RunWorker, a.RunWorld, a.RunOutbox, func(ctx context.Context) error { return a.RunAPI(ctx, nil) })
	}()
	log.Info("beianflow is up; Ctrl-C stops everything",
		"api", "http://"+displayAddr(cfg.HTTPAddr),
		"web_ui", fmt.Sprintf("http://%s:%d/namespaces/%s/workflows", tHost, cfg.Dev.TemporalUI, cfg.TemporalNamespace),
		"api_keys", devKeyFile(dataDir),
		"workbench_sign_in", "http://"+displayAddr(cfg.HTTPAddr)+"/workbench/sign-in/dev?token="+cfg.Workbench.DevSignInToken)
	err = <-done
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		return "localhost:" + port
	}
	return addr
}
