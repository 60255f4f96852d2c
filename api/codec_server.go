package api

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/metrics"
)

// CodecServerDeps are what a standalone codec server needs: no Temporal,
// no S3, and the database only to look up support API keys.
type CodecServerDeps struct {
	// Codec configures the codec routes; Codec.Codec must be set.
	Codec CodecOptions
	// APIKeys looks up support API keys. While it fails (the database is
	// down, or not reached yet) keys this process has already checked stay
	// good and other keys answer 503, exactly as on the API; operators'
	// tokens do not need it.
	APIKeys APIKeyStore
	// Checks are readiness checks of /readyz besides the identity provider
	// (e.g. "database").
	Checks map[string]func(context.Context) error
	// API sets the key cache and the failed-authentication limit.
	API config.API
	// Metrics records HTTP metrics and serves /metrics; nil serves none.
	Metrics *metrics.Metrics
	Log     *slog.Logger
	Now     func() time.Time
}

// NewCodecServer returns a handler serving only the codec routes (as
// mounted by New), /healthz and /readyz. /readyz runs d.Checks and, when
// OIDC is configured, discovers the identity provider.
func NewCodecServer(d CodecServerDeps) (*echo.Echo, error) {
	if d.Codec.Codec == nil {
		return nil, errors.New("api: a codec server needs a codec")
	}
	if d.APIKeys == nil {
		return nil, errors.New("api: a codec server needs an API key store")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	d.API = withAPIDefaults(d.API)
	s := &server{Deps: Deps{API: d.API, Codec: d.Codec, Metrics: d.Metrics, Log: d.Log, Now: d.Now},
		keyring:      newKeyring(d.APIKeys, d.API.KeyCacheTTL, d.Now),
		authFailures: newLimiter(d.API.AuthFailureRate, d.API.AuthFailureBurst, d.Now)}
	e := newEcho(d.Log, d.Metrics)
	e.GET("/healthz", s.healthz)
	cr := s.registerCodec(e, d.Codec)
	checks := maps.Clone(d.Checks)
	if checks == nil {
		checks = map[string]func(context.Context) error{}
	}
	if cr.oidc != nil {
		checks["identity_provider"] = cr.oidc.ready
	}
	e.GET("/readyz", func(c echo.Context) error { return s.ready(c, checks) })
	return e, nil
}
