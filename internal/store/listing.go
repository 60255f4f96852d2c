package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
)

// SortField is a column a listing can be ordered by. Only these columns are
// accepted, so the ORDER BY and keyset clauses are built from constants.
type SortField string

// Sortable columns. Deadline and Since are nullable: rows without a value
// come after every row with one, whichever the direction.
const (
	SortCreatedAt SortField = "created_at"
	SortUpdatedAt SortField = "updated_at"
	SortDeadline  SortField = "deadline"
	SortSince     SortField = "since"
)

// nullable reports whether the column may hold NULL, which splits a listing
// into a part ordered by the column and a NULL tail ordered by ID alone.
func (f SortField) nullable() bool { return f == SortDeadline || f == SortSince }

func (f SortField) valid() bool {
	switch f {
	case SortCreatedAt, SortUpdatedAt, SortDeadline, SortSince:
		return true
	}
	return false
}

// Sort is a listing order. The filing ID breaks ties in the same direction,
// so the order is total and a page boundary is never ambiguous. The zero
// Sort means newest first (created_at descending).
type Sort struct {
	Field SortField
	Desc  bool
}

// String is the sort in the API's notation: "created_at" or "-created_at".
func (s Sort) String() string {
	if s.Desc {
		return "-" + string(s.Field)
	}
	return string(s.Field)
}

// Page sizes of List.
const (
	DefaultListLimit = 50
	MaxListLimit     = 200
)

// maxCursorLen bounds what is decoded from a caller's cursor; real cursors
// are about 200 characters.
const maxCursorLen = 1024

// cursorVersion changes whenever the cursor's meaning does, so cursors
// handed out by an older release are refused instead of misread.
const cursorVersion = 1

var (
	// ErrBadCursor is returned by List for a cursor it did not issue, one
	// that was altered, or one issued for another sort or other filters.
	ErrBadCursor = errors.New("store: bad cursor")
	// ErrBadListQuery is returned by List for an unknown sort field or a
	// limit outside 1..MaxListLimit.
	ErrBadListQuery = errors.New("store: bad list query")
)

// ListQuery selects and orders filings of the read model. Empty filters
// match everything; set filters must all match.
type ListQuery struct {
	// AccountID restricts the listing to one provider account; empty
	// lists every account (reviewers and support only: the caller decides).
	AccountID string
	// Stages matches any of the given stages.
	Stages     []string
	Province   string
	FilingType string
	WaitingOn  string
	Step       string
	// Overdue selects filings that are (true) or are not (false) past the
	// deadline of their current wait: not closed and deadline < Now.
	Overdue *bool
	Closed  *bool
	// CreatedFrom and CreatedTo bound created_at to [from, to).
	CreatedFrom *time.Time
	CreatedTo   *time.Time
	// UpdatedSince keeps filings whose row changed at or after it: what a
	// backend that polls asks for.
	UpdatedSince *time.Time
	// Now is the instant "overdue" is judged at; zero means time.Now(). It
	// is not part of the filters a cursor is bound to, because each page is
	// requested at a different instant.
	Now  time.Time
	Sort Sort
	// Limit is the page size, 1..MaxListLimit; zero means DefaultListLimit.
	Limit int
	// Cursor continues a listing from the page that returned it.
	Cursor string
}

// cursor is the position after the last row of a page, with what it was
// issued for. It is not secret: a caller forging one only moves inside the
// listing the filters already allow.
type cursor struct {
	Version int    `json:"v"`
	Sort    string `json:"s"`
	Filters string `json:"f"`
	// Key is the last row's sort value; nil when that row was in the NULL
	// tail of a nullable sort.
	Key *time.Time `json:"k"`
	ID  string     `json:"id"`
}

