package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/filing"
)

// A filing sent back again and again (every rejection loop is a round
// through editing, the reviews and the bureau) grows its history by a
// round's events each time. When the server suggests it (Temporal's history
// limits), the run continues as new between rounds, as it goes back to
// editing: every action has been answered, every change written, and the new
// run starts in the information stage with the state and counters the old
// one handed it (filing.Continued). Its search attributes carry over with
// it.

// continueAsNewIfSuggested ends the run with a continue-as-new error when
// the server suggests it and nothing is in flight; otherwise it returns nil
// and the flow goes on.
func (f *flow) continueAsNewIfSuggested(ctx workflow.Context) error {
	if !workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
		return nil
	}
	// Every accepted action answered, and what it changed written.
	for {
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return err
		}
		if !f.uncommitted(ctx) {
			break
		}
		if err := f.commit(ctx); err != nil {
			return err
		}
	}
	if f.ended != nil {
		return nil // the filing ends in this run
	}
	next := f.in
	next.Continued = &filing.Continued{
		State:           f.state,
		AuditSeq:        f.trail.seq,
		NotificationSeq: f.outbox.seq,
		InstanceID:      f.instanceID,
		LastUpdate:      f.lastUpdate,
		Runs:            f.runs + 1,
	}
	workflow.GetLogger(ctx).Info("continuing as new", "history_events", workflow.GetInfo(ctx).GetCurrentHistoryLength(), "run", f.runs+1)
	return workflow.NewContinueAsNewError(ctx, filing.WorkflowName, next)
}

// resume takes over where the run before stood.
func (f *flow) resume(c filing.Continued) {
	f.state = c.State
	f.trail.seq, f.outbox.seq = c.AuditSeq, c.NotificationSeq
	f.instanceID, f.lastUpdate, f.runs = c.InstanceID, c.LastUpdate, c.Runs
	// The old run committed all of it before it continued: the search
	// attributes and the read-model row say what the state does.
	f.pub = f.wanted()
	f.reads.recorded = f.currentWait()
	f.in.Continued = nil
}
