package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/beianflow/beianflow/filing"
)

// Filing is a row of the filings read model. It holds no personal data.
type Filing struct {
	ID         string `gorm:"primaryKey"`
	AccountID  string
	Province   string
	FilingType string
	Domain     string
	// RuleSetVersion and CalendarVersion are the versions of the province
	// rules and holiday calendar the filing was checked and scheduled with.
	RuleSetVersion  string
	CalendarVersion string
	Stage           string
	// Step, WaitingOn, Since and Deadline describe the current wait: Step
	// refines the stage (e.g. awaiting_reviewer), Since is when the wait
	// began, Deadline when it times out (nil for open-ended waits).
	Step                 string
	WaitingOn            string
	Since                *time.Time
	Deadline             *time.Time
	DeadlineBusinessDays int
	Revision             int64
	WorkflowID           string
	Closed               bool
	CreatedAt            time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt            time.Time `gorm:"autoUpdateTime:false"`
}

// FilingOf is the database row of a read-model row.
func FilingOf(r filing.Row) Filing {
	return Filing{
		ID: string(r.FilingID), AccountID: r.AccountID, Province: r.Province, FilingType: string(r.FilingType),
		Domain: r.Domain, RuleSetVersion: r.RuleSetVersion, CalendarVersion: r.CalendarVersion,
		Stage: string(r.Stage), Step: string(r.Step), WaitingOn: string(r.WaitingOn),
		Since: r.Since, Deadline: r.Deadline, DeadlineBusinessDays: r.DeadlineBusinessDays,
		Revision: r.Revision, WorkflowID: r.WorkflowID, Closed: r.Closed, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// Row is the read-model row this database row holds, its times in UTC, and
// Overdue judged at now: open and past the deadline of its current wait.
func (f Filing) Row(now time.Time) filing.Row {
	return filing.Row{
		Identity: filing.Identity{
			FilingID: filing.ID(f.ID), AccountID: f.AccountID, Province: f.Province, FilingType: filing.Type(f.FilingType),
			Domain: f.Domain, RuleSetVersion: f.RuleSetVersion, CalendarVersion: f.CalendarVersion,
		},
		Stage: filing.Stage(f.Stage), Step: filing.Step(f.Step), WaitingOn: filing.Party(f.WaitingOn),
		Since: inUTC(f.Since), Deadline: inUTC(f.Deadline), DeadlineBusinessDays: f.DeadlineBusinessDays,
		Overdue:  !f.Closed && f.Deadline != nil && f.Deadline.Before(now),
		Closed:   f.Closed,
		Revision: f.Revision, WorkflowID: f.WorkflowID, CreatedAt: f.CreatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC(),
	}
}

// inUTC copies a nullable time into UTC, the zone every answer uses.
func inUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Filings reads and writes the filings read model.
type Filings struct{ db *DB }

// NewFilings returns the repository over db.
func NewFilings(db *DB) *Filings { return &Filings{db: db} }

// Upsert writes f unless the stored row already has a newer or equal
// revision. Activities retry, and an old attempt may land after a newer one;
// the revision guard makes the write idempotent and order-independent.
// It reports whether the row changed.
func (r *Filings) Upsert(ctx context.Context, f Filing) (bool, error) {
	return UpsertFiling(r.db.Gorm.WithContext(ctx), f)
}

// UpsertFiling is Upsert inside the caller's transaction, so a stage change
// and what announces it commit together.
func UpsertFiling(tx *gorm.DB, f Filing) (bool, error) {
	// SQLite stores times as text with their zone, and text sorts wrongly
	// across zones: the read model holds UTC only.
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	for _, t := range []**time.Time{&f.Since, &f.Deadline} {
		if *t != nil {
			u := (**t).UTC()
			*t = &u
		}
	}
	res := tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{
			"stage", "step", "waiting_on", "since", "deadline", "deadline_business_days", "revision", "closed", "updated_at", "filing_type", "domain",
			"rule_set_version", "calendar_version",
		}),
		Where: clause.Where{Exprs: []clause.Expression{
			clause.Expr{SQL: "filings.revision < excluded.revision"},
		}},
	}).Create(&f)
	if res.Error != nil {
		return false, fmt.Errorf("store: upsert filing %s: %w", f.ID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// FilingRow is the read-model row of a filing as tx sees it, nil when it
// has none.
func FilingRow(tx *gorm.DB, id filing.ID) (*filing.Row, error) {
	var f Filing
	res := tx.Where("id = ?", string(id)).Limit(1).Find(&f)
	if res.Error != nil {
		return nil, fmt.Errorf("store: read filing %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	r := f.Row(time.Now())
	return &r, nil
}

// Get returns one filing or ErrNotFound.
func (r *Filings) Get(ctx context.Context, id filing.ID) (Filing, error) {
	return getByID[Filing](ctx, r.db, "filing", string(id))
}

// DeleteUnstarted removes the row of a filing whose workflow never started
// (revision 0, written by the API at creation). Rows the workflow wrote are
// never removed.
func (r *Filings) DeleteUnstarted(ctx context.Context, id filing.ID) error {
	err := r.db.Gorm.WithContext(ctx).Where("id = ? AND revision = 0", id).Delete(&Filing{}).Error
	if err != nil {
		return fmt.Errorf("store: delete unstarted filing %s: %w", id, err)
	}
	return nil
}

// EndedBefore lists filings that ended before cutoff and whose personal
// data is not erased yet, oldest first, at most limit: the retention
// sweep's work.
func (r *Filings) EndedBefore(ctx context.Context, cutoff time.Time, limit int) ([]filing.ID, error) {
	var ids []filing.ID
	err := r.db.Gorm.WithContext(ctx).Table("filings").Select("filings.id").
		Joins("LEFT JOIN filing_keys ON filing_keys.filing_id = filings.id").
		Where("filings.closed AND filings.updated_at < ? AND filing_keys.erased_at IS NULL", cutoff.UTC()).
		Order("filings.updated_at, filings.id").Limit(limit).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: filings ended before %s: %w", cutoff.Format(time.RFC3339), err)
	}
	return ids, nil
}
