package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

const (
	codecServerOrigin  = "https://temporal.example.test"
	codecServerSubject = "9b2f-operator-subject-0042"
	codecServerEmail   = "wang.fang@example.test"
)

// idpServer is testenv's OIDC identity provider on a loopback port.
type idpServer struct {
	*httptest.Server
	idp *testenv.IDP
}

func startIDP(t *testing.T) *idpServer {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	idp := testenv.NewIDP(t, "http://"+srv.Listener.Addr().String())
	srv.Config.Handler = idp
	srv.Start()
	t.Cleanup(srv.Close)
	return &idpServer{Server: srv, idp: idp}
}

func (s *idpServer) token(t *testing.T, groups ...string) string {
	t.Helper()
	now := time.Now()
	return s.idp.Token(t, map[string]any{
		"iss": s.URL, "sub": codecServerSubject, "aud": "temporal-ui", "email": codecServerEmail,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "groups": groups,
	})
}

type runningCodecServer struct {
	base string
	logs *syncBuffer
	stop func() error
}

// startCodecServer runs `beianflow codec-server` with env on a free port
// until stop, which shuts it down as SIGTERM would.
func startCodecServer(t *testing.T, env map[string]string) runningCodecServer {
	t.Helper()
	addr, err := testenv.FreeAddr()
	require.NoError(t, err)
	env["BEIANFLOW_CODEC_LISTEN"] = addr
	env["BEIANFLOW_PAYLOAD_KEYS"] = testenv.PayloadKeys
	env["BEIANFLOW_LOG_FORMAT"] = "json"
	cfg, err := config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	logs := &syncBuffer{}
	log := cfg.Logger(logs)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() { errc <- runCodecServer(ctx, cfg, log, ready) }()
	select {
	case a := <-ready:
		require.Equal(t, addr, a.String())
	case err := <-errc:
		cancel()
		t.Fatalf("codec-server did not start: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("codec-server did not start in time:\n%s", logs.String())
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(30 * time.Second):
			return context.DeadlineExceeded
		}
	}
	t.Cleanup(func() { _ = stop() })
	return runningCodecServer{base: "http://" + addr, logs: logs, stop: stop}
}

func (s runningCodecServer) post(t *testing.T, op, auth string, payloads []*commonpb.Payload) *http.Response {
	t.Helper()
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: payloads})
	require.NoError(t, err)
	return postCodec(t, s.base+"/codec/"+op, "default", codecServerOrigin, auth, body)
}

// postCodec posts payloads to a codec endpoint (a URL ending in /decode or
// /encode) as the Temporal Web UI at origin does for namespace, with auth
// as the bearer token unless it is empty.
func postCodec(t *testing.T, url, namespace, origin, auth string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", namespace)
	req.Header.Set("Origin", origin)
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Body.Close() })
	return res
}

func decodedPayloads(t *testing.T, res *http.Response) []*commonpb.Payload {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, string(b))
	var out commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(b, &out))
	return out.Payloads
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// encryptedPayloads are what a worker writes into Temporal: the JSON
// payloads Temporal's default converter makes of an input, encrypted.
func encryptedPayloads(t *testing.T) (plain, enc []*commonpb.Payload) {
	t.Helper()
	jsonPayload := func(js string) *commonpb.Payload {
		return &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(js)}
	}
	plain = []*commonpb.Payload{jsonPayload(`{"id_number":"110101199003071234"}`), jsonPayload(`"filing-1"`)}
	keys, err := codec.ParseKeys(testenv.PayloadKeys)
	require.NoError(t, err)
	enc, err = codec.New(keys).Encode(plain)
	require.NoError(t, err)
	return plain, enc
}

func assertDecoded(t *testing.T, plain, dec []*commonpb.Payload) {
	t.Helper()
	require.Len(t, dec, len(plain))
	for i := range plain {
		assert.True(t, proto.Equal(plain[i], dec[i]), "payload %d", i)
	}
}

