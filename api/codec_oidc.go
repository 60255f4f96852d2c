package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
)

// RoleOperator is the caller of a codec route authenticated by an OIDC
// access token rather than an API key: a person signed in to the Temporal
// Web UI through single sign-on. It exists only on the codec routes; no API
// key has it.
const RoleOperator Role = "operator"

// CodecOIDC configures the OIDC access tokens the codec routes accept.
//
// In production the Temporal Web UI sits behind single sign-on; with
// TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true it forwards the signed-in user's
// access token to the codec endpoint as "Authorization: Bearer <JWT>". A
// token is accepted when its signature verifies with a key of the issuer's
// JWKS, its "iss" is Issuer, its "aud" contains Audience, it has not
// expired, and its claim Claim holds one of Allowed.
type CodecOIDC struct {
	// Issuer is the identity provider's issuer URL, exactly as its
	// discovery document (<Issuer>/.well-known/openid-configuration) and
	// its tokens spell it.
	Issuer string
	// Audience must be one of the token's "aud" values.
	Audience string
	// Claim names the claim holding the user's groups or roles: a string
	// or an array of strings. A name that is not a top-level claim is read
	// as a dotted path into objects ("realm_access.roles"). Empty means
	// "groups".
	Claim string
	// Allowed are the values of Claim that may decode, e.g.
	// "beianflow-operators". Empty allows no one, so OIDC stays off.
	Allowed []string
	// HTTPClient fetches the discovery document and the JWKS; nil uses a
	// client with a 10 s timeout.
	HTTPClient *http.Client
}

// oidcSigningAlgs are the signatures accepted: asymmetric ones only. "none"
// and the HMAC algorithms (which a token could use with the issuer's public
// key as the secret) are refused before any key is looked at.
var oidcSigningAlgs = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.EdDSA,
}

const (
	// oidcRetryInterval is how long after a failed discovery the codec
	// answers 503 at once instead of asking the identity provider again:
	// the Web UI sends dozens of decode requests in parallel, which must
	// not each wait for an IdP that is down.
	oidcRetryInterval = 5 * time.Second
	// oidcDiscoveryTimeout bounds one discovery.
	oidcDiscoveryTimeout = 10 * time.Second
	// oidcOperatorPrefix marks operators' rate limit buckets and log
	// identities; API key IDs are hex and never collide with it.
	oidcOperatorPrefix = "oidc:"
)

// oidcVerifier checks operators' access tokens. The identity provider is
// discovered on first use, not at start: an unreachable IdP must not stop
// the API, and a failed discovery is retried by a later request.
type oidcVerifier struct {
	cfg     CodecOIDC
	path    []string // Claim split at dots, for nested claims
	allowed map[string]bool
	log     *slog.Logger
	now     func() time.Time

	// discovering admits one discovery at a time; requests that arrive
	// meanwhile wait for its outcome.
	discovering chan struct{}

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	failedAt time.Time // of the last failed discovery
	// accepted remembers verified tokens (by SHA-256, never the token)
	// until they expire: the Web UI sends the same token with every decode
	// request, and each is logged as accepted only once.
	accepted map[[sha256.Size]byte]acceptedToken
}

type acceptedToken struct {
	operator string
	expiry   time.Time
}

// newOIDCVerifier returns nil, after logging why, for an incomplete
// configuration: the codec then accepts API keys only, as without OIDC.
func newOIDCVerifier(cfg CodecOIDC, log *slog.Logger, now func() time.Time) *oidcVerifier {
	if cfg.Claim == "" {
		cfg.Claim = "groups"
	}
	allowed := map[string]bool{}
	for _, a := range cfg.Allowed {
		if a = strings.TrimSpace(a); a != "" {
			allowed[a] = true
		}
	}
	if cfg.Issuer == "" || cfg.Audience == "" || len(allowed) == 0 {
		log.Error("codec: OIDC not enabled; it needs an issuer, an audience and at least one allowed claim value",
			"issuer", cfg.Issuer, "audience", cfg.Audience, "allowed", len(allowed))
		return nil
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: oidcDiscoveryTimeout}
	}
	return &oidcVerifier{cfg: cfg, path: strings.Split(cfg.Claim, "."), allowed: allowed, log: log, now: now,
		discovering: make(chan struct{}, 1), accepted: map[[sha256.Size]byte]acceptedToken{}}
}

