package codecserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/httpx"
)

// authenticate admits support API keys exactly as the rest of the API
// does, and, when OIDC is configured, operators' access tokens: any bearer
// token that is not shaped like one of our API keys.
func (cr *routes) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	apiKey := cr.auth.Authenticate(next)
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
		auth.SetPrincipal(c, p)
		return next(c)
	}
}

// operator verifies an access token and returns its operator, or the
// error to answer: 401 for a token that does not verify (counted against
// the client address like a wrong API key), 403 for a valid token without
// an allowed group, 503 while the identity provider cannot be reached.
func (cr *routes) operator(c echo.Context, token string) (auth.Principal, error) {
	v := cr.oidc
	ctx := c.Request().Context()
	sum := sha256.Sum256([]byte(token))
	if op, ok := v.remembered(sum); ok {
		return auth.Principal{KeyID: op, Role: RoleOperator}, nil
	}

	tv, wait := v.tokenVerifier(ctx)
	if tv == nil {
		return auth.Principal{}, idpUnavailable(c, wait)
	}
	keysUnreachable := false
	tok, err := tv.Verify(context.WithValue(ctx, keysUnreachableKey{}, &keysUnreachable), token)
	if err != nil && keysUnreachable {
		v.log.WarnContext(ctx, "codec: the identity provider's keys (JWKS) could not be fetched",
			"request_id", httpx.RequestID(c), "issuer", v.cfg.Issuer)
		return auth.Principal{}, idpUnavailable(c, oidcRetryInterval)
	}
	if err == nil && tok.Subject == "" {
		err = errNoSubject
	}
	if err != nil {
		// Only the class of failure is logged: go-oidc's messages quote
		// claims of the token.
		reason := tokenRejection(err)
		v.log.InfoContext(ctx, "codec: bearer token rejected", "request_id", httpx.RequestID(c), "reason", reason)
		return auth.Principal{}, cr.auth.FailedAuth(c, reason,
			auth.Challenge+`, error="invalid_token", error_description="`+reason+`"`)
	}

	// The operator is known to logs and rate limits by a hash of who the
	// issuer says they are; never by subject, name or e-mail.
	idSum := sha256.Sum256([]byte(tok.Issuer + "\n" + tok.Subject))
	op := oidcOperatorPrefix + hex.EncodeToString(idSum[:8])
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil || !v.permits(claims) {
		v.log.WarnContext(ctx, "codec: operator may not decode: no allowed value in the token's claim",
			"request_id", httpx.RequestID(c), "operator", op, "claim", v.cfg.Claim)
		return auth.Principal{}, &httpx.Error{Status: http.StatusForbidden, Code: filing.CodeForbidden,
			Message: "your single sign-on account is not in a group that may decode payloads (claim " + v.cfg.Claim + ")"}
	}
	if v.remember(sum, op, tok.Expiry) {
		v.log.InfoContext(ctx, "codec: operator token accepted", "request_id", httpx.RequestID(c), "operator", op,
			"expires_in", tok.Expiry.Sub(v.now()).Round(time.Second).String())
	}
	return auth.Principal{KeyID: op, Role: RoleOperator}, nil
}

// idpUnavailable answers 503 with Retry-After; the token may be fine.
func idpUnavailable(c echo.Context, wait time.Duration) *httpx.Error {
	httpx.RetryAfter(c, wait)
	return httpx.Unavailable("the identity provider")
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
