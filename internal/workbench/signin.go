package workbench

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/beianflow/beianflow/internal/auth"
)

// signInTTL bounds a sign-in at the identity provider.
const signInTTL = 10 * time.Minute

// staffIDPattern is what a staff ID may look like: it is recorded in claims,
// the audit trail and the access log, so no e-mail address or name.
var staffIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// oidcClient signs reviewers in with the authorization code flow, PKCE,
// state and nonce. The identity provider is discovered on first use, so an
// unreachable one does not stop the API.
type oidcClient struct {
	cfg OIDC

	mu       sync.Mutex
	provider *oidc.Provider
}

func newOIDCClient(cfg OIDC) *oidcClient {
	if cfg.Claim == "" {
		cfg.Claim = "groups"
	}
	if cfg.StaffClaim == "" {
		cfg.StaffClaim = "sub"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &oidcClient{cfg: cfg}
}

func (o *oidcClient) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, o.cfg.HTTPClient)
}

// config discovers the provider once and returns the OAuth2 client that
// redirects back to redirect.
func (o *oidcClient) config(ctx context.Context, redirect string) (*oidc.Provider, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		p, err := oidc.NewProvider(o.context(ctx), o.cfg.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("discover %s: %w", o.cfg.Issuer, err)
		}
		o.provider = p
	}
	return o.provider, &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret,
		Endpoint: o.provider.Endpoint(), RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID, "profile"}}, nil
}

// role is the workbench role the token's claims give, or "".
func (o *oidcClient) role(claims map[string]any) auth.Role {
	values := claimValues(claims, strings.Split(o.cfg.Claim, "."))
	has := func(allowed []string) bool {
		for _, a := range allowed {
			for _, v := range values {
				if a != "" && v == strings.TrimSpace(a) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case has(o.cfg.Support):
		return auth.RoleSupport
	case has(o.cfg.Reviewers):
		return auth.RoleReviewer
	}
	return ""
}

// claimValues reads a string or a list of strings at a dotted path.
func claimValues(claims map[string]any, path []string) []string {
	var cur any = claims
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	switch v := cur.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func (w *Workbench) signInPage(c echo.Context) error {
	return w.render(c, http.StatusOK, "sign-in", page{Title: msgSignIn, OIDC: w.oidc != nil})
}

// startOIDC sends the reviewer to the identity provider.
func (w *Workbench) startOIDC(c echo.Context) error {
	if w.oidc == nil {
		return w.fail(c, http.StatusNotFound, msgNoSSO)
	}
	_, cfg, err := w.oidc.config(c.Request().Context(), w.originOf(c)+"/workbench/signed-in")
	if err != nil {
		w.Log.ErrorContext(c.Request().Context(), "workbench: identity provider unreachable", "err", err)
		return w.fail(c, http.StatusServiceUnavailable, msgIDPDown)
	}
	in := signIn{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Expires: w.Now().Add(signInTTL)}
	v, err := w.signer.seal(signInCookie, in)
	if err != nil {
		return err
	}
	c.SetCookie(w.cookie(signInCookie, v, in.Expires))
	return c.Redirect(http.StatusFound, cfg.AuthCodeURL(in.State, oidc.Nonce(in.Nonce), oauth2.S256ChallengeOption(in.Verifier)))
}

// finishOIDC takes the identity provider's answer: the code is exchanged
// (with the PKCE verifier), the ID token verified (signature, issuer,
// audience, expiry, nonce), and the staff ID and role read from it.
func (w *Workbench) finishOIDC(c echo.Context) error {
	if w.oidc == nil {
		return w.fail(c, http.StatusNotFound, msgNoSSO)
	}
	ctx := c.Request().Context()
	var in signIn
	ck, err := c.Cookie(signInCookie)
	if err != nil || w.signer.open(signInCookie, ck.Value, &in) != nil || !w.Now().Before(in.Expires) ||
		!tokensEqual(c.QueryParam("state"), in.State) {
		return w.fail(c, http.StatusBadRequest, msgSignInAgain)
	}
	c.SetCookie(w.cookie(signInCookie, "", time.Time{}))
	if e := c.QueryParam("error"); e != "" {
		w.Log.WarnContext(ctx, "workbench: the identity provider refused the sign-in", "error", e)
		return w.fail(c, http.StatusForbidden, msgNotAllowed)
	}
	provider, cfg, err := w.oidc.config(ctx, w.originOf(c)+"/workbench/signed-in")
	if err != nil {
		return w.fail(c, http.StatusServiceUnavailable, msgIDPDown)
	}
	tok, err := cfg.Exchange(w.oidc.context(ctx), c.QueryParam("code"), oauth2.VerifierOption(in.Verifier))
	if err != nil {
		w.Log.WarnContext(ctx, "workbench: code exchange failed", "err", err)
		return w.fail(c, http.StatusBadGateway, msgSignInAgain)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: w.oidc.cfg.ClientID, Now: w.Now}).Verify(w.oidc.context(ctx), raw)
	if err != nil || !tokensEqual(idt.Nonce, in.Nonce) {
		w.Log.WarnContext(ctx, "workbench: ID token refused", "err", err)
		return w.fail(c, http.StatusForbidden, msgSignInAgain)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return w.fail(c, http.StatusForbidden, msgSignInAgain)
	}
	role := w.oidc.role(claims)
	staff, _ := claims[w.oidc.cfg.StaffClaim].(string)
	if role == "" || !staffIDPattern.MatchString(staff) {
		w.Log.WarnContext(ctx, "workbench: signed in at the identity provider but not a reviewer, or no usable staff ID",
			"role_found", role != "", "staff_claim", w.oidc.cfg.StaffClaim)
		return w.fail(c, http.StatusForbidden, msgNotAllowed)
	}
	return w.startSession(c, "oidc:"+staff, role)
}

// devSignInPage asks a developer who they are, given the link `beianflow
// dev` printed.
func (w *Workbench) devSignInPage(c echo.Context) error {
	if !w.devToken(c.QueryParam("token")) {
		return w.fail(c, http.StatusNotFound, msgNoDevSignIn)
	}
	return w.render(c, http.StatusOK, "dev-sign-in", page{Title: msgSignIn, DevToken: c.QueryParam("token")})
}

// devSignIn signs in as the handle and role given.
func (w *Workbench) devSignIn(c echo.Context) error {
	if !w.devToken(c.FormValue("token")) || !w.sameOrigin(c) {
		return w.fail(c, http.StatusNotFound, msgNoDevSignIn)
	}
	handle := strings.TrimSpace(c.FormValue("handle"))
	if !staffIDPattern.MatchString(handle) {
		return w.fail(c, http.StatusBadRequest, msgBadHandle)
	}
	role := auth.RoleReviewer
	if c.FormValue("role") == string(auth.RoleSupport) {
		role = auth.RoleSupport
	}
	return w.startSession(c, "dev:"+handle, role)
}

func (w *Workbench) devToken(got string) bool {
	return w.DevSignInToken != "" && tokensEqual(got, w.DevSignInToken)
}

func subtleEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