// List returns one page of filings matching q, in q's order, and a cursor
// for the next page ("" after the last page). Pagination seeks past the last
// row's (sort value, id) instead of using OFFSET, so every page costs the
// same and a filing created while a caller pages does not shift the pages
// after it. A filing whose sort value changes meanwhile (its wait moved on)
// is seen where it stands when each page is read: possibly twice, or not at
// all, as with any listing of moving data.
func (r *Filings) List(ctx context.Context, q ListQuery) (items []Filing, next string, err error) {
	if err := q.normalize(); err != nil {
		return nil, "", err
	}
	filters := q.filterHash()
	var after *cursor
	if q.Cursor != "" {
		if after, err = decodeCursor(q.Cursor, q.Sort, filters); err != nil {
			return nil, "", err
		}
	}

	col := string(q.Sort.Field) // one of the SortField constants, never caller text
	dir, cmp := "ASC", ">"
	if q.Sort.Desc {
		dir, cmp = "DESC", "<"
	}
	want := q.Limit + 1 // one more than a page tells whether another page follows
	rows := make([]Filing, 0, want)

	// Rows with a sort value come first. A nullable column is queried in two
	// parts, each a plain index range, rather than with NULLS LAST and an
	// "OR col IS NULL" keyset predicate, which neither SQLite's nor
	// PostgreSQL's planner can answer from an index in order.
	if after == nil || after.Key != nil {
		tx := r.filtered(ctx, q)
		if q.Sort.Field.nullable() {
			tx = tx.Where(col + " IS NOT NULL")
		}
		if after != nil {
			// A row-value comparison is one index range on (col, id).
			tx = tx.Where("("+col+", id) "+cmp+" (?, ?)", after.Key.UTC(), after.ID)
		}
		if err := tx.Order(col + " " + dir).Order("id " + dir).Limit(want).Find(&rows).Error; err != nil {
			return nil, "", fmt.Errorf("store: list filings: %w", err)
		}
	}
	overdueOnly := q.Overdue != nil && *q.Overdue && q.Sort.Field == SortDeadline // overdue rows all have a deadline
	if q.Sort.Field.nullable() && len(rows) < want && !overdueOnly {
		tx := r.filtered(ctx, q).Where(col + " IS NULL")
		if after != nil && after.Key == nil {
			tx = tx.Where("id "+cmp+" ?", after.ID)
		}
		var tail []Filing
		if err := tx.Order("id " + dir).Limit(want - len(rows)).Find(&tail).Error; err != nil {
			return nil, "", fmt.Errorf("store: list filings without %s: %w", col, err)
		}
		rows = append(rows, tail...)
	}

	if len(rows) > q.Limit {
		rows = rows[:q.Limit]
		last := rows[len(rows)-1]
		next, err = encodeCursor(cursor{Version: cursorVersion, Sort: q.Sort.String(), Filters: filters,
			Key: sortValue(last, q.Sort.Field), ID: last.ID})
		if err != nil {
			return nil, "", err
		}
	}
	return rows, next, nil
}

// filtered starts a query on filings with q's filters. Boolean conditions
// are written as SQL constants ("NOT closed") rather than bound parameters:
// the partial indexes are declared WHERE NOT closed, and a planner can only
// use them when the query's condition visibly implies that, which a
// parameter (in a cached, generic plan) does not.
func (r *Filings) filtered(ctx context.Context, q ListQuery) *gorm.DB {
	tx := r.db.Gorm.WithContext(ctx)
	if q.AccountID != "" {
		tx = tx.Where("account_id = ?", q.AccountID)
	}
	if len(q.Stages) == 1 {
		tx = tx.Where("stage = ?", q.Stages[0])
	} else if len(q.Stages) > 1 {
		tx = tx.Where("stage IN ?", q.Stages)
	}
	// In a fixed order: the SQL text keys the driver's prepared statements.
	for _, f := range [...]struct{ col, v string }{{"province", q.Province}, {"filing_type", q.FilingType},
		{"waiting_on", q.WaitingOn}, {"step", q.Step}} {
		if f.v != "" {
			tx = tx.Where(f.col+" = ?", f.v)
		}
	}
	if q.Closed != nil {
		if *q.Closed {
			tx = tx.Where("closed")
		} else {
			tx = tx.Where("NOT closed")
		}
	}
	if q.Overdue != nil {
		if *q.Overdue {
			tx = tx.Where("NOT closed").Where("deadline < ?", q.Now)
		} else {
			tx = tx.Where("(closed OR deadline IS NULL OR deadline >= ?)", q.Now)
		}
	}
	if q.CreatedFrom != nil {
		tx = tx.Where("created_at >= ?", q.CreatedFrom.UTC())
	}
	if q.UpdatedSince != nil {
		tx = tx.Where("updated_at >= ?", q.UpdatedSince.UTC())
	}
	if q.CreatedTo != nil {
		tx = tx.Where("created_at < ?", q.CreatedTo.UTC())
	}
	return tx
}

