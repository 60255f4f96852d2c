package activities

import (
	"context"
	"fmt"
	"github.com/beianflow/beianflow/internal/faults"
	"time"

	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
	"gorm.io/gorm"
)

// FilingRecord is the read-model row a stage change writes.
type FilingRecord struct {
	FilingID        string `json:"filing_id"`
	AccountID       string `json:"account_id"`
	Province        string `json:"province"`
	FilingType      string `json:"filing_type"`
	Domain          string `json:"domain"`
	RuleSetVersion  string `json:"rule_set_version"`
	CalendarVersion string `json:"calendar_version"`
	Stage           string `json:"stage"`
	// Step, WaitingOn, Since and Deadline describe the current wait.
	Step                 string     `json:"step,omitempty"`
	WaitingOn            string     `json:"waiting_on"`
	Since                *time.Time `json:"since,omitempty"`
	Deadline             *time.Time `json:"deadline,omitempty"`
	DeadlineBusinessDays int        `json:"deadline_business_days,omitempty"`
	Revision             int64      `json:"revision"`
	WorkflowID           string     `json:"workflow_id"`
	Closed               bool       `json:"closed"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
	// Notifications announce this stage change (or an event since the last
	// one); they are enqueued in the same transaction as the row.
	Notifications []NotifyRequest `json:"notifications,omitempty"`
}

// RecordFiling upserts the filing's read-model row and enqueues the
// notifications that announce the change, in one transaction: a stage
// change is never recorded without its announcement, nor announced without
// being recorded. A stale revision (an older attempt landing late) is
// ignored and enqueuing is deduplicated, so retries are harmless.
func (a *Activities) RecordFiling(ctx context.Context, r FilingRecord) error {
	msgs, err := a.messages(ctx, r.FilingID, r.Notifications)
	if err != nil {
		return err
	}
	row := store.Filing{
		ID:                   r.FilingID,
		AccountID:            r.AccountID,
		Province:             r.Province,
		FilingType:           r.FilingType,
		Domain:               r.Domain,
		RuleSetVersion:       r.RuleSetVersion,
		CalendarVersion:      r.CalendarVersion,
		Stage:                r.Stage,
		Step:                 r.Step,
		WaitingOn:            r.WaitingOn,
		Since:                r.Since,
		Deadline:             r.Deadline,
		DeadlineBusinessDays: r.DeadlineBusinessDays,
		Revision:             r.Revision,
		WorkflowID:           r.WorkflowID,
		Closed:               r.Closed,
		CreatedAt:            r.CreatedAt,
		UpdatedAt:            r.UpdatedAt,
	}
	err = a.DB.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := store.UpsertFiling(tx, row); err != nil {
			return err
		}
		return outbox.Enqueue(tx, msgs...)
	})
	if err != nil {
		return fmt.Errorf("record filing %s revision %d: %w", r.FilingID, r.Revision, err)
	}
	faults.Point(faults.AfterReadModel)
	return nil
}
