package activities

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/faults"
	"github.com/beianflow/beianflow/internal/feed"
	"github.com/beianflow/beianflow/internal/hooks"
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
	// Audit are the audit trail's entries of the change, appended in the
	// same transaction: one local activity per change, not one per
	// concern.
	Audit []filing.AuditEntry `json:"audit,omitempty"`
}

// RecordFiling upserts the filing's read-model row, appends the events
// that announce the change to the feed, schedules their webhook deliveries
// and enqueues the notifications, in one transaction: a stage change is never recorded without its
// announcements, nor announced without being recorded. A stale revision (an
// older attempt landing late) is ignored, and events and messages are
// deduplicated, so retries are harmless.
func (a *Activities) RecordFiling(ctx context.Context, r RecordFilingRequest) error {
	msgs, err := a.messages(ctx, r.Row.FilingID, r.Notifications)
	if err != nil {
		return err
	}
	audit, err := auditRows(r.Row.FilingID, r.Audit)
	if err != nil {
		return err
	}
	err = a.DB.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := store.AppendEvents(tx, audit); err != nil {
			return err
		}
		prev, err := store.FilingRow(tx, r.Row.FilingID)
		if err != nil {
			return err
		}
		applied, err := store.UpsertFiling(tx, store.FilingOf(r.Row))
		if err != nil {
			return err
		}
		events := feed.Derive(prev, r.Row, applied, notes(r.Notifications))
		if err := feed.Append(tx, r.Row.FilingID, r.Row.AccountID, events...); err != nil {
			return err
		}
		if err := hooks.Schedule(tx, r.Row.AccountID, feed.IDs(r.Row.FilingID, events), a.now(), a.DeliveryRetryFor); err != nil {
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

// notes are the notifications as the feed derives events from them.
func notes(reqs []NotifyRequest) []feed.Note {
	out := make([]feed.Note, len(reqs))
	for i, n := range reqs {
		out[i] = feed.Note{Event: n.Event, Seq: n.Seq, Params: n.Params, Rejected: n.Rejected}
	}
	return out
}
