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

	"github.com/beianflow/beianflow/config"
	"github.com/beianflow/beianflow/documents"
	"github.com/beianflow/beianflow/filings"
	"github.com/beianflow/beianflow/rules"
	"github.com/beianflow/beianflow/store"
)

// Deps are what the API needs from the rest of the system.
type Deps struct {
	Temporal  client.Client
	TaskQueue string
	DB        *store.DB
	Documents *documents.Store
	// Records answers whether a subject or domain is already filed, which
	// decides the filing type.
	Records rules.RecordLookup
	// Webhooks is the HMAC key of the bureau's and courier's webhooks.
	Webhooks []byte
	// Process settings are copied into each new filing.
	Process config.Process
	Log     *slog.Logger
	// Now is the clock for creation times; tests may replace it.
	Now func() time.Time
}

type server struct {
	Deps
	filings  *store.Filings
	events   *store.Events
	apps     *store.Applications
	subjects *store.Subjects
	client   *filings.Client
}

// maxBodyBytes bounds request bodies; applications are small JSON documents
// (files go straight to S3 through presigned URLs).
const maxBodyBytes = 1 << 20

// New returns the HTTP handler with every route registered.
func New(d Deps) *echo.Echo {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &server{Deps: d, filings: store.NewFilings(d.DB), events: store.NewEvents(d.DB), apps: store.NewApplications(d.DB),
		subjects: store.NewSubjects(d.DB), client: &filings.Client{Temporal: d.Temporal}}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Log)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: echo.HeaderXRequestID}))
	e.Use(recoverer(d.Log))
	e.Use(accessLog(d.Log))
	e.Use(limitBody(maxBodyBytes))
	e.Use(securityHeaders)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	v1 := e.Group("/v1")
	v1.POST("/filings", s.createFiling)
	v1.POST("/filings/validate", s.validateApplication)
	v1.GET("/filings/:id", s.getFiling)
	v1.GET("/filings/:id/timeline", s.timeline)
	v1.POST("/filings/:id/cancel", s.cancelFiling)
	s.registerActions(v1)
	s.registerWebhooks(e)
	return e
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
