package codecserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/converter"

	"github.com/beianflow/beianflow/internal/auth"
)

// routes are the codec routes of one server.
type routes struct {
	// auth checks support API keys, and counts operators' failed tokens
	// against the same per-address budget.
	auth    *auth.Authenticator
	log     *slog.Logger
	h       http.Handler
	origins map[string]bool
	// tokenSum is the SHA-256 of the path token: comparing digests takes
	// the same time whatever the length of the guess.
	tokenSum [sha256.Size]byte
	// limiter holds the codec's own buckets, per API key or operator and
	// one for the path token.
	limiter *auth.Limiter
	// oidc verifies operators' access tokens; nil when not configured.
	oidc *oidcVerifier
}

// Mount registers the codec routes on e when o.Codec is set, with a for
// support API keys and now as the clock of rate limits and tokens:
//
//   - POST /codec/encode and /codec/decode for support API keys
//     (Authorization: Bearer <key>), which the CLI sends with --codec-auth,
//     and, if o.OIDC is set, for operators whose OIDC access token (which
//     the Web UI forwards) carries an allowed group;
//   - POST /codec/t/<token>/encode and .../decode without credentials if
//     o.PathToken is set; a wrong token answers exactly like an unknown
//     route, and the route template (what logs and metrics see) is
//     /codec/t/:token/..., never the token;
//   - OPTIONS on both for CORS preflights of the origins in o.Origins.
//
// CORS headers are sent on these routes only; every other route of the
// API keeps answering without them.
func Mount(e *echo.Echo, o Options, a *auth.Authenticator, log *slog.Logger, now func() time.Time) {
	mount(e, o, a, log, now)
}

// mount is Mount; it returns nil when nothing was mounted.
func mount(e *echo.Echo, o Options, a *auth.Authenticator, log *slog.Logger, now func() time.Time) *routes {
	if o.Codec == nil {
		return nil
	}
	if o.RateLimit <= 0 {
		o.RateLimit = 50
	}
	if o.RateBurst <= 0 {
		o.RateBurst = 500
	}
	cr := &routes{auth: a, log: log, h: converter.NewPayloadCodecHTTPHandler(o.Codec), origins: map[string]bool{},
		limiter: auth.NewLimiter(o.RateLimit, o.RateBurst, now)}
	for _, origin := range o.Origins {
		if !validOrigin(origin) {
			log.Warn("codec: ignoring CORS origin; want scheme://host[:port]", "origin", origin)
			continue
		}
		cr.origins[origin] = true
	}
	withToken := o.PathToken != ""
	if withToken && !codecTokenPattern.MatchString(o.PathToken) {
		// Fail closed: a short token could be guessed.
		log.Error("codec: path token not mounted; it must be at least 32 characters of A-Z a-z 0-9 _ -")
		withToken = false
	}
	cr.tokenSum = sha256.Sum256([]byte(o.PathToken))
	if o.OIDC != nil {
		cr.oidc = newOIDCVerifier(*o.OIDC, log, now)
	}

	for _, op := range []string{"encode", "decode"} {
		serve := cr.serve(op)
		e.Add(http.MethodPost, "/codec/"+op, serve,
			cr.cors, cr.authenticate, auth.RateLimit(cr.limiter), auth.Allow(auth.RoleSupport, RoleOperator))
		e.Add(http.MethodOptions, "/codec/"+op, cr.preflight)
		if withToken {
			// Every method, so that a wrong token answers 404 whatever the
			// method, as for a path that does not exist (Echo would answer
			// 405 or an OPTIONS 204 for a known path).
			e.Any("/codec/t/:token/"+op, cr.tokenRoute(serve))
		}
	}
	return cr
}

// validOrigin accepts an origin as browsers send it; "*" and "null" (sent
// by sandboxed frames and local files) are never allowed.
func validOrigin(o string) bool {
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.User == nil && u.Path == "" && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery &&
		o == u.Scheme+"://"+u.Host
}

// allowOrigin adds the CORS headers of an actual response when the request
// comes from an allowed origin, and reports whether it did.
func (cr *routes) allowOrigin(c echo.Context) bool {
	h := c.Response().Header()
	h.Add(echo.HeaderVary, echo.HeaderOrigin)
	origin := c.Request().Header.Get(echo.HeaderOrigin)
	if origin == "" || !cr.origins[origin] {
		return false
	}
	h.Set(echo.HeaderAccessControlAllowOrigin, origin)
	h.Set(echo.HeaderAccessControlAllowCredentials, "true")
	return true
}

// cors adds the CORS headers before authentication, so that the browser
// lets the UI read a 401, 403 or 429 too.
func (cr *routes) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cr.allowOrigin(c)
		return next(c)
	}
}

// preflight answers a CORS preflight. Preflights carry no credentials, so
// they are not authenticated; other origins get no CORS headers and the
// browser stops there.
func (cr *routes) preflight(c echo.Context) error {
	if cr.allowOrigin(c) {
		h := c.Response().Header()
		h.Set(echo.HeaderAccessControlAllowMethods, "POST, OPTIONS")
		h.Set(echo.HeaderAccessControlAllowHeaders, codecAllowHeaders)
		h.Set(echo.HeaderAccessControlMaxAge, "600")
	}
	c.Response().Header().Set(echo.HeaderAllow, "OPTIONS, POST")
	return c.NoContent(http.StatusNoContent)
}

// tokenRoute serves /codec/t/:token/<op>: the token is checked first, so a
// wrong one answers the 404 of an unknown route, with nothing (no CORS
// headers, no Allow) that tells it apart.
func (cr *routes) tokenRoute(serve echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		got := sha256.Sum256([]byte(c.Param("token")))
		if subtle.ConstantTimeCompare(got[:], cr.tokenSum[:]) != 1 {
			return echo.ErrNotFound
		}
		switch c.Request().Method {
		case http.MethodOptions:
			return cr.preflight(c)
		case http.MethodPost:
			cr.allowOrigin(c)
			if ok, wait := cr.limiter.Take(codecTokenBucket); !ok {
				return auth.RateLimited(c, wait)
			}
			return serve(c)
		default:
			c.Response().Header().Set(echo.HeaderAllow, "OPTIONS, POST")
			return echo.ErrMethodNotAllowed
		}
	}
}
