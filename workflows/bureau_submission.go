package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/calendar"
)

// bureau takes an approved filing through submission, MIIT SMS verification
// and the bureau's review. An SMS window missed or failed returns the filing,
// which is resubmitted as is (no data must change); the bureau's rejection
// returns false so the flow goes back to editing.
func (f *filing) bureau(ctx workflow.Context) (approved bool, err error) {
	for {
		if err := f.submitToBureau(ctx); err != nil {
			return false, err
		}
		if f.state.Bureau.SMSRequired {
			verified, err := f.smsVerification(ctx)
			if err != nil {
				return false, err
			}
			if !verified {
				continue
			}
		}
		return f.bureauReview(ctx)
	}
}

// submitToBureau submits within one business day of approval: at once inside
// a business day's submission window, otherwise at the next window's opening
// (never on a holiday). The activity is idempotent per submission round.
func (f *filing) submitToBureau(ctx workflow.Context) error {
	if err := f.enterStage(ctx, StageBureauSubmission, ""); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	window := calendar.Window{Open: f.in.Settings.SubmissionWindowOpen, Close: f.in.Settings.SubmissionWindowClose}
	open, estimated := f.cal.NextWindowOpen(now, window)
	if open.After(now) {
		at := f.compress(now, open)
		if _, err := f.wait(ctx, waitSpec{
			step: "awaiting_window", on: PartyProvider,
			what:     "the next submission window (business days, China time)",
			deadline: &deadline{at: at, estimated: estimated},
			timeout:  at.Sub(now), timerSummary: "next bureau submission window",
		}, func() bool { return false }); err != nil {
			return err
		}
	}

	if f.state.Bureau == nil {
		f.state.Bureau = &BureauRef{}
	}
	round := f.state.Bureau.Submissions + 1
	sms := f.provinceRules(ctx).SMSVerificationRequired()
	f.setWaiting(ctx, waitSpec{step: "submitting", on: PartyProvider, what: "submitting to the provincial bureau"})
	var rc activities.BureauReceipt
	if err := workflow.ExecuteActivity(withActivity(ctx, "submit to bureau"), acts.SubmitToBureau,
		activities.SubmitToBureauRequest{
			FilingID:              f.in.FilingID,
			Province:              f.in.Province,
			FilingType:            f.in.FilingType,
			RevisionID:            f.state.Application.RevisionID,
			Round:                 round,
			SMSRequired:           sms,
			ReviewMaxBusinessDays: f.provinceRules(ctx).BureauReviewMaxBusinessDays(),
			TimeScale:             f.sandboxTimeScale(),
		}).Get(ctx, &rc); err != nil {
		return err
	}
	f.state.Bureau.Submissions = round
	f.state.Bureau.ReceiptID = rc.ReceiptID
	f.state.Bureau.SubmittedAt = ptr(rc.SubmittedAt)
	f.state.Bureau.SMSRequired = sms
	f.notify(ctx, "bureau_submitted", nil)
	return nil
}

// nextPoll is when to ask the bureau next: 10:00 China time on the next
// business day, compressed by the time scale.
func (f *filing) nextPoll(now time.Time) time.Time {
	start, _ := f.cal.NextBusinessDayStart(now)
	return f.compress(now, start.Add(10*time.Hour))
}

// sandboxTimeScale is the filing's time scale as a hint for the sandbox
// bureau and courier, so that they keep pace with the filing's own
// compressed timers: 0 (no hint, left out of the activity input) at real
// time, so a production filing's inputs stay as they were. Activity inputs
// are not compared on replay, so histories recorded before the hint still
// replay.
func (f *filing) sandboxTimeScale() float64 {
	if s := f.in.Settings.TimeScale; s != 1 {
		return s
	}
	return 0
}
