// Package app wires beianflow's parts together from a config.Config: the
// Temporal client, the database, the document store, the worker and the
// API. The binary and the integration tests both start the system through
// it, so tests exercise the production wiring.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/hooks"
	"github.com/beianflow/beianflow/internal/httpcall"
	"github.com/beianflow/beianflow/internal/instances"
	"github.com/beianflow/beianflow/internal/metrics"
	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/records"
	"github.com/beianflow/beianflow/internal/registrar"
	"github.com/beianflow/beianflow/internal/servicenumbers"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/telemetry"
	"github.com/beianflow/beianflow/internal/webhook"
	"github.com/beianflow/beianflow/internal/workbench"
	"github.com/beianflow/beianflow/rules"
	"github.com/beianflow/beianflow/worker"
)

// App holds the connections every role needs.
type App struct {
	Config    config.Config
	Log       *slog.Logger
	Temporal  client.Client
	DB        *store.DB
	Documents *documents.Store
	// Codec encrypts every Temporal payload; the codec server decodes
	// with it for operators.
	Codec *codec.Codec
	// Keys encrypt each filing's personal data at rest with its data key.
	Keys *envelope.Keys
	// Metrics is the process's Prometheus registry: HTTP metrics of the API
	// and the Temporal SDK's client and worker metrics, served at /metrics.
	Metrics *metrics.Metrics
	// Tracing traces the API's requests and, through the Temporal
	// client's interceptor, the workflows and activities they set off.
	Tracing *telemetry.Tracing
	// hookMetrics are the webhook senders' metrics, registered once.
	hookMetrics     *hooks.Metrics
	deliveryMetrics sync.Once
	// World is the outside world: the bureau, the courier, the instance
	// inventory, the MIIT record system and the notifier.
	World World
}

// World is the outside world beianflow talks to. Open builds the sandbox
// world; real gateways replace its parts behind the same interfaces.
type World struct {
	Bureau    bureau.Gateway
	Courier   courier.Courier
	Instances instances.Inventory
	Records   rules.RecordLookup
	Registry  registrar.Lookup
	Notifier  notify.Sender
	// The sandboxes behind Bureau and Courier, for their event pushes and
	// for tests that count what was sent.
	BureauSandbox  *bureau.Sandbox
	CourierSandbox *courier.Sandbox
	// RegistrySandbox is the scripted domain registry served over RDAP.
	RegistrySandbox *registrar.Sandbox
	// InstancesSandbox and RecordsSandbox are the sandbox inventory and
	// record system: Instances and Records without their URLs, and what
	// the sandbox world serves over their protocols.
	InstancesSandbox *instances.Sandbox
	RecordsSandbox   *records.Sandbox
}

