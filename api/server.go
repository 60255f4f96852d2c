// Package api is beianflow's HTTP interface: backends start and act on
// filings, reviewers decide reviews, operators check health. Handlers talk
// to Temporal for live state and actions, and to the read model for what
// Temporal should not be asked (closed filings, listings). What the routes
// go through is built elsewhere: the error model and common middleware in
// internal/httpx, API keys in internal/auth, Idempotency-Key in
// internal/idempotency, the contract in internal/openapi and the codec
// routes in internal/codecserver.
package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"

	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/codecserver"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/erasure"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/health"
	"github.com/beianflow/beianflow/internal/hooks"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/idempotency"
	"github.com/beianflow/beianflow/internal/metrics"
	"github.com/beianflow/beianflow/internal/openapi"
	"github.com/beianflow/beianflow/internal/registrar"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/workbench"
	"github.com/beianflow/beianflow/rules"
)

// Role is what an API key may do.
type Role = auth.Role

// Roles of API keys.
const (
	// RoleBackend acts for one provider account and sees only its filings.
	RoleBackend = auth.RoleBackend
	// RoleReviewer decides initial and photo reviews and reads the queues.
	RoleReviewer = auth.RoleReviewer
	// RoleSupport reads everything and delivers outside events by hand.
	RoleSupport = auth.RoleSupport
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
	// Registry answers what domain registries say of a domain, for the dry
	// run; nil checks nothing there.
	Registry registrar.Lookup
	// Webhooks is the HMAC key of the bureau's and courier's webhooks.
	Webhooks []byte
	// Process settings are copied into each new filing.
	Process config.Process
	// API sets rate limits, the idempotency window and the key cache.
	API config.API
	// Codec serves Temporal's remote codec protocol at /codec for the Web
	// UI and the CLI; a nil Codec.Codec serves none.
	Codec codecserver.Options
	// Keys seal the filings' personal data at rest (application
	// revisions); without them nothing personal can be saved or read.
	Keys store.Sealer
	// Hooks are the accounts' webhook endpoints; DeliveryRetryFor the
	// retry window of a redelivery by hand.
	Hooks            *hooks.Endpoints
	DeliveryRetryFor time.Duration
	// Eraser erases ended filings' personal data for support; nil
	// answers 503 there.
	Eraser *erasure.Eraser
	// Workbench configures the reviewers' web page at /workbench; without
	// a SessionKey none is served. Its Reviews, Log and Now are the API's.
	Workbench workbench.Options
	// Metrics records HTTP metrics and serves /metrics; nil serves none.
	Metrics *metrics.Metrics
	// Tracing starts a span per request, the parent of the Temporal calls
	// its handler makes; nil traces nothing.
	Tracing trace.TracerProvider
	Log     *slog.Logger
	// Now is the clock for creation times; tests may replace it.
	Now func() time.Time
}

type server struct {
	Deps
	filings  *store.Filings
	apps     *store.Applications
	subjects *store.Subjects
	forms    *store.VerificationForms
	reads    *store.PersonalDataReads
	claims   *store.ReviewClaims
	client   *filings.Client
	// downloads signs the URLs at which documents are streamed.
	downloads *documents.DownloadSigner
}

