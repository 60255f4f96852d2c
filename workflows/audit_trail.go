package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/filing"
)

// auditTrail buffers the filing's events until the next commit writes them
// with the change they belong to. Entries are numbered by the workflow, so a
// retried write never duplicates one.
type auditTrail struct {
	seq     int64
	pending []filing.AuditEntry
}

// take hands over the buffered entries to a commit.
func (t *auditTrail) take() []filing.AuditEntry {
	out := t.pending
	t.pending = nil
	return out
}

// audit records an event of the filing: an accepted action or a stage
// change. Actors are roles with opaque IDs, never names.
func (f *flow) audit(ctx workflow.Context, actor, action, detail string, reasons []filing.Reason, from, to filing.Stage) {
	f.absorbResets(ctx)
	f.trail.seq++
	if reasons == nil {
		reasons = []filing.Reason{}
	}
	f.trail.pending = append(f.trail.pending, filing.AuditEntry{
		Seq: f.trail.seq, At: workflow.Now(ctx), Actor: actor, Action: action,
		FromStage: from, ToStage: to, Detail: detail, Reasons: reasons,
	})
}
