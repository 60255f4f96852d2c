package feed

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/store"
)

// record is a row of events.
type record struct {
	Position   int64 `gorm:"primaryKey;autoIncrement"`
	ID         string
	FilingID   string
	AccountID  string
	Seq        int64
	Type       string
	OccurredAt time.Time
	Data       string
}

// TableName is the table GORM reads and writes.
func (record) TableName() string { return "events" }

// Append stores drafts as the filing's next events, numbered after its
// last, skipping any already stored (the same draft key). Pass the
// transaction that records the change the events announce, with its
// context: they are then stored if and only if the change is. The
// workflow writes a filing's events one write at a time, so numbering by
// the filing's current maximum is race-free; the unique (filing_id, seq)
// turns a violation into an error to retry rather than a gap or a repeat.
func Append(tx *gorm.DB, filingID filing.ID, accountID string, drafts ...Draft) error {
	for _, d := range drafts {
		data, err := marshal(d)
		if err != nil {
			return fmt.Errorf("feed: event %s of filing %s: %w", d.Type, filingID, err)
		}
		err = tx.Exec(`INSERT INTO events (id, filing_id, account_id, seq, type, occurred_at, data)
			SELECT ?, ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM events WHERE filing_id = ?
			ON CONFLICT (id) DO NOTHING`,
			EventID(filingID, d.Key), string(filingID), accountID, string(d.Type), d.OccurredAt.UTC(), string(data), string(filingID)).Error
		if err != nil {
			return fmt.Errorf("feed: append %s to filing %s: %w", d.Type, filingID, err)
		}
	}
	return nil
}

// MaxLimit bounds a page of the feed; DefaultLimit is a page without one.
const (
	MaxLimit     = 500
	DefaultLimit = 100
)

// Query selects a page of the feed: the events after a cursor, of one
// account (empty: every account) or one filing (empty: every filing).
type Query struct {
	After     Cursor
	AccountID string
	FilingID  filing.ID
	// Limit is 1..MaxLimit; zero means DefaultLimit.
	Limit int
}

// Cursor is a position in the feed: the events after it come next. The
// zero Cursor is the feed's start.
type Cursor int64

// ErrBadCursor is a cursor this package did not make.
var ErrBadCursor = errors.New("feed: not a cursor of the event feed")

// String is the cursor as the API hands it out: opaque to callers, so the
// encoding may change.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte("e1:" + strconv.FormatInt(int64(c), 10)))
}

// ParseCursor reads a cursor of String; "" is the feed's start.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, ErrBadCursor
	}
	n, ok := strings.CutPrefix(string(b), "e1:")
	if !ok {
		return 0, ErrBadCursor
	}
	v, err := strconv.ParseInt(n, 10, 64)
	if err != nil || v < 0 {
		return 0, ErrBadCursor
	}
	return Cursor(v), nil
}

// List returns the page of events q selects, oldest first, and the cursor
// after it (q.After when the page is empty). On PostgreSQL only events of
// transactions that ended before every transaction still running are
// listed: a position is taken when the event is inserted, not when it
// commits, and without that a reader could pass a position whose event
// commits later, and never see it.
func List(ctx context.Context, db *store.DB, q Query) ([]filing.Event, Cursor, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	tx := db.Gorm.WithContext(ctx).Model(&record{}).Where("position > ?", int64(q.After))
	if q.AccountID != "" {
		tx = tx.Where("account_id = ?", q.AccountID)
	}
	if q.FilingID != "" {
		tx = tx.Where("filing_id = ?", string(q.FilingID))
	}
	if db.Dialect == store.Postgres {
		tx = tx.Where("txid < pg_snapshot_xmin(pg_current_snapshot())")
	}
	var rows []record
	if err := tx.Order("position").Limit(limit).Find(&rows).Error; err != nil {
		return nil, q.After, fmt.Errorf("feed: list: %w", err)
	}
	out := make([]filing.Event, len(rows))
	next := q.After
	for i, r := range rows {
		out[i] = r.event()
		next = Cursor(r.Position)
	}
	return out, next, nil
}

// event is the row as the contract has it.
func (r record) event() filing.Event {
	return filing.Event{ID: r.ID, Type: filing.EventType(r.Type), Version: filing.EventsVersion,
		FilingID: filing.ID(r.FilingID), AccountID: r.AccountID, Sequence: r.Seq,
		OccurredAt: r.OccurredAt.UTC(), Data: []byte(r.Data)}
}

// IDs are the IDs Append gives drafts of the filing.
func IDs(filingID filing.ID, drafts []Draft) []string {
	out := make([]string, len(drafts))
	for i, d := range drafts {
		out[i] = EventID(filingID, d.Key)
	}
	return out
}

// ByID reads stored events by their IDs as tx sees them, in feed order;
// IDs not stored are left out.
func ByID(tx *gorm.DB, ids []string) ([]filing.Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []record
	if err := tx.Where("id IN ?", ids).Order("position").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("feed: read events: %w", err)
	}
	out := make([]filing.Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}
