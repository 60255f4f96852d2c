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

func TestBothDialectsDefineTheSameMigrations(t *testing.T) {
	pg, err := store.Migrations(store.Postgres)
	require.NoError(t, err)
	lite, err := store.Migrations(store.SQLite)
	require.NoError(t, err)
	require.NotEmpty(t, pg)
	require.Equal(t, len(pg), len(lite))
	for i := range pg {
		assert.Equal(t, pg[i].Version, lite[i].Version)
		assert.Equal(t, pg[i].Name, lite[i].Name)
		// Written once in PostgreSQL's DDL, a migration reaches SQLite
		// with SQLite's types, and without what only PostgreSQL has.
		for _, pgOnly := range []string{"TIMESTAMPTZ", "BIGINT", "BYTEA", "DEFAULT FALSE", "CREATE STATISTICS"} {
			assert.NotContains(t, lite[i].SQL, pgOnly, "SQLite's %04d_%s", lite[i].Version, lite[i].Name)
		}
	}
	require.Equal(t, 10, pg[9].Version)
	assert.Contains(t, pg[9].SQL, "CREATE STATISTICS", "0010 ends with PostgreSQL's own part")
	assert.Contains(t, pg[0].SQL, "TIMESTAMPTZ")
}

func TestMigrationsApplyOnceAndAreRecorded(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all, err := store.Migrations(db.Dialect)
		require.NoError(t, err)
		applied, err := db.Migrate(ctx)
		require.NoError(t, err)
		assert.Len(t, applied, len(all))
		again, err := db.Migrate(ctx)
		require.NoError(t, err)
		assert.Empty(t, again, "a second start finds nothing to do")
		var versions []int
		require.NoError(t, db.Gorm.Raw("SELECT version FROM schema_migrations ORDER BY version").Scan(&versions).Error)
		assert.Equal(t, applied, versions)
	}, testenv.Unmigrated)
}

func TestConcurrentStartsMigrateOnce(t *testing.T) {
	ctx := context.Background()
	pgURL := testenv.PostgresURL(t)
	// The API and the worker start together in production; both migrate.
	results := make([][]int, 4)
	errs := testenv.Concurrently(len(results), func(i int) (err error) {
		db, err := store.Open(ctx, pgURL, "")
		if err != nil {
			return err
		}
		defer db.Close()
		results[i], err = db.Migrate(ctx)
		return err
	})
	total := 0
	for i := range results {
		require.NoError(t, errs[i])
		total += len(results[i])
	}
	all, _ := store.Migrations(store.Postgres)
	assert.Equal(t, len(all), total, "each migration is applied by exactly one process")
}

func TestReadModelIgnoresStaleRevisions(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		filings := store.NewFilings(db)
		created := time.Date(2026, 9, 21, 2, 0, 0, 0, time.UTC)
		row := store.Filing{ID: "f-" + string(db.Dialect), AccountID: "acc-1", Province: "ZJ",
			FilingType: "new_website_elsewhere", Domain: "example.com", Stage: "information",
			WaitingOn: "applicant", Revision: 1, WorkflowID: "filing-x", CreatedAt: created, UpdatedAt: created}

		changed, err := filings.Upsert(ctx, row)
		require.NoError(t, err)
		assert.True(t, changed)

		next := row
		next.Stage, next.Revision, next.Closed, next.UpdatedAt = "cancelled", 2, true, created.Add(time.Hour)
		changed, err = filings.Upsert(ctx, next)
		require.NoError(t, err)
		assert.True(t, changed)

		// A retried activity delivers revision 1 again, late.
		changed, err = filings.Upsert(ctx, row)
		require.NoError(t, err)
		assert.False(t, changed, "a stale revision must not overwrite a newer one")
		// The same revision twice is a no-op too.
		changed, err = filings.Upsert(ctx, next)
		require.NoError(t, err)
		assert.False(t, changed)

		got, err := filings.Get(ctx, filing.ID(row.ID))
		require.NoError(t, err)
		assert.Equal(t, "cancelled", got.Stage)
		assert.EqualValues(t, 2, got.Revision)
		assert.True(t, got.Closed)
		assert.True(t, got.CreatedAt.Equal(created), "created_at %v", got.CreatedAt)
		assert.True(t, got.UpdatedAt.Equal(created.Add(time.Hour)), "updated_at %v", got.UpdatedAt)

		_, err = filings.Get(ctx, "missing")
		assert.ErrorIs(t, err, store.ErrNotFound)
	})
}

func TestAnUnreachableDatabaseFailsAtOpen(t *testing.T) {
	addr, err := testenv.FreeAddr()
	require.NoError(t, err)
	_, err = store.Open(context.Background(), "postgres://postgres@"+addr+"/test?sslmode=disable&connect_timeout=2", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "store: open postgres")
}

