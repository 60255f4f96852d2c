package codecserver_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/codecserver"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestCodecServerServesOnlyTheCodecAndItsHealth(t *testing.T) {
	idp := newTestIDP(t, testIssuer)
	keys, err := codec.ParseKeys(testenv.PayloadKeys)
	require.NoError(t, err)
	db := testenv.SQLiteDB(t)
	dbDown := atomic.Bool{}
	var buf bytes.Buffer
	h, err := codecserver.New(codecserver.Deps{
		Codec: codecserver.Options{Codec: codec.New(keys), Origins: []string{testCodecOrigin},
			OIDC: &codecserver.OIDC{Issuer: testIssuer, Audience: testAudience, Allowed: []string{testGroup}, HTTPClient: idp.client}},
		APIKeys: failingKeys{db: dbDown.Load, keys: storeKeys(db)},
		Checks: map[string]func(context.Context) error{"database": func(ctx context.Context) error {
			if dbDown.Load() {
				return errors.New("down")
			}
			return db.Ping(ctx)
		}},
		Log: slog.New(slog.NewJSONHandler(&buf, nil)),
	})
	require.NoError(t, err)
	ct := codecTest{h: h, db: db, log: &buf}

	assert.Equal(t, http.StatusOK, ct.do(http.MethodGet, "/healthz", "", "", nil).Code)
	rec := ct.do(http.MethodGet, "/readyz", "", "", nil)
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"status":"ready","checks":{"database":"ok","identity_provider":"ok"}}`, rec.Body.String())
	for _, target := range []string{"/v1/filings", "/v1/openapi.json", "/metrics", "/webhooks/bureau"} {
		assert.Equal(t, http.StatusNotFound, ct.do(http.MethodGet, target, "", "", nil).Code, target)
	}

	keysRing, _ := codec.ParseKeys(testenv.PayloadKeys)
	plain := samplePayloads(t)
	enc, err := codec.New(keysRing).Encode(plain)
	require.NoError(t, err)
	key := ct.key(t, "support", "")
	assert.Equal(t, http.StatusOK, ct.do(http.MethodPost, "/codec/decode", key, "", payloadsJSON(t, enc)).Code)
	tok := idp.token(t, operatorClaims(time.Now()))
	assert.Equal(t, http.StatusOK, ct.do(http.MethodPost, "/codec/decode", tok, testCodecOrigin, payloadsJSON(t, enc)).Code)

	// The database goes down: operators still decode, a key checked before
	// still works, an unknown one answers 503; /readyz names the database.
	dbDown.Store(true)
	assert.Equal(t, http.StatusOK, ct.do(http.MethodPost, "/codec/decode", tok, "", payloadsJSON(t, enc)).Code)
	assert.Equal(t, http.StatusOK, ct.do(http.MethodPost, "/codec/decode", key, "", payloadsJSON(t, enc)).Code)
	other := ct.key(t, "support", "")
	assert.Equal(t, http.StatusServiceUnavailable, ct.do(http.MethodPost, "/codec/decode", other, "", payloadsJSON(t, enc)).Code)
	rec = ct.do(http.MethodGet, "/readyz", "", "", nil)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Contains(t, rec.Body.String(), `"database":"unavailable"`)

	_, err = codecserver.New(codecserver.Deps{APIKeys: storeKeys(db), Log: slog.New(slog.DiscardHandler)})
	assert.Error(t, err, "a codec server without a codec")
}

func storeKeys(db *store.DB) auth.KeyStore { return store.NewAPIKeys(db) }

// failingKeys fails like a database that is down while down() is true.
type failingKeys struct {
	db   func() bool
	keys auth.KeyStore
}

func (f failingKeys) Get(ctx context.Context, id string) (store.APIKey, error) {
	if f.db() {
		return store.APIKey{}, errors.New("database is down")
	}
	return f.keys.Get(ctx, id)
}
