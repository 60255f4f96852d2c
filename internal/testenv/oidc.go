package testenv

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
)

// IDP is an OIDC identity provider for tests: discovery and the JWKS of an
// RSA key generated here, served for Issuer (an http.Handler, so tests can
// put it behind a server or a fake transport). Tokens are signed for real.
type IDP struct {
	Issuer string
	Key    *rsa.PrivateKey
	KeyID  string
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
	case base + "/certs":
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &idp.Key.PublicKey, KeyID: idp.KeyID, Algorithm: "RS256", Use: "sig"}}})
	default:
		http.NotFound(w, r)
	}
}

// Token is an access token with claims, signed by the IdP's key.
func (idp *IDP) Token(t *testing.T, claims map[string]any) string {
	t.Helper()
	return SignRS256(t, idp.Key, idp.KeyID, claims)
}

// SignRS256 signs claims as an access token (typ at+jwt) with key.
func SignRS256(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	require.NoError(t, err)
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	require.NoError(t, err)
	return tok
}
