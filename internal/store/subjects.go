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
	FilingID   string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
}

// Subjects enforces one filing in flight per subject (the bureau reviews a
// subject at one provider at a time, §1.3 of the domain brief).
type Subjects struct{ db *DB }

// NewSubjects returns the repository over db.
func NewSubjects(db *DB) *Subjects { return &Subjects{db: db} }

// Acquire gives the subject to filingID and reports the holder: filingID
// itself when acquired (or already held by it), otherwise the filing that
// holds it.
func (r *Subjects) Acquire(ctx context.Context, subjectKey string, filingID filing.ID) (holder filing.ID, err error) {
	lock := SubjectLock{SubjectKey: subjectKey, FilingID: string(filingID), CreatedAt: time.Now().UTC()}
	if err := r.db.Gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&lock).Error; err != nil {
		return "", fmt.Errorf("store: acquire subject: %w", err)
	}
	var cur SubjectLock
	if err := r.db.Gorm.WithContext(ctx).Where("subject_key = ?", subjectKey).Take(&cur).Error; err != nil {
		return "", fmt.Errorf("store: read subject lock: %w", err)
	}
	return filing.ID(cur.FilingID), nil
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

// Steal moves the subject from a holder whose filing no longer runs (for
// example a process that died between acquiring and starting the workflow)
// to filingID. It succeeds only if stale still holds it.
func (r *Subjects) Steal(ctx context.Context, subjectKey string, stale, filingID filing.ID) (bool, error) {
	res := r.db.Gorm.WithContext(ctx).Model(&SubjectLock{}).
		Where("subject_key = ? AND filing_id = ?", subjectKey, stale).
		Updates(map[string]any{"filing_id": filingID, "created_at": time.Now().UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("store: take over subject: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}
