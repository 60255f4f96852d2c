package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// auditTrailChange gates the audit trail: filings started before it
// existed carry no version marker, replay without it and write no trail.
const auditTrailChange = "audit-trail"

// auditTrail buffers the filing's events until a background coroutine has
// written them. Entries are numbered by the workflow, so a retried write
// never duplicates one.
type auditTrail struct {
	enabled  bool
	seq      int64
	pending  []activities.AuditEntry
	flushing bool
}

// audit records an event of the filing: an accepted action or a stage
// change. Actors are roles with opaque IDs, never names.
func (f *filing) audit(ctx workflow.Context, actor, action, detail string, reasons []Reason, from, to Stage) {
	f.absorbResets(ctx)
	if !f.trail.enabled {
		return
	}
	f.trail.seq++
	var rs []activities.AuditReason
	for _, r := range reasons {
		rs = append(rs, activities.AuditReason{Field: r.Field, Code: r.Code, Message: r.Message})
	}
	f.trail.pending = append(f.trail.pending, activities.AuditEntry{
		FilingID: f.in.FilingID, Seq: f.trail.seq, At: workflow.Now(ctx), Actor: actor, Action: action,
		FromStage: string(from), ToStage: string(to), Detail: detail, Reasons: rs,
	})
}

// runAuditTrail writes buffered events as they come, through a local
// activity that retries through database outages.
func (f *filing) runAuditTrail(ctx workflow.Context) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: readModelRetryWindow,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	for {
		if err := workflow.Await(ctx, func() bool { return len(f.trail.pending) > 0 }); err != nil {
			return
		}
		batch := f.trail.pending
		f.trail.pending, f.trail.flushing = nil, true
		err := workflow.ExecuteLocalActivity(ctx, acts.AppendAudit, batch).Get(ctx, nil)
		f.trail.flushing = false
		if err != nil {
			return
		}
	}
}

// auditWritten reports whether every recorded event has been written.
func (f *filing) auditWritten() bool {
	return !f.trail.enabled || (len(f.trail.pending) == 0 && !f.trail.flushing)
}
