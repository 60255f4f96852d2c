package outbox

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/beianflow/beianflow/internal/store"
)

// claimSQL leases due pending rows that no live lease holds. On PostgreSQL
// the inner SELECT locks its rows FOR UPDATE SKIP LOCKED, so concurrent
// senders take disjoint rows instead of queueing behind each other; a row a
// concurrent claim has just leased fails the re-checked condition and is
// skipped too. SQLite has one writer, which serialises the claims.
const claimSQL = `UPDATE outbox_messages SET locked_until = ?
WHERE id IN (
    SELECT id FROM outbox_messages
    WHERE status = 'pending' AND next_attempt_at <= ?
      AND (locked_until IS NULL OR locked_until < ?)
    ORDER BY next_attempt_at, id
    LIMIT ? %s)
RETURNING *`

// claim leases up to n rows due at now until lease and returns them, the
// earliest due first (IDs are UUIDv7: in order of enqueueing among equals).
func claim(ctx context.Context, db *store.DB, now, lease time.Time, n int) ([]record, error) {
	lock := ""
	if db.Dialect == store.Postgres {
		lock = "FOR UPDATE SKIP LOCKED"
	}
	now = now.UTC().Truncate(time.Microsecond)
	var rows []record
	err := db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Raw(fmt.Sprintf(claimSQL, lock), lease, now, now, n).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: claim due messages: %w", err)
	}
	// RETURNING keeps no order.
	sort.Slice(rows, func(i, j int) bool {
		if !rows[i].NextAttemptAt.Equal(rows[j].NextAttemptAt) {
			return rows[i].NextAttemptAt.Before(rows[j].NextAttemptAt)
		}
		return rows[i].ID < rows[j].ID
	})
	return rows, nil
}

// release hands rows back unsent, as if never claimed, where lease still
// holds them. It runs while shutting down, so it outlives ctx briefly.
func release(ctx context.Context, db *store.DB, rows []record, lease time.Time) error {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err := db.Gorm.WithContext(ctx).Model(&record{}).
		Where("id IN ? AND status = ? AND locked_until = ?", ids, StatusPending, lease).
		Update("locked_until", nil).Error
	if err != nil {
		return fmt.Errorf("outbox: release %d messages: %w", len(ids), err)
	}
	return nil
}

// outcome is the result of one delivery attempt.
type outcome struct {
	status    string
	attempts  int
	lastError string
	sentAt    *time.Time
	next      time.Time // when pending again
}

// settle records o on row id and frees it, if the row is still pending
// under lease; held reports whether it was. A sender whose lease ran out
// must not overwrite what the sender now holding the row records.
func settle(ctx context.Context, db *store.DB, id string, lease time.Time, o outcome) (held bool, err error) {
	set := map[string]any{
		"status": o.status, "attempts": o.attempts, "last_error": o.lastError,
		"sent_at": o.sentAt, "locked_until": nil,
	}
	if o.status == StatusPending {
		set["next_attempt_at"] = o.next
	}
	res := db.Gorm.WithContext(ctx).Model(&record{}).
		Where("id = ? AND status = ? AND locked_until = ?", id, StatusPending, lease).
		Updates(set)
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}
