package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// SignalSupportReset carries a ResetNotice into the run a support reset
// creates. It is sent to the run being reset just before the reset, after
// the reset point, and Temporal reapplies it to the new run before that
// run's first new workflow task: no event of the new run is numbered before
// the notice is seen. (Temporal's post-reset signal operation would say
// this directly, but the server we pin refuses it.)
const SignalSupportReset = "support_reset"

// ResetNotice tells a filing that support staff reset it to an earlier
// point. It carries the numbering the new run continues from: the old run
// went on past the reset point and its audit entries and read-model
// revisions are already written, so the new run must number above them.
type ResetNotice struct {
	// Actor is who reset the filing (support:<API key ID>).
	Actor string `json:"actor"`
	// FromRunID is the run being reset. That run receives the notice too,
	// and ignores it: it is for the run the reset creates.
	FromRunID string `json:"from_run_id"`
	// ToStage is the stage the filing was put back to.
	ToStage Stage `json:"to_stage"`
	// EventID is the workflow-history event the run was reset to.
	EventID int64 `json:"event_id"`
	// Reason is the support staff's explanation, for the audit trail.
	Reason string `json:"reason"`
	// AuditBase and RevisionBase are at least the highest audit sequence
	// number and read-model revision written by any earlier run.
	AuditBase    int64 `json:"audit_base"`
	RevisionBase int64 `json:"revision_base"`
}

// resetInbox is the channel of reset notices. Nobody blocks on Receive:
// a blocked receiver would take the notice from the buffer before the other
// coroutines of the same workflow task could see it, so every reader drains
// it with ReceiveAsync before it numbers anything.
func (f *filing) resetInbox(ctx workflow.Context) workflow.ReceiveChannel {
	if f.resets == nil {
		f.resets = workflow.GetSignalChannel(ctx, SignalSupportReset)
	}
	return f.resets
}

// absorbResets applies reset notices that arrived: numbering moves above
// the old run's, the reset is audited, and the read model is rewritten (the
// old run may have recorded a later stage). Old histories hold no notice, so
// this changes nothing when they replay.
func (f *filing) absorbResets(ctx workflow.Context) {
	ch := f.resetInbox(ctx)
	for {
		var n ResetNotice
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
		f.rewriteReadModel = true
		f.audit(ctx, n.Actor, "reset", fmt.Sprintf("to %s (history event %d): %s", n.ToStage, n.EventID, n.Reason), nil,
			f.state.Stage, f.state.Stage)
	}
}

// runResetWatcher rewrites the read model after a reset even when the flow
// stays blocked in the wait it was reset into.
func (f *filing) runResetWatcher(ctx workflow.Context) {
	ch := f.resetInbox(ctx)
	for {
		if err := workflow.Await(ctx, func() bool { return ch.Len() > 0 || f.rewriteReadModel }); err != nil {
			return
		}
		f.absorbResets(ctx)
		f.rewriteReadModel = false
		f.state.Revision++
		if err := recordReadModel(ctx, f.state, nil); err != nil {
			return
		}
		f.recorded = f.currentWait()
	}
}
