package feed_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/feed"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

func appendOne(t *testing.T, db *store.DB, id filing.ID, account, key string, typ filing.EventType) {
	t.Helper()
	require.NoError(t, db.Gorm.Transaction(func(tx *gorm.DB) error {
		return feed.Append(tx, id, account, feed.Draft{Key: key, Type: typ, OccurredAt: time.Now()})
	}))
}

// listAll waits until q lists n events and returns them. On PostgreSQL an
// event is listed once every transaction older than its own has ended:
// tests of other packages writing to the same server may hold it back for
// a moment.
func listAll(t *testing.T, db *store.DB, q feed.Query, n int) ([]filing.Event, feed.Cursor) {
	t.Helper()
	var events []filing.Event
	var next feed.Cursor
	require.Eventually(t, func() bool {
		var err error
		events, next, err = feed.List(context.Background(), db, q)
		require.NoError(t, err)
		return len(events) >= n
	}, 10*time.Second, 20*time.Millisecond)
	require.Len(t, events, n)
	return events, next
}

func TestAFilingsEventsAreNumberedWithoutGapsAndStoredOnce(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendOne(t, db, "f-1", "acc-1", "created", filing.EventCreated)
		appendOne(t, db, "f-2", "acc-2", "created", filing.EventCreated)
		appendOne(t, db, "f-1", "acc-1", "row/2/waiting", filing.EventWaiting)
		appendOne(t, db, "f-1", "acc-1", "row/2/waiting", filing.EventWaiting) // a retried write
		appendOne(t, db, "f-1", "acc-1", "note/1/bureau_submitted", filing.EventBureauSubmitted)

		events, next := listAll(t, db, feed.Query{FilingID: "f-1"}, 3)
		for i, e := range events {
			assert.EqualValues(t, i+1, e.Sequence)
			assert.Equal(t, filing.EventsVersion, e.Version)
			assert.JSONEq(t, `{}`, string(e.Data))
		}
		assert.Equal(t, []filing.EventType{filing.EventCreated, filing.EventWaiting, filing.EventBureauSubmitted},
			[]filing.EventType{events[0].Type, events[1].Type, events[2].Type})

		// The account's feed pages on, and a cursor at the end stays there.
		_, cursor := listAll(t, db, feed.Query{AccountID: "acc-1", Limit: 2}, 2)
		rest, end, err := feed.List(ctx, db, feed.Query{AccountID: "acc-1", After: cursor})
		require.NoError(t, err)
		require.Len(t, rest, 1)
		assert.Equal(t, events[2].ID, rest[0].ID)
		assert.Equal(t, next, end)
		none, still, err := feed.List(ctx, db, feed.Query{AccountID: "acc-1", After: end})
		require.NoError(t, err)
		assert.Empty(t, none)
		assert.Equal(t, end, still)

		parsed, err := feed.ParseCursor(end.String())
		require.NoError(t, err)
		assert.Equal(t, end, parsed)
		_, err = feed.ParseCursor("not-a-cursor")
		assert.ErrorIs(t, err, feed.ErrBadCursor)
	})
}

// On PostgreSQL a position is taken at insert, not at commit: an event
// whose transaction commits after a later one must not be skipped by a
// reader that saw the later one.
func TestAReaderNeverPassesAnEventStillBeingWritten(t *testing.T) {
	db := testenv.PostgresDB(t)
	ctx := context.Background()
	slow := db.Gorm.Begin()
	require.NoError(t, feed.Append(slow, "f-slow", "acc-1", feed.Draft{Key: "created", Type: filing.EventCreated, OccurredAt: time.Now()}))
	appendOne(t, db, "f-fast", "acc-1", "created", filing.EventCreated) // a later position, committed first

	early, cursor, err := feed.List(ctx, db, feed.Query{AccountID: "acc-1"})
	require.NoError(t, err)
	assert.Empty(t, early, "the committed event waits for the one before it")

	require.NoError(t, slow.Commit().Error)
	events, _ := listAll(t, db, feed.Query{AccountID: "acc-1", After: cursor}, 2)
	assert.Equal(t, filing.ID("f-slow"), events[0].FilingID, "in position order, the slow one first")
	assert.Equal(t, filing.ID("f-fast"), events[1].FilingID)
}
