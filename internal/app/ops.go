package app

import (
	"context"
	"net"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/beianflow/beianflow/internal/health"
	"github.com/beianflow/beianflow/internal/httpx"
)

// RunOps serves a worker's operations endpoints on addr until ctx ends:
// /metrics (this process's registry: the SDK's worker metrics and the
// webhook senders'), /healthz (the process is up) and /readyz (Temporal,
// the database and S3 are reachable), for the orchestrator and the
// scraper. With addr empty it serves nothing. ready, if not nil, receives
// the bound address.
func (a *App) RunOps(ctx context.Context, addr string, ready chan<- net.Addr) error {
	if addr == "" {
		<-ctx.Done()
		return nil
	}
	e := httpx.New(a.Log, a.Metrics, a.Config.API.TrustedProxies...)
	e.GET("/healthz", health.Live)
	e.GET("/readyz", func(c echo.Context) error { return health.Ready(c, a.Log, a.readiness()) })
	return httpx.Serve(ctx, e, addr, a.Config.ShutdownTimeout, a.Log, ready)
}

// readiness are the checks of a worker's /readyz: what it cannot work
// without.
func (a *App) readiness() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"temporal": func(ctx context.Context) error {
			_, err := a.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		},
		"database": a.DB.Ping,
		"s3":       a.Documents.Ping,
	}
}
