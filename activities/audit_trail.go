package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/beianflow/beianflow/internal/store"
)

// AuditEntry is one event of a filing as the workflow records it.
type AuditEntry struct {
	FilingID  string        `json:"filing_id"`
	Seq       int64         `json:"seq"`
	At        time.Time     `json:"at"`
	Actor     string        `json:"actor"`
	Action    string        `json:"action"`
	FromStage string        `json:"from_stage,omitempty"`
	ToStage   string        `json:"to_stage,omitempty"`
	Detail    string        `json:"detail,omitempty"`
	Reasons   []AuditReason `json:"reasons,omitempty"`
}

// AuditReason is a reason attached to an audited event.
type AuditReason struct {
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// AppendAudit writes entries to the append-only audit trail; entries already
// written (a retried attempt) are skipped.
func (a *Activities) AppendAudit(ctx context.Context, entries []AuditEntry) error {
	rows := make([]store.FilingEvent, len(entries))
	for i, e := range entries {
		if e.Reasons == nil {
			e.Reasons = []AuditReason{}
		}
		raw, err := json.Marshal(e.Reasons)
		if err != nil {
			return fmt.Errorf("encode reasons of event %d: %w", e.Seq, err)
		}
		reasons := string(raw)
		rows[i] = store.FilingEvent{FilingID: e.FilingID, Seq: e.Seq, At: e.At.UTC(), Actor: e.Actor, Action: e.Action,
			FromStage: e.FromStage, ToStage: e.ToStage, Detail: e.Detail, Reasons: reasons}
	}
	if _, err := a.Events.Append(ctx, rows); err != nil {
		return fmt.Errorf("append audit trail: %w", err)
	}
	return nil
}
