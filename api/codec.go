package api

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/beianflow/beianflow/filing"
)

// CodecOptions configure the codec server: Temporal's remote codec
// protocol (POST <endpoint>/encode and <endpoint>/decode with a body of
// {"payloads": [...]}), which the Temporal Web UI and CLI call to show
// encrypted payloads in clear text.
type CodecOptions struct {
	// Codec encodes and decodes; nil mounts no codec routes at all.
	Codec converter.PayloadCodec
	// Origins are the exact origins (scheme://host[:port]) of Web UIs
	// allowed to call the codec from the browser, e.g.
	// "http://localhost:8233". CORS is answered on the codec routes only.
	Origins []string
	// PathToken, if set, also mounts /codec/t/<PathToken>/{encode,decode}
	// without authentication, for a Web UI that cannot send credentials
	// (the Temporal CLI dev server of `make run`). Whoever can open that UI
	// can read the token (the UI hands its codec endpoint to the browser),
	// so set it only where everyone who can reach the UI may see the data.
	// At least 32 characters of [A-Za-z0-9_-].
	PathToken string
	// OIDC, if set, also lets operators signed in to the Web UI through
	// single sign-on decode: the UI forwards their access token
	// (TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true) and the codec routes verify
	// it against the identity provider (codec_oidc.go).
	OIDC *CodecOIDC
	// RateLimit and RateBurst bound codec requests per API key, per
	// operator (and for the path token), in their own buckets: the Web UI decodes every
	// event of a history in parallel and the CLI calls the codec once per
	// event, so the /v1 budget would cut a long history short. Zero means
	// 50 per second with bursts of 500.
	RateLimit float64
	RateBurst int
}

