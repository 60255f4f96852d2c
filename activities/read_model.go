package activities

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/faults"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
)

// RecordFilingRequest is the read-model row a change of wait writes, with
// the notifications that announce it.
type RecordFilingRequest struct {
	Row filing.Row `json:"row"`
	// Notifications announce this change (or an event since the last
	// one); they are enqueued in the same transaction as the row.
	Notifications []NotifyRequest `json:"notifications,omitempty"`
}

// RecordFiling upserts the filing's read-model row and enqueues the
// notifications that announce the change, in one transaction: a stage
// change is never recorded without its announcement, nor announced without
// being recorded. A stale revision (an older attempt landing late) is
// ignored and enqueuing is deduplicated, so retries are harmless.
func (a *Activities) RecordFiling(ctx context.Context, r RecordFilingRequest) error {
	msgs, err := a.messages(ctx, r.Row.FilingID, r.Notifications)
	if err != nil {
		return err
	}
	err = a.DB.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := store.UpsertFiling(tx, store.FilingOf(r.Row)); err != nil {
			return err
		}
		return outbox.Enqueue(tx, msgs...)
	})
	if err != nil {
		return fmt.Errorf("record filing %s revision %d: %w", r.Row.FilingID, r.Row.Revision, err)
	}
	faults.Point(faults.AfterReadModel)
	return nil
}
