// Package partner holds what the sandboxes of beianflow's partners, the
// provincial bureau (package bureau) and the courier (package courier),
// share: the clock and time scale every sandbox delay is compressed by, the
// table of records keyed by idempotency key, the push loop that plays the
// partner's webhook, and the serving side of the partner protocol
// (docs/protocol.md). What is the partner's own, its records' course and
// its rules, stays in its package; this one knows records only through the
// names and functions the package hands it.
package partner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/beianflow/beianflow/internal/store"
)

// Names are how one partner's sandbox names itself and its records, in
// errors, log lines and protocol answers.
type Names struct {
	// Service names the partner in errors and log lines, e.g. "bureau".
	Service string
	// Party is what answers call the partner, e.g. "gateway".
	Party string
	// Noun is what a create request carries, e.g. "submission".
	Noun string
	// Collection is the protocol's path of the records, e.g.
	// "/submissions".
	Collection string
	// Ref names a record for the outside world: its column, the path value
	// of GET Collection/{Ref}, and the key of log lines, e.g. "receipt_id".
	Ref string
}

// Sandbox is the shared part of a sandbox partner whose rows are of type R,
// a GORM model whose table has the columns idempotency_key (the primary
// key), filing_id, last_pushed_state and Names.Ref. It is safe for
// concurrent use, also by several processes over one database.
type Sandbox[R any] struct {
	names  Names
	db     *store.DB
	clock  func() time.Time
	scale  float64
	logger *slog.Logger
}

// New returns the shared part of a sandbox over db, which must be migrated.
// A nil clock is time.Now, a time scale that is not a positive number is 1
// (real time), a nil logger is slog.Default().
func New[R any](names Names, db *store.DB, clock func() time.Time, scale float64, logger *slog.Logger) *Sandbox[R] {
	if clock == nil {
		clock = time.Now
	}
	if !(scale > 0) {
		scale = 1
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Sandbox[R]{names: names, db: db, clock: clock, scale: scale, logger: logger}
}

// Logger receives the sandbox's log lines.
func (sb *Sandbox[R]) Logger() *slog.Logger { return sb.logger }

// Now is the sandbox's clock truncated to microseconds, the precision
// PostgreSQL stores, so that a time read back equals the one computed and
// both dialects agree.
func (sb *Sandbox[R]) Now() time.Time {
	return sb.clock().UTC().Truncate(time.Microsecond)
}

// TimeScale is the scale a record's schedule is compressed by: the
// record's own hint when that is a positive finite number, else the
// sandbox's.
func (sb *Sandbox[R]) TimeScale(hint float64) float64 {
	if hint > 0 && !math.IsInf(hint, 1) {
		return hint
	}
	return sb.scale
}

// Scaled compresses the delay from start to end by scale.
func Scaled(start, end time.Time, scale float64) time.Time {
	d := time.Duration(float64(end.Sub(start)) / scale)
	return start.Add(d).UTC().Truncate(time.Microsecond)
}

// ByKey reads the record of an idempotency key; gorm.ErrRecordNotFound
// when there is none.
func (sb *Sandbox[R]) ByKey(ctx context.Context, key string) (R, error) {
	var rec R
	err := sb.db.Gorm.WithContext(ctx).Where("idempotency_key = ?", key).Take(&rec).Error
	return rec, err
}

// ByRef reads the record the outside world names ref (Names.Ref), or
// returns unknown when there is none.
func (sb *Sandbox[R]) ByRef(ctx context.Context, ref string, unknown error) (R, error) {
	var rec R
	err := sb.db.Gorm.WithContext(ctx).Where(sb.names.Ref+" = ?", ref).Take(&rec).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return rec, unknown
	}
	return rec, err
}

// OfFiling lists a filing's records in the given order (an SQL ORDER BY
// list of columns).
func (sb *Sandbox[R]) OfFiling(ctx context.Context, filingID, order string) ([]R, error) {
	var recs []R
	err := sb.db.Gorm.WithContext(ctx).Where("filing_id = ?", filingID).Order(order).Find(&recs).Error
	return recs, err
}

// Insert writes rec unless a row with one of its unique keys exists, and
// reports whether it did. Doing nothing on a conflict lets racing calls
// with one key each re-read the one row that won.
func (sb *Sandbox[R]) Insert(ctx context.Context, rec *R) (bool, error) {
	res := sb.db.Gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(rec)
	if res.Error != nil {
		return false, fmt.Errorf("insert: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}
