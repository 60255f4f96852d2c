package testenv

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
)

// IDP is an OIDC identity provider for tests: discovery and the JWKS of an
// RSA key generated here, served for Issuer (an http.Handler, so tests can
// put it behind a server or a fake transport). Tokens are signed for real.
//
// It also signs people in with the authorization code flow (PKCE S256
// required): /auth shows a sign-in form asking for a user name, /token
// exchanges the code for an ID token of that user's Users claims.
type IDP struct {
	Issuer string
	Key    *rsa.PrivateKey
	KeyID  string
	// ClientID and ClientSecret are the one client of the code flow.
	ClientID, ClientSecret string
	// Users are the claims of each user who may sign in, by user name.
	Users map[string]map[string]any

	mu    sync.Mutex
	codes map[string]issuedCode
}

type issuedCode struct {
	user, nonce, challenge, redirect string
	expires                          time.Time
}

// NewIDP generates the IdP's signing key.
func NewIDP(t *testing.T, issuer string) *IDP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	return &IDP{Issuer: issuer, Key: key, KeyID: "test-key-1"}
}

// ServeHTTP answers the discovery document and the JWKS (at <issuer>/certs).
func (idp *IDP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	base := ""
	if u, err := url.Parse(idp.Issuer); err == nil {
		base = strings.TrimSuffix(u.Path, "/")
	}
	switch r.URL.Path {
	case base + "/.well-known/openid-configuration":
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                idp.Issuer,
			"authorization_endpoint":                idp.Issuer + "/auth",
			"token_endpoint":                        idp.Issuer + "/token",
			"jwks_uri":                              idp.Issuer + "/certs",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	case base + "/auth":
		idp.authorize(w, r)
	case base + "/token":
		idp.exchange(w, r)
	case base + "/certs":
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &idp.Key.PublicKey, KeyID: idp.KeyID, Algorithm: "RS256", Use: "sig"}}})
	default:
		http.NotFound(w, r)
	}
}

// authorize is the IdP's sign-in page (GET) and its submission (POST),
// which sends the browser back to the client with a code.
func (idp *IDP) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := r.Form
	if q.Get("client_id") != idp.ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method == http.MethodGet {
		var hidden strings.Builder
		for _, k := range []string{"client_id", "response_type", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method"} {
			fmt.Fprintf(&hidden, `<input type="hidden" name="%s" value="%s">`, k, html.EscapeString(q.Get(k)))
		}
		fmt.Fprintf(w, `<!doctype html><title>Test IdP</title><form method="post">%s<input name="username" id="username"><button id="idp-sign-in">Sign in</button></form>`, hidden.String())
		return
	}
	user := q.Get("username")
	if _, ok := idp.Users[user]; !ok {
		http.Error(w, "unknown user", http.StatusForbidden)
		return
	}
	code := rand.Text()
	idp.mu.Lock()
	if idp.codes == nil {
		idp.codes = map[string]issuedCode{}
	}
	idp.codes[code] = issuedCode{user: user, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"),
		redirect: q.Get("redirect_uri"), expires: time.Now().Add(time.Minute)}
	idp.mu.Unlock()
	to, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	v := to.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	to.RawQuery = v.Encode()
	// Back to the client's redirect URI, as the code flow does; this IdP
	// serves tests only.
	http.Redirect(w, r, to.String(), http.StatusFound) //nolint:gosec // G710: the redirect URI is the client's, by protocol
}

// exchange is the token endpoint: a code once, from the client, with the
// verifier of its challenge and the same redirect URI.
func (idp *IDP) exchange(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	idp.mu.Lock()
	c, found := idp.codes[r.PostForm.Get("code")]
	delete(idp.codes, r.PostForm.Get("code"))
	idp.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if id != idp.ClientID || secret != idp.ClientSecret || !found || time.Now().After(c.expires) ||
		r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("redirect_uri") != c.redirect ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": idp.Issuer, "sub": c.user, "aud": idp.ClientID, "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "nonce": c.nonce}
	for k, v := range idp.Users[c.user] {
		claims[k] = v
	}
	idToken, err := sign(idp.Key, idp.KeyID, "JWT", claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": rand.Text(), "token_type": "Bearer",
		"expires_in": 300, "id_token": idToken})
}

// Token is an access token with claims, signed by the IdP's key.
func (idp *IDP) Token(t *testing.T, claims map[string]any) string {
	t.Helper()
	return SignRS256(t, idp.Key, idp.KeyID, claims)
}

// SignRS256 signs claims as an access token (typ at+jwt) with key.
func SignRS256(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	tok, err := sign(key, kid, "at+jwt", claims)
	require.NoError(t, err)
	return tok
}

func sign(key *rsa.PrivateKey, kid string, typ jose.ContentType, claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType(typ))
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}
