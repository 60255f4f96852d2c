// Package httpx is what every HTTP server of beianflow shares: the one
// error body and its zh/en localisation, strict JSON decoding, the common
// middleware (request IDs, recovered panics, the access log, security
// headers, the body limit) and the Echo and http.Server built with them.
// The API and the codec server differ in routes only, so that a caller
// meets the same errors, headers and limits on both.
package httpx

import (
	"log/slog"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/beianflow/beianflow/internal/metrics"
)

// MaxBodyBytes bounds request bodies; applications are small JSON documents
// (files go straight to S3 through presigned URLs).
const MaxBodyBytes = 1 << 20

// New returns an Echo with what every route of the API and of the codec
// server goes through: request IDs, panics recovered, the access log, HTTP
// metrics (and /metrics when m is set), the body limit and the security
// headers.
func New(log *slog.Logger, m *metrics.Metrics) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// The peer address, not X-Forwarded-For, which any client can set.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = ErrorHandler(log)
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
	e.Use(LimitBody(MaxBodyBytes))
	e.Use(SecurityHeaders)
	return e
}
