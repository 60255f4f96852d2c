package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// complete records the approval: every website's 备案服务号 is consumed for good, the
// subject may file again, and the applicant learns the number and next steps.
func (f *flow) complete(ctx workflow.Context) error {
	f.setWaiting(ctx, waitSpec{step: filing.StepCompleting, on: filing.PartyProvider, what: "recording the approval"})
	if err := workflow.ExecuteLocalActivity(withLocalStep(ctx, "consume 备案服务号"), acts.ConsumeServiceNumbers,
		activities.ServiceNumbersRequest{FilingID: f.in.FilingID, Numbers: f.serviceNumbers()}).Get(ctx, nil); err != nil {
		return err
	}
	if err := f.releaseSubject(ctx); err != nil {
		return err
	}
	f.state.NextSteps = filing.NextSteps
	f.notify("bureau_approved", map[string]string{"filing_number": f.state.Bureau.FilingNumber})
	return f.enterStage(ctx, filing.StageApproved, "filing number "+f.state.Bureau.FilingNumber)
}

// finishEnded closes a cancelled or expired filing: its 备案服务号 go back
// to the instance (only a successful filing consumes it) and the subject may
// file again.
func (f *flow) finishEnded(ctx workflow.Context) error {
	if numbers := f.serviceNumbers(); len(numbers) > 0 {
		if err := workflow.ExecuteLocalActivity(withLocalStep(ctx, "release 备案服务号"), acts.ReleaseServiceNumbers,
			activities.ServiceNumbersRequest{FilingID: f.in.FilingID, Numbers: numbers}).Get(ctx, nil); err != nil {
			return err
		}
	}
	if err := f.releaseSubject(ctx); err != nil {
		return err
	}
	event := "order_cancelled"
	if f.ended.Stage == filing.StageExpired {
		event = "order_expired"
	}
	f.notify(event, nil)
	return f.enterStage(ctx, f.ended.Stage, f.ended.Reason)
}

func (f *flow) onCancel(_ workflow.Context, r filing.CancelRequest) error {
	if f.ended == nil {
		f.ended = &filing.StageChange{Stage: filing.StageCancelled, Reason: r.Reason}
	}
	return nil
}

func (f *flow) validateCancel(_ workflow.Context, _ filing.CancelRequest) error {
	if f.ended != nil && f.ended.Stage == filing.StageCancelled {
		return nil // already being cancelled: harmless
	}
	if f.state.Stage.Terminal() || f.ended != nil {
		return stageMismatch("cancel refused: the filing has ended (stage %s)", f.state.Stage)
	}
	if f.state.Stage.SubmittedToBureau() {
		return stageMismatch("cancel refused: the filing is with the bureau (stage %s)", f.state.Stage)
	}
	return nil
}
