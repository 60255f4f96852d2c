package workflows

import (
	"strconv"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// bureauReview waits for the bureau's decision (管局审核), 3–20 business
// days (30 in Zhejiang). The result is pushed, and also asked for once per
// business day because pushes get lost. Past the legal limit the filing is
// flagged overdue for operators and keeps waiting. It reports whether the
// bureau approved; a rejection sends the filing back to editing.
func (f *filing) bureauReview(ctx workflow.Context) (bool, error) {
	if err := f.enterStage(ctx, StageBureauReview, ""); err != nil {
		return false, err
	}
	limit := f.provinceRules(ctx).BureauReviewMaxBusinessDays()
	due := f.businessDeadline(workflow.Now(ctx), limit)
	receipt := f.state.Bureau.ReceiptID
	for f.bureauOutcome == nil {
		now := workflow.Now(ctx)
		poll := f.nextPoll(now)
		wake := poll
		if !f.state.Overdue && due.at.Before(wake) {
			wake = due.at
		}
		ok, err := f.wait(ctx, waitSpec{
			step: "awaiting_decision", on: PartyBureau, what: "the bureau's review (管局审核)",
			deadline: &due, timeout: wake.Sub(now), timerSummary: "ask the bureau / review limit",
		}, func() bool { return f.bureauOutcome != nil })
		if err != nil {
			return false, err
		}
		if ok {
			break
		}
		now = workflow.Now(ctx)
		if !f.state.Overdue && !now.Before(due.at) {
			f.markOverdue(ctx, true)
			f.notify(ctx, "filing_overdue", map[string]string{"business_days": strconv.Itoa(limit)})
		}
		if now.Before(poll) {
			continue
		}
		var st activities.BureauStatus
		if err := workflow.ExecuteActivity(withActivity(ctx, "bureau status"), acts.BureauStatus, receipt).Get(ctx, &st); err != nil {
			return false, err
		}
		if st.Decided {
			f.bureauOutcome = decisionFrom(receipt, st)
		}
	}
	out := f.bureauOutcome
	f.bureauOutcome = nil
	f.markOverdue(ctx, false)
	f.state.Bureau.DecidedAt = ptr(workflow.Now(ctx))
	if out.Approved {
		f.state.Bureau.FilingNumber = out.FilingNumber
		return true, nil
	}
	f.reject(ctx, "bureau", out.Reasons)
	f.notify(ctx, "bureau_rejected", nil)
	return false, nil
}

// markOverdue sets or clears the overdue flag for operators.
func (f *filing) markOverdue(ctx workflow.Context, overdue bool) {
	if f.state.Overdue == overdue {
		return
	}
	f.state.Overdue = overdue
	_ = workflow.UpsertTypedSearchAttributes(ctx, AttrOverdue.ValueSet(overdue))
}
