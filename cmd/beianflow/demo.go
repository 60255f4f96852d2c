package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"image"
	"image/png"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/sample"
	"github.com/beianflow/beianflow/rules"
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

const demoUsage = `Usage: beianflow demo [--time-scale N] [--timeout D]

Walks one filing of a fresh fake company through every stage against a
running "make run": create, application, materials, initial review, backdrop,
photo, photo review, bureau submission, SMS verification, bureau decision.
Prints each stage as it passes and the Temporal Web UI link to watch it.

  --time-scale N  the filing's own time scale (default 8640: a day in ten
                  seconds); the system must accept it (BEIANFLOW_SANDBOX_SETTINGS)
  --timeout D     give up after D (default 5m)

The sandbox courier and bureau follow the filing's time scale and deliver their
events on their own. Should one be late (its expected delay at that scale plus
three push intervals), the demo delivers the event as support (the documented
hand-delivery endpoints) and says so.

  BEIANFLOW_API_URL           the API (default: BEIANFLOW_HTTP_ADDR on localhost,
                              http://localhost:8080)
  BEIANFLOW_DATA_DIR          where "make run" wrote api-keys.env (default ./data)
  BEIANFLOW_TEMPORAL_UI_PORT  the Web UI's port, for the link (default 8233)
`

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

// demoCommand runs `beianflow demo`.
func demoCommand(ctx context.Context, cfg config.Config, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	scale := fs.Float64("time-scale", demoTimeScale, "the filing's time scale")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, demoUsage)
			return nil
		}
		return fmt.Errorf("demo: %w\n\n%s", err, demoUsage)
	}
	if !(*scale >= 1 && *scale <= 1e7) {
		return fmt.Errorf("demo: --time-scale must be a number from 1 to 10000000")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo: unexpected argument %q\n\n%s", fs.Arg(0), demoUsage)
	}
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
		TimeScale: *scale,
		Grace:     3 * cfg.Sandbox.PushInterval,
		Poll:      250 * time.Millisecond,
		Timeout:   *timeout,
		Out:       stdout,

		DeliveryDays:       cfg.Sandbox.CourierDeliveryDays,
		ReviewBusinessDays: cfg.Sandbox.BureauReviewBusinessDays,
	})
}

// withDevSandboxSettings is what `beianflow dev` does to the configuration:
// the system it starts runs the sandbox world, so filings may ask for
// sandbox settings (make demo does) unless BEIANFLOW_SANDBOX_SETTINGS says
// otherwise.
func withDevSandboxSettings(cfg config.Config, getenv func(string) string) config.Config {
	if getenv("BEIANFLOW_SANDBOX_SETTINGS") == "" {
		cfg.API.SandboxSettings = cfg.Sandbox.Addr != ""
	}
	return cfg
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
		return fmt.Errorf("demo: the API at %s is not reachable (%v): %s", base, err, startMakeRun)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("demo: the API at %s is not ready (%s: %s): %s", base, res.Status, strings.TrimSpace(string(body)), startMakeRun)
	}
	return nil
}

