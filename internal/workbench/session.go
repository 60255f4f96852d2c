package workbench

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/beianflow/beianflow/internal/auth"
)

// Cookies of the workbench. Both are signed, not encrypted: they hold a
// staff ID, a role and random tokens, nothing of a filing.
const (
	sessionCookie = "bf_wb_session"
	signInCookie  = "bf_wb_sign_in"
	cookiePath    = "/workbench/"
)

// session is a signed-in reviewer. It lives in a signed cookie, so every
// API process with the same key accepts it and nothing is stored; signing
// out clears the cookie and a session ends at Expires whatever happens.
type session struct {
	// Staff is the reviewer's staff ID as the identity provider names it
	// ("oidc:<id>", or "dev:<handle>" for the development sign-in).
	Staff string    `json:"staff"`
	Role  auth.Role `json:"role"`
	// CSRF is the token every form of the session carries back.
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"exp"`
}

// signIn is an OIDC sign-in under way: what the callback must see again.
type signIn struct {
	State    string    `json:"state"`
	Nonce    string    `json:"nonce"`
	Verifier string    `json:"verifier"`
	Expires  time.Time `json:"exp"`
}

// signer signs and checks cookie values with an HMAC key.
type signer struct {
	key []byte
}

var errBadCookie = errors.New("workbench: cookie not signed by this system or expired")

// seal is base64url(JSON of v) "." base64url(HMAC-SHA256 of it), with the
// cookie name inside the MAC so one cookie cannot stand in for another.
func (s signer) seal(name string, v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	body := base64.RawURLEncoding.EncodeToString(raw)
	return body + "." + base64.RawURLEncoding.EncodeToString(s.mac(name, body)), nil
}

// open checks a sealed value and decodes it into v.
func (s signer) open(name, value string, v any) error {
	body, sig, ok := strings.Cut(value, ".")
	if !ok {
		return errBadCookie
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(name, body)) {
		return errBadCookie
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return errBadCookie
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return errBadCookie
	}
	return nil
}

func (s signer) mac(name, body string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(name + "\n" + body))
	return m.Sum(nil)
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand does not fail on Linux; it panics if it cannot
	return base64.RawURLEncoding.EncodeToString(b)
}

// cookie is a workbench cookie: HttpOnly, SameSite=Lax (the sign-in
// callback arrives from the identity provider's site, and a Strict cookie
// would not be sent with it), Secure unless the workbench is served over
// plain HTTP on a development machine.
func (w *Workbench) cookie(name, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: cookiePath, HttpOnly: true, SameSite: http.SameSiteLaxMode, //nolint:gosec // G124: Secure on https; a development machine serves plain http
		Secure: w.secure, Expires: expires}
	if value == "" {
		c.MaxAge = -1
	}
	return c
}
