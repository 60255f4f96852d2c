package activities

import (
	"context"
	"fmt"

	"github.com/beianflow/beianflow/filing"
)

// ReleaseSubjectRequest names the subject lock a finished filing held.
type ReleaseSubjectRequest struct {
	FilingID   filing.ID `json:"filing_id"`
	SubjectKey string    `json:"subject_key"`
}

// ReleaseSubject lets the subject start another filing. Idempotent.
func (a *Activities) ReleaseSubject(ctx context.Context, r ReleaseSubjectRequest) error {
	if err := a.Subjects.Release(ctx, r.SubjectKey, r.FilingID); err != nil {
		return fmt.Errorf("release subject of filing %s: %w", r.FilingID, err)
	}
	return nil
}