// authenticate admits support API keys exactly as the rest of the API
// does, and, when OIDC is configured, operators' access tokens: any bearer
// token that is not shaped like one of our API keys.
func (cr *codecRoutes) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	apiKey := cr.s.authenticate(next)
	if cr.oidc == nil {
		return apiKey
	}
	return func(c echo.Context) error {
		scheme, token, found := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		token = strings.TrimSpace(token)
		if !found || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.HasPrefix(token, apikeys.Prefix) {
			return apiKey(c)
		}
		p, err := cr.operator(c, token)
		if err != nil {
			return err
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// operator verifies an access token and returns its operator, or the
// error to answer: 401 for a token that does not verify (counted against
// the client address like a wrong API key), 403 for a valid token without
// an allowed group, 503 while the identity provider cannot be reached.
func (cr *codecRoutes) operator(c echo.Context, token string) (Principal, error) {
	v := cr.oidc
	ctx := c.Request().Context()
	sum := sha256.Sum256([]byte(token))
	if op, ok := v.remembered(sum); ok {
		return Principal{KeyID: op, Role: RoleOperator}, nil
	}

	tv, wait := v.tokenVerifier(ctx)
	if tv == nil {
		return Principal{}, idpUnavailable(c, wait)
	}
	keysUnreachable := false
	tok, err := tv.Verify(context.WithValue(ctx, keysUnreachableKey{}, &keysUnreachable), token)
	if err != nil && keysUnreachable {
		v.log.WarnContext(ctx, "codec: the identity provider's keys (JWKS) could not be fetched",
			"request_id", requestID(c), "issuer", v.cfg.Issuer)
		return Principal{}, idpUnavailable(c, oidcRetryInterval)
	}
	if err == nil && tok.Subject == "" {
		err = errNoSubject
	}
	if err != nil {
		// Only the class of failure is logged: go-oidc's messages quote
		// claims of the token.
		reason := tokenRejection(err)
		v.log.InfoContext(ctx, "codec: bearer token rejected", "request_id", requestID(c), "reason", reason)
		if ok, wait := cr.s.authFailures.take(c.RealIP()); !ok {
			return Principal{}, rateLimited(c, wait)
		}
		e := unauthorized(c, reason)
		c.Response().Header().Set(echo.HeaderWWWAuthenticate,
			`Bearer realm="beianflow", error="invalid_token", error_description="`+reason+`"`)
		return Principal{}, e
	}

	// The operator is known to logs and rate limits by a hash of who the
	// issuer says they are; never by subject, name or e-mail.
	idSum := sha256.Sum256([]byte(tok.Issuer + "\n" + tok.Subject))
	op := oidcOperatorPrefix + hex.EncodeToString(idSum[:8])
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil || !v.permits(claims) {
		v.log.WarnContext(ctx, "codec: operator may not decode: no allowed value in the token's claim",
			"request_id", requestID(c), "operator", op, "claim", v.cfg.Claim)
		return Principal{}, &Error{Status: http.StatusForbidden, Code: filing.CodeForbidden,
			Message: "your single sign-on account is not in a group that may decode payloads (claim " + v.cfg.Claim + ")"}
	}
	if v.remember(sum, op, tok.Expiry) {
		v.log.InfoContext(ctx, "codec: operator token accepted", "request_id", requestID(c), "operator", op,
			"expires_in", tok.Expiry.Sub(v.now()).Round(time.Second).String())
	}
	return Principal{KeyID: op, Role: RoleOperator}, nil
}

// idpUnavailable answers 503 with Retry-After; the token may be fine.
func idpUnavailable(c echo.Context, wait time.Duration) *Error {
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return unavailable("the identity provider")
}

var errNoSubject = errors.New("no sub claim")

// tokenRejection names why a token was refused, in words fit for the
// caller and the logs; it never quotes the token.
func tokenRejection(err error) string {
	var expired *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &expired):
		return "the token has expired"
	case errors.Is(err, errNoSubject):
		return "the token has no subject"
	case strings.Contains(msg, "expected audience"):
		return "the token is not meant for this codec server (audience)"
	case strings.Contains(msg, "issued by a different provider"):
		return "the token was issued by another identity provider"
	case strings.Contains(msg, "malformed jwt"):
		return "the token is not a JWT signed with an accepted algorithm"
	case strings.Contains(msg, "failed to verify signature"):
		return "the token's signature does not verify with the identity provider's keys"
	case strings.Contains(msg, "nbf"):
		return "the token is not valid yet"
	}
	return "the token is invalid"
}

// remembered returns the operator of a token verified before and not
// expired since.
func (v *oidcVerifier) remembered(sum [sha256.Size]byte) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	a, ok := v.accepted[sum]
	if !ok || !v.now().Before(a.expiry) {
		return "", false
	}
	return a.operator, true
}

// remember records a verified token and reports whether it is new.
func (v *oidcVerifier) remember(sum [sha256.Size]byte, operator string, expiry time.Time) bool {
	now := v.now()
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.accepted[sum]; ok {
		return false
	}
	if len(v.accepted) >= 1_000 {
		for k, a := range v.accepted {
			if !now.Before(a.expiry) {
				delete(v.accepted, k)
			}
		}
		if len(v.accepted) >= 10_000 { // operators are few; this only bounds the pathological case
			clear(v.accepted)
		}
	}
	v.accepted[sum] = acceptedToken{operator: operator, expiry: expiry}
	return true
}

