// Package auth says who calls: API keys (cached, revocable), their roles
// and the principal they make of a request, the middleware that requires
// them, per-key rate limits, and the per-address limit on failed
// authentications that slows down anyone guessing keys.
package auth

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/httpx"
)

// Challenge is the WWW-Authenticate of a request without a valid API key.
const Challenge = `Bearer realm="beianflow"`

// Authenticator checks the API keys of requests. One serves every route
// of a process, so that a client address has one budget of failures
// whatever it tries to reach.
type Authenticator struct {
	keys *keyring
	// failures limits failed authentications per client address.
	failures *Limiter
	log      *slog.Logger
}

// NewAuthenticator looks keys up in keys, trusting a key found for
// cfg.KeyCacheTTL, and limits failed authentications per client address
// to cfg.AuthFailureRate and cfg.AuthFailureBurst.
func NewAuthenticator(keys KeyStore, cfg config.API, now func() time.Time, log *slog.Logger) *Authenticator {
	return &Authenticator{keys: newKeyring(keys, cfg.KeyCacheTTL, now),
		failures: NewLimiter(cfg.AuthFailureRate, cfg.AuthFailureBurst, now), log: log}
}

// Authenticate requires a valid API key on every request it wraps and
// records the caller for handlers, logs and rate limits.
func (a *Authenticator) Authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, token, found := strings.Cut(h, " ")
		if !found || !strings.EqualFold(scheme, "Bearer") {
			return a.FailedAuth(c, "send Authorization: Bearer <API key>", Challenge)
		}
		p, err := a.keys.principal(c.Request().Context(), strings.TrimSpace(token))
		if errors.Is(err, errBadKey) {
			return a.FailedAuth(c, "the API key is unknown, revoked or malformed", Challenge)
		}
		if err != nil {
			a.log.ErrorContext(c.Request().Context(), "api key lookup", "err", err)
			return httpx.Unavailable("the database")
		}
		SetPrincipal(c, p)
		return next(c)
	}
}

// FailedAuth answers 401 with the WWW-Authenticate challenge, or 429 once
// a client address keeps failing: guessing keys costs a database read
// each, and the per-key rate limit cannot apply to a caller without a key.
// The address is the connection's peer (X-Forwarded-For can be forged).
func (a *Authenticator) FailedAuth(c echo.Context, msg, challenge string) error {
	if ok, wait := a.failures.Take(c.RealIP()); !ok {
		return RateLimited(c, wait)
	}
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, challenge)
	return &httpx.Error{Status: http.StatusUnauthorized, Code: filing.CodeUnauthorized, Message: msg}
}
