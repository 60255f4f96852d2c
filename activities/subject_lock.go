package activities

import (
	"context"
	"fmt"

	"github.com/beianflow/beianflow/filing"
)

// SubjectRequest names the subject lock a filing holds.
type SubjectRequest struct {
	FilingID   filing.ID `json:"filing_id"`
	SubjectKey string    `json:"subject_key"`
}

// ClaimSubject tells the lock the creating request took that the filing's
// workflow runs, and reports whether the filing still holds its subject:
// false when the request gave the lock up, or another filing took it over,
// before this workflow started. Idempotent.
func (a *Activities) ClaimSubject(ctx context.Context, r SubjectRequest) (bool, error) {
	held, err := a.Subjects.Claim(ctx, r.SubjectKey, r.FilingID)
	if err != nil {
		return false, fmt.Errorf("claim subject for filing %s: %w", r.FilingID, err)
	}
	return held, nil
}

// ReleaseSubject lets the subject start another filing. Idempotent.
func (a *Activities) ReleaseSubject(ctx context.Context, r SubjectRequest) error {
	if err := a.Subjects.Release(ctx, r.SubjectKey, r.FilingID); err != nil {
		return fmt.Errorf("release subject of filing %s: %w", r.FilingID, err)
	}
	return nil
}
