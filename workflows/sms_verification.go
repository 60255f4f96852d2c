package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// smsPollEvery is how often the bureau is asked about SMS verification
// during its 24-hour window, before time scaling.
const smsPollEvery = 2 * time.Hour

// smsVerification waits for MIIT SMS verification (工信部短信核验): the
// applicant has 24 hours; the bureau reports verified or returned (window
// missed, or five failed attempts). Pushed outcomes can be lost, so the bureau
// is also asked during and at the end of the window. It reports whether the
// verification succeeded; a return means resubmission.
func (f *filing) smsVerification(ctx workflow.Context) (bool, error) {
	if err := f.enterStage(ctx, StageSMSVerification, ""); err != nil {
		return false, err
	}
	f.notify(ctx, "sms_verification_needed", nil)
	receipt := f.state.Bureau.ReceiptID
	due := f.state.Bureau.SubmittedAt.Add(f.scaled(SMSWindow))
	for f.smsOutcome == nil {
		now := workflow.Now(ctx)
		wake := min(f.scaled(smsPollEvery), max(due.Sub(now), 0)+f.scaled(time.Minute))
		ok, err := f.wait(ctx, waitSpec{
			step: "awaiting_sms", on: PartyApplicant,
			what:     "MIIT SMS verification (工信部短信核验) within 24 hours",
			deadline: &deadline{at: due},
			timeout:  wake, timerSummary: "ask the bureau about SMS verification",
		}, func() bool { return f.smsOutcome != nil })
		if err != nil {
			return false, err
		}
		if ok {
			break
		}
		var st activities.BureauStatus
		if err := workflow.ExecuteActivity(withActivity(ctx, "bureau status"), acts.BureauStatus, receipt).Get(ctx, &st); err != nil {
			return false, err
		}
		switch {
		case st.SMSReturned:
			f.smsOutcome = &SMSVerificationRequest{ReceiptID: receipt, Outcome: SMSReturned, Reasons: toReasons(st.Reasons)}
		case st.SMSVerified:
			f.smsOutcome = &SMSVerificationRequest{ReceiptID: receipt, Outcome: SMSVerified}
			if st.Decided {
				f.bureauOutcome = decisionFrom(receipt, st)
			}
		case !workflow.Now(ctx).Before(due.Add(f.scaled(time.Hour))):
			// The bureau has said nothing an hour after the window closed:
			// treat the window as missed rather than wait forever.
			f.smsOutcome = &SMSVerificationRequest{ReceiptID: receipt, Outcome: SMSReturned,
				Reasons: []Reason{{Code: "sms_timeout", Message: "SMS verification window missed"}}}
		}
	}
	out := f.smsOutcome
	f.smsOutcome = nil
	if out.Outcome == SMSVerified {
		return true, nil
	}
	reasons := out.Reasons
	if len(reasons) == 0 {
		reasons = []Reason{{Code: "sms_returned", Message: "returned after SMS verification"}}
	}
	f.reject(ctx, "sms", reasons)
	f.notify(ctx, "sms_verification_needed", nil)
	return false, nil
}

func toReasons(rs []activities.BureauReason) []Reason {
	out := make([]Reason, len(rs))
	for i, r := range rs {
		out[i] = Reason{Code: r.Code, Message: r.Message}
	}
	return out
}

func decisionFrom(receipt string, st activities.BureauStatus) *BureauDecisionRequest {
	return &BureauDecisionRequest{ReceiptID: receipt, Approved: st.Approved, FilingNumber: st.FilingNumber, Reasons: toReasons(st.Reasons)}
}
