package store

import (
	"github.com/beianflow/beianflow/filing"

	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// FilingEvent is one entry of a filing's audit trail.
type FilingEvent struct {
	FilingID  string `gorm:"primaryKey"`
	Seq       int64  `gorm:"primaryKey"`
	At        time.Time
	Actor     string
	Action    string
	FromStage string
	ToStage   string
	Detail    string
	Reasons   string // JSON array
}

// Events is the append-only audit trail.
type Events struct{ db *DB }

// NewEvents returns the repository over db.
func NewEvents(db *DB) *Events { return &Events{db: db} }

// Append writes events, skipping those already written: the workflow
// numbers them, so a retried write is harmless. It returns how many were new.
func (r *Events) Append(ctx context.Context, events []FilingEvent) (int64, error) {
	return AppendEvents(r.db.Gorm.WithContext(ctx), events)
}

// AppendEvents is Append inside tx: the read model's write appends the
// audit entries of its change in the same transaction.
func AppendEvents(tx *gorm.DB, events []FilingEvent) (int64, error) {
	if len(events) == 0 {
		return 0, nil
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&events)
	if res.Error != nil {
		return 0, fmt.Errorf("store: append %d events of filing %s: %w", len(events), events[0].FilingID, res.Error)
	}
	return res.RowsAffected, nil
}

// List returns a filing's events in order.
func (r *Events) List(ctx context.Context, filingID filing.ID) ([]FilingEvent, error) {
	var out []FilingEvent
	if err := r.db.Gorm.WithContext(ctx).Where("filing_id = ?", filingID).Order("seq").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: events of filing %s: %w", filingID, err)
	}
	return out, nil
}

// MaxSeq is the highest sequence number written for a filing, 0 for none.
func (r *Events) MaxSeq(ctx context.Context, filingID filing.ID) (int64, error) {
	var n *int64
	if err := r.db.Gorm.WithContext(ctx).Model(&FilingEvent{}).Where("filing_id = ?", filingID).
		Select("MAX(seq)").Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("store: highest event of filing %s: %w", filingID, err)
	}
	if n == nil {
		return 0, nil
	}
	return *n, nil
}