// tokenVerifier returns the verifier, discovering the identity provider
// first if no discovery has succeeded yet. It returns nil and how long to
// wait while the identity provider cannot be reached.
func (v *oidcVerifier) tokenVerifier(ctx context.Context) (*oidc.IDTokenVerifier, time.Duration) {
	if tv, wait := v.current(); tv != nil || wait > 0 {
		return tv, wait
	}
	select {
	case v.discovering <- struct{}{}:
	case <-ctx.Done():
		return nil, time.Second
	}
	defer func() { <-v.discovering }()
	// Another request may have discovered, or failed to, while this one
	// waited.
	if tv, wait := v.current(); tv != nil || wait > 0 {
		return tv, wait
	}
	tv, err := v.discover(ctx)
	v.mu.Lock()
	defer v.mu.Unlock()
	if err != nil {
		v.failedAt = v.now()
		v.log.ErrorContext(ctx, "codec: OIDC discovery failed; operators' tokens are answered 503 until it succeeds",
			"issuer", v.cfg.Issuer, "err", err, "retry_in", oidcRetryInterval.String())
		return nil, oidcRetryInterval
	}
	v.verifier = tv
	v.log.InfoContext(ctx, "codec: OIDC identity provider discovered", "issuer", v.cfg.Issuer, "audience", v.cfg.Audience)
	return tv, 0
}

// current returns the verifier once discovered, or how long until the
// next discovery may be tried after a failed one.
func (v *oidcVerifier) current() (*oidc.IDTokenVerifier, time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, 0
	}
	if !v.failedAt.IsZero() {
		if wait := v.failedAt.Add(oidcRetryInterval).Sub(v.now()); wait > 0 {
			return nil, wait
		}
	}
	return nil, 0
}

// ready reports whether the identity provider has been discovered,
// discovering it if need be (readiness checks).
func (v *oidcVerifier) ready(ctx context.Context) error {
	if tv, _ := v.tokenVerifier(ctx); tv == nil {
		return errors.New("OIDC discovery of " + v.cfg.Issuer + " has not succeeded")
	}
	return nil
}

// discover fetches the discovery document (whose issuer must be exactly
// the configured one) and builds a verifier over the issuer's JWKS. The
// discovery outlives the request that started it, within its own timeout:
// a client that gives up must not spoil it for the others.
func (v *oidcVerifier) discover(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), oidcDiscoveryTimeout)
	defer cancel()
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, v.cfg.HTTPClient), v.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	var meta struct {
		JWKSURL string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURL == "" {
		return nil, errors.New("the discovery document has no jwks_uri")
	}
	keys := &keySet{remote: oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), v.cfg.HTTPClient), meta.JWKSURL)}
	return oidc.NewVerifier(v.cfg.Issuer, keys, &oidc.Config{
		ClientID:             v.cfg.Audience,
		SupportedSigningAlgs: oidcSigningAlgs,
		Now:                  v.now,
	}), nil
}

// permits reports whether the claim holds an allowed value.
func (v *oidcVerifier) permits(claims map[string]any) bool {
	for _, s := range claimValues(claims, v.cfg.Claim, v.path) {
		if v.allowed[s] {
			return true
		}
	}
	return false
}

// claimValues reads a claim that is a string or an array of strings: the
// top-level claim name if there is one (namespaced claims contain dots,
// "https://example.com/groups"), else the dotted path into objects.
func claimValues(claims map[string]any, name string, path []string) []string {
	val, ok := claims[name]
	if !ok && len(path) > 1 {
		var cur any = claims
		for _, part := range path {
			obj, isObj := cur.(map[string]any)
			if !isObj {
				return nil
			}
			if cur, ok = obj[part]; !ok {
				return nil
			}
		}
		val = cur
	}
	switch val := val.(type) {
	case string:
		return []string{val}
	case []any:
		var out []string
		for _, x := range val {
			if s, isStr := x.(string); isStr {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// keysUnreachableKey carries, in the context of a verification, the flag
// keySet sets when the issuer's JWKS could not be fetched.
type keysUnreachableKey struct{}

// keySet tells a token whose key could not be fetched (the identity
// provider is down: 503) from one whose signature does not verify (401).
// go-oidc's RemoteKeySet wraps exactly one error, the failure to fetch
// the key set; its other failures are plain messages, and the verifier
// flattens both into text. TestOperatorTokensAnswer503WhileTheIdPsKeysCannotBeFetched
// keeps this true.
type keySet struct {
	remote *oidc.RemoteKeySet
}

func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := k.remote.VerifySignature(ctx, jwt)
	if err != nil && errors.Unwrap(err) != nil {
		if flag, ok := ctx.Value(keysUnreachableKey{}).(*bool); ok {
			*flag = true
		}
	}
	return payload, err
}