func TestCodecServerDecodesForSupportKeysAndSignedInOperators(t *testing.T) {
	testenv.NeedsServers(t)
	ctx := context.Background()
	dbURL, drop, err := testenv.Postgres(ctx)
	require.NoError(t, err)
	t.Cleanup(drop)
	db := testenv.OpenDB(t, dbURL, "")
	key, err := apikeys.Issue(ctx, store.NewAPIKeys(db), "support", "", "codec-server test", time.Now())
	require.NoError(t, err)
	reviewer, err := apikeys.Issue(ctx, store.NewAPIKeys(db), "reviewer", "", "codec-server test", time.Now())
	require.NoError(t, err)
	idp := startIDP(t)
	temporal, s3 := newConnTrap(t), newConnTrap(t)

	srv := startCodecServer(t, map[string]string{
		"DATABASE_URL":                  dbURL,
		"TEMPORAL_ADDRESS":              temporal.addr,
		"S3_ENDPOINT":                   "http://" + s3.addr,
		"BEIANFLOW_CODEC_ORIGINS":       codecServerOrigin,
		"BEIANFLOW_CODEC_OIDC_ISSUER":   idp.URL,
		"BEIANFLOW_CODEC_OIDC_AUDIENCE": "temporal-ui",
		"BEIANFLOW_CODEC_OIDC_ALLOWED":  "beianflow-operators",
	})
	code, _ := get(t, srv.base+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { code, _ := get(t, srv.base+"/readyz"); return code == http.StatusOK }, 20*time.Second, 100*time.Millisecond)
	_, body := get(t, srv.base+"/readyz")
	assert.JSONEq(t, `{"status":"ready","checks":{"database":"ok","identity_provider":"ok"}}`, body)

	plain, enc := encryptedPayloads(t)
	res := srv.post(t, "decode", key.Token, enc)
	assert.Equal(t, codecServerOrigin, res.Header.Get("Access-Control-Allow-Origin"))
	assertDecoded(t, plain, decodedPayloads(t, res))
	assertDecoded(t, plain, decodedPayloads(t, srv.post(t, "decode", idp.token(t, "staff", "beianflow-operators"), enc)))

	assert.Equal(t, http.StatusForbidden, srv.post(t, "decode", reviewer.Token, enc).StatusCode)
	assert.Equal(t, http.StatusForbidden, srv.post(t, "decode", idp.token(t, "staff"), enc).StatusCode)
	res = srv.post(t, "decode", "", enc)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Equal(t, codecServerOrigin, res.Header.Get("Access-Control-Allow-Origin"))

	// Only the codec: the API's routes are not here.
	code, _ = get(t, srv.base+"/v1/openapi.json")
	assert.Equal(t, http.StatusNotFound, code)

	require.NoError(t, srv.stop(), "graceful shutdown")
	assert.Zero(t, temporal.count.Load(), "the codec server never dials Temporal")
	assert.Zero(t, s3.count.Load(), "the codec server never dials S3")
	logs := srv.logs.String()
	assert.Contains(t, logs, "database ready")
	assert.Contains(t, logs, "operator token accepted")
	for _, secret := range []string{codecServerSubject, codecServerEmail, key.Token, "110101199003071234"} {
		assert.NotContains(t, logs, secret)
	}
}

func TestCodecServerServesOperatorsWhileTheDatabaseIsDown(t *testing.T) {
	testenv.NeedsServers(t)
	idp := startIDP(t)
	down, err := testenv.FreeAddr() // nothing listens here
	require.NoError(t, err)
	srv := startCodecServer(t, map[string]string{
		"DATABASE_URL":                  "postgres://postgres@" + down + "/beianflow?sslmode=disable&connect_timeout=1",
		"BEIANFLOW_CODEC_OIDC_ISSUER":   idp.URL,
		"BEIANFLOW_CODEC_OIDC_AUDIENCE": "temporal-ui",
		"BEIANFLOW_CODEC_OIDC_ALLOWED":  "beianflow-operators",
	})
	code, _ := get(t, srv.base+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	code, body := get(t, srv.base+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.JSONEq(t, `{"status":"not_ready","checks":{"database":"unavailable","identity_provider":"ok"}}`, body)

	plain, enc := encryptedPayloads(t)
	assertDecoded(t, plain, decodedPayloads(t, srv.post(t, "decode", idp.token(t, "beianflow-operators"), enc)))
	// An API key cannot be checked: 503, as on the API while its database is down.
	unchecked, err := apikeys.New()
	require.NoError(t, err)
	res := srv.post(t, "decode", unchecked.Token, enc)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.NoError(t, srv.stop())
}

func TestCodecServerCommandChecksItsConfiguration(t *testing.T) {
	err := run([]string{"codec-server"}, io.Discard, func(k string) string {
		return map[string]string{"BEIANFLOW_CODEC_OIDC_ISSUER": "https://sso.example.test"}[k]
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "BEIANFLOW_CODEC_OIDC_AUDIENCE is required")
	assert.Contains(t, err.Error(), "BEIANFLOW_CODEC_OIDC_ALLOWED is required")

	err = run([]string{"codec-server"}, io.Discard, func(string) string { return "" })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "BEIANFLOW_PAYLOAD_KEYS", "no payload keys, no codec server")

	var out bytes.Buffer
	require.NoError(t, run([]string{"help"}, &out, func(string) string { return "" }))
	assert.Contains(t, out.String(), "codec-server")
}