// newWorld builds the outside world: HTTP clients of the bureau's and the
// courier's protocols (pointing at the sandbox world unless configured
// otherwise), the sandboxes themselves when this process serves them, the
// instance inventory and MIIT records (their HTTP clients when configured,
// the sandboxes otherwise) and the notifier.
func newWorld(ctx context.Context, db *store.DB, cfg config.Config, log *slog.Logger) (World, error) {
	w := World{
		// Call budgets stay below the activities' 30 s start-to-close timeout.
		Bureau:           bureau.NewHTTPClient(cfg.World.BureauURL, bureau.HTTPOptions{Logger: log, CallBudget: 20 * time.Second}),
		Courier:          courier.NewHTTPClient(cfg.World.CourierURL, courier.HTTPOptions{Logger: log, CallBudget: 20 * time.Second}),
		Notifier:         notify.NewLogSender(log),
		InstancesSandbox: instances.NewSandbox(),
		RecordsSandbox:   records.NewSandbox(),
	}
	// Call budgets stay below the activities' 30 s start-to-close timeout.
	calls := httpcall.Options{Logger: log, CallBudget: 20 * time.Second}
	w.Instances, w.Records = w.InstancesSandbox, w.RecordsSandbox
	if u := cfg.World.InstancesURL; u != "" {
		w.Instances = instances.NewHTTPClient(u, instances.HTTPOptions{Token: cfg.World.InstancesToken, Options: calls})
	}
	if u := cfg.World.RecordsURL; u != "" {
		w.Records = records.NewHTTPClient(u, records.HTTPOptions{Token: cfg.World.RecordsToken, Options: calls})
	}
	registry, err := registrar.Open(cfg.World.RDAPURL, calls)
	if err != nil {
		return World{}, err
	}
	w.Registry = registry
	if cfg.World.RegistrarAPIURL != "" {
		api := registrar.NewAliyunDomainAPI(cfg.World.RegistrarAPIURL, cfg.World.RegistrarKeyID, cfg.World.RegistrarKeySecret,
			&http.Client{Timeout: 10 * time.Second})
		w.Registry = registrar.WithHolders(registry, api, registrar.AlibabaCloud)
	}
	if cfg.Sandbox.Addr != "" {
		w.RegistrySandbox = registrar.NewSandbox(nil)
		w.BureauSandbox = bureau.NewSandbox(db, bureau.SandboxOptions{TimeScale: cfg.Process.TimeScale,
			ReviewBusinessDays: cfg.Sandbox.BureauReviewBusinessDays, Logger: log})
		w.CourierSandbox = courier.NewSandbox(db, courier.SandboxOptions{TimeScale: cfg.Process.TimeScale,
			DeliveryDays: cfg.Sandbox.CourierDeliveryDays, Logger: log})
	}
	if cfg.World.Notifier == "aws" {
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return World{}, fmt.Errorf("notifier: AWS configuration: %w", err)
		}
		w.Notifier = notify.Channels{
			notify.SMS:   notify.NewSNSSender(sns.NewFromConfig(awsCfg), notify.SNSOptions{SenderID: cfg.World.SMSSenderID}),
			notify.Email: notify.NewSESSender(sesv2.NewFromConfig(awsCfg), cfg.World.EmailFrom),
		}
	}
	return w, nil
}

// Option changes how Open builds the app.
type Option func(*options)

type options struct {
	tracing telemetry.Options
}

// WithService names the process in its trace spans (service.name), e.g.
// beianflow-worker; OTEL_SERVICE_NAME overrides it.
func WithService(name string) Option {
	return func(o *options) { o.tracing.Service = name }
}

// WithSpanExporter sends every span to exp as it ends, in place of the
// configured OTLP endpoint: tests read the spans of a request from it.
func WithSpanExporter(exp sdktrace.SpanExporter) Option {
	return func(o *options) { o.tracing.Exporter = exp }
}

