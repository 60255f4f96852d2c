// Package httpx is what every HTTP server of beianflow shares: the one
// error body and its zh/en localisation, strict JSON decoding, the common
// middleware (request IDs, recovered panics, the access log, security
// headers, the body limit) and the Echo and http.Server built with them.
// The API and the codec server differ in routes only, so that a caller
// meets the same errors, headers and limits on both.
package httpx

import (
	"log/slog"
	"net"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/beianflow/beianflow/internal/metrics"
)

// MaxBodyBytes bounds request bodies; applications are small JSON documents
// (files go straight to S3 through presigned URLs).
const MaxBodyBytes = 1 << 20

// New returns an Echo with what every route of the API and of the codec
// server goes through: request IDs (in the X-Request-Id header and the
// request's context), panics recovered, the access log, HTTP metrics (and
// /metrics when m is set), the body limit and the security headers. Trace
// adds a span per request.
//
// The client's address (rate limits of failed authentications, the access
// log) is the peer's, unless trusted names the load balancers in front:
// then it is the address X-Forwarded-For gives before the last trusted hop.
func New(log *slog.Logger, m *metrics.Metrics, trusted ...*net.IPNet) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ClientIP(trusted)
	e.HTTPErrorHandler = ErrorHandler(log)
	e.Use(saneRequestID)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: echo.HeaderXRequestID}))
	e.Use(requestIDContext)
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

// ClientIP extracts the client's address: the peer's when no proxy is
// trusted, since any client can write X-Forwarded-For; behind trusted
// proxies, the rightmost X-Forwarded-For address that is not one of them.
// Loopback, link-local and private peers are not trusted implicitly: only
// the ranges given are.
func ClientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
