package codecserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/beianflow/beianflow/api"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/codecserver"
	"github.com/beianflow/beianflow/internal/metrics"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

const (
	testCodecToken  = "tok_0123456789abcdefghijklmnopqrstuvwxyz_SECRET"
	testCodecOrigin = "http://localhost:8233"
)

type codecTest struct {
	h       http.Handler
	db      *store.DB
	log     *bytes.Buffer
	metrics *metrics.Metrics
}

// codecServer is the API of api.New over an empty SQLite database, with
// the codec mounted as the binary mounts it: zlib stands in for the
// encryption codec.
func codecServer(t *testing.T, o codecserver.Options) codecTest {
	t.Helper()
	db := testenv.SQLiteDB(t)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	m := metrics.New()
	if o.Codec == nil {
		o.Codec = converter.NewZlibCodec(converter.ZlibCodecOptions{AlwaysEncode: true})
	}
	e := api.New(api.Deps{DB: db, Log: log, Metrics: m, Now: time.Now, Codec: o})
	return codecTest{h: e, db: db, log: &buf, metrics: m}
}

func defaultCodecOptions() codecserver.Options {
	return codecserver.Options{Origins: []string{testCodecOrigin}, PathToken: testCodecToken}
}

func (ct codecTest) key(t *testing.T, role, account string) string {
	t.Helper()
	k, err := apikeys.Issue(context.Background(), store.NewAPIKeys(ct.db), role, account, "codec test", time.Now())
	require.NoError(t, err)
	return k.Token
}

// preflight is the browser's CORS preflight (OPTIONS) of a method with
// headers to target from origin.
func (ct codecTest) preflight(target, origin, method, headers string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodOptions, target, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", method)
	req.Header.Set("Access-Control-Request-Headers", headers)
	rec := httptest.NewRecorder()
	ct.h.ServeHTTP(rec, req)
	return rec
}

func (ct codecTest) do(method, target, key, origin string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Namespace", "default")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	rec := httptest.NewRecorder()
	ct.h.ServeHTTP(rec, req)
	return rec
}

func samplePayloads(t *testing.T) []*commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayloads(
		map[string]string{"subject": "某某科技有限公司", "id_number": "110101199003071234"}, 42)
	require.NoError(t, err)
	return p.Payloads
}

func payloadsJSON(t *testing.T, ps []*commonpb.Payload) []byte {
	t.Helper()
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: ps})
	require.NoError(t, err)
	return b
}

func parsePayloads(t *testing.T, rec *httptest.ResponseRecorder) []*commonpb.Payload {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var out commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return out.Payloads
}

