// Package codecserver serves Temporal's remote codec protocol
// (POST /codec/encode and /codec/decode) so that the Temporal Web UI and
// CLI show the encrypted payloads of filings in clear text, to support API
// keys and to operators signed in to the UI through OIDC. The routes are
// mounted on the API (Mount) or served alone by `beianflow codec-server`
// (New), which holds the payload keys but needs neither Temporal nor S3.
package codecserver

import (
	"net/http"
	"regexp"

	"go.temporal.io/sdk/converter"

	"github.com/beianflow/beianflow/internal/auth"
)

// Options configure the codec server: Temporal's remote codec
// protocol (POST <endpoint>/encode and <endpoint>/decode with a body of
// {"payloads": [...]}), which the Temporal Web UI and CLI call to show
// encrypted payloads in clear text.
type Options struct {
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
	// it against the identity provider (oidc.go, operator.go).
	OIDC *OIDC
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

// codecAllowHeaders are the request headers the Web UI and CLI send: with
// single sign-on the UI also sends the ID token as Authorization-Extras
// (ui v2.42.1, src/lib/services/data-encoder.ts), and a preflight that
// does not allow it blocks every decode.
const codecAllowHeaders = "Content-Type, X-Namespace, Authorization, Authorization-Extras"

// RoleOperator is the caller of a codec route authenticated by an OIDC
// access token rather than an API key: a person signed in to the Temporal
// Web UI through single sign-on. It exists only on the codec routes; no API
// key has it.
const RoleOperator auth.Role = "operator"

// OIDC configures the OIDC access tokens the codec routes accept.
//
// In production the Temporal Web UI sits behind single sign-on; with
// TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true it forwards the signed-in user's
// access token to the codec endpoint as "Authorization: Bearer <JWT>". A
// token is accepted when its signature verifies with a key of the issuer's
// JWKS, its "iss" is Issuer, its "aud" contains Audience, it has not
// expired, and its claim Claim holds one of Allowed.
type OIDC struct {
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