func (d *demo) create(ctx context.Context) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return fmt.Errorf("demo: random company: %w", err)
	}
	seq := fmt.Sprintf("%06d", n.Int64())
	d.company = sample.CreditCode("91", demoRegion, sample.OrgCode("MA"+seq))
	d.domain = "beianflow-demo-" + seq + ".com"
	d.instance = "i-" + demoAccount + "-demo" + seq
	scale := d.opts.TimeScale
	req := filing.CreateRequest{
		Subject: filing.SubjectIdentity{Province: demoProvince, Nature: filing.NatureEnterprise,
			CertificateType: filing.CertBusinessLicense, CertificateNumber: d.company},
		Domain:  d.domain,
		Product: filing.Product{InstanceID: d.instance},
		Sandbox: &filing.SandboxSettings{TimeScale: &scale},
	}
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, d.opts.APIURL+"/v1/filings", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Authorization", "Bearer "+d.keys["BEIANFLOW_BACKEND_KEY"])
	hreq.Header.Set(apiclient.HeaderIdempotencyKey, "demo-"+rand.Text())
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(hreq)
	if err != nil {
		return fmt.Errorf("demo: create the filing: %v: %s", err, startMakeRun)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode != http.StatusCreated {
		var e struct{ Code, Message, Field string }
		_ = json.Unmarshal(answer, &e)
		switch {
		case res.StatusCode == http.StatusUnauthorized:
			return fmt.Errorf("demo: the API refused the backend key of %s (401): does `make run` use this data directory? Set BEIANFLOW_DATA_DIR, or %s", d.opts.KeyFile, startMakeRun)
		case e.Code == "unknown_field" && e.Field == "sandbox":
			return fmt.Errorf("demo: the API at %s does not know a filing's own time scale: its `make run` predates `make demo`; stop it and start `make run` again", d.opts.APIURL)
		case e.Field == "sandbox":
			return fmt.Errorf("demo: the API at %s refuses a filing's own time scale (%s): the demo needs the development system of `make run` "+
				"(beianflow dev with the sandbox world, BEIANFLOW_SANDBOX_SETTINGS not false), not a production one", d.opts.APIURL, e.Message)
		}
		return fmt.Errorf("demo: create the filing: %s %s %s: %s", res.Status, e.Code, e.Field, e.Message)
	}
	var f filing.View
	if err := json.Unmarshal(answer, &f); err != nil {
		return fmt.Errorf("demo: create the filing: unreadable answer: %w", err)
	}
	d.filingID = f.FilingID
	out := d.opts.Out
	fmt.Fprintf(out, "beianflow demo: one 新增网站 filing through every stage, time scale %g (a day of the process in %s)\n",
		d.opts.TimeScale, (time.Duration(float64(24*time.Hour) / d.opts.TimeScale)).Round(time.Millisecond))
	fmt.Fprintf(out, "  filing   %s  (%s, %s, company %s, account %s)\n", f.FilingID, demoProvince, d.domain, d.company, f.AccountID)
	fmt.Fprintf(out, "  Web UI   %s\n", d.uiLink())
	fmt.Fprintf(out, "  API      %s/v1/filings/%s  (audit trail: …/timeline)\n", d.opts.APIURL, f.FilingID)
	fmt.Fprintf(out, "  The sandbox courier and bureau follow the filing's time scale and act on their own; should one be later than that\n"+
		"  scale lets it be (by more than %s), the demo delivers its event as support.\n\n", d.opts.Grace)
	fmt.Fprintf(out, "%-12s  %-20s  %-24s  %-10s  %s\n", "time", "stage", "step", "waiting on", "deadline · waiting for")
	return nil
}

func (d *demo) uiLink() string {
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", d.opts.UIURL, d.opts.Namespace, d.filingID.WorkflowID())
}

// walk reads the filing until it ends, printing what changed and acting
// where the filing waits on the applicant, the reviewers or (should it be
// late) the outside world.
func (d *demo) walk(ctx context.Context) error {
	failures := 0
	for {
		f, err := d.backend.GetFiling(ctx, d.filingID)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failures++
			if failures >= 20 {
				return fmt.Errorf("demo: reading filing %s keeps failing: %w", d.filingID, err)
			}
		} else {
			failures = 0
			stages, err := d.stages(ctx, f)
			if err != nil {
				return err
			}
			d.report.show(stages, f)
			if f.Stage.Terminal() {
				return d.finish(f)
			}
			if err := d.act(ctx, f); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d.opts.Poll):
		}
	}
}

// stageEntry is one stage the filing entered.
type stageEntry struct {
	Stage filing.Stage
	At    time.Time
}

