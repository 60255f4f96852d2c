package workflows

import (
	"errors"
	"strconv"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// bureauReview waits for the bureau's decision (管局审核), 3–20 business
// days (30 in Zhejiang). The result is pushed, and the bureau is also asked
// once per poll interval because pushes get lost: by one activity whose
// retries are the polls, so a review of twenty business days costs the
// history no more than one of three. Past the legal limit the filing is
// flagged overdue for operators and keeps waiting. It reports whether the
// bureau approved; a rejection sends the filing back to editing.
func (f *flow) bureauReview(ctx workflow.Context) (bool, error) {
	if err := f.enterStage(ctx, filing.StageBureauReview, ""); err != nil {
		return false, err
	}
	limit := f.provinceRules(ctx).BureauReviewMaxBusinessDays()
	due := f.businessDeadline(workflow.Now(ctx), limit)
	receipt := f.state.Bureau.ReceiptID
	pollCtx, stopPolling := workflow.WithCancel(ctx)
	// Cancelled once the decision is in, pushed or polled.
	defer stopPolling()
	every := f.scaled(f.in.Settings.BureauPollInterval)
	ask := func() workflow.Future {
		return workflow.ExecuteActivity(withPolls(pollCtx, every, "ask the bureau until it decides"), acts.AwaitBureauDecision, receipt)
	}
	asked := ask()
	var out filing.BureauDecisionRequest
	for {
		w := waitSpec{step: filing.StepAwaitingDecision, on: filing.PartyBureau, what: "the bureau's review (管局审核)", deadline: due}
		if !f.state.Overdue {
			w.timeout, w.timerSummary = due.at.Sub(workflow.Now(ctx)), "bureau review limit"
		}
		decided, err := f.wait(ctx, w, func() bool { return f.inbox.bureauOutcome.full() || asked.IsReady() })
		if err != nil {
			return false, err
		}
		if !decided {
			f.markOverdue(true)
			f.notify("filing_overdue", map[string]string{"business_days": strconv.Itoa(limit)})
			continue
		}
		if f.inbox.bureauOutcome.full() {
			out = f.inbox.bureauOutcome.take()
			break
		}
		var st activities.BureauStatus
		if err := asked.Get(ctx, &st); err != nil {
			var timeout *temporal.TimeoutError
			if !errors.As(err, &timeout) {
				return false, err
			}
			// The polls ran out (months without a decision): ask on.
			workflow.GetLogger(ctx).Warn("bureau polls ended without a decision; polling again")
			asked = ask()
			continue
		}
		out = decisionFrom(receipt, st)
		break
	}
	f.markOverdue(false)
	f.state.Bureau.DecidedAt = ptr(workflow.Now(ctx))
	if out.Approved {
		f.state.Bureau.FilingNumber = out.FilingNumber
		return true, nil
	}
	f.reject(ctx, "bureau", out.Reasons)
	f.notify("bureau_rejected", nil)
	return false, nil
}

// onBureauDecision takes the decision while the filing is with the bureau.
// It may come before the SMS verification's own outcome (the bureau decided
// after a verification whose push was lost): it waits for the review stage.
func (f *flow) onBureauDecision(_ workflow.Context, r filing.BureauDecisionRequest) error {
	if f.state.Stage == filing.StageBureauReview || f.state.Stage == filing.StageSMSVerification {
		f.inbox.bureauOutcome.put(r)
	}
	return nil
}

func (f *flow) validateBureauDecision(_ workflow.Context, r filing.BureauDecisionRequest) error {
	if r.Approved && r.FilingNumber == "" {
		return invalidAction("an approval carries the filing number")
	}
	if !r.Approved && len(r.Reasons) == 0 {
		return invalidAction("a rejection carries its reasons")
	}
	if err := f.expectReceipt(r.ReceiptID); err != nil {
		return err
	}
	if f.state.Stage == filing.StageSMSVerification {
		return nil
	}
	return f.expect("bureau decision", filing.StageBureauReview)
}
