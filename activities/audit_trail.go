package activities

import (
	"encoding/json"
	"fmt"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/store"
)

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
