package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/config"
)

// `beianflow demo` (what `make demo` runs) walks one filing through every
// stage against a running `make run`, through the HTTP API only, and prints
// each stage as it passes.
//
// Time. `make run` runs in real time (BEIANFLOW_TIME_SCALE=1), and a filing
// keeps the scale it was created with, so the demo asks for its own:
// POST /v1/filings with {"sandbox": {"time_scale": 8640}} (a day of the
// process in ten seconds), which only a system running the sandbox world
// accepts (BEIANFLOW_SANDBOX_SETTINGS, on under `beianflow dev`). That
// compresses the filing's own timers and deadlines: the submission window,
// the SMS window, the review limits. The filing hands its scale to the
// sandbox bureau and courier too (the X-Sandbox-Time-Scale header of
// docs/protocol.md), which compress that submission's and shipment's delays
// by it instead of the system's BEIANFLOW_TIME_SCALE: the courier delivers
// two days after pickup and the bureau decides three business days after
// SMS verification, all at the filing's scale, and push their events as
// they would to any filing. The demo only watches them.
//
// As a safety net, should the sandbox world be later than the filing's scale
// lets it be (a worker from before the header, an overloaded machine), the
// demo stands in for it through the support role's documented hand-delivery
// endpoints (courier-events, bureau-events/sms, bureau-events/decision) once
// the expected delay at the filing's scale and a grace of a few push
// intervals have passed, and says so.

// The demo's files: this one runs it; demo_walk.go walks the filing as its
// applicant and reviewers; demo_standin.go stands in for a late sandbox
// world; demo_report.go prints what happens.

const demoLong = `Walks one filing of a fresh fake company through every stage against a
running "make run": create, application, materials, initial review, backdrop,
photo, photo review, bureau submission, SMS verification, bureau decision.
Prints each stage as it passes and the Temporal Web UI link to watch it.

The sandbox courier and bureau follow the filing's time scale and deliver their
events on their own. Should one be late (its expected delay at that scale plus
three push intervals), the demo delivers the event as support (the documented
hand-delivery endpoints) and says so.

Environment:
  BEIANFLOW_API_URL           the API (default: BEIANFLOW_HTTP_ADDR on localhost,
                              http://localhost:8080)
  BEIANFLOW_DATA_DIR          where "make run" wrote api-keys.env (default ./data)
  BEIANFLOW_TEMPORAL_UI_PORT  the Web UI's port, for the link (default 8233)`

// Defaults of the demo.
const (
	// demoTimeScale runs a day of the process in ten seconds: the 24-hour
	// SMS window lasts ten seconds, a long holiday before the submission
	// window a minute and a half.
	demoTimeScale = 8640
	// demoAccount is the account of `make run`'s backend key; the sandbox
	// owns the instances named after it.
	demoAccount  = devAccount
	demoProvince = "ZJ"
	demoRegion   = "330106" // 杭州市西湖区, for the credit code
)

// demoOptions configure one run of the demo.
type demoOptions struct {
	APIURL  string // base URL of the API
	KeyFile string // make run's api-keys.env
	// UIURL is the Temporal Web UI's base URL and Namespace the filings'
	// namespace, for the link to the workflow.
	UIURL     string
	Namespace string
	// TimeScale is the filing's own time scale.
	TimeScale float64
	// Grace is how long the sandbox world gets, beyond the delay it is
	// expected to take at the filing's time scale, to deliver an outside
	// event before the demo delivers it as support.
	Grace time.Duration
	// DeliveryDays and ReviewBusinessDays are the sandbox courier's and
	// bureau's delays before scaling (BEIANFLOW_SANDBOX_DELIVERY_DAYS,
	// BEIANFLOW_SANDBOX_REVIEW_DAYS), for the expected delays; zero takes
	// the sandboxes' defaults.
	DeliveryDays, ReviewBusinessDays int
	// Poll is how often the filing is read.
	Poll time.Duration
	// Timeout bounds the whole walk.
	Timeout time.Duration
	Out     io.Writer
}

// demoFlags are the flags of `beianflow demo`.
type demoFlags struct {
	TimeScale float64       // the filing's own time scale
	Timeout   time.Duration // give up after this long
}

// defaultDemoFlags are what `make demo` runs with.
var defaultDemoFlags = demoFlags{TimeScale: demoTimeScale, Timeout: 5 * time.Minute}