// stages lists the stages the filing entered, oldest first: from the
// live timeline, or, once the filing has ended (its answer comes from the
// read model, without a timeline), from the audit trail.
func (d *demo) stages(ctx context.Context, f *filing.View) ([]stageEntry, error) {
	var out []stageEntry
	for _, c := range f.Timeline {
		out = append(out, stageEntry{Stage: c.Stage, At: c.At})
	}
	if len(out) > 0 {
		return out, nil
	}
	// The audit trail is written as events happen and may trail the state.
	for try := 0; ; try++ {
		tl, err := d.support.Timeline(ctx, d.filingID)
		if err != nil {
			return nil, fmt.Errorf("demo: audit trail of filing %s: %w", d.filingID, err)
		}
		out = out[:0]
		for _, e := range tl.Events {
			if e.Action == "stage_changed" && e.ToStage != "" {
				out = append(out, stageEntry{Stage: e.ToStage, At: e.At})
			}
		}
		if (len(out) > 0 && out[len(out)-1].Stage == f.Stage) || try >= 20 {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if len(out) == 0 {
		out = append(out, stageEntry{Stage: f.Stage, At: f.CreatedAt})
	}
	return out, nil
}

// act does what the filing waits for, once per wait.
func (d *demo) act(ctx context.Context, f *filing.View) error {
	if r := f.LastRejection; r != nil {
		return fmt.Errorf("demo: the filing was sent back by %s (%v); the demo walks the happy path only — see %s", r.By, r.Reasons, d.uiLink())
	}
	switch f.Stage + "/" + filing.Stage(f.Step) {
	case "information/editing":
		return d.once("information", func() error { return d.fillIn(ctx) })
	case "initial_review/awaiting_reviewer":
		return d.once("initial review", func() error {
			d.say("reviewer approves the initial review (初审)")
			_, err := d.reviewer.DecideInitialReview(ctx, d.filingID, filing.DecisionRequest{Approve: true, Reviewer: "demo-reviewer"})
			return err
		})
	case "photo_verification/awaiting_mailing_address":
		return d.once("mailing address", func() error {
			d.say("backend gives the mailing address for the backdrop (幕布)")
			_, err := d.backend.SetMailingAddress(ctx, d.filingID, filing.MailingAddress{
				Recipient: filing.Person{Name: "张伟", Mobile: "13800138000"},
				Address:   filing.Address{Province: demoProvince, City: "杭州市", District: "西湖区", Detail: "文三路90号"},
			})
			return err
		})
	case "photo_verification/in_transit":
		if f.Shipment == nil || f.Shipment.TrackingNumber == "" {
			return nil
		}
		tn := f.Shipment.TrackingNumber
		return d.standIn("courier "+tn, "the sandbox courier has not delivered backdrop "+tn, "courier-events", d.deliveryDelay, nil, func() error {
			_, err := d.support.DeliverCourierEvent(ctx, d.filingID, filing.ShipmentDeliveredRequest{TrackingNumber: tn, DeliveredAt: time.Now().UTC()})
			return err
		})
	case "photo_verification/awaiting_photo":
		return d.once("photo", func() error {
			d.say("backend uploads the verification photo (600×800 PNG) to S3 and hands it in")
			up, err := d.backend.UploadMaterial(ctx, d.filingID, filing.MaterialPhoto, "image/png", demoPhoto)
			if err != nil {
				return err
			}
			a := apiclient.AttachRequest(filing.MaterialPhoto, up, demoPhoto)
			_, err = d.backend.AttachPhoto(ctx, d.filingID, filing.UploadPhotoRequest{ObjectKey: a.ObjectKey, Size: a.Size, SHA256: a.SHA256})
			return err
		})
	case "photo_verification/photo_review":
		return d.once("photo review", func() error {
			d.say("reviewer approves the photo")
			_, err := d.reviewer.DecidePhotoReview(ctx, d.filingID, filing.DecisionRequest{Approve: true, Reviewer: "demo-reviewer"})
			return err
		})
	case "sms_verification/awaiting_sms":
		if f.Bureau == nil || f.Bureau.ReceiptID == "" {
			return nil
		}
		rid := f.Bureau.ReceiptID
		return d.standIn("sms "+rid, "the sandbox bureau has not reported the SMS verification", "bureau-events/sms", d.smsDelay, f.Deadline, func() error {
			_, err := d.support.DeliverSMSOutcome(ctx, d.filingID, filing.SMSVerificationRequest{ReceiptID: rid, Outcome: filing.SMSVerified})
			return err
		})
	case "bureau_review/awaiting_decision":
		if f.Bureau == nil || f.Bureau.ReceiptID == "" {
			return nil
		}
		rid := f.Bureau.ReceiptID
		return d.standIn("decision "+rid, "the sandbox bureau has not decided", "bureau-events/decision", d.reviewDelay, nil, func() error {
			_, err := d.support.DeliverBureauDecision(ctx, d.filingID, filing.BureauDecisionRequest{
				ReceiptID: rid, Approved: true, FilingNumber: demoFilingNumber(f.Province, d.filingID, time.Now())})
			return err
		})
	case "product_verification/awaiting_product":
		return fmt.Errorf("demo: the product %s failed verification (%s); see %s", d.instance, f.WaitingFor, d.uiLink())
	}
	return nil
}

// once runs an action the first time its wait is seen. An action that
// lost a race with the filing moving on is no failure.
func (d *demo) once(name string, action func() error) error {
	if d.done[name] {
		return nil
	}
	d.done[name] = true
	if err := action(); err != nil && !movedOn(err) {
		return fmt.Errorf("demo: %s: %w", name, err)
	}
	return nil
}

// standIn delivers an outside party's event as support once the sandbox
// world has had the delay expected at the filing's time scale (expected,
// from when the wait is first seen) and the grace without delivering it
// itself; a wait with a deadline (the SMS window) keeps at least half its
// time.
func (d *demo) standIn(name, what, endpoint string, expected func(time.Time) time.Duration, deadline *time.Time, deliver func() error) error {
	if d.done[name] {
		return nil
	}
	due, ok := d.standInAt[name]
	if !ok {
		grace := expected(time.Now()) + d.opts.Grace
		if deadline != nil {
			grace = max(min(grace, time.Until(*deadline)/2), 0)
		}
		due = time.Now().Add(grace)
		d.standInAt[name] = due
		d.waitedFrom[name] = time.Now()
	}
	if time.Now().Before(due) {
		return nil
	}
	d.done[name] = true
	d.say(fmt.Sprintf("%s after %s, later than the filing's time scale lets it be; support delivers the event by hand: POST …/%s",
		what, time.Since(d.waitedFrom[name]).Round(100*time.Millisecond), endpoint))
	if err := deliver(); err != nil && !movedOn(err) {
		return fmt.Errorf("demo: deliver %s: %w", name, err)
	}
	return nil
}

// The sandbox world's delays, from now, as the sandboxes schedule them at
// the filing's time scale (which they follow).

// deliveryDelay is how long the sandbox courier takes to deliver a
// backdrop ordered at now.
func (d *demo) deliveryDelay(now time.Time) time.Duration {
	_, delivered := courier.SandboxOptions{DeliveryDays: d.opts.DeliveryDays}.Schedule(now, d.opts.TimeScale)
	return delivered.Sub(now)
}

// smsDelay is how long the sandbox applicant takes to verify by SMS.
func (d *demo) smsDelay(now time.Time) time.Duration {
	return bureau.SandboxOptions{}.SMSVerifiedAt(now, d.opts.TimeScale).Sub(now)
}

// reviewDelay is how long the sandbox bureau's review takes from now.
func (d *demo) reviewDelay(now time.Time) time.Duration {
	return bureau.SandboxOptions{ReviewBusinessDays: d.opts.ReviewBusinessDays}.DecidedAt(now, d.opts.TimeScale).Sub(now)
}

// movedOn reports an action refused because the filing had already moved
// on: the sandbox world or a slow read got there first.
func movedOn(err error) bool {
	return apiclient.IsCode(err, "stage_conflict") || apiclient.IsCode(err, "filing_closed")
}

// fillIn is the applicant's part of the information stage: the complete
// application, the three scanned materials (uploaded straight to S3 through
// presigned URLs), and submission for initial review.
func (d *demo) fillIn(ctx context.Context) error {
	app := sample.ValidApplication()
	app.Subject.CertificateNumber = d.company
	app.Websites = app.Websites[:1]
	app.Websites[0].Domain = d.domain
	app.Websites[0].HomepageURL = "https://www." + d.domain + "/"
	app.Product = filing.ProductVerification{CloudInstance: &filing.CloudInstance{InstanceID: d.instance, Region: "cn-hangzhou"}}
	d.say("backend saves the application (PUT …/application)")
	if _, err := d.backend.SaveApplication(ctx, d.filingID, app); err != nil {
		return fmt.Errorf("save the application: %w", err)
	}
	kinds := []filing.MaterialKind{filing.MaterialVerificationForm, filing.MaterialSubjectCertificate, filing.MaterialLeaderID}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	d.say("backend uploads " + strings.Join(names, ", ") + " to S3 (presigned PUTs) and attaches them")
	for _, kind := range kinds {
		content := []byte(fmt.Sprintf("%%PDF-1.7\n%% beianflow demo: scanned %s of filing %s\n", kind, d.filingID))
		up, err := d.backend.UploadMaterial(ctx, d.filingID, kind, "application/pdf", content)
		if err != nil {
			return fmt.Errorf("upload %s: %w", kind, err)
		}
		if _, err := d.backend.AttachMaterial(ctx, d.filingID, apiclient.AttachRequest(kind, up, content)); err != nil {
			return fmt.Errorf("attach %s: %w", kind, err)
		}
	}
	d.say("backend submits for initial review")
	if _, err := d.backend.Submit(ctx, d.filingID); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	return nil
}

// finish reports the end of the walk.
func (d *demo) finish(f *filing.View) error {
	took := time.Since(d.start).Round(100 * time.Millisecond)
	if f.Stage != filing.StageApproved {
		return fmt.Errorf("demo: filing %s ended %s after %s; see %s", d.filingID, f.Stage, took, d.uiLink())
	}
	// An ended filing answers with the state it ended with, number included.
	var number string
	if f.Bureau != nil {
		number = f.Bureau.FilingNumber
	}
	fmt.Fprintf(d.opts.Out, "\napproved in %s", took)
	if number != "" {
		fmt.Fprintf(d.opts.Out, ": filing number %s", number)
	}
	fmt.Fprintf(d.opts.Out, "\nwatch its history: %s\n", d.uiLink())
	return nil
}

func (d *demo) say(s string) { d.report.note(s) }

// reporter prints one line per stage entered and per change of what the
// filing waits for: time, stage, step, who it waits on, deadline.
type reporter struct {
	out     io.Writer
	printed int    // stage entries printed
	last    string // stage, step and party of the last line
}

func (r *reporter) show(stages []stageEntry, f *filing.View) {
	// Stages passed between two reads: from the timeline, with their times.
	for r.printed < len(stages)-1 || (r.printed == len(stages)-1 && stages[r.printed].Stage != f.Stage) {
		e := stages[r.printed]
		r.line(e.At, e.Stage, "", "", nil, "passed")
		r.printed++
	}
	key := fmt.Sprint(f.Stage, "|", f.Step, "|", f.WaitingOn)
	if key == r.last && r.printed == len(stages) {
		return
	}
	at := time.Now()
	if f.Since != nil {
		at = *f.Since
	} else if r.printed < len(stages) {
		at = stages[len(stages)-1].At
	}
	r.line(at, f.Stage, f.Step, string(f.WaitingOn), f.Deadline, f.WaitingFor)
	r.printed, r.last = len(stages), key
}

func (r *reporter) line(at time.Time, stage filing.Stage, step filing.Step, party string, deadline *time.Time, what string) {
	dl := "-"
	if deadline != nil {
		dl = fmt.Sprintf("%s (in %s)", deadline.Local().Format("15:04:05"), max(time.Until(*deadline), 0).Round(time.Second))
	}
	if what != "" {
		dl += " · " + what
	}
	fmt.Fprintf(r.out, "%-12s  %-20s  %-24s  %-10s  %s\n", at.Local().Format("15:04:05.000"), stage, orDash(string(step)), orDash(party), dl)
}

func (r *reporter) note(s string) {
	fmt.Fprintf(r.out, "%-12s    ↳ %s\n", time.Now().Format("15:04:05.000"), s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// demoFilingNumber forms the number the sandbox bureau would issue
// (<省简称>ICP备<yy><6 digits>号-1, the digits hashed from the filing ID).
func demoFilingNumber(province string, filingID filing.ID, at time.Time) string {
	p, _ := rules.LookupProvince(province)
	h := fnv.New64a()
	_, _ = h.Write([]byte(filingID))
	return fmt.Sprintf("%sICP备%02d%06d号-1", p.Abbrev, at.In(calendar.China).Year()%100, h.Sum64()%1_000_000)
}

// demoPhoto is a blank 600×800 portrait, the smallest photo the rules accept.
var demoPhoto = func() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 600, 800))); err != nil {
		panic(err)
	}
	return buf.Bytes()
}()
