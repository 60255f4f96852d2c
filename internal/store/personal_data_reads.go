package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/beianflow/beianflow/filing"
)

// PersonalDataRead is one read of a filing's personal data outside the
// workflow: who read which document of it, and when.
type PersonalDataRead struct {
	ID       string `gorm:"primaryKey"`
	FilingID filing.ID
	Actor    string
	What     string
	At       time.Time
}

// PersonalDataReads is the append-only record of reads of personal data.
type PersonalDataReads struct{ db *DB }

// NewPersonalDataReads returns the repository over db.
func NewPersonalDataReads(db *DB) *PersonalDataReads { return &PersonalDataReads{db: db} }

// Record appends reads by actor at one instant, one per what, in one
// insert.
func (r *PersonalDataReads) Record(ctx context.Context, id filing.ID, actor string, at time.Time, whats ...string) error {
	if len(whats) == 0 {
		return nil
	}
	reads := make([]PersonalDataRead, len(whats))
	for i, what := range whats {
		reads[i] = PersonalDataRead{ID: uuid.Must(uuid.NewV7()).String(), FilingID: id, Actor: actor, What: what, At: at.UTC()}
	}
	if err := r.db.Gorm.WithContext(ctx).Create(&reads).Error; err != nil {
		return fmt.Errorf("store: record reads of filing %s: %w", id, err)
	}
	return nil
}

// List returns a filing's reads, oldest first.
func (r *PersonalDataReads) List(ctx context.Context, id filing.ID) ([]PersonalDataRead, error) {
	var out []PersonalDataRead
	if err := r.db.Gorm.WithContext(ctx).Where("filing_id = ?", id).Order("at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: reads of filing %s: %w", id, err)
	}
	return out, nil
}

// ReadsQuery selects one reader's reads, across filings.
type ReadsQuery struct {
	Actor string
	// Since and Until bound the reads' time (Until excluded); zero is
	// unbounded.
	Since, Until time.Time
	// After is the ID of the last read of the previous page.
	After string
	Limit int
}

// ByActor returns a reader's reads, oldest first, a page at a time: who saw
// what, as PIPL asks a provider to be able to say. IDs are UUIDv7, so
// their order is the order the reads were recorded in.
func (r *PersonalDataReads) ByActor(ctx context.Context, q ReadsQuery) ([]PersonalDataRead, error) {
	g := r.db.Gorm.WithContext(ctx).Where("actor = ?", q.Actor)
	if !q.Since.IsZero() {
		g = g.Where("at >= ?", q.Since.UTC())
	}
	if !q.Until.IsZero() {
		g = g.Where("at < ?", q.Until.UTC())
	}
	if q.After != "" {
		g = g.Where("id > ?", q.After)
	}
	var out []PersonalDataRead
	if err := g.Order("id").Limit(q.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: reads by %s: %w", q.Actor, err)
	}
	return out, nil
}
