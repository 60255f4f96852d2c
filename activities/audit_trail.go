package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/store"
)

// AppendAuditRequest is a batch of a filing's audit-trail entries, numbered
// by the workflow.
type AppendAuditRequest struct {
	FilingID filing.ID           `json:"filing_id"`
	Entries  []filing.AuditEntry `json:"entries"`
}

// AppendAudit writes entries to the append-only audit trail; entries already
// written (a retried attempt) are skipped.
func (a *Activities) AppendAudit(ctx context.Context, r AppendAuditRequest) error {
	rows, err := auditRows(r.FilingID, r.Entries)
	if err != nil {
		return err
	}
	if _, err := a.Events.Append(ctx, rows); err != nil {
		return fmt.Errorf("append audit trail of filing %s: %w", r.FilingID, err)
	}
	return nil
}

// auditRows are the audit trail's rows of entries.
func auditRows(id filing.ID, entries []filing.AuditEntry) ([]store.FilingEvent, error) {
	rows := make([]store.FilingEvent, len(entries))
	for i, e := range entries {
		if e.Reasons == nil {
			e.Reasons = []filing.Reason{}
		}
		raw, err := json.Marshal(e.Reasons)
		if err != nil {
			return nil, fmt.Errorf("encode reasons of event %d: %w", e.Seq, err)
		}
		rows[i] = store.FilingEvent{FilingID: string(id), Seq: e.Seq, At: e.At.UTC(), Actor: e.Actor, Action: e.Action,
			FromStage: string(e.FromStage), ToStage: string(e.ToStage), Detail: e.Detail, Reasons: string(raw)}
	}
	return rows, nil
}