// Open connects to Temporal, the database and S3, applies pending
// migrations and makes sure the document bucket exists. Each dependency is
// retried until ctx ends, so processes may start in any order.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	a := &App{Config: cfg, Log: log, Metrics: metrics.New()}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()

	var err error
	if a.Tracing, err = telemetry.NewTracing(ctx, cfg.Telemetry, o.tracing); err != nil {
		return nil, err
	}
	tracing, err := telemetry.TracingInterceptor(a.Tracing.Provider)
	if err != nil {
		return nil, err
	}
	a.DB, err = retry(ctx, log, "database", func() (*store.DB, error) {
		return store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	})
	if err != nil {
		return nil, err
	}
	applied, err := a.DB.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	dbDesc := "sqlite " + cfg.SQLitePath()
	if a.DB.Dialect == store.Postgres {
		dbDesc = "postgres"
	}
	log.Info("database ready", "database", dbDesc, "migrations_applied", applied)

	if a.Keys, err = OpenDataKeys(ctx, cfg, a.DB, log); err != nil {
		return nil, err
	}
	docOpts := []documents.Option{documents.WithSealer(a.Keys)}
	if cfg.S3.SSE != "" {
		docOpts = append(docOpts, documents.WithSSE(cfg.S3.SSE, cfg.S3.SSEKMSKeyID))
	}
	a.Documents, err = documents.New(ctx, cfg.S3, docOpts...)
	if err != nil {
		return nil, err
	}
	if _, err := retry(ctx, log, "s3", func() (struct{}, error) {
		return struct{}{}, a.Documents.EnsureBucket(ctx)
	}); err != nil {
		return nil, err
	}
	log.Info("document store ready", "endpoint", cfg.S3.Endpoint, "bucket", cfg.S3.Bucket)

	if a.Codec, err = OpenCodec(cfg, log); err != nil {
		return nil, err
	}
	a.Temporal, err = retry(ctx, log, "temporal", func() (client.Client, error) {
		return client.DialContext(ctx, client.Options{
			HostPort:  cfg.TemporalAddress,
			Namespace: cfg.TemporalNamespace,
			Logger:    tlog.NewStructuredLogger(log.With("component", "temporal-sdk")),
			// Workers created from this client report through it too.
			MetricsHandler: a.Metrics.TemporalHandler(),
			// Traces calls as children of their context's span; workers
			// created from this client trace workflows and activities.
			Interceptors: []interceptor.ClientInterceptor{tracing},
			// The API's request ID travels with its calls into the
			// workflow's handlers and their activities.
			ContextPropagators: []workflow.ContextPropagator{telemetry.RequestIDPropagator()},
			// Every payload is encrypted before it leaves the process;
			// workers created from this client use it too.
			DataConverter: a.Codec.DataConverter(),
		})
	})
	if err != nil {
		return nil, err
	}
	log.Info("temporal ready", "address", cfg.TemporalAddress, "namespace", cfg.TemporalNamespace)
	if a.World, err = newWorld(ctx, a.DB, cfg, log); err != nil {
		return nil, err
	}
	ok = true
	return a, nil
}