// normalize applies the defaults and checks what the database cannot. Times
// become UTC because SQLite compares timestamps as text, which orders them
// correctly only in one zone.
func (q *ListQuery) normalize() error {
	if q.Sort.Field == "" {
		q.Sort = Sort{Field: SortCreatedAt, Desc: true}
	}
	if !q.Sort.Field.valid() {
		return fmt.Errorf("%w: cannot sort by %q", ErrBadListQuery, q.Sort.Field)
	}
	if q.Limit == 0 {
		q.Limit = DefaultListLimit
	}
	if q.Limit < 1 || q.Limit > MaxListLimit {
		return fmt.Errorf("%w: limit %d is outside 1..%d", ErrBadListQuery, q.Limit, MaxListLimit)
	}
	if q.Now.IsZero() {
		q.Now = time.Now()
	}
	q.Now = q.Now.UTC()
	return nil
}

// filterHash identifies the filters (not the sort, the page size or Now), so
// a cursor cannot continue a listing other than the one it came from: its
// position would mean nothing there.
func (q *ListQuery) filterHash() string {
	stages := slices.Clone(q.Stages)
	slices.Sort(stages)
	stages = slices.Compact(stages)
	utc := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	canonical, _ := json.Marshal([]any{q.AccountID, stages, q.Province, q.FilingType, q.WaitingOn, q.Step,
		q.Overdue, q.Closed, utc(q.CreatedFrom), utc(q.CreatedTo), utc(q.UpdatedSince)})
	sum := sha256.Sum256(canonical)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// sortValue is f's value of the sort column, nil for NULL.
func sortValue(f Filing, field SortField) *time.Time {
	var v *time.Time
	switch field {
	case SortCreatedAt:
		v = &f.CreatedAt
	case SortUpdatedAt:
		v = &f.UpdatedAt
	case SortDeadline:
		v = f.Deadline
	case SortSince:
		v = f.Since
	}
	if v == nil {
		return nil
	}
	u := v.UTC()
	return &u
}

func encodeCursor(c cursor) (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("store: encode cursor: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeCursor parses a caller's cursor strictly and checks it belongs to
// this listing. Every failure is ErrBadCursor: a cursor is the caller's
// input, never a reason for a server error.
func decodeCursor(s string, sort Sort, filters string) (*cursor, error) {
	if len(s) > maxCursorLen {
		return nil, fmt.Errorf("%w: too long", ErrBadCursor)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64url", ErrBadCursor)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c cursor
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: malformed", ErrBadCursor)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: trailing data", ErrBadCursor)
	}
	switch {
	case c.Version != cursorVersion:
		return nil, fmt.Errorf("%w: version %d is not %d", ErrBadCursor, c.Version, cursorVersion)
	case c.Sort != sort.String():
		return nil, fmt.Errorf("%w: issued for sort %q, not %q", ErrBadCursor, c.Sort, sort.String())
	case c.Filters != filters:
		return nil, fmt.Errorf("%w: issued for other filters", ErrBadCursor)
	case c.ID == "" || len(c.ID) > 64 || !printable(c.ID):
		// PostgreSQL refuses NUL in text: a forged ID must be a 400,
		// never a database error.
		return nil, fmt.Errorf("%w: no valid filing ID", ErrBadCursor)
	case c.Key == nil && !sort.Field.nullable():
		return nil, fmt.Errorf("%w: no %s value", ErrBadCursor, sort.Field)
	}
	return &c, nil
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
