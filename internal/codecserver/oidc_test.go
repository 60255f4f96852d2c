package codecserver_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/codecserver"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/metrics"
	"github.com/beianflow/beianflow/internal/testenv"
)

const (
	testIssuer   = "https://sso.example.test/realms/ops"
	testAudience = "temporal-ui"
	testGroup    = "beianflow-operators"
	// Personal data of the test operator: none of it may reach the logs.
	testSubject = "f3c1a9e2-operator-subject-4711"
	testEmail   = "li.wei@example.test"
	testName    = "Li Wei Operator"
)

// testIDP is testenv's identity provider served in-process: the codec
// reaches it through an http.Client whose transport calls the handler (no
// sockets), and "down" makes that transport fail like a refused connection.
type testIDP struct {
	*testenv.IDP
	down   atomic.Bool // the whole IdP is unreachable
	keysDn atomic.Bool // only the JWKS is
	hits   atomic.Int32
	client *http.Client
}

func newTestIDP(t *testing.T, issuer string) *testIDP {
	t.Helper()
	idp := &testIDP{IDP: testenv.NewIDP(t, issuer)}
	idp.client = &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		idp.hits.Add(1)
		if idp.down.Load() || (idp.keysDn.Load() && strings.HasSuffix(r.URL.Path, "/certs")) {
			return nil, errors.New("dial tcp: connect: connection refused")
		}
		rec := httptest.NewRecorder()
		idp.ServeHTTP(rec, r)
		return rec.Result(), nil
	})}
	return idp
}

// operatorClaims are the claims of a typical access token of the operator.
func operatorClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss": testIssuer, "sub": testSubject, "aud": []string{testAudience, "account"},
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"email": testEmail, "name": testName, "groups": []string{"staff", testGroup},
	}
}

func (idp *testIDP) token(t *testing.T, claims map[string]any) string {
	t.Helper()
	return idp.Token(t, claims)
}

type oidcTest struct {
	codecTest
	idp   *testIDP
	clock *testenv.Clock
	codec *codec.Codec
}

// oidcCodecServer is the API with the real payload codec (AES-GCM with the
// test keys) and OIDC operators of idp allowed in testGroup.
func oidcCodecServer(t *testing.T, idp *testIDP, adjust ...func(*api.Deps)) oidcTest {
	t.Helper()
	keys, err := codec.ParseKeys(testenv.PayloadKeys)
	require.NoError(t, err)
	c := codec.New(keys)
	// The server's clock: tokens expire and the IdP is retried on it.
	clock := testenv.NewClock(time.Now())
	db := testenv.SQLiteDB(t)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := metrics.New()
	d := api.Deps{DB: db, Log: log, Metrics: m, Now: clock.Now, Codec: codecserver.Options{
		Codec: c, Origins: []string{testCodecOrigin},
		OIDC: &codecserver.OIDC{Issuer: idp.Issuer, Audience: testAudience, Allowed: []string{testGroup}, HTTPClient: idp.client},
	}}
	for _, f := range adjust {
		f(&d)
	}
	return oidcTest{codecTest: codecTest{h: api.New(d), db: db, log: &buf, metrics: m}, idp: idp, clock: clock, codec: c}
}

// operatorToken is a valid operator's token from the IdP, issued now.
func (ot oidcTest) operatorToken(t *testing.T) string {
	t.Helper()
	return ot.idp.token(t, operatorClaims(ot.clock.Now()))
}

// decode asks the codec server to decode enc with the credential cred
// (a token or an API key), from origin when it is not empty.
func (ot oidcTest) decode(t *testing.T, cred, origin string, enc []*commonpb.Payload) *httptest.ResponseRecorder {
	t.Helper()
	return ot.do(http.MethodPost, "/codec/decode", cred, origin, payloadsJSON(t, enc))
}

// encrypted is what the workers write into Temporal: payloads encrypted
// by the payload codec.
func (ot oidcTest) encrypted(t *testing.T) (plain, enc []*commonpb.Payload) {
	t.Helper()
	plain = samplePayloads(t)
	enc, err := ot.codec.Encode(plain)
	require.NoError(t, err)
	for i := range plain {
		require.NotEqual(t, plain[i].Data, enc[i].Data)
	}
	return plain, enc
}

