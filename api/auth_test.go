package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// authServer is the API over an empty SQLite database, enough for what
// happens before a handler asks Temporal anything.
func authServer(t *testing.T, api config.API, now func() time.Time) (http.Handler, *store.DB) {
	t.Helper()
	db := testenv.SQLiteDB(t)
	return New(Deps{DB: db, Log: slog.New(slog.DiscardHandler), API: api, Now: now}), db
}

func send(h http.Handler, key, target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAKeyGuessingClientIsSlowedDownByAddress(t *testing.T) {
	h, db := authServer(t, config.API{AuthFailureRate: 0.001, AuthFailureBurst: 3}, time.Now)
	for i := range 3 {
		assert.Equal(t, http.StatusUnauthorized, send(h, "bfk_guess", "/v1/review-queues/initial").Code, "attempt %d", i)
	}
	res := send(h, "bfk_guess", "/v1/review-queues/initial")
	assert.Equal(t, http.StatusTooManyRequests, res.Code)
	assert.NotEmpty(t, res.Header().Get("Retry-After"))

	k, err := apikeys.Issue(context.Background(), store.NewAPIKeys(db), "reviewer", "", "test", time.Now())
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, send(h, k.Token, "/v1/review-queues/initial").Code,
		"a valid key is never held back by others' failures")
}

func TestARevokedKeyStopsWorkingWithinTheCacheTime(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	h, db := authServer(t, config.API{KeyCacheTTL: 10 * time.Second}, clock)
	keys := store.NewAPIKeys(db)
	k, err := apikeys.Issue(context.Background(), keys, "support", "", "test", now)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, send(h, k.Token, "/v1/review-queues/photo").Code)

	require.NoError(t, keys.Revoke(context.Background(), k.ID, now))
	now = now.Add(11 * time.Second)
	res := send(h, k.Token, "/v1/review-queues/photo")
	assert.Equal(t, http.StatusUnauthorized, res.Code)
	assert.Contains(t, res.Header().Get("WWW-Authenticate"), "Bearer")
}

func TestABackendKeyCannotReadTheReviewQueues(t *testing.T) {
	h, db := authServer(t, config.API{}, time.Now)
	k, err := apikeys.Issue(context.Background(), store.NewAPIKeys(db), "backend", "acc-1", "test", time.Now())
	require.NoError(t, err)
	res := send(h, k.Token, "/v1/review-queues/initial")
	assert.Equal(t, http.StatusForbidden, res.Code)
	assert.Contains(t, res.Body.String(), `"code":"forbidden"`)
}

func TestACallersRequestIDIsKeptOnlyWhenItIsAShortToken(t *testing.T) {
	h, _ := authServer(t, config.API{}, time.Now)
	for id, kept := range map[string]bool{"req-42.a:b_c": true, strings.Repeat("x", 65): false, "has space": false, "ünïcode": false} {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("X-Request-Id", id)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-Id")
		assert.NotEmpty(t, got)
		assert.Equal(t, kept, got == id, "%q -> %q", id, got)
	}
}
