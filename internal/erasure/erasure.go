// Package erasure ends the life of an ended filing's personal data: on a
// support member's request, or when the retention period after the filing
// ended has passed. Its data key is destroyed, so the sealed application
// revisions and mailing addresses are unreadable in the database and in
// every backup at once; its documents are deleted from S3 (they are not
// sealed yet); its notifications' recipients are blanked. The read model
// keeps the non-personal facts (stage, dates, province, domain, filing
// type) and the audit trail records the erasure, never the data.
package erasure

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
)

// ErrNotEnded refuses to erase a filing still in flight: the process
// needs its data until it is approved, cancelled or expired.
var ErrNotEnded = errors.New("erasure: the filing has not ended")

// ActionErased is the audit trail's action of an erasure.
const ActionErased = "personal_data_erased"

// Eraser erases filings' personal data.
type Eraser struct {
	DB        *store.DB
	Keys      *envelope.Keys
	Documents *documents.Store
	Log       *slog.Logger
	Now       func() time.Time
}

// Result is what an erasure did.
type Result struct {
	ErasedAt time.Time
	// Documents is how many objects were deleted from S3 by this call.
	Documents int
	// Already is set when the filing had been erased before.
	Already bool
}

// Erase erases an ended filing's personal data for actor ("support:<key>"
// or "system:retention") with reason, a snake_case code. Erasing again
// deletes whatever is left and records nothing new.
func (e *Eraser) Erase(ctx context.Context, id filing.ID, actor, reason string) (Result, error) {
	f, err := store.NewFilings(e.DB).Get(ctx, id)
	if err != nil {
		return Result{}, fmt.Errorf("erasure: filing %s: %w", id, err)
	}
	if !f.Closed {
		return Result{}, ErrNotEnded
	}
	at, already, err := e.Keys.ErasedAt(ctx, id)
	if err != nil {
		return Result{}, err
	}
	// The key first: once it is gone nothing sealed can be read, whatever
	// else fails below (a retry finishes it).
	if !already {
		if err := e.Keys.Erase(ctx, id); err != nil {
			return Result{}, err
		}
		if at, _, err = e.Keys.ErasedAt(ctx, id); err != nil {
			return Result{}, err
		}
	}
	n, err := e.Documents.DeleteFiling(ctx, id)
	if err != nil {
		return Result{}, err
	}
	if _, err := outbox.ForgetRecipients(ctx, e.DB, id); err != nil {
		return Result{}, err
	}
	if !already {
		if err := e.record(ctx, id, f.Stage, actor, reason, at); err != nil {
			return Result{}, err
		}
		e.Log.InfoContext(ctx, "personal data erased", "filing_id", id, "actor", actor, "reason", reason, "documents", n)
	}
	return Result{ErasedAt: at.UTC(), Documents: n, Already: already}, nil
}

// record appends the erasure to the filing's audit trail, after the
// workflow's last entry: the filing has ended, so nothing else writes it.
func (e *Eraser) record(ctx context.Context, id filing.ID, stage, actor, reason string, at time.Time) error {
	events := store.NewEvents(e.DB)
	last, err := events.MaxSeq(ctx, id)
	if err != nil {
		return err
	}
	_, err = events.Append(ctx, []store.FilingEvent{{FilingID: string(id), Seq: last + 1, At: at.UTC(), Actor: actor,
		Action: ActionErased, FromStage: stage, ToStage: stage, Detail: reason, Reasons: "[]"}})
	return err
}

// Sweep erases every filing that ended more than retention ago, a batch
// at a time, and returns how many it erased. A filing that fails is
// logged and left for the next sweep.
func (e *Eraser) Sweep(ctx context.Context, retention time.Duration) (int, error) {
	erased := 0
	cutoff := e.Now().Add(-retention)
	for {
		ids, err := store.NewFilings(e.DB).EndedBefore(ctx, cutoff, 100)
		if err != nil {
			return erased, err
		}
		progress := false
		for _, id := range ids {
			if _, err := e.Erase(ctx, id, "system:retention", "retention_elapsed"); err != nil {
				e.Log.ErrorContext(ctx, "retention: erasing a filing failed; the next sweep tries again", "filing_id", id, "err", err)
				continue
			}
			erased++
			progress = true
		}
		if len(ids) < 100 || !progress {
			return erased, nil
		}
	}
}
