package integration

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/testenv"
)

// sys is the running system every test in this package talks to.
var sys struct {
	s3       *testenv.S3Server
	baseURL  string
	temporal client.Client
	app      *app.App
	// idp is the single sign-on reviewers use in the workbench; its users
	// are in workbenchUsers.
	idp *testenv.IDP
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		// Every test here runs against the real servers this starts.
		fmt.Println("integration: skipped in the unit tier (-short); make test runs it")
		return 0
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fail := func(what string, err error) int {
		fmt.Fprintf(os.Stderr, "FAIL: integration tests need %s: %v\n", what, err)
		return 1
	}

	srv, err := testenv.Temporal(ctx)
	if err != nil {
		return fail("a Temporal dev server", err)
	}
	defer func() { _ = srv.Stop() }()
	dbURL, dropSchema, err := testenv.Postgres(ctx)
	if err != nil {
		return fail("PostgreSQL", err)
	}
	defer dropSchema()
	dir, err := os.MkdirTemp("", "beianflow-it-")
	if err != nil {
		return fail("a temporary directory", err)
	}
	defer os.RemoveAll(dir)
	s3srv, err := testenv.StartS3(ctx, dir)
	if err != nil {
		return fail("an S3 server", err)
	}
	defer s3srv.Stop()
	sys.s3 = s3srv
	s3cfg := s3srv.Config

	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		return fail("the default configuration", err)
	}
	// Fixed free ports: the sandbox world must know where to push webhooks
	// and the activities where the sandbox serves.
	apiAddr, err := testenv.FreeAddr()
	if err != nil {
		return fail("a free port", err)
	}
	sandboxAddr, err := testenv.FreeAddr()
	if err != nil {
		return fail("a free port", err)
	}
	cfg.HTTPAddr = apiAddr
	cfg.Sandbox.Addr = sandboxAddr
	cfg.Sandbox.WebhookURL = "http://" + apiAddr
	cfg.World.BureauURL = "http://" + sandboxAddr + "/bureau"
	cfg.World.CourierURL = "http://" + sandboxAddr + "/courier"
	cfg.World.RDAPURL = "http://" + sandboxAddr + "/rdap"
	cfg.World.RegistrarAPIURL = "http://" + sandboxAddr + "/aliyun-domain"
	cfg.TemporalAddress = srv.FrontendHostPort()
	cfg.DatabaseURL = dbURL
	cfg.S3 = s3cfg
	cfg.TaskQueue = fmt.Sprintf("it-%d", time.Now().UnixNano())
	cfg.PayloadKeys = testenv.PayloadKeys
	cfg.DataKeys = testenv.DataKeys
	cfg.DataDir = dir
	// One day of the process runs in about a second, so a complete filing
	// finishes within a test; the sandbox pushes its events often.
	cfg.Process.TimeScale = 86400
	cfg.Sandbox.PushInterval = 100 * time.Millisecond
	// The scale test creates its filings through the API with a time scale
	// of their own (`sandbox.time_scale`), as `make demo` does.
	cfg.API.SandboxSettings = true
	// Webhook receivers of the tests listen on loopback; failed deliveries
	// come back within a second and a slow receiver times out soon.
	cfg.Deliveries.AllowInsecureURLs = true
	cfg.Deliveries.FirstBackoff = 50 * time.Millisecond
	cfg.Deliveries.MaxBackoff = time.Second
	cfg.Deliveries.Timeout = 500 * time.Millisecond
	// Scenario tests run in parallel through few keys; the rate-limit test
	// runs its own API with a small limit.
	cfg.API.RateLimit, cfg.API.RateBurst = 10_000, 10_000
	cfg.API.AuthFailureRate, cfg.API.AuthFailureBurst = 10_000, 10_000
	// Reviewers sign in to the workbench at an identity provider of the
	// test's own, speaking OIDC's code flow, or through the development link.
	idp, idpURL, stopIDP, err := startIDP()
	if err != nil {
		return fail("an identity provider", err)
	}
	defer stopIDP()
	sys.idp = idp
	cfg.CodecOIDC = config.CodecOIDC{Issuer: idpURL, Audience: "temporal-ui", Claim: "groups", Allowed: []string{"beianflow-operators"}}
	cfg.Workbench.OIDCClientID, cfg.Workbench.OIDCClientSecret = idp.ClientID, idp.ClientSecret
	cfg.Workbench.ReviewerGroups, cfg.Workbench.SupportGroups = []string{"beianflow-reviewers"}, []string{"beianflow-support"}
	cfg.Workbench.StaffClaim = "staff_id"
	cfg.Workbench.DevSignInToken = devSignInToken

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	openCtx, openCancel := context.WithTimeout(ctx, time.Minute)
	a, err := app.Open(openCtx, cfg, log)
	openCancel()
	if err != nil {
		return fail("the system to start", err)
	}
	defer a.Close()

	runCtx, stop := context.WithCancel(ctx)
	workerDone, apiDone, worldDone, outboxDone := make(chan error, 1), make(chan error, 1), make(chan error, 1), make(chan error, 1)
	go func() { workerDone <- a.RunWorker(runCtx) }()
	go func() { worldDone <- a.RunWorld(runCtx) }()
	go func() { outboxDone <- a.RunOutbox(runCtx) }()
	ready := make(chan net.Addr, 1)
	go func() { apiDone <- a.RunAPI(runCtx, ready) }()
	select {
	case addr := <-ready:
		sys.baseURL = "http://" + addr.String()
		registerAPI(sys.baseURL, a.DB)
	case err := <-apiDone:
		stop()
		return fail("the API to listen", err)
	}
	sys.temporal = a.Temporal
	sys.app = a

	code := m.Run()
	stop()
	if err := <-apiDone; err != nil {
		fmt.Fprintln(os.Stderr, "API shutdown:", err)
		code = 1
	}
	<-workerDone
	<-worldDone
	<-outboxDone
	return code
}