// codecTokenPattern is what a path token must look like: one URL path
// segment, long enough not to be guessed.
var codecTokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{32,}$`)

// codecTokenBucket is the rate limit bucket of the path token. There is
// one token, so one bucket; API key IDs are hex and never collide with it.
const codecTokenBucket = "codec path token"

// codecAllowHeaders are the request headers the Web UI and CLI send.
const codecAllowHeaders = "Content-Type, X-Namespace, Authorization"

type codecRoutes struct {
	s       *server
	h       http.Handler
	origins map[string]bool
	// tokenSum is the SHA-256 of the path token: comparing digests takes
	// the same time whatever the length of the guess.
	tokenSum [sha256.Size]byte
	limiter  *limiter
	// oidc verifies operators' access tokens; nil when not configured.
	oidc *oidcVerifier
}

// registerCodec mounts the codec server when o.Codec is set:
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
// API keeps answering without them. It returns nil when nothing was
// mounted.
func (s *server) registerCodec(e *echo.Echo, o CodecOptions) *codecRoutes {
	if o.Codec == nil {
		return nil
	}
	if o.RateLimit <= 0 {
		o.RateLimit = 50
	}
	if o.RateBurst <= 0 {
		o.RateBurst = 500
	}
	cr := &codecRoutes{s: s, h: converter.NewPayloadCodecHTTPHandler(o.Codec), origins: map[string]bool{},
		limiter: newLimiter(o.RateLimit, o.RateBurst, s.Now)}
	for _, origin := range o.Origins {
		if !validOrigin(origin) {
			s.Log.Warn("codec: ignoring CORS origin; want scheme://host[:port]", "origin", origin)
			continue
		}
		cr.origins[origin] = true
	}
	withToken := o.PathToken != ""
	if withToken && !codecTokenPattern.MatchString(o.PathToken) {
		// Fail closed: a short token could be guessed.
		s.Log.Error("codec: path token not mounted; it must be at least 32 characters of A-Z a-z 0-9 _ -")
		withToken = false
	}
	cr.tokenSum = sha256.Sum256([]byte(o.PathToken))
	if o.OIDC != nil {
		cr.oidc = newOIDCVerifier(*o.OIDC, s.Log, s.Now)
	}

	for _, op := range []string{"encode", "decode"} {
		serve := cr.serve(op)
		e.Add(http.MethodPost, "/codec/"+op, serve,
			cr.cors, cr.authenticate, cr.rateLimitKey, allow(RoleSupport, RoleOperator))
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
func (cr *codecRoutes) allowOrigin(c echo.Context) bool {
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
func (cr *codecRoutes) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cr.allowOrigin(c)
		return next(c)
	}
}

// preflight answers a CORS preflight. Preflights carry no credentials, so
// they are not authenticated; other origins get no CORS headers and the
// browser stops there.
func (cr *codecRoutes) preflight(c echo.Context) error {
	if cr.allowOrigin(c) {
		h := c.Response().Header()
		h.Set(echo.HeaderAccessControlAllowMethods, "POST, OPTIONS")
		h.Set(echo.HeaderAccessControlAllowHeaders, codecAllowHeaders)
		h.Set(echo.HeaderAccessControlMaxAge, "600")
	}
	c.Response().Header().Set(echo.HeaderAllow, "OPTIONS, POST")
	return c.NoContent(http.StatusNoContent)
}

// rateLimitKey spends a token of the caller's API key (or operator) in the
// codec's own buckets.
func (cr *codecRoutes) rateLimitKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ok, wait := cr.limiter.take(principalOf(c).KeyID); !ok {
			return rateLimited(c, wait)
		}
		return next(c)
	}
}

// tokenRoute serves /codec/t/:token/<op>: the token is checked first, so a
// wrong one answers the 404 of an unknown route, with nothing (no CORS
// headers, no Allow) that tells it apart.
func (cr *codecRoutes) tokenRoute(serve echo.HandlerFunc) echo.HandlerFunc {
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
			if ok, wait := cr.limiter.take(codecTokenBucket); !ok {
				return rateLimited(c, wait)
			}
			return serve(c)
		default:
			c.Response().Header().Set(echo.HeaderAllow, "OPTIONS, POST")
			return echo.ErrMethodNotAllowed
		}
	}
}

// serve runs Temporal's codec handler for op ("encode" or "decode") and
// turns its plain-text failures into the API's error model. The body is
// checked first, so the handler's 400 can only mean the codec refused the
// payloads. Neither payloads nor the codec's messages reach the response;
// the message is logged (codec errors name keys, never contents).
func (cr *codecRoutes) serve(op string) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); err != nil || mt != echo.MIMEApplicationJSON {
			return &Error{Status: http.StatusUnsupportedMediaType, Code: filing.CodeUnsupportedMediaType,
				Message: "Content-Type must be application/json"}
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return &Error{Status: http.StatusRequestEntityTooLarge, Code: filing.CodeBodyTooLarge, Message: "request body too large"}
			}
			return badRequest(filing.CodeInvalidJSON, "", "could not read the request body")
		}
		// The same parser the SDK's handler uses; its message would quote
		// the input, so it is not passed on.
		if err := protojson.Unmarshal(body, &commonpb.Payloads{}); err != nil {
			return badRequest(filing.CodeInvalidJSON, "", `the body must be {"payloads": [...]}, Temporal payloads in protobuf JSON`)
		}

		inner := req.Clone(req.Context())
		// Only the operation: the path token goes no further.
		inner.URL = &url.URL{Path: "/" + op}
		inner.RequestURI = ""
		inner.Body = io.NopCloser(bytes.NewReader(body))
		inner.ContentLength = int64(len(body))
		w := &codecResponse{header: http.Header{}}
		cr.h.ServeHTTP(w, inner)

		if w.status == 0 || w.status == http.StatusOK {
			return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, w.body.Bytes())
		}
		msg := strings.TrimSpace(w.body.String())
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		if op == "decode" && w.status == http.StatusBadRequest {
			cr.s.Log.WarnContext(req.Context(), "codec refused payloads",
				"request_id", requestID(c), "route", c.Path(), "op", op, "err", msg)
			return &Error{Status: http.StatusBadRequest, Code: filing.CodeCodecFailed, Field: "payloads",
				Message: "a payload could not be decoded: it was encoded with a key this server does not hold, or altered"}
		}
		// Encoding fails only on the server's side (randomness, keys):
		// the error handler logs it and answers a generic 500.
		return errors.New("codec " + op + " failed (" + strconv.Itoa(w.status) + "): " + msg)
	}
}

// codecResponse buffers the answer of Temporal's codec handler.
type codecResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *codecResponse) Header() http.Header { return w.header }

func (w *codecResponse) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *codecResponse) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}
