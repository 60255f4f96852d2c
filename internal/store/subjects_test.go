package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestOfManyConcurrentFilingsOfASubjectOneGetsTheLock(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		subjects := store.NewSubjects(db)
		now := time.Now().UTC().Truncate(time.Microsecond)
		for run := range 10 {
			key := fmt.Sprintf("subject-%d", run)
			wins := testenv.Winners(t, 24, func(i int) (bool, error) {
				me := filing.ID(fmt.Sprintf("filing-%d-%d", run, i))
				lock, err := subjects.Acquire(context.Background(), key, me, now, now.Add(time.Minute))
				return lock.FilingID == me, err
			})
			assert.Equal(t, 1, wins, "run %d", run)
		}
	})
}

// A slow creating request keeps its subject for the whole lease, even
// when its workflow does not exist yet; after the lease, of many requests
// that found the workflow missing exactly one takes the subject over.
func TestALeasedSubjectIsTakenOverOnlyAfterItsLeaseAndByOne(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		subjects := store.NewSubjects(db)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		lock, err := subjects.Acquire(ctx, "subject-a", "slow", now, now.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, filing.ID("slow"), lock.FilingID)

		seen, err := subjects.Acquire(ctx, "subject-a", "eager", now.Add(59*time.Second), now.Add(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, filing.ID("slow"), seen.FilingID)
		assert.True(t, seen.Leased(now.Add(59*time.Second)))
		took, err := subjects.TakeOver(ctx, seen, "eager", now.Add(59*time.Second), now.Add(2*time.Minute))
		require.NoError(t, err)
		assert.False(t, took, "the lease still runs")

		later := now.Add(time.Minute)
		assert.False(t, seen.Leased(later))
		wins := testenv.Winners(t, 20, func(i int) (bool, error) {
			return subjects.TakeOver(ctx, seen, filing.ID(fmt.Sprintf("taker-%d", i)), later, later.Add(time.Minute))
		})
		assert.Equal(t, 1, wins)

		held, err := subjects.Claim(ctx, "subject-a", "slow")
		require.NoError(t, err)
		assert.False(t, held, "the slow filing's workflow, started at last, finds its subject gone")
	})
}

// A workflow that claims its lock keeps it: a request that saw the lock
// before the claim cannot take it over, and only a request that saw it
// claimed (and found the workflow closed) can.
func TestAClaimedSubjectIsKeptByItsRunningFiling(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		subjects := store.NewSubjects(db)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		_, err := subjects.Acquire(ctx, "subject-b", "holder", now, now.Add(time.Minute))
		require.NoError(t, err)
		later := now.Add(2 * time.Minute)
		seenUnclaimed, err := subjects.Acquire(ctx, "subject-b", "other", later, later.Add(time.Minute))
		require.NoError(t, err)

		held, err := subjects.Claim(ctx, "subject-b", "holder")
		require.NoError(t, err)
		assert.True(t, held)
		held, err = subjects.Claim(ctx, "subject-b", "holder")
		require.NoError(t, err)
		assert.True(t, held, "claiming again is harmless")

		took, err := subjects.TakeOver(ctx, seenUnclaimed, "other", later, later.Add(time.Minute))
		require.NoError(t, err)
		assert.False(t, took, "the holder claimed after the lock was seen")

		seenClaimed, err := subjects.Acquire(ctx, "subject-b", "other", later, later.Add(time.Minute))
		require.NoError(t, err)
		assert.True(t, seenClaimed.Claimed)
		assert.False(t, seenClaimed.Leased(later))
		took, err = subjects.TakeOver(ctx, seenClaimed, "other", later, later.Add(time.Minute))
		require.NoError(t, err)
		assert.True(t, took, "a claimed lock of a closed filing is taken over")
		assert.NoError(t, subjects.Release(ctx, "subject-b", "holder"), "the old holder's late release changes nothing")
		cur, err := subjects.Acquire(ctx, "subject-b", "third", later, later.Add(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, filing.ID("other"), cur.FilingID)
		assert.False(t, cur.Claimed, "the new holder's workflow has not claimed yet")
	})
}