func TestAuditTrailWriteRetriedAfterACrashDoesNotWriteTwice(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		events := store.NewEvents(db)
		at := time.Date(2026, 9, 21, 2, 0, 0, 0, time.UTC)
		batch := []store.FilingEvent{
			{FilingID: "f1", Seq: 1, At: at, Actor: "system", Action: "stage_changed", ToStage: "information", Reasons: "[]"},
			{FilingID: "f1", Seq: 2, At: at, Actor: "reviewer:staff-1", Action: "initial_review_decision", Detail: "rejected", Reasons: `[{"code":"x"}]`},
		}
		n, err := events.Append(ctx, batch)
		require.NoError(t, err)
		assert.EqualValues(t, 2, n)
		// The activity is retried after the rows were written; a third
		// event has joined the batch meanwhile.
		n, err = events.Append(ctx, append(batch, store.FilingEvent{FilingID: "f1", Seq: 3, At: at, Actor: "system", Action: "stage_changed", Reasons: "[]"}))
		require.NoError(t, err)
		assert.EqualValues(t, 1, n, "only the new event is written")
		got, err := events.List(ctx, "f1")
		require.NoError(t, err)
		require.Len(t, got, 3)
		assert.Equal(t, "reviewer:staff-1", got[1].Actor)
	})
}

func TestOnlyOneOfManyConcurrentRequestsClaimsAnIdempotencyKey(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		idem := store.NewIdempotency(db)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		rec := store.IdempotencyRecord{APIKeyID: "k1", IdemKey: "order-7", Method: "POST", Path: "/v1/filings",
			BodySHA256: "abc", CreatedAt: now}
		wins := testenv.Winners(t, 8, func(int) (bool, error) {
			_, won, err := idem.Claim(ctx, rec, now.Add(-24*time.Hour))
			return won, err
		})
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

// locks drives the subject locks of one database with a fixed clock; every
// lock it takes is leased for a minute.
type locks struct {
	t        *testing.T
	subjects *store.Subjects
	now      time.Time
}

func newLocks(t *testing.T, db *store.DB) locks {
	return locks{t: t, subjects: store.NewSubjects(db), now: time.Now().UTC().Truncate(time.Microsecond)}
}

func (l locks) acquire(key string, id filing.ID, at time.Time) store.SubjectLock {
	l.t.Helper()
	lock, err := l.subjects.Acquire(context.Background(), key, id, at, at.Add(time.Minute))
	require.NoError(l.t, err)
	return lock
}

func (l locks) claim(key string, id filing.ID) bool {
	l.t.Helper()
	held, err := l.subjects.Claim(context.Background(), key, id)
	require.NoError(l.t, err)
	return held
}

func (l locks) takeOver(seen store.SubjectLock, id filing.ID, at time.Time) bool {
	l.t.Helper()
	took, err := l.subjects.TakeOver(context.Background(), seen, id, at, at.Add(time.Minute))
	require.NoError(l.t, err)
	return took
}

func TestOfManyConcurrentFilingsOfASubjectOneGetsTheLock(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		l := newLocks(t, db)
		for run := range 10 {
			key := fmt.Sprintf("subject-%d", run)
			wins := testenv.Winners(t, 24, func(i int) (bool, error) {
				me := filing.ID(fmt.Sprintf("filing-%d-%d", run, i))
				lock, err := l.subjects.Acquire(context.Background(), key, me, l.now, l.now.Add(time.Minute))
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
		l := newLocks(t, db)
		require.Equal(t, filing.ID("slow"), l.acquire("subject-a", "slow", l.now).FilingID)

		almost := l.now.Add(59 * time.Second)
		seen := l.acquire("subject-a", "eager", almost)
		assert.Equal(t, filing.ID("slow"), seen.FilingID)
		assert.True(t, seen.Leased(almost))
		assert.False(t, l.takeOver(seen, "eager", almost), "the lease still runs")

		later := l.now.Add(time.Minute)
		assert.False(t, seen.Leased(later))
		wins := testenv.Winners(t, 20, func(i int) (bool, error) {
			return l.subjects.TakeOver(context.Background(), seen, filing.ID(fmt.Sprintf("taker-%d", i)), later, later.Add(time.Minute))
		})
		assert.Equal(t, 1, wins)
		assert.False(t, l.claim("subject-a", "slow"), "the slow filing's workflow, started at last, finds its subject gone")
	})
}

// A workflow that claims its lock keeps it: a request that saw the lock
// before the claim cannot take it over, and only a request that saw it
// claimed (and found the workflow closed) can.
func TestAClaimedSubjectIsKeptByItsRunningFiling(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		l := newLocks(t, db)
		l.acquire("subject-b", "holder", l.now)
		later := l.now.Add(2 * time.Minute)
		seenUnclaimed := l.acquire("subject-b", "other", later)

		assert.True(t, l.claim("subject-b", "holder"))
		assert.True(t, l.claim("subject-b", "holder"), "claiming again is harmless")
		assert.False(t, l.takeOver(seenUnclaimed, "other", later), "the holder claimed after the lock was seen")

		seenClaimed := l.acquire("subject-b", "other", later)
		assert.True(t, seenClaimed.Claimed)
		assert.False(t, seenClaimed.Leased(later))
		assert.True(t, l.takeOver(seenClaimed, "other", later), "a claimed lock of a closed filing is taken over")
		assert.NoError(t, l.subjects.Release(context.Background(), "subject-b", "holder"), "the old holder's late release changes nothing")
		cur := l.acquire("subject-b", "third", later)
		assert.Equal(t, filing.ID("other"), cur.FilingID)
		assert.False(t, cur.Claimed, "the new holder's workflow has not claimed yet")
	})
}
