package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// Of reviewers racing for one filing exactly one holds it; the claim is
// theirs until it expires, then anyone's.
func TestOfReviewersRacingForAFilingExactlyOneHoldsIt(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		claims := store.NewReviewClaims(db)
		now := time.Now()
		for round := range 5 {
			id := filing.ID(fmt.Sprintf("f-race-%d", round))
			errs := testenv.Concurrently(16, func(i int) error {
				_, err := claims.Claim(ctx, id, "initial", fmt.Sprintf("reviewer:k%d", i), now, 15*time.Minute)
				return err
			})
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, store.ErrClaimHeld):
					t.Fatalf("round %d: %v", round, err)
				}
			}
			assert.Equal(t, 1, won, "round %d", round)
		}

		id := filing.ID("f-expiry")
		first, err := claims.Claim(ctx, id, "photo", "reviewer:a", now, time.Minute)
		require.NoError(t, err)
		_, err = claims.Claim(ctx, id, "photo", "reviewer:b", now.Add(30*time.Second), time.Minute)
		var held *store.ClaimHeldError
		require.ErrorAs(t, err, &held)
		assert.Equal(t, "reviewer:a", held.Claim.Reviewer)
		assert.WithinDuration(t, first.ExpiresAt, held.Claim.ExpiresAt, time.Millisecond)
		renewed, err := claims.Claim(ctx, id, "photo", "reviewer:a", now.Add(50*time.Second), time.Minute)
		require.NoError(t, err, "the holder renews")
		_, err = claims.Claim(ctx, id, "photo", "reviewer:b", renewed.ExpiresAt.Add(time.Second), time.Minute)
		require.NoError(t, err, "an expired claim is anyone's")

		require.NoError(t, claims.Release(ctx, id, "reviewer:a"), "not a's any more: nothing happens")
		c, err := claims.Get(ctx, id, renewed.ExpiresAt.Add(2*time.Second))
		require.NoError(t, err)
		assert.Equal(t, "reviewer:b", c.Reviewer)
		require.NoError(t, claims.Release(ctx, id, "reviewer:b"))
		_, err = claims.Get(ctx, id, renewed.ExpiresAt.Add(2*time.Second))
		assert.ErrorIs(t, err, store.ErrNotFound)
	})
}
