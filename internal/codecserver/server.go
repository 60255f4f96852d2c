package codecserver

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/health"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/metrics"
)

// Deps are what a standalone codec server needs: no Temporal, no S3, and
// the database only to look up support API keys.
type Deps struct {
	// Codec configures the codec routes; Codec.Codec must be set.
	Codec Options
	// APIKeys looks up support API keys. While it fails (the database is
	// down, or not reached yet) keys this process has already checked stay
	// good and other keys answer 503, exactly as on the API; operators'
	// tokens do not need it.
	APIKeys auth.KeyStore
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

// New returns a handler serving only the codec routes (as Mount mounts
// them on the API), /healthz and /readyz. /readyz runs d.Checks and, when
// OIDC is configured, discovers the identity provider.
func New(d Deps) (*echo.Echo, error) {
	if d.Codec.Codec == nil {
		return nil, errors.New("codecserver: a codec server needs a codec")
	}
	if d.APIKeys == nil {
		return nil, errors.New("codecserver: a codec server needs an API key store")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	d.API = d.API.WithDefaults()
	e := httpx.New(d.Log, d.Metrics, d.API.TrustedProxies...)
	e.GET("/healthz", health.Live)
	cr := mount(e, d.Codec, auth.NewAuthenticator(d.APIKeys, d.API, d.Now, d.Log), d.Log, d.Now)
	checks := maps.Clone(d.Checks)
	if checks == nil {
		checks = map[string]func(context.Context) error{}
	}
	if cr.oidc != nil {
		checks["identity_provider"] = cr.oidc.ready
	}
	e.GET("/readyz", func(c echo.Context) error { return health.Ready(c, d.Log, checks) })
	return e, nil
}
