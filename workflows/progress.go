package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// enterStage records a stage change in the state and the timeline, and
// audits it; the next commit publishes it. A stage change not yet committed
// is committed first, so that the read model (and the events derived from
// it) sees every stage the filing passes through.
func (f *flow) enterStage(ctx workflow.Context, stage filing.Stage, reason string) error {
	if f.state.Stage != f.reads.recorded.stage && f.state.Stage != "" {
		if err := f.commit(ctx); err != nil {
			return err
		}
	}
	now := workflow.Now(ctx)
	// The reason stays out of the log: a cancellation's is the caller's.
	workflow.GetLogger(ctx).Info("stage changed", "from", f.state.Stage, "to", stage)
	f.audit(ctx, "system", "stage_changed", "", nil, f.state.Stage, stage)
	f.state.Stage, f.state.Step = stage, filing.StepNone
	f.state.UpdatedAt = now
	f.state.Timeline = append(f.state.Timeline, filing.StageChange{Stage: stage, At: now, Reason: reason})
	if stage.Terminal() {
		f.state.WaitingOn, f.state.WaitingFor, f.state.Deadline, f.state.Since = filing.PartyNone, "", nil, nil
		f.state.DeadlineBusinessDays, f.state.DeadlineEstimated = 0, false
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("Filing ended: **%s**.", stage))
		return f.commit(ctx)
	}
	return nil
}

// touch records that someone acted: the order clock restarts.
func (f *flow) touch(ctx workflow.Context) {
	f.lastUpdate = workflow.Now(ctx)
	f.state.UpdatedAt = f.lastUpdate
}

// reject records why the filing goes back.
func (f *flow) reject(ctx workflow.Context, by string, reasons []filing.Reason) {
	f.state.LastRejection = &filing.Rejection{By: by, At: workflow.Now(ctx), Reasons: reasons}
	// Codes only: a reviewer's message is free text about the applicant.
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = r.Code
	}
	workflow.GetLogger(ctx).Info("filing rejected", "stage", f.state.Stage, "by", by, "codes", codes)
	f.audit(ctx, by, "rejected", "", reasons, f.state.Stage, f.state.Stage)
}

// markOverdue sets or clears the overdue flag for operators; the next
// commit publishes it.
func (f *flow) markOverdue(overdue bool) { f.state.Overdue = overdue }

// provinceRules are the province's rules in force now.
func (f *flow) provinceRules(ctx workflow.Context) rules.ProvinceRules {
	return f.rules.For(f.in.Province, workflow.Now(ctx))
}

// scaled compresses a real-world duration by the filing's time scale.
func (f *flow) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / f.in.Settings.TimeScale)
}

// compress maps a real-world instant after from onto the compressed
// timeline: from + (at - from) / scale.
func (f *flow) compress(from, at time.Time) time.Time {
	return from.Add(f.scaled(at.Sub(from)))
}

// businessDeadline is n business days after from on the holiday calendar,
// compressed by the time scale.
func (f *flow) businessDeadline(from time.Time, n int) *deadline {
	at, estimated := f.cal.AddBusinessDays(from, n)
	return &deadline{at: f.compress(from, at), businessDays: n, estimated: estimated}
}

// sandboxTimeScale is the filing's time scale as a hint for the sandbox
// bureau and courier, so that they keep pace with the filing's own
// compressed timers: 0 (no hint, left out of the activity input) at real
// time, so a production filing's inputs carry nothing of it.
func (f *flow) sandboxTimeScale() float64 {
	if s := f.in.Settings.TimeScale; s != 1 {
		return s
	}
	return 0
}