func newDemoCmd(c *cli) *cobra.Command {
	f := defaultDemoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "walk one filing through every stage against a running make run, in about a minute",
		Long:  demoLong,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !(f.TimeScale >= 1 && f.TimeScale <= 1e7) {
				return errors.New("demo: --time-scale must be a number from 1 to 10000000")
			}
			cfg, _, err := c.load()
			if err != nil {
				return err
			}
			return demoCommand(cmd.Context(), cfg, f, c.getenv, c.out)
		},
	}
	cmd.Flags().Float64Var(&f.TimeScale, "time-scale", f.TimeScale,
		"the filing's own time scale `N` (the default: a day in ten seconds); the system must accept it (BEIANFLOW_SANDBOX_SETTINGS)")
	cmd.Flags().DurationVar(&f.Timeout, "timeout", f.Timeout, "give up after `D`, a duration such as 90s or 10m")
	return cmd
}

// demoCommand runs `beianflow demo` with its flags against the system cfg
// describes.
func demoCommand(ctx context.Context, cfg config.Config, f demoFlags, getenv func(string) string, stdout io.Writer) error {
	base := strings.TrimRight(getenv("BEIANFLOW_API_URL"), "/")
	if base == "" {
		// Where `make run` listens with the same environment: localhost:8080.
		base = "http://" + displayAddr(cfg.HTTPAddr)
	}
	return runDemo(ctx, demoOptions{
		APIURL:    base,
		KeyFile:   devKeyFile(cfg.DataDir),
		UIURL:     fmt.Sprintf("http://localhost:%d", cfg.Dev.TemporalUI),
		Namespace: cfg.TemporalNamespace,
		TimeScale: f.TimeScale,
		Grace:     3 * cfg.Sandbox.PushInterval,
		Poll:      250 * time.Millisecond,
		Timeout:   f.Timeout,
		Out:       stdout,

		DeliveryDays:       cfg.Sandbox.CourierDeliveryDays,
		ReviewBusinessDays: cfg.Sandbox.BureauReviewBusinessDays,
	})
}

// startMakeRun is the advice of every failure to reach the system.
const startMakeRun = "start `make run` first (in another terminal) and wait until it says beianflow is up"

// demo is one walk.
type demo struct {
	opts                       demoOptions
	backend, reviewer, support *apiclient.Client
	keys                       map[string]string
	start                      time.Time

	filingID filing.ID
	company  string
	domain   string
	instance string

	// done marks actions taken, so a slow read never repeats one.
	done map[string]bool
	// standInAt is when the demo stands in for an outside party, and
	// waitedFrom when it first saw the filing wait for it.
	standInAt, waitedFrom map[string]time.Time
	report                reporter
}

func runDemo(ctx context.Context, opts demoOptions) error {
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	if opts.Poll <= 0 {
		opts.Poll = 250 * time.Millisecond
	}
	if err := checkAPI(ctx, opts.APIURL); err != nil {
		return err
	}
	keys := readEnvFile(opts.KeyFile)
	var missing []string
	for _, v := range devKeyVars {
		if keys[v.name] == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("demo: no API keys (%s) in %s: %s; it writes one key per role there (set BEIANFLOW_DATA_DIR if it uses another data directory)",
			strings.Join(missing, ", "), opts.KeyFile, startMakeRun)
	}
	ua := apiclient.WithUserAgent("beianflow-demo/1")
	d := &demo{
		opts:       opts,
		keys:       keys,
		backend:    apiclient.New(opts.APIURL, keys["BEIANFLOW_BACKEND_KEY"], ua),
		reviewer:   apiclient.New(opts.APIURL, keys["BEIANFLOW_REVIEWER_KEY"], ua),
		support:    apiclient.New(opts.APIURL, keys["BEIANFLOW_SUPPORT_KEY"], ua),
		start:      time.Now(),
		done:       map[string]bool{},
		standInAt:  map[string]time.Time{},
		waitedFrom: map[string]time.Time{},
		report:     reporter{out: opts.Out},
	}
	if err := d.create(ctx); err != nil {
		return err
	}
	err := d.walk(ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("demo: filing %s did not finish within %s; see where it stands in the Web UI: %s", d.filingID, opts.Timeout, d.uiLink())
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("demo: interrupted; filing %s stays where it is: %s", d.filingID, d.uiLink())
	}
	return err
}

// checkAPI tells "nothing answers" and "not ready yet" apart, each with
// what to do.
func checkAPI(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
	if err != nil {
		return fmt.Errorf("demo: BEIANFLOW_API_URL=%q is not a URL: %w", base, err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("demo: the API at %s is not reachable (%w): %s", base, err, startMakeRun)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("demo: the API at %s is not ready (%s: %s): %s", base, res.Status, strings.TrimSpace(string(body)), startMakeRun)
	}
	return nil
}

// createRequest is POST /v1/filings with the sandbox settings, which the

func (d *demo) uiLink() string {
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", d.opts.UIURL, d.opts.Namespace, d.filingID.WorkflowID())
}