// Close releases every connection that was opened and exports the spans
// still buffered.
func (a *App) Close() {
	if a.Temporal != nil {
		a.Temporal.Close()
	}
	if a.DB != nil {
		_ = a.DB.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Tracing.Shutdown(ctx); err != nil {
		a.Log.Warn("spans not exported", "err", err)
	}
}

// Activities returns the activity implementations over the app's
// connections.
func (a *App) Activities() *activities.Activities {
	return &activities.Activities{
		DB:             a.DB,
		Filings:        store.NewFilings(a.DB),
		Events:         store.NewEvents(a.DB),
		Applications:   store.NewApplications(a.DB, a.Keys),
		Sealer:         a.Keys,
		Documents:      a.Documents,
		Subjects:       store.NewSubjects(a.DB),
		Forms:          store.NewVerificationForms(a.DB),
		ServiceNumbers: servicenumbers.New(a.DB, a.World.Instances),
		Bureau:         a.World.Bureau,
		Courier:        a.World.Courier,
		Registry:       a.World.Registry,
		IdentitySecret: []byte(a.Config.Process.SubjectKeySecret),
		// Deliveries of an event are retried this long after it.
		DeliveryRetryFor: a.Config.Deliveries.RetryFor,
	}
}

// RunWorld serves the sandbox bureau and courier over their HTTP protocols
// and pushes their events as signed webhooks to the API, until ctx ends.
// It does nothing when this process serves no sandbox (production).
func (a *App) RunWorld(ctx context.Context) error {
	if a.World.BureauSandbox == nil {
		<-ctx.Done()
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("/bureau/", http.StripPrefix("/bureau", bureau.NewSandboxServer(a.World.BureauSandbox)))
	mux.Handle("/courier/", http.StripPrefix("/courier", courier.NewSandboxServer(a.World.CourierSandbox)))
	mux.Handle("/inventory/", http.StripPrefix("/inventory", instances.NewSandboxServer(a.World.InstancesSandbox, "")))
	mux.Handle("/records/", http.StripPrefix("/records", records.NewSandboxServer(a.World.RecordsSandbox, "")))
	// The sandbox registry redacts holders over RDAP, as registries do; the
	// sandbox registrar's API answers them for its own domains.
	mux.Handle("/rdap/", http.StripPrefix("/rdap", registrar.NewSandboxServer(registrar.RedactHolders(a.World.RegistrySandbox))))
	mux.Handle("/aliyun-domain/", http.StripPrefix("/aliyun-domain", registrar.NewAliyunSandboxServer(a.World.RegistrySandbox,
		a.Config.World.RegistrarKeyID, a.Config.World.RegistrarKeySecret, registrar.AlibabaCloud, nil)))
	ln, err := net.Listen("tcp", a.Config.Sandbox.Addr)
	if err != nil {
		return fmt.Errorf("sandbox world: listen on %s: %w", a.Config.Sandbox.Addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()

	push := &webhook.Sender{URL: a.Config.Sandbox.WebhookURL, Secret: []byte(a.Config.World.WebhookSecret)}
	every := a.Config.Sandbox.PushInterval
	errc := make(chan error, 2)
	go func() { errc <- a.World.BureauSandbox.Run(ctx, push, every) }()
	go func() { errc <- a.World.CourierSandbox.Run(ctx, push, every) }()
	a.Log.Info("sandbox world serving", "bureau", "http://"+ln.Addr().String()+"/bureau",
		"courier", "http://"+ln.Addr().String()+"/courier", "rdap", "http://"+ln.Addr().String()+"/rdap",
		"registrar_api", "http://"+ln.Addr().String()+"/aliyun-domain", "webhooks_to", a.Config.Sandbox.WebhookURL,
		"review_business_days", a.Config.Sandbox.BureauReviewBusinessDays, "time_scale", a.Config.Process.TimeScale)
	var first error
	for range 2 {
		if err := <-errc; err != nil && first == nil && ctx.Err() == nil {
			first = err
		}
	}
	return first
}

// RunOutbox delivers queued notifications until ctx ends; every worker runs
// one, and the outbox's leases keep them from sending a message twice.
func (a *App) RunOutbox(ctx context.Context) error {
	// The delivery sender is waited for: stopping, it hands back what it
	// claimed, which it could not once the database is closed (the rows
	// would stay leased, and each filing's later events behind them).
	var senders sync.WaitGroup
	senders.Go(func() { _ = a.DeliverySender().Run(ctx) })
	defer senders.Wait()
	go a.prune(ctx, "delivered webhook deliveries", deliveredKeep, func(ctx context.Context, cutoff time.Time) (int64, error) {
		return hooks.PruneDelivered(ctx, a.DB, cutoff)
	})
	s := &outbox.Sender{DB: a.DB, Notifier: a.World.Notifier, Sealer: a.Keys, Log: a.Log}
	return s.Run(ctx, time.Second)
}

// RunWorker polls the task queue until ctx ends.
func (a *App) RunWorker(ctx context.Context) error {
	w := worker.New(a.Temporal, a.Config.TaskQueue, a.Activities(), a.Config.WorkerStopTimeout)
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: start: %w", err)
	}
	a.Log.Info("worker polling", "task_queue", a.Config.TaskQueue)
	if r := a.Config.RetentionAfterEnd; r > 0 {
		go a.sweepRetention(ctx, r)
	}
	go a.sweepUploads(ctx)
	<-ctx.Done()
	w.Stop()
	a.Log.Info("worker stopped")
	return nil
}

// prune deletes, every ten minutes until ctx ends, what fn finds older
// than keep (before now): what it deletes would never be used again, so the
// tables stay small. A failure is logged and tried again next time.
func (a *App) prune(ctx context.Context, what string, keep time.Duration, fn func(context.Context, time.Time) (int64, error)) {
	tick := time.NewTicker(10 * time.Minute)
	defer tick.Stop()
	for {
		if n, err := fn(ctx, time.Now().Add(-keep)); err != nil && ctx.Err() == nil {
			a.Log.WarnContext(ctx, "pruning "+what+" failed", "err", err)
		} else if n > 0 {
			a.Log.DebugContext(ctx, "pruned "+what, "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// WorkbenchOptions are the reviewers' workbench settings in cfg: its
// address, session key, the operators' issuer with the workbench's client,
// and the development sign-in.
func WorkbenchOptions(cfg config.Config, log *slog.Logger) workbench.Options {
	wb := cfg.Workbench
	o := workbench.Options{BaseURL: wb.URL, SessionKey: []byte(wb.SessionSecret), SessionTTL: wb.SessionTTL,
		DevSignInToken: wb.DevSignInToken}
	if len(o.SessionKey) == 0 {
		o.SessionKey = make([]byte, 32)
		_, _ = rand.Read(o.SessionKey)
		log.Warn("workbench: BEIANFLOW_WORKBENCH_SESSION_SECRET is not set; sessions end when this process stops and are not shared with other API processes")
	}
	if wb.OIDCClientID != "" {
		o.OIDC = &workbench.OIDC{Issuer: cfg.CodecOIDC.Issuer, ClientID: wb.OIDCClientID, ClientSecret: wb.OIDCClientSecret,
			Claim: cfg.CodecOIDC.Claim, Reviewers: wb.ReviewerGroups, Support: wb.SupportGroups, StaffClaim: wb.StaffClaim}
	}
	return o
}

// RunAPI serves the HTTP API until ctx ends. ready, if not nil, receives
// the bound address.
func (a *App) RunAPI(ctx context.Context, ready chan<- net.Addr) error {
	h := api.New(api.Deps{
		Temporal:  a.Temporal,
		TaskQueue: a.Config.TaskQueue,
		DB:        a.DB,
		Documents: a.Documents,
		Records:   a.World.Records,
		Registry:  a.World.Registry,
		Webhooks:  []byte(a.Config.World.WebhookSecret),
		Process:   a.Config.Process,
		API:       a.Config.API,
		Codec:     CodecOptions(a.Config, a.Codec),
		Keys:      a.Keys,
		Eraser:    a.Eraser(),
		Hooks:     a.WebhookEndpoints(),
		// A redelivery by hand is retried as long as a first delivery.
		DeliveryRetryFor: a.Config.Deliveries.RetryFor,
		Workbench:        WorkbenchOptions(a.Config, a.Log),
		Namespace:        a.Config.TemporalNamespace,
		Metrics:          a.Metrics,
		Tracing:          a.Tracing.Provider,
		Log:              a.Log,
	})
	// A replayed webhook older than twice its window is refused for its
	// timestamp anyway; a POST's stored answer is replayed only within the
	// idempotency window.
	go a.prune(ctx, "webhook deliveries", 2*webhook.DefaultWindow, webhook.NewDBStore(a.DB).Prune)
	go a.prune(ctx, "idempotency keys", a.Config.API.IdempotencyTTL, store.NewIdempotency(a.DB).Prune)
	return api.Serve(ctx, h, a.Config.HTTPAddr, a.Config.ShutdownTimeout, a.Log, ready)
}

// Retry calls connect until it succeeds or ctx ends, logging each failure
// once it has gone on for a while, like the connections Open makes.
func Retry[T any](ctx context.Context, log *slog.Logger, what string, connect func() (T, error)) (T, error) {
	return retry(ctx, log, what, connect)
}

// retry calls connect until it succeeds or ctx ends, logging each failure
// once it has gone on for a while; a dependency that is still starting is
// normal for a few seconds.
func retry[T any](ctx context.Context, log *slog.Logger, what string, connect func() (T, error)) (T, error) {
	start := time.Now()
	delay := 200 * time.Millisecond
	for {
		v, err := connect()
		if err == nil {
			return v, nil
		}
		if time.Since(start) > 5*time.Second {
			log.Warn("waiting for dependency", "dependency", what, "err", err)
		}
		select {
		case <-ctx.Done():
			var zero T
			return zero, fmt.Errorf("%s: %w", what, errors.Join(ctx.Err(), err))
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}
