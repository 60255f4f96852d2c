package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestOnlyOneOfManyConcurrentRequestsClaimsAnIdempotencyKey(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		idem := store.NewIdempotency(db)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		rec := store.IdempotencyRecord{APIKeyID: "k1", IdemKey: "order-7", Method: "POST", Path: "/v1/filings",
			BodySHA256: "abc", CreatedAt: now}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, claimed, err := idem.Claim(ctx, rec, now.Add(-24*time.Hour))
				if !assert.NoError(t, err) {
					return
				}
				if claimed {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, 1, wins, "exactly one request runs")

		rec.Status, rec.ContentType, rec.Response = 201, "application/json", []byte(`{"filing_id":"x"}`)
		require.NoError(t, idem.Complete(ctx, rec))
		cur, claimed, err := idem.Claim(ctx, rec, now.Add(-24*time.Hour))
		require.NoError(t, err)
		assert.False(t, claimed)
		assert.Equal(t, 201, cur.Status)
		assert.JSONEq(t, `{"filing_id":"x"}`, string(cur.Response))

		// Another caller's identical key is its own.
		other := rec
		other.APIKeyID, other.Status, other.Response = "k2", 0, nil
		_, claimed, err = idem.Claim(ctx, other, now.Add(-24*time.Hour))
		require.NoError(t, err)
		assert.True(t, claimed)
	})
}

func TestAnExpiredIdempotencyKeyIsClaimedAfreshAndPruned(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		idem := store.NewIdempotency(db)
		ctx := context.Background()
		old := time.Now().UTC().Add(-25 * time.Hour).Truncate(time.Microsecond)
		rec := store.IdempotencyRecord{APIKeyID: "k1", IdemKey: "retry-1", Method: "POST", Path: "/v1/filings",
			BodySHA256: "abc", Status: 201, CreatedAt: old}
		_, claimed, err := idem.Claim(ctx, rec, old.Add(-time.Hour))
		require.NoError(t, err)
		require.True(t, claimed)
		require.NoError(t, idem.Complete(ctx, rec))

		now := time.Now().UTC().Truncate(time.Microsecond)
		fresh := rec
		fresh.BodySHA256, fresh.Status, fresh.CreatedAt = "def", 0, now
		cur, claimed, err := idem.Claim(ctx, fresh, now.Add(-24*time.Hour))
		require.NoError(t, err)
		assert.True(t, claimed, "a key older than the window is free again: %+v", cur)

		stale := store.IdempotencyRecord{APIKeyID: "k9", IdemKey: "gone", Method: "POST", Path: "/p", BodySHA256: "x", CreatedAt: old}
		_, _, err = idem.Claim(ctx, stale, old.Add(-time.Hour))
		require.NoError(t, err)
		n, err := idem.Prune(ctx, now.Add(-24*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, int64(1), n, "only the stale record goes")
		require.NoError(t, idem.Release(ctx, "k1", "retry-1"))
		_, claimed, err = idem.Claim(ctx, fresh, now.Add(-24*time.Hour))
		require.NoError(t, err)
		assert.True(t, claimed, "a released key can be claimed again")
	})
}

func TestARevokedAPIKeyStaysOnRecord(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		keys := store.NewAPIKeys(db)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		require.NoError(t, keys.Create(ctx, store.APIKey{ID: "0011223344556677", SecretHash: "h", Role: "backend", AccountID: "acc-1", CreatedAt: now}))
		require.NoError(t, keys.Revoke(ctx, "0011223344556677", now))
		require.NoError(t, keys.Revoke(ctx, "0011223344556677", now.Add(time.Hour)), "revoking twice is harmless")
		k, err := keys.Get(ctx, "0011223344556677")
		require.NoError(t, err)
		require.NotNil(t, k.RevokedAt)
		assert.True(t, k.RevokedAt.Equal(now), "the first revocation time stays")
		assert.ErrorIs(t, keys.Revoke(ctx, "ffffffffffffffff", now), store.ErrNotFound)
	})
}