// New returns the HTTP handler with every route registered.
func New(d Deps) *echo.Echo {
	if d.Now == nil {
		d.Now = time.Now
	}
	d.API = d.API.WithDefaults()
	s := &server{Deps: d, filings: store.NewFilings(d.DB), apps: store.NewApplications(d.DB, d.Keys),
		subjects: store.NewSubjects(d.DB), forms: store.NewVerificationForms(d.DB), reads: store.NewPersonalDataReads(d.DB), claims: store.NewReviewClaims(d.DB), client: &filings.Client{Temporal: d.Temporal, TaskQueue: d.TaskQueue},
		downloads: newDownloadSigner(d)}
	// One authenticator for /v1 and the codec: a client address has one
	// budget of failed authentications whatever it tries.
	authn := auth.NewAuthenticator(store.NewAPIKeys(d.DB), d.API, d.Now, d.Log)
	idem := idempotency.New(store.NewIdempotency(d.DB), d.API.IdempotencyTTL, d.Now, d.Log)
	e := httpx.New(d.Log, d.Metrics, d.API.TrustedProxies...)
	if d.Tracing != nil {
		e.Use(httpx.Trace(d.Tracing))
	}

	e.GET("/healthz", health.Live)
	e.GET("/readyz", s.readyz)

	// Every /v1 request: who is calling, within its rate, at most once per
	// Idempotency-Key, and only if the OpenAPI contract accepts it. Middleware goes on each route rather than
	// on a group: an Echo group with middleware answers 404 instead of 405
	// for a known path with the wrong method.
	validator, err := openapi.Validator(d.Log)
	if err != nil {
		panic(err) // the embedded contract is broken: TestOpenAPISpecLoadsAndValidates says how
	}
	// The contract is public; everything else needs a key.
	e.GET("/v1/openapi.json", openapi.JSON)
	e.GET("/v1/docs", openapi.Docs)
	// A document's download URL carries its own credential.
	e.GET("/v1/documents/:token", s.downloadDocument)
	perKey := auth.NewLimiter(d.API.RateLimit, d.API.RateBurst, d.Now)
	v1 := &router{e: e, prefix: "/v1", mw: []echo.MiddlewareFunc{authn.Authenticate, auth.RateLimit(perKey), idem.Middleware, validator}}
	v1.add(http.MethodPost, "/filings", s.createFiling, RoleBackend)
	v1.add(http.MethodPost, "/filings/validate", s.validateApplication, RoleBackend)
	v1.add(http.MethodGet, "/filings", s.listFilings, RoleBackend, RoleReviewer, RoleSupport)
	v1.add(http.MethodGet, "/review-queues/:queue", s.reviewQueue, RoleReviewer, RoleSupport)
	v1.add(http.MethodGet, "/filings/:id", s.getFiling, RoleBackend, RoleReviewer, RoleSupport)
	v1.add(http.MethodGet, "/filings/:id/timeline", s.timeline, RoleBackend, RoleReviewer, RoleSupport)
	v1.add(http.MethodGet, "/filings/:id/verification-form", s.verificationForm, RoleBackend, RoleReviewer, RoleSupport)
	v1.add(http.MethodGet, "/filings/:id/application", s.readApplication, RoleBackend, RoleReviewer, RoleSupport)
	v1.add(http.MethodGet, "/filings/:id/materials", s.readMaterials, RoleBackend, RoleReviewer, RoleSupport)
	v1.add(http.MethodGet, "/filings/:id/events", s.filingEvents, RoleBackend, RoleSupport)
	v1.add(http.MethodGet, "/events", s.listEvents, RoleBackend, RoleSupport)
	v1.add(http.MethodGet, "/filings/:id/access-log", s.accessLog, RoleSupport)
	v1.add(http.MethodGet, "/access-log", s.readerLog, RoleSupport)
	v1.add(http.MethodGet, "/review-reasons", s.reviewReasons, RoleBackend, RoleReviewer, RoleSupport)
	v1.add(http.MethodPost, "/filings/:id/claim", s.claimFiling, RoleReviewer)
	v1.add(http.MethodDelete, "/filings/:id/claim", s.releaseClaim, RoleReviewer, RoleSupport)
	v1.add(http.MethodPost, "/filings/:id/cancel", s.cancelFiling, RoleBackend)
	s.registerActions(v1)
	s.registerSupport(v1)
	s.registerWebhookEndpoints(v1)
	s.registerWebhooks(e)
	codecserver.Mount(e, d.Codec, authn, d.Log, d.Now)
	if len(d.Workbench.SessionKey) > 0 {
		wb := d.Workbench
		wb.Reviews, wb.Log, wb.Now = workbenchReviews{s}, d.Log, d.Now
		if _, err := workbench.Mount(e, wb); err != nil {
			panic(err) // configuration is checked when it is loaded: this is our bug
		}
	}
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
	mw := append(append([]echo.MiddlewareFunc{}, r.mw...), auth.Allow(roles...))
	r.e.Add(method, r.prefix+path, h, mw...)
}

// Serve runs the handler on addr until ctx is done, then stops accepting
// connections and lets in-flight requests finish within shutdownTimeout.
// ready, if not nil, receives the bound address once listening.
func Serve(ctx context.Context, h http.Handler, addr string, shutdownTimeout time.Duration, log *slog.Logger, ready chan<- net.Addr) error {
	return httpx.Serve(ctx, h, addr, shutdownTimeout, log, ready)
}
