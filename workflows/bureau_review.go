package workflows

import (
	"strconv"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// bureauReview waits for the bureau's decision (管局审核), 3–20 business
// days (30 in Zhejiang). The result is pushed, and also asked for once per
// business day because pushes get lost. Past the legal limit the filing is
// flagged overdue for operators and keeps waiting. It reports whether the
// bureau approved; a rejection sends the filing back to editing.
func (f *flow) bureauReview(ctx workflow.Context) (bool, error) {
	if err := f.enterStage(ctx, filing.StageBureauReview, ""); err != nil {
		return false, err
	}
	limit := f.provinceRules(ctx).BureauReviewMaxBusinessDays()
	due := f.businessDeadline(workflow.Now(ctx), limit)
	receipt := f.state.Bureau.ReceiptID
	var out filing.BureauDecisionRequest
	for {
		now := workflow.Now(ctx)
		poll := f.nextPoll(now)
		wake := poll
		if !f.state.Overdue && due.at.Before(wake) {
			wake = due.at
		}
		decided, pushed, err := receive(ctx, f, &f.inbox.bureauOutcome, waitSpec{
			step: filing.StepAwaitingDecision, on: filing.PartyBureau, what: "the bureau's review (管局审核)",
			deadline: due, timeout: wake.Sub(now), timerSummary: "ask the bureau / review limit",
		})
		if err != nil {
			return false, err
		}
		if pushed {
			out = decided
			break
		}
		now = workflow.Now(ctx)
		if !f.state.Overdue && !now.Before(due.at) {
			f.markOverdue(ctx, true)
			f.notify("filing_overdue", map[string]string{"business_days": strconv.Itoa(limit)})
		}
		if now.Before(poll) {
			continue
		}
		var st activities.BureauStatus
		if err := workflow.ExecuteActivity(withActivity(ctx, "bureau status"), acts.BureauStatus, receipt).Get(ctx, &st); err != nil {
			return false, err
		}
		if st.Decided {
			// Taken at once by the next receive, replacing any push that
			// arrived meanwhile.
			f.inbox.bureauOutcome.put(decisionFrom(receipt, st))
		}
	}
	f.markOverdue(ctx, false)
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
