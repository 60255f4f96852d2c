package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// auditTrail buffers the filing's events until a background coroutine has
// written them. Entries are numbered by the workflow, so a retried write
// never duplicates one.
type auditTrail struct {
	seq      int64
	pending  []filing.AuditEntry
	flushing bool
}

// take hands over the buffered entries to a read-model write.
func (t *auditTrail) take() []filing.AuditEntry {
	out := t.pending
	t.pending = nil
	return out
}

// written reports whether every recorded event has been written.
func (t *auditTrail) written() bool { return len(t.pending) == 0 && !t.flushing }

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

// runAuditTrail writes buffered events as they come, through a local
// activity that retries through database outages.
func (f *flow) runAuditTrail(ctx workflow.Context) {
	ctx = withDatabase(ctx)
	for {
		if err := workflow.Await(ctx, func() bool { return len(f.trail.pending) > 0 }); err != nil {
			return
		}
		batch := f.trail.pending
		f.trail.pending, f.trail.flushing = nil, true
		err := workflow.ExecuteLocalActivity(ctx, acts.AppendAudit,
			activities.AppendAuditRequest{FilingID: f.in.FilingID, Entries: batch}).Get(ctx, nil)
		f.trail.flushing = false
		if err != nil {
			return
		}
	}
}
