package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
)

// smsAttempts is how many submissions in a row may end in a missed or
// failed MIIT SMS verification before the filing returns to the applicant:
// the first, and one resubmitted as is (a missed SMS is often just missed).
// A second return usually means the number is wrong or unreachable, which
// only the applicant can correct.
const smsAttempts = 2

// bureau takes an approved filing through submission, MIIT SMS verification
// and the bureau's review. An SMS window missed or failed returns the
// filing, which is resubmitted as is once; after a second return, as after
// the bureau's rejection, it returns false so the flow goes back to
// editing, where the applicant may correct the phone number (and pass the
// initial review again) or cancel.
func (f *flow) bureau(ctx workflow.Context) (approved bool, err error) {
	for attempt := 1; ; attempt++ {
		if err := f.submitToBureau(ctx); err != nil {
			return false, err
		}
		if f.state.Bureau.SMSRequired {
			verified, err := f.smsVerification(ctx, attempt == smsAttempts)
			if err != nil {
				return false, err
			}
			if !verified && attempt < smsAttempts {
				continue
			}
			if !verified {
				return false, nil
			}
		}
		return f.bureauReview(ctx)
	}
}

// submitToBureau submits within one business day of approval: at once inside
// a business day's submission window, otherwise at the next window's opening
// (never on a holiday). The activity is idempotent per submission round.
func (f *flow) submitToBureau(ctx workflow.Context) error {
	if err := f.enterStage(ctx, filing.StageBureauSubmission, ""); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	window := calendar.Window{Open: f.in.Settings.SubmissionWindowOpen, Close: f.in.Settings.SubmissionWindowClose}
	open, estimated := f.cal.NextWindowOpen(now, window)
	if open.After(now) {
		at := f.compress(now, open)
		if _, err := f.wait(ctx, waitSpec{
			step: filing.StepAwaitingWindow, on: filing.PartyProvider,
			what:     "the next submission window (business days, China time)",
			deadline: &deadline{at: at, estimated: estimated},
			timeout:  at.Sub(now), timerSummary: "next bureau submission window",
		}, func() bool { return false }); err != nil {
			return err
		}
	}

	if f.state.Bureau == nil {
		f.state.Bureau = &filing.BureauRef{}
	}
	round := f.state.Bureau.Submissions + 1
	pr := f.provinceRules(ctx)
	sms := pr.SMSVerificationRequired()
	f.setWaiting(ctx, waitSpec{step: filing.StepSubmitting, on: filing.PartyProvider, what: "submitting to the provincial bureau"})
	var rc activities.BureauReceipt
	if err := f.call(ctx, "submit to bureau", acts.SubmitToBureau,
		activities.SubmitToBureauRequest{
			FilingID:              f.in.FilingID,
			Province:              f.in.Province,
			FilingType:            f.in.FilingType,
			RevisionID:            f.state.Application.RevisionID,
			Round:                 round,
			SMSRequired:           sms,
			ReviewMaxBusinessDays: pr.BureauReviewMaxBusinessDays(),
			TimeScale:             f.sandboxTimeScale(),
		}, &rc); err != nil {
		return err
	}
	f.state.Bureau.Submissions = round
	f.state.Bureau.ReceiptID = rc.ReceiptID
	f.state.Bureau.SubmittedAt = ptr(rc.SubmittedAt)
	f.state.Bureau.SMSRequired = sms
	f.state.Bureau.SMSSentAt = nil // the new submission's code is still to come
	f.notify("bureau_submitted", nil)
	return nil
}

// expectReceipt refuses a bureau event about another submission.
func (f *flow) expectReceipt(receipt string) error {
	if f.state.Bureau == nil || f.state.Bureau.ReceiptID == "" {
		return stageMismatch("the filing has not been submitted to the bureau")
	}
	if receipt != f.state.Bureau.ReceiptID {
		return stageMismatch("receipt %s is not the filing's current submission", receipt)
	}
	return nil
}
