package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// filing is the state of one FilingWorkflow run. Handlers and the main loop
// share it; workflow code is single-threaded so no locking is needed.
type filing struct {
	in    FilingInput
	state FilingState
	// lastActivity is when the applicant last acted; the order lifetime
	// counts from here.
	lastActivity time.Time
	cancel       *CancelRequest
}

// FilingWorkflow runs one ICP filing of type 新增网站 (subject's original
// filing at another provider) from creation to its end.
func FilingWorkflow(ctx workflow.Context, in FilingInput) (FilingState, error) {
	f := &filing{in: in}
	now := workflow.Now(ctx)
	f.state = FilingState{
		FilingID:        in.FilingID,
		AccountID:       in.AccountID,
		Province:        in.Province,
		FilingType:      in.FilingType,
		Domain:          in.Domain,
		RuleSetVersion:  in.RuleSetVersion,
		CalendarVersion: in.CalendarVersion,
		CreatedAt:       in.CreatedAt,
	}
	f.lastActivity = now
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (FilingState, error) {
		return f.state, nil
	}); err != nil {
		return FilingState{}, fmt.Errorf("register state query: %w", err)
	}
	if err := f.registerCancel(ctx); err != nil {
		return FilingState{}, err
	}

	if err := f.enterStage(ctx, StageDraft, PartyApplicant, ""); err != nil {
		return f.state, err
	}
	if err := f.awaitApplication(ctx); err != nil {
		return f.state, err
	}
	// Updates accepted before this point have finished their handlers;
	// returning now would drop their replies.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return f.state, err
	}
	return f.state, nil
}

// awaitApplication waits in the draft stage until the applicant cancels or
// the order expires after OrderLifetime without an update.
func (f *filing) awaitApplication(ctx workflow.Context) error {
	for {
		deadline := f.lastActivity.Add(OrderLifetime)
		f.setDeadline(ctx, deadline)
		workflow.SetCurrentDetails(ctx, fmt.Sprintf(
			"Waiting for the **applicant** to complete the application. Order expires %s if idle.",
			deadline.In(chinaTime).Format("2006-01-02 15:04 MST")))
		lastSeen := f.lastActivity
		ok, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout:      deadline.Sub(workflow.Now(ctx)),
			TimerOptions: workflow.TimerOptions{Summary: "order lifetime: 45 idle days"},
		}, func() bool { return f.cancel != nil || f.lastActivity != lastSeen })
		if err != nil {
			return err
		}
		switch {
		case f.cancel != nil:
			return f.enterStage(ctx, StageCancelled, PartyNone, f.cancel.Reason)
		case !ok:
			return f.enterStage(ctx, StageExpired, PartyNone, "no update for 45 days")
		}
		// The applicant acted: the idle clock restarts.
	}
}

// enterStage records a stage change in the state, the search attributes and
// the read model. The read model write is the only side effect and it is
// idempotent (guarded by Revision), so a retried activity is harmless.
func (f *filing) enterStage(ctx workflow.Context, stage Stage, waitingOn Party, reason string) error {
	now := workflow.Now(ctx)
	f.state.Stage = stage
	f.state.WaitingOn = waitingOn
	f.state.Revision++
	f.state.UpdatedAt = now
	f.state.Timeline = append(f.state.Timeline, StageChange{Stage: stage, At: now, Reason: reason})
	if stage.Terminal() {
		f.state.Deadline = nil
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("Filing ended: **%s**.", stage))
	}
	updates := []temporal.SearchAttributeUpdate{
		AttrStage.ValueSet(string(stage)),
		AttrWaitingOn.ValueSet(string(waitingOn)),
	}
	if stage.Terminal() {
		updates = append(updates, AttrStageDeadline.ValueUnset())
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		return fmt.Errorf("upsert search attributes: %w", err)
	}
	return recordReadModel(ctx, f.state)
}

// setDeadline publishes the current stage deadline to the state and to the
// BeianStageDeadline search attribute, so operators can list what is due.
func (f *filing) setDeadline(ctx workflow.Context, deadline time.Time) {
	if f.state.Deadline != nil && f.state.Deadline.Equal(deadline) {
		return
	}
	d := deadline
	f.state.Deadline = &d
	// A failed upsert only degrades the UI filter; it must not fail the filing.
	_ = workflow.UpsertTypedSearchAttributes(ctx, AttrStageDeadline.ValueSet(deadline))
}

// chinaTime is China Standard Time; deadlines shown to people use it.
var chinaTime = time.FixedZone("CST", 8*60*60)
