// Package api is beianflow's HTTP interface: backends start and act on
// filings, reviewers decide reviews, operators check health. Handlers talk
// to Temporal for live state and actions, and to the read model for what
// Temporal should not be asked (closed filings, listings).
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.temporal.io/sdk/client"

	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/metrics"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/rules"
)

// Deps are what the API needs from the rest of the system.
type Deps struct {
	Temporal  client.Client
	TaskQueue string
	// Namespace is the Temporal namespace of the filings, for the support
	// endpoints' raw service calls; empty learns it from Temporal.
	Namespace string
	DB        *store.DB
	Documents *documents.Store
	// Records answers whether a subject or domain is already filed, which
	// decides the filing type.
	Records rules.RecordLookup
	// Webhooks is the HMAC key of the bureau's and courier's webhooks.
	Webhooks []byte
	// Process settings are copied into each new filing.
	Process config.Process
	// API sets rate limits, the idempotency window and the key cache.
	API config.API
	// Codec serves Temporal's remote codec protocol at /codec for the Web
	// UI and the CLI; a nil Codec.Codec serves none.
	Codec CodecOptions
	// Metrics records HTTP metrics and serves /metrics; nil serves none.
	Metrics *metrics.Metrics
	Log     *slog.Logger
	// Now is the clock for creation times; tests may replace it.
	Now func() time.Time
}

type server struct {
	Deps
	filings  *store.Filings
	apps     *store.Applications
	subjects *store.Subjects
	client   *filings.Client
	keyring  *keyring
	limiter  *limiter
	// authFailures limits failed authentications per client address.
	authFailures *limiter
	idem         *store.Idempotency
	// IdempotencyTTL is how long POST responses are replayed.
	IdempotencyTTL time.Duration
}

// maxBodyBytes bounds request bodies; applications are small JSON documents
// (files go straight to S3 through presigned URLs).
const maxBodyBytes = 1 << 20

// New returns the HTTP handler with every route registered.
func New(d Deps) *echo.Echo {
	if d.Now == nil {
		d.Now = time.Now
	}
	d.API = withAPIDefaults(d.API)
	s := &server{Deps: d, filings: store.NewFilings(d.DB), apps: store.NewApplications(d.DB),
		subjects: store.NewSubjects(d.DB), client: &filings.Client{Temporal: d.Temporal, TaskQueue: d.TaskQueue},
		keyring:      newKeyring(store.NewAPIKeys(d.DB), d.API.KeyCacheTTL, d.Now),
		limiter:      newLimiter(d.API.RateLimit, d.API.RateBurst, d.Now),
		authFailures: newLimiter(d.API.AuthFailureRate, d.API.AuthFailureBurst, d.Now),
		idem:         store.NewIdempotency(d.DB), IdempotencyTTL: d.API.IdempotencyTTL}
	e := newEcho(d.Log, d.Metrics)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	// Every /v1 request: who is calling, within its rate, at most once per
	// Idempotency-Key, and only if the OpenAPI contract accepts it. Middleware goes on each route rather than
	// on a group: an Echo group with middleware answers 404 instead of 405
	// for a known path with the wrong method.
	validator, err := openAPIValidator(d.Log)
	if err != nil {
		panic(err) // the embedded contract is broken: TestOpenAPISpecLoadsAndValidates says how
	}
	// The contract is public; everything else needs a key.
	e.GET("/v1/openapi.json", s.openAPIJSON)
	e.GET("/v1/docs", s.docsPage)
	v1 := &router{e: e, prefix: "/v1", mw: []echo.MiddlewareFunc{s.authenticate, s.rateLimit, s.idempotent, validator}}
	v1.add(http.MethodPost, "/filings", s.createFiling, RoleBackend)
	v1.add(http.MethodPost, "/filings/validate", s.validateApplication, RoleBackend)
	v1.add(http.MethodGet, "/filings", s.listFilings, RoleBackend, RoleReviewer, RoleSupport)
	v1.add(http.MethodGet, "/review-queues/:queue", s.reviewQueue, RoleReviewer, RoleSupport)
	v1.add(http.MethodGet, "/filings/:id", s.getFiling, RoleBackend, RoleReviewer, RoleSupport)
	v1.add(http.MethodGet, "/filings/:id/timeline", s.timeline, RoleBackend, RoleReviewer, RoleSupport)
	v1.add(http.MethodPost, "/filings/:id/cancel", s.cancelFiling, RoleBackend)
	s.registerActions(v1)
	s.registerSupport(v1)
	s.registerWebhooks(e)
	s.registerCodec(e, d.Codec)
	return e
}

// newEcho returns an Echo with what every route of the API and of the
// codec server goes through: request IDs, panics recovered, the access log,
// HTTP metrics (and /metrics when m is set), the body limit and the
// security headers.
func newEcho(log *slog.Logger, m *metrics.Metrics) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// The peer address, not X-Forwarded-For, which any client can set.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = errorHandler(log)
	e.Use(saneRequestID)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: echo.HeaderXRequestID}))
	e.Use(recoverer(log))
	e.Use(accessLog(log))
	if m != nil {
		e.Use(m.EchoMiddleware())
		// Unauthenticated like the health checks: scrapers hold no API
		// keys, and nothing here is personal (routes are templates).
		// Keep it off the public network in production.
		e.GET("/metrics", echo.WrapHandler(m.Handler()))
	}
	e.Use(limitBody(maxBodyBytes))
	e.Use(securityHeaders)
	return e
}

// router registers authenticated routes under a prefix.
type router struct {
	e      *echo.Echo
	prefix string
	mw     []echo.MiddlewareFunc
}

// add registers a route that only the given roles may call.
func (r *router) add(method, path string, h echo.HandlerFunc, roles ...Role) {
	mw := append(append([]echo.MiddlewareFunc{}, r.mw...), allow(roles...))
	r.e.Add(method, r.prefix+path, h, mw...)
}

// withAPIDefaults fills what a caller of New left unset (tests) with the
// documented defaults.
func withAPIDefaults(a config.API) config.API {
	def := config.Defaults().API
	if a.RateLimit <= 0 {
		a.RateLimit = def.RateLimit
	}
	if a.RateBurst <= 0 {
		a.RateBurst = def.RateBurst
	}
	if a.AuthFailureRate <= 0 {
		a.AuthFailureRate = def.AuthFailureRate
	}
	if a.AuthFailureBurst <= 0 {
		a.AuthFailureBurst = def.AuthFailureBurst
	}
	if a.IdempotencyTTL <= 0 {
		a.IdempotencyTTL = def.IdempotencyTTL
	}
	if a.KeyCacheTTL <= 0 {
		a.KeyCacheTTL = def.KeyCacheTTL
	}
	return a
}

// Serve runs the handler on addr until ctx is done, then stops accepting
// connections and lets in-flight requests finish within shutdownTimeout.
// ready, if not nil, receives the bound address once listening.
func Serve(ctx context.Context, h http.Handler, addr string, shutdownTimeout time.Duration, log *slog.Logger, ready chan<- net.Addr) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("api: listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Info("API listening", "addr", "http://"+ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("api: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("api: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("api: serve: %w", err)
	}
	log.Info("API stopped")
	return nil
}
