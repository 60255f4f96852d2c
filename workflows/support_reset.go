package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/filing"
)

// resetInbox is the channel of reset notices (filing.SignalSupportReset).
// Nobody blocks on Receive: a blocked receiver would take the notice from
// the buffer before the other coroutines of the same workflow task could see
// it, so every reader drains it with ReceiveAsync before it numbers
// anything.
func (f *flow) resetInbox(ctx workflow.Context) workflow.ReceiveChannel {
	if f.resets == nil {
		f.resets = workflow.GetSignalChannel(ctx, filing.SignalSupportReset)
	}
	return f.resets
}

// absorbResets applies reset notices that arrived: numbering moves above
// the old run's, the reset is audited, and the read model gets a new
// revision at the commit that follows (the old run may have recorded a
// later stage): the flow's wait commits at once even when it stays blocked
// in the wait it was reset into.
func (f *flow) absorbResets(ctx workflow.Context) {
	ch := f.resetInbox(ctx)
	for {
		var n filing.ResetNotice
		if !ch.ReceiveAsync(&n) {
			return
		}
		// Which run this is is read once and recorded (a side-effect
		// marker): Temporal's offline replayer runs every history under the
		// original run's ID, so reading it again on replay would tell the
		// new run it is the old one.
		var forThisRun bool
		if err := workflow.SideEffect(ctx, func(ctx workflow.Context) any {
			return n.FromRunID != workflow.GetInfo(ctx).WorkflowExecution.RunID
		}).Get(&forThisRun); err != nil || !forThisRun {
			continue
		}
		f.trail.seq = max(f.trail.seq, n.AuditBase)
		f.state.Revision = max(f.state.Revision, n.RevisionBase)
		f.reads.rewrite = true
		f.audit(ctx, n.Actor, "reset", fmt.Sprintf("to %s (history event %d): %s", n.ToStage, n.EventID, n.Reason), nil,
			f.state.Stage, f.state.Stage)
	}
}