func TestOperatorSignedInToTheWebUIDecodesPayloads(t *testing.T) {
	ot := oidcCodecServer(t, newTestIDP(t, testIssuer))
	plain, enc := ot.encrypted(t)
	tok := ot.operatorToken(t)

	rec := ot.decode(t, tok, testCodecOrigin, enc)
	dec := parsePayloads(t, rec)
	require.Len(t, dec, len(plain))
	for i := range plain {
		assert.True(t, proto.Equal(plain[i], dec[i]), "payload %d", i)
	}
	assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"))

	// Encoding works too (the UI encodes the inputs of a signal or a
	// reset), and what it encodes the codec decodes.
	enc2 := parsePayloads(t, ot.do(http.MethodPost, "/codec/encode", tok, testCodecOrigin, payloadsJSON(t, plain)))
	dec2, err := ot.codec.Decode(enc2)
	require.NoError(t, err)
	for i := range plain {
		assert.True(t, proto.Equal(plain[i], dec2[i]), "payload %d", i)
	}
	assert.Contains(t, ot.log.String(), "operator token accepted")
	assert.Equal(t, 1, strings.Count(ot.log.String(), "operator token accepted"), "logged once per token, not per request")
}

func TestOperatorTokensThatDoNotVerifyAreRefused(t *testing.T) {
	ot := oidcCodecServer(t, newTestIDP(t, testIssuer), func(d *api.Deps) { d.API.AuthFailureBurst = 1000 })
	_, enc := ot.encrypted(t)
	now := ot.clock.Now()
	with := func(k string, v any) map[string]any {
		c := operatorClaims(now)
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pubDER, err := x509.MarshalPKIXPublicKey(&ot.idp.Key.PublicKey)
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hs256, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pubPEM}, (&jose.SignerOptions{}).WithType("JWT"))
	require.NoError(t, err)
	hsTok, err := jwt.Signed(hs256).Claims(operatorClaims(now)).Serialize()
	require.NoError(t, err)
	b64 := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	noneTok := b64(map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64(operatorClaims(now)) + "."
	valid := ot.idp.token(t, operatorClaims(now))
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + b64(with("groups", []string{testGroup, "admin"})) + "." + parts[2]

	cases := []struct{ name, token, reason string }{
		{"wrong audience", ot.idp.token(t, with("aud", "some-other-app")), "audience"},
		{"no audience", ot.idp.token(t, with("aud", nil)), "audience"},
		{"wrong issuer", ot.idp.token(t, with("iss", "https://evil.example.test/realms/ops")), "another identity provider"},
		{"expired", ot.idp.token(t, with("exp", now.Add(-time.Minute).Unix())), "expired"},
		{"not valid yet", ot.idp.token(t, with("nbf", now.Add(time.Hour).Unix())), "not valid yet"},
		{"no subject", ot.idp.token(t, with("sub", nil)), "no subject"},
		{"signed by another key, same key ID", testenv.SignRS256(t, otherKey, ot.idp.KeyID, operatorClaims(now)), "signature"},
		{"signed by another key, unknown key ID", testenv.SignRS256(t, otherKey, "attacker", operatorClaims(now)), "signature"},
		{"claims altered after signing", tampered, "signature"},
		{"alg none", noneTok, "algorithm"},
		{"HS256 with the public key as secret", hsTok, "algorithm"},
		{"not a JWT", "definitely-not-a-jwt", "algorithm"},
	}
	for _, tc := range cases {
		rec := ot.decode(t, tc.token, testCodecOrigin, enc)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "%s: %s", tc.name, rec.Body.String())
		assert.Equal(t, filing.CodeUnauthorized, errorCode(t, rec), tc.name)
		assert.Contains(t, rec.Body.String(), tc.reason, tc.name)
		www := rec.Header().Get("WWW-Authenticate")
		assert.True(t, strings.HasPrefix(www, "Bearer "), "%s: %s", tc.name, www)
		assert.Contains(t, www, `error="invalid_token"`, tc.name)
		assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"), "%s: the UI may read the 401", tc.name)
		assert.NotContains(t, rec.Body.String(), `"payloads":`, tc.name)
	}

	// A token accepted once stops working when it expires.
	rec := ot.decode(t, valid, "", enc)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	ot.clock.Advance(6 * time.Minute)
	rec = ot.decode(t, valid, "", enc)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Contains(t, rec.Body.String(), "expired")
}

