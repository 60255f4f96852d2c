package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/beianflow/beianflow/filing"
)

// SubjectLock records which filing holds a subject.
type SubjectLock struct {
	SubjectKey string `gorm:"primaryKey"`
	FilingID   filing.ID
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	// LeaseUntil is how long the creating request may take to start the
	// filing's workflow; until then nobody takes the lock over. Nil once
	// claimed, and on locks older than leases.
	LeaseUntil *time.Time
	// Claimed is set by the filing's workflow on its first step: the
	// workflow exists and holds the subject until it closes.
	Claimed bool
}

// Leased reports whether the creating request may still be starting the
// holder's workflow at now.
func (l SubjectLock) Leased(now time.Time) bool {
	return !l.Claimed && l.LeaseUntil != nil && now.Before(*l.LeaseUntil)
}

// Subjects enforces one filing in flight per subject (the bureau reviews a
// subject at one provider at a time, §1.3 of the domain brief).
//
// A lock passes through three states: leased (the creating request is
// starting the workflow), claimed (the workflow runs and said so), and
// released (deleted). A lock is taken over only from a holder whose
// workflow does not run, and only in the state it was seen in: a holder
// that claims meanwhile keeps its lock, and a workflow that starts after
// its lock was taken over finds it cannot claim it and ends.
type Subjects struct{ db *DB }

// NewSubjects returns the repository over db.
func NewSubjects(db *DB) *Subjects { return &Subjects{db: db} }

// Acquire gives the subject to filingID, leased until leaseUntil, unless
// another filing holds it, and returns the lock as it stands: held by
// filingID when acquired (or already held by it), otherwise by the filing
// that holds it.
func (r *Subjects) Acquire(ctx context.Context, subjectKey string, filingID filing.ID, now, leaseUntil time.Time) (SubjectLock, error) {
	lease := leaseUntil.UTC()
	lock := SubjectLock{SubjectKey: subjectKey, FilingID: filingID, CreatedAt: now.UTC(), LeaseUntil: &lease}
	if err := r.db.Gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&lock).Error; err != nil {
		return SubjectLock{}, fmt.Errorf("store: acquire subject: %w", err)
	}
	var cur SubjectLock
	if err := r.db.Gorm.WithContext(ctx).Where("subject_key = ?", subjectKey).Take(&cur).Error; err != nil {
		return SubjectLock{}, fmt.Errorf("store: read subject lock: %w", err)
	}
	return cur, nil
}

// Claim marks the lock as held by filingID's running workflow and reports
// whether filingID holds it. Claiming again is harmless; false means the
// lock was released or taken over before the workflow started, and the
// workflow must not go on.
func (r *Subjects) Claim(ctx context.Context, subjectKey string, filingID filing.ID) (bool, error) {
	res := r.db.Gorm.WithContext(ctx).Model(&SubjectLock{}).
		Where("subject_key = ? AND filing_id = ?", subjectKey, filingID).
		Updates(map[string]any{"claimed": true, "lease_until": nil})
	if res.Error != nil {
		return false, fmt.Errorf("store: claim subject: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Release frees the subject if filingID holds it; releasing twice, or a
// subject held by another filing, changes nothing.
func (r *Subjects) Release(ctx context.Context, subjectKey string, filingID filing.ID) error {
	err := r.db.Gorm.WithContext(ctx).Where("subject_key = ? AND filing_id = ?", subjectKey, filingID).
		Delete(&SubjectLock{}).Error
	if err != nil { // a delete matching nothing is no error: released twice
		return fmt.Errorf("store: release subject: %w", err)
	}
	return nil
}

// TakeOver moves the subject to filingID, leased until leaseUntil, from
// the holder in seen, whose workflow the caller found not running. It
// succeeds only if the lock is still as seen and, when unclaimed, its
// lease has ended by now: of concurrent takeovers one wins, and a holder
// that claimed in between keeps the subject.
func (r *Subjects) TakeOver(ctx context.Context, seen SubjectLock, filingID filing.ID, now, leaseUntil time.Time) (bool, error) {
	q := r.db.Gorm.WithContext(ctx).Model(&SubjectLock{}).
		Where("subject_key = ? AND filing_id = ? AND claimed = ?", seen.SubjectKey, seen.FilingID, seen.Claimed)
	if !seen.Claimed {
		q = q.Where("(lease_until IS NULL OR lease_until <= ?)", now.UTC())
	}
	res := q.Updates(map[string]any{"filing_id": filingID, "created_at": now.UTC(), "lease_until": leaseUntil.UTC(), "claimed": false})
	if res.Error != nil {
		return false, fmt.Errorf("store: take over subject: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// KeyOf returns the key of the subject filingID holds; ok is false when it
// holds none (it ended, or never claimed one).
func (r *Subjects) KeyOf(ctx context.Context, filingID filing.ID) (key string, ok bool, err error) {
	var locks []SubjectLock
	if err := r.db.Gorm.WithContext(ctx).Where("filing_id = ?", filingID).Limit(1).Find(&locks).Error; err != nil {
		return "", false, fmt.Errorf("store: subject of filing %s: %w", filingID, err)
	}
	if len(locks) == 0 {
		return "", false, nil
	}
	return locks[0].SubjectKey, true, nil
}