func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var e struct {
		Code string `json:"code"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
	return e.Code
}

func accessControlHeaders(h http.Header) []string {
	var out []string
	for name := range h {
		if strings.HasPrefix(strings.ToLower(name), "access-control-") {
			out = append(out, name)
		}
	}
	return out
}

func TestCodecSupportKeyEncodesAndDecodesRoundTrip(t *testing.T) {
	ct := codecServer(t, defaultCodecOptions())
	key := ct.key(t, "support", "")
	in := samplePayloads(t)

	enc := parsePayloads(t, ct.do(http.MethodPost, "/codec/encode", key, "", payloadsJSON(t, in)))
	require.Len(t, enc, len(in))
	for i := range in {
		assert.NotEqual(t, in[i].Data, enc[i].Data, "payload %d was not encoded", i)
		assert.Equal(t, "binary/zlib", string(enc[i].Metadata[converter.MetadataEncoding]))
	}

	dec := parsePayloads(t, ct.do(http.MethodPost, "/codec/decode", key, "", payloadsJSON(t, enc)))
	require.Len(t, dec, len(in))
	for i := range in {
		assert.Equal(t, in[i].Data, dec[i].Data, "payload %d", i)
		assert.True(t, proto.Equal(in[i], dec[i]), "payload %d: %v != %v", i, in[i], dec[i])
	}
}

func TestCodecOnlySupportKeysMayCallIt(t *testing.T) {
	ct := codecServer(t, defaultCodecOptions())
	body := payloadsJSON(t, samplePayloads(t))
	for _, role := range []struct{ role, account string }{{"reviewer", ""}, {"backend", "acc-1"}} {
		key := ct.key(t, role.role, role.account)
		for _, op := range []string{"encode", "decode"} {
			rec := ct.do(http.MethodPost, "/codec/"+op, key, "", body)
			assert.Equal(t, http.StatusForbidden, rec.Code, "%s %s", role.role, op)
			assert.Equal(t, filing.CodeForbidden, errorCode(t, rec))
			assert.NotContains(t, rec.Body.String(), "payloads")
		}
	}
	for _, op := range []string{"encode", "decode"} {
		rec := ct.do(http.MethodPost, "/codec/"+op, "", "", body)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, op)
		assert.Equal(t, filing.CodeUnauthorized, errorCode(t, rec))
		assert.Contains(t, rec.Header().Get("WWW-Authenticate"), "Bearer")

		rec = ct.do(http.MethodPost, "/codec/"+op, "bfk_0000000000000000_nope", "", body)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, op)
	}
}

func TestCodecPathTokenDecodesWithoutCredentials(t *testing.T) {
	ct := codecServer(t, defaultCodecOptions())
	in := samplePayloads(t)
	enc := parsePayloads(t, ct.do(http.MethodPost, "/codec/t/"+testCodecToken+"/encode", "", "", payloadsJSON(t, in)))
	dec := parsePayloads(t, ct.do(http.MethodPost, "/codec/t/"+testCodecToken+"/decode", "", testCodecOrigin, payloadsJSON(t, enc)))
	require.Len(t, dec, len(in))
	for i := range in {
		assert.True(t, proto.Equal(in[i], dec[i]), "payload %d", i)
	}
}

func TestCodecWrongPathTokenLooksLikeAnUnknownRoute(t *testing.T) {
	ct := codecServer(t, defaultCodecOptions())
	body := payloadsJSON(t, samplePayloads(t))
	unknown := ct.do(http.MethodPost, "/no/such/route", "", testCodecOrigin, body)
	require.Equal(t, http.StatusNotFound, unknown.Code)

	wrong := []string{
		"/codec/t/" + strings.Repeat("x", len(testCodecToken)) + "/decode",
		"/codec/t/" + testCodecToken[:len(testCodecToken)-1] + "/decode",
		"/codec/t/" + testCodecToken + "x/encode",
		"/codec/t/short/decode",
	}
	for _, target := range wrong {
		for _, method := range []string{http.MethodPost, http.MethodOptions, http.MethodGet, http.MethodPut} {
			rec := ct.do(method, target, "", testCodecOrigin, body)
			assert.Equal(t, http.StatusNotFound, rec.Code, "%s %s", method, target)
			assert.Equal(t, unknown.Body.String(), rec.Body.String(), "%s %s", method, target)
			assert.Empty(t, accessControlHeaders(rec.Header()), "%s %s", method, target)
			assert.Empty(t, rec.Header().Get("Allow"), "%s %s", method, target)
			assert.Empty(t, rec.Header().Get("Vary"), "%s %s", method, target)
			assert.Empty(t, rec.Header().Get("WWW-Authenticate"), "%s %s", method, target)
		}
	}

	// Without a path token the route does not exist at all.
	o := defaultCodecOptions()
	o.PathToken = ""
	plain := codecServer(t, o)
	rec := plain.do(http.MethodPost, "/codec/t/"+testCodecToken+"/decode", "", "", body)
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

func TestCodecShortPathTokenIsNotMounted(t *testing.T) {
	o := defaultCodecOptions()
	o.PathToken = "too-short"
	ct := codecServer(t, o)
	rec := ct.do(http.MethodPost, "/codec/t/too-short/decode", "", "", payloadsJSON(t, samplePayloads(t)))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, ct.log.String(), "path token not mounted")
	assert.NotContains(t, ct.log.String(), "too-short")
}

func TestCodecPreflightFromTheUIOriginOnly(t *testing.T) {
	ct := codecServer(t, codecserver.Options{PathToken: testCodecToken,
		Origins: []string{testCodecOrigin, "*", "null", "http://localhost:8233/path"}})
	preflight := func(target, origin string) *httptest.ResponseRecorder {
		return ct.preflight(target, origin, "POST", "content-type,x-namespace")
	}
	for _, target := range []string{"/codec/decode", "/codec/encode", "/codec/t/" + testCodecToken + "/decode"} {
		rec := preflight(target, testCodecOrigin)
		assert.Equal(t, http.StatusNoContent, rec.Code, target)
		h := rec.Header()
		assert.Equal(t, testCodecOrigin, h.Get("Access-Control-Allow-Origin"), target)
		assert.Equal(t, "POST, OPTIONS", h.Get("Access-Control-Allow-Methods"), target)
		assert.Equal(t, "Content-Type, X-Namespace, Authorization, Authorization-Extras", h.Get("Access-Control-Allow-Headers"), target)
		assert.Equal(t, "true", h.Get("Access-Control-Allow-Credentials"), target)
		assert.Equal(t, "600", h.Get("Access-Control-Max-Age"), target)
		assert.Contains(t, h.Values("Vary"), "Origin", target)

		for _, other := range []string{"http://evil.example", "http://localhost:8234", "https://localhost:8233", "null", "*"} {
			rec := preflight(target, other)
			assert.Empty(t, accessControlHeaders(rec.Header()), "%s from %s", target, other)
			assert.Contains(t, rec.Header().Values("Vary"), "Origin", target)
		}
	}
	assert.Contains(t, ct.log.String(), "ignoring CORS origin")

	// Actual responses: CORS headers for the UI's origin, even on errors
	// (so the UI can read them), none for any other.
	key := ct.key(t, "support", "")
	body := payloadsJSON(t, samplePayloads(t))
	rec := ct.do(http.MethodPost, "/codec/encode", key, testCodecOrigin, body)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "true", rec.Header().Get("Access-Control-Allow-Credentials"))
	assert.Contains(t, rec.Header().Values("Vary"), "Origin")
	rec = ct.do(http.MethodPost, "/codec/t/"+testCodecToken+"/encode", "", testCodecOrigin, body)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"))
	rec = ct.do(http.MethodPost, "/codec/decode", "", testCodecOrigin, body)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"))

	rec = ct.do(http.MethodPost, "/codec/encode", key, "http://evil.example", body)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Empty(t, accessControlHeaders(rec.Header()))
	rec = ct.do(http.MethodPost, "/codec/t/"+testCodecToken+"/encode", "", "http://evil.example", body)
	assert.Empty(t, accessControlHeaders(rec.Header()))
}

func TestCodecCORSStaysOffForEveryOtherRoute(t *testing.T) {
	ct := codecServer(t, defaultCodecOptions())
	key := ct.key(t, "support", "")
	for _, target := range []string{"/v1/review-queues/initial", "/v1/filings", "/healthz", "/v1/openapi.json", "/metrics", "/no/such/route"} {
		rec := ct.do(http.MethodGet, target, key, testCodecOrigin, nil)
		assert.Empty(t, accessControlHeaders(rec.Header()), "GET %s (%d)", target, rec.Code)

		pre := ct.preflight(target, testCodecOrigin, "GET", "authorization")
		assert.Empty(t, accessControlHeaders(pre.Header()), "OPTIONS %s (%d)", target, pre.Code)
	}
	rec := ct.do(http.MethodGet, "/v1/review-queues/initial", key, testCodecOrigin, nil)
	assert.Equal(t, http.StatusOK, rec.Code, "the support key works on /v1 with an Origin, just without CORS")
}

func TestCodecPathTokenNeverReachesLogsOrMetrics(t *testing.T) {
	ct := codecServer(t, defaultCodecOptions())
	in := samplePayloads(t)
	enc := parsePayloads(t, ct.do(http.MethodPost, "/codec/t/"+testCodecToken+"/encode", "", testCodecOrigin, payloadsJSON(t, in)))
	parsePayloads(t, ct.do(http.MethodPost, "/codec/t/"+testCodecToken+"/decode", "", testCodecOrigin, payloadsJSON(t, enc)))
	ct.do(http.MethodOptions, "/codec/t/"+testCodecToken+"/decode", "", testCodecOrigin, nil)
	// A refused payload is logged (by message), still without the token.
	bad := ct.do(http.MethodPost, "/codec/t/"+testCodecToken+"/decode", "", "", payloadsJSON(t, []*commonpb.Payload{{
		Metadata: map[string][]byte{converter.MetadataEncoding: []byte("binary/zlib")}, Data: []byte("not zlib")}}))
	assert.Equal(t, http.StatusBadRequest, bad.Code)
	assert.Equal(t, filing.CodeCodecFailed, errorCode(t, bad))

	logs := ct.log.String()
	assert.Contains(t, logs, `"route":"/codec/t/:token/decode"`)
	assert.Contains(t, logs, `"route":"/codec/t/:token/encode"`)
	assert.Contains(t, logs, "codec refused payloads")
	assert.NotContains(t, logs, testCodecToken)
	assert.NotContains(t, logs, "110101199003071234", "payload contents are never logged")

	rec := httptest.NewRecorder()
	ct.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `/codec/t/:token/decode`)
	assert.NotContains(t, rec.Body.String(), testCodecToken)
}

func TestCodecErrorsFollowTheErrorModel(t *testing.T) {
	ct := codecServer(t, defaultCodecOptions())
	key := ct.key(t, "support", "")
	cases := []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"malformed JSON", "application/json", `{"payloads": [SECRET-INPUT`, http.StatusBadRequest, filing.CodeInvalidJSON},
		{"not payloads", "application/json", `{"SECRET-INPUT": 1}`, http.StatusBadRequest, filing.CodeInvalidJSON},
		{"empty", "application/json", ``, http.StatusBadRequest, filing.CodeInvalidJSON},
		{"not JSON", "text/plain", `{"payloads": []}`, http.StatusUnsupportedMediaType, filing.CodeUnsupportedMediaType},
		{"undecodable", "application/json", `{"payloads": [{"metadata": {"encoding": "YmluYXJ5L3psaWI="}, "data": "U0VDUkVULUlOUFVU"}]}`,
			http.StatusBadRequest, filing.CodeCodecFailed},
	}
	for _, tc := range cases {
		req := httptest.NewRequest(http.MethodPost, "/codec/decode", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", tc.contentType)
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		ct.h.ServeHTTP(rec, req)
		assert.Equal(t, tc.status, rec.Code, tc.name)
		assert.Equal(t, echo.MIMEApplicationJSON, rec.Header().Get("Content-Type"), tc.name)
		assert.Equal(t, tc.code, errorCode(t, rec), tc.name)
		assert.NotContains(t, rec.Body.String(), "SECRET-INPUT", "%s: input is never echoed", tc.name)
	}

	// Empty payload lists are fine.
	rec := ct.do(http.MethodPost, "/codec/decode", key, "", []byte(`{"payloads": []}`))
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	// Echo answers a wrong method on the authenticated route like elsewhere.
	rec = ct.do(http.MethodGet, "/codec/decode", key, "", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	rec = ct.do(http.MethodGet, "/codec/t/"+testCodecToken+"/decode", "", "", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

func TestCodecRateLimitsPerKeyAndForThePathToken(t *testing.T) {
	o := defaultCodecOptions()
	o.RateLimit, o.RateBurst = 0.001, 2
	ct := codecServer(t, o)
	body := payloadsJSON(t, samplePayloads(t))
	key, other := ct.key(t, "support", ""), ct.key(t, "support", "")
	for i := range 2 {
		assert.Equal(t, http.StatusOK, ct.do(http.MethodPost, "/codec/encode", key, "", body).Code, "request %d", i)
	}
	rec := ct.do(http.MethodPost, "/codec/encode", key, testCodecOrigin, body)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.NotEmpty(t, rec.Header().Get("Retry-After"))
	assert.Equal(t, testCodecOrigin, rec.Header().Get("Access-Control-Allow-Origin"), "the UI may read the 429")
	assert.Equal(t, http.StatusOK, ct.do(http.MethodPost, "/codec/encode", other, "", body).Code, "buckets are per key")
	assert.Equal(t, http.StatusOK, ct.do(http.MethodGet, "/v1/review-queues/initial", key, "", nil).Code,
		"the codec has its own buckets; /v1 is not spent")

	tok := "/codec/t/" + testCodecToken + "/decode"
	enc := []byte(`{"payloads": []}`)
	for i := range 2 {
		assert.Equal(t, http.StatusOK, ct.do(http.MethodPost, tok, "", "", enc).Code, "token request %d", i)
	}
	assert.Equal(t, http.StatusTooManyRequests, ct.do(http.MethodPost, tok, "", "", enc).Code)
	assert.Equal(t, http.StatusNotFound, ct.do(http.MethodPost, "/codec/t/"+strings.Repeat("y", 40)+"/decode", "", "", enc).Code,
		"a wrong token is a 404 even when the token's bucket is empty")
}

func TestCodecNotMountedWithoutACodec(t *testing.T) {
	db := testenv.SQLiteDB(t)
	e := api.New(api.Deps{DB: db, Log: slog.New(slog.DiscardHandler)})
	codecserver.Mount(e, codecserver.Options{PathToken: testCodecToken, Origins: []string{testCodecOrigin}},
		nil, slog.New(slog.DiscardHandler), time.Now)
	for _, r := range e.Routes() {
		assert.False(t, strings.HasPrefix(r.Path, "/codec"), "%s %s", r.Method, r.Path)
	}
}

// roundTripper serves requests in-process: no sockets in unit tests.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestCodecWorksWithTemporalsRemoteCodecClient drives the routes with the
// SDK's remote codec, the client the temporal CLI builds from
// --codec-endpoint and --codec-auth.
func TestCodecWorksWithTemporalsRemoteCodecClient(t *testing.T) {
	ct := codecServer(t, defaultCodecOptions())
	key := ct.key(t, "support", "")
	client := http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		ct.h.ServeHTTP(rec, r)
		return rec.Result(), nil
	})}
	remote := func(endpoint, auth string) converter.PayloadCodec {
		return converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
			Endpoint: endpoint, Client: client,
			ModifyRequest: func(r *http.Request) error {
				r.Header.Set("X-Namespace", "default")
				if auth != "" {
					r.Header.Set("Authorization", auth)
				}
				return nil
			}})
	}
	in := samplePayloads(t)
	for name, c := range map[string]converter.PayloadCodec{
		"support key": remote("http://api.test/codec", "Bearer "+key),
		"path token":  remote("http://api.test/codec/t/"+testCodecToken, ""),
	} {
		enc, err := c.Encode(in)
		require.NoError(t, err, name)
		dec, err := c.Decode(enc)
		require.NoError(t, err, name)
		require.Len(t, dec, len(in), name)
		for i := range in {
			assert.True(t, proto.Equal(in[i], dec[i]), "%s: payload %d", name, i)
		}
	}
	_, err := remote("http://api.test/codec", "").Decode(in)
	assert.ErrorContains(t, err, "Unauthorized")
}