func TestOperatorWithoutAnAllowedGroupIsForbidden(t *testing.T) {
	ot := oidcCodecServer(t, newTestIDP(t, testIssuer))
	_, enc := ot.encrypted(t)
	now := ot.clock.Now()
	for name, groups := range map[string]any{
		"no groups claim":    nil,
		"other groups":       []string{"staff", "beianflow-operators-old"},
		"empty list":         []string{},
		"group in a number":  42,
		"case differs":       []string{"Beianflow-Operators"},
		"group in an object": map[string]any{"name": testGroup},
	} {
		c := operatorClaims(now)
		c["groups"] = groups
		if groups == nil {
			delete(c, "groups")
		}
		rec := ot.decode(t, ot.idp.token(t, c), testCodecOrigin, enc)
		assert.Equal(t, http.StatusForbidden, rec.Code, "%s: %s", name, rec.Body.String())
		assert.Equal(t, filing.CodeForbidden, errorCode(t, rec), name)
		assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"), "%s: the UI may read the 403", name)
		assert.NotContains(t, rec.Body.String(), `"payloads":`, name)
	}

	// A single group as a string is fine.
	c := operatorClaims(now)
	c["groups"] = testGroup
	assert.Equal(t, http.StatusOK, ot.decode(t, ot.idp.token(t, c), "", enc).Code)
}

func TestOperatorRolesMayComeFromANestedOrNamespacedClaim(t *testing.T) {
	for _, claim := range []string{"realm_access.roles", "https://beianflow.example/roles"} {
		ot := oidcCodecServer(t, newTestIDP(t, testIssuer), func(d *api.Deps) { d.Codec.OIDC.Claim = claim })
		_, enc := ot.encrypted(t)
		c := operatorClaims(ot.clock.Now())
		delete(c, "groups")
		c["realm_access"] = map[string]any{"roles": []string{"offline_access", testGroup}}
		c["https://beianflow.example/roles"] = []string{testGroup}
		assert.Equal(t, http.StatusOK, ot.decode(t, ot.idp.token(t, c), "", enc).Code, claim)

		c["realm_access"] = map[string]any{"roles": []string{"offline_access"}}
		c["https://beianflow.example/roles"] = []string{"offline_access"}
		assert.Equal(t, http.StatusForbidden, ot.decode(t, ot.idp.token(t, c), "", enc).Code, claim)
	}
	// The groups claim of the default does not count under another name.
	ot := oidcCodecServer(t, newTestIDP(t, testIssuer), func(d *api.Deps) { d.Codec.OIDC.Claim = "realm_access.roles" })
	_, enc := ot.encrypted(t)
	assert.Equal(t, http.StatusForbidden,
		ot.decode(t, ot.operatorToken(t), "", enc).Code)
}

func TestSupportKeyStillDecodesWhenOperatorsSignInThroughOIDC(t *testing.T) {
	ot := oidcCodecServer(t, newTestIDP(t, testIssuer))
	plain, enc := ot.encrypted(t)
	key := ot.key(t, "support", "")
	dec := parsePayloads(t, ot.decode(t, key, testCodecOrigin, enc))
	for i := range plain {
		assert.True(t, proto.Equal(plain[i], dec[i]), "payload %d", i)
	}
	assert.Zero(t, ot.idp.hits.Load(), "an API key never reaches the identity provider")

	// Other API keys are refused as before, never tried as tokens.
	rec := ot.decode(t, ot.key(t, "reviewer", ""), "", enc)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	rec = ot.decode(t, "bfk_0000000000000000_nope", "", enc)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.NotContains(t, rec.Header().Get("WWW-Authenticate"), "invalid_token", "an API key is checked as an API key")
	rec = ot.decode(t, "", testCodecOrigin, enc)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"))
	assert.Zero(t, ot.idp.hits.Load())

	// The /v1 API knows nothing of operators.
	tok := ot.operatorToken(t)
	assert.Equal(t, http.StatusUnauthorized, ot.do(http.MethodGet, "/v1/review-queues/initial", tok, "", nil).Code)
}

func TestWithoutOIDCConfiguredTokensFailAsBefore(t *testing.T) {
	idp := newTestIDP(t, testIssuer)
	for name, o := range map[string]*codecserver.OIDC{
		"not configured": nil,
		"no audience":    {Issuer: testIssuer, Allowed: []string{testGroup}, HTTPClient: idp.client},
		"blank allowed":  {Issuer: testIssuer, Audience: testAudience, Allowed: []string{" "}, HTTPClient: idp.client},
		"no issuer":      {Audience: testAudience, Allowed: []string{testGroup}, HTTPClient: idp.client},
		"no allowed":     {Issuer: testIssuer, Audience: testAudience, HTTPClient: idp.client},
	} {
		ot := oidcCodecServer(t, idp, func(d *api.Deps) { d.Codec.OIDC = o })
		_, enc := ot.encrypted(t)
		rec := ot.decode(t, ot.operatorToken(t), testCodecOrigin, enc)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, name)
		assert.Equal(t, filing.CodeUnauthorized, errorCode(t, rec), name)
		assert.Contains(t, rec.Body.String(), "API key", name)
		if o != nil {
			assert.Contains(t, ot.log.String(), "OIDC not enabled", name)
		}
	}
	assert.Zero(t, idp.hits.Load())
}

