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

// BenchmarkReviewQueueWithClaims measures a review-queue page as the API
// answers it, the listing with the queue's claims read beside it, on
// 100,000 filings of which 40 are claimed (two each for 20 reviewers at
// work), against the listing alone interleaved under the same conditions.
// Target: the page's p99 within 2× the listing's.
//
//	go test ./internal/store/ -run XXX -bench BenchmarkReviewQueueWithClaims -benchtime 300x
func BenchmarkReviewQueueWithClaims(b *testing.B) {
	ctx := context.Background()
	db := testenv.PostgresDB(b)
	seedFilings(b, db, 100_000, benchNow)
	filings, claims := store.NewFilings(db), store.NewReviewClaims(db)
	var queued []string
	require.NoError(b, db.Gorm.Raw("SELECT id FROM filings WHERE stage = 'initial_review' AND step = 'awaiting_reviewer' AND NOT closed ORDER BY since LIMIT 40").Scan(&queued).Error)
	for i, id := range queued {
		_, err := claims.Claim(ctx, filing.ID(id), "initial", fmt.Sprintf("reviewer:k%d", i%20), benchNow, time.Hour)
		require.NoError(b, err)
	}
	no := false
	q := store.ListQuery{Now: benchNow, Stages: []string{"initial_review"}, Step: "awaiting_reviewer", Closed: &no,
		Sort: store.Sort{Field: store.SortSince}}
	var page, listing []time.Duration
	for b.Loop() {
		// As the API answers a queue page: the queue's claims beside the
		// listing.
		t0 := time.Now()
		done := make(chan map[filing.ID]store.ReviewClaim, 1)
		go func() {
			held, err := claims.InQueue(ctx, "initial", benchNow)
			if err != nil {
				b.Error(err)
			}
			done <- held
		}()
		rows, _, err := filings.List(ctx, q)
		require.NoError(b, err)
		held := <-done
		page = append(page, time.Since(t0))
		if _, ok := held[filing.ID(rows[0].ID)]; !ok {
			b.Fatal("the first page's oldest filing is claimed, but not found")
		}

		b.StopTimer()
		t0 = time.Now()
		_, _, err = filings.List(ctx, q)
		require.NoError(b, err)
		listing = append(listing, time.Since(t0))
		b.StartTimer()
	}
	b.ReportMetric(ms(percentile(page, 99)), "page-p99-ms")
	b.ReportMetric(ms(percentile(listing, 99)), "listing-p99-ms")
	b.ReportMetric(float64(percentile(page, 99))/float64(percentile(listing, 99)), "page-p99/listing-p99")
}