// impaired is a codec server whose IdP failed the first decode of enc
// with an operator's token tok: rec is that answer, a 503.
type impaired struct {
	oidcTest
	plain, enc []*commonpb.Payload
	tok        string
	rec        *httptest.ResponseRecorder
}

func decodeWhileImpaired(t *testing.T, impair func(*testIDP)) impaired {
	t.Helper()
	idp := newTestIDP(t, testIssuer)
	impair(idp)
	ot := oidcCodecServer(t, idp)
	plain, enc := ot.encrypted(t)
	tok := ot.operatorToken(t)
	rec := ot.decode(t, tok, testCodecOrigin, enc)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	return impaired{oidcTest: ot, plain: plain, enc: enc, tok: tok, rec: rec}
}

func TestOperatorDecodesOnceTheIdPIsReachableAgain(t *testing.T) {
	// Down at the first request: 503 with Retry-After, readable by the UI.
	im := decodeWhileImpaired(t, func(idp *testIDP) { idp.down.Store(true) })
	ot, idp, plain, enc, tok, rec := im.oidcTest, im.idp, im.plain, im.enc, im.tok, im.rec
	assert.Equal(t, filing.CodeUnavailable, errorCode(t, rec))
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, ot.log.String(), "OIDC discovery failed")

	// Within the retry interval the IdP is not asked again: the UI's
	// parallel requests do not pile up on it.
	hits := idp.hits.Load()
	idp.down.Store(false)
	ot.clock.Advance(2 * time.Second)
	rec = ot.decode(t, tok, testCodecOrigin, enc)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "3", rec.Header().Get("Retry-After"))
	assert.Equal(t, hits, idp.hits.Load())

	// A support key works meanwhile.
	assert.Equal(t, http.StatusOK, ot.decode(t, ot.key(t, "support", ""), "", enc).Code)

	ot.clock.Advance(3 * time.Second)
	dec := parsePayloads(t, ot.decode(t, tok, testCodecOrigin, enc))
	for i := range plain {
		assert.True(t, proto.Equal(plain[i], dec[i]), "payload %d", i)
	}
	assert.Contains(t, ot.log.String(), "OIDC identity provider discovered")

	// Discovered once: later requests need the IdP only for new keys.
	hits = idp.hits.Load()
	idp.down.Store(true)
	assert.Equal(t, http.StatusOK, ot.decode(t, ot.operatorToken(t), "", enc).Code)
	assert.Equal(t, hits, idp.hits.Load())
}

func TestOperatorTokensAnswer503WhileTheIdPsKeysCannotBeFetched(t *testing.T) {
	im := decodeWhileImpaired(t, func(idp *testIDP) { idp.keysDn.Store(true) })
	ot, idp, enc, tok, rec := im.oidcTest, im.idp, im.enc, im.tok, im.rec
	assert.NotEmpty(t, rec.Header().Get("Retry-After"))
	assert.Contains(t, ot.log.String(), "JWKS")

	idp.keysDn.Store(false)
	assert.Equal(t, http.StatusOK, ot.decode(t, tok, testCodecOrigin, enc).Code)
}

func TestFailedOperatorTokensCountAgainstTheClientsFailureLimit(t *testing.T) {
	ot := oidcCodecServer(t, newTestIDP(t, testIssuer), func(d *api.Deps) {
		d.API = config.API{AuthFailureRate: 0.001, AuthFailureBurst: 3}
	})
	_, enc := ot.encrypted(t)
	c := operatorClaims(ot.clock.Now())
	c["aud"] = "elsewhere"
	bad := ot.idp.token(t, c)
	for i := range 3 {
		assert.Equal(t, http.StatusUnauthorized, ot.decode(t, bad, "", enc).Code, "attempt %d", i)
	}
	rec := ot.decode(t, bad, testCodecOrigin, enc)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.NotEmpty(t, rec.Header().Get("Retry-After"))
	assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"))
	// The same budget as wrong API keys.
	assert.Equal(t, http.StatusTooManyRequests, ot.decode(t, "bfk_0000000000000000_nope", "", enc).Code)
	// A valid token still goes through: only failures are limited.
	assert.Equal(t, http.StatusOK, ot.decode(t, ot.operatorToken(t), "", enc).Code)
}

func TestOperatorsAreRateLimitedEachInTheirOwnCodecBucket(t *testing.T) {
	ot := oidcCodecServer(t, newTestIDP(t, testIssuer), func(d *api.Deps) { d.Codec.RateLimit, d.Codec.RateBurst = 0.001, 2 })
	body := []byte(`{"payloads": []}`)
	now := ot.clock.Now()
	first := ot.idp.token(t, operatorClaims(now))
	c := operatorClaims(now)
	c["iat"] = now.Add(-time.Second).Unix() // another token of the same operator
	again := ot.idp.token(t, c)
	require.NotEqual(t, first, again)
	assert.Equal(t, http.StatusOK, ot.do(http.MethodPost, "/codec/decode", first, "", body).Code)
	assert.Equal(t, http.StatusOK, ot.do(http.MethodPost, "/codec/decode", again, "", body).Code)
	rec := ot.do(http.MethodPost, "/codec/decode", first, testCodecOrigin, body)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code, "the bucket is the operator's, whatever the token")
	assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"))

	other := operatorClaims(now)
	other["sub"] = "another-operator"
	assert.Equal(t, http.StatusOK, ot.do(http.MethodPost, "/codec/decode", ot.idp.token(t, other), "", body).Code)
}

func TestOperatorTokensAndIdentitiesNeverReachLogsOrMetrics(t *testing.T) {
	ot := oidcCodecServer(t, newTestIDP(t, testIssuer))
	_, enc := ot.encrypted(t)
	now := ot.clock.Now()
	good := ot.idp.token(t, operatorClaims(now))
	noGroup := operatorClaims(now)
	noGroup["groups"] = []string{"staff"}
	forbidden := ot.idp.token(t, noGroup)
	wrongAud := operatorClaims(now)
	wrongAud["aud"] = "elsewhere " + testEmail
	invalid := ot.idp.token(t, wrongAud)

	assert.Equal(t, http.StatusOK, ot.decode(t, good, testCodecOrigin, enc).Code)
	assert.Equal(t, http.StatusForbidden, ot.decode(t, forbidden, testCodecOrigin, enc).Code)
	rec := ot.decode(t, invalid, testCodecOrigin, enc)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.NotContains(t, rec.Body.String(), testEmail, "the refusal does not quote the token")
	assert.NotContains(t, rec.Header().Get("WWW-Authenticate"), testEmail)

	logs := ot.log.String()
	assert.Contains(t, logs, "operator token accepted")
	assert.Contains(t, logs, "operator may not decode")
	assert.Contains(t, logs, "bearer token rejected")
	assert.Contains(t, logs, `"operator":"oidc:`, "operators are logged by hash")
	for _, secret := range []string{testSubject, testEmail, testName, good, forbidden, invalid,
		strings.Split(good, ".")[1], strings.Split(good, ".")[2], "110101199003071234"} {
		assert.NotContains(t, logs, secret)
	}

	m := httptest.NewRecorder()
	ot.metrics.Handler().ServeHTTP(m, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, m.Code)
	assert.Contains(t, m.Body.String(), "/codec/decode")
	for _, secret := range []string{testSubject, testEmail, testName, "oidc:"} {
		assert.NotContains(t, m.Body.String(), secret)
	}
}

func TestOperatorsUseTemporalsRemoteCodecClientLikeTheWebUI(t *testing.T) {
	ot := oidcCodecServer(t, newTestIDP(t, testIssuer))
	plain, enc := ot.encrypted(t)
	client := http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		ot.h.ServeHTTP(rec, r)
		return rec.Result(), nil
	})}
	tok := ot.operatorToken(t)
	remote := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: "http://codec.test/codec", Client: client,
		ModifyRequest: func(r *http.Request) error {
			r.Header.Set("X-Namespace", "default")
			r.Header.Set("Authorization", "Bearer "+tok)
			return nil
		}})
	dec, err := remote.Decode(enc)
	require.NoError(t, err)
	for i := range plain {
		assert.True(t, proto.Equal(plain[i], dec[i]), "payload %d", i)
	}
}

func TestConcurrentFirstRequestsDiscoverTheIdPOnce(t *testing.T) {
	idp := newTestIDP(t, testIssuer)
	ot := oidcCodecServer(t, idp)
	tok := ot.operatorToken(t)
	var wg sync.WaitGroup
	codes := make([]int, 20)
	for i := range codes {
		wg.Go(func() {
			codes[i] = ot.do(http.MethodPost, "/codec/decode", tok, "", []byte(`{"payloads": []}`)).Code
		})
	}
	wg.Wait()
	for i, code := range codes {
		assert.Equal(t, http.StatusOK, code, "request %d", i)
	}
	assert.Equal(t, 1, strings.Count(ot.log.String(), "OIDC identity provider discovered"))
	assert.LessOrEqual(t, idp.hits.Load(), int32(3), "one discovery and one JWKS fetch (maybe two)")
}
