package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// SMSWindow is how long the applicant has for MIIT SMS verification, from
// the moment MIIT sends the code.
const SMSWindow = 24 * time.Hour

// smsPollEvery is how often the bureau is asked about SMS verification
// during its 24-hour window, before time scaling.
const smsPollEvery = 2 * time.Hour

// The code usually comes within five minutes of the submission (domain
// brief §2.5): the bureau is asked every smsSentPollEvery whether it was
// sent, for smsSendGrace. A code the bureau never reports sent is assumed
// sent at the end of the grace, so the window still ends.
const (
	smsSentPollEvery = 10 * time.Minute
	smsSendGrace     = time.Hour
)

// smsVerification waits for MIIT SMS verification (工信部短信核验): the
// applicant has 24 hours from the code's arrival; the bureau reports
// verified or returned (window missed, or five failed attempts). Pushed
// outcomes can be lost, so the bureau is also asked during and at the end of
// the window. It reports whether the verification succeeded. After a return
// the filing is resubmitted, or, when last, goes back to the applicant.
func (f *flow) smsVerification(ctx workflow.Context, last bool) (bool, error) {
	if err := f.enterStage(ctx, filing.StageSMSVerification, ""); err != nil {
		return false, err
	}
	f.notify("sms_verification_needed", nil)
	out, err := f.awaitSMSOutcome(ctx)
	if err != nil {
		return false, err
	}
	if out.Outcome == filing.SMSVerified {
		return true, nil
	}
	reasons := out.Reasons
	if len(reasons) == 0 {
		reasons = []filing.Reason{{Code: "sms_returned", Message: "returned after SMS verification"}}
	}
	f.reject(ctx, "sms", reasons)
	if last {
		f.notify("sms_verification_returned", nil)
		return false, nil
	}
	f.notify("sms_verification_needed", nil)
	return false, nil
}

// smsDue is when the applicant's window ends: 24 hours after the code was
// sent, or, until the bureau says it was, an estimate from the submission.
func (f *flow) smsDue() (due time.Time, estimated bool) {
	if sent := f.state.Bureau.SMSSentAt; sent != nil {
		return sent.Add(f.scaled(SMSWindow)), false
	}
	return f.state.Bureau.SubmittedAt.Add(f.scaled(smsSendGrace + SMSWindow)), true
}

// awaitSMSOutcome waits for the bureau's push, asking the bureau whether
// the code was sent, then every two hours and once the window has closed.
func (f *flow) awaitSMSOutcome(ctx workflow.Context) (filing.SMSVerificationRequest, error) {
	receipt := f.state.Bureau.ReceiptID
	for {
		now := workflow.Now(ctx)
		due, estimated := f.smsDue()
		every := smsPollEvery
		if estimated && now.Before(f.state.Bureau.SubmittedAt.Add(f.scaled(smsSendGrace))) {
			every = smsSentPollEvery
		}
		wake := min(f.scaled(every), max(due.Sub(now), 0)+f.scaled(time.Minute))
		out, pushed, err := receive(ctx, f, &f.inbox.smsOutcome, waitSpec{
			step: filing.StepAwaitingSMS, on: filing.PartyApplicant,
			what:     "MIIT SMS verification (工信部短信核验) within 24 hours of the code",
			deadline: &deadline{at: due, estimated: estimated},
			timeout:  wake, timerSummary: "ask the bureau about SMS verification",
		})
		if err != nil || pushed {
			return out, err
		}
		var st activities.BureauStatus
		if !f.poll(ctx, "bureau status", acts.BureauStatus, receipt, &st) {
			continue
		}
		if st.SMSSentAt != nil && f.state.Bureau.SMSSentAt == nil {
			// The window opens: the deadline shown becomes exact.
			f.state.Bureau.SMSSentAt = st.SMSSentAt
			due, _ = f.smsDue()
		}
		// A polled outcome goes where a pushed one would, replacing any push
		// that arrived meanwhile, and is taken at once.
		switch {
		case st.SMSReturned:
			f.inbox.smsOutcome.put(filing.SMSVerificationRequest{ReceiptID: receipt, Outcome: filing.SMSReturned, Reasons: st.Reasons})
		case st.SMSVerified:
			f.inbox.smsOutcome.put(filing.SMSVerificationRequest{ReceiptID: receipt, Outcome: filing.SMSVerified})
			if st.Decided {
				f.inbox.bureauOutcome.put(decisionFrom(receipt, st))
			}
		case !workflow.Now(ctx).Before(due.Add(f.scaled(time.Hour))):
			// The bureau has said nothing an hour after the window closed:
			// treat the window as missed rather than wait forever.
			f.inbox.smsOutcome.put(filing.SMSVerificationRequest{ReceiptID: receipt, Outcome: filing.SMSReturned,
				Reasons: []filing.Reason{{Code: "sms_timeout", Message: "SMS verification window missed"}}})
		}
	}
}

// onSMSVerification takes the outcome while the filing waits for it.
func (f *flow) onSMSVerification(_ workflow.Context, r filing.SMSVerificationRequest) error {
	if f.state.Stage == filing.StageSMSVerification {
		if r.CodeSentAt != nil && f.state.Bureau.SMSSentAt == nil {
			f.state.Bureau.SMSSentAt = r.CodeSentAt
		}
		f.inbox.smsOutcome.put(r)
	}
	return nil
}

func (f *flow) validateSMSVerification(_ workflow.Context, r filing.SMSVerificationRequest) error {
	if r.Outcome != filing.SMSVerified && r.Outcome != filing.SMSReturned {
		return invalidAction("outcome must be %q or %q", filing.SMSVerified, filing.SMSReturned)
	}
	if err := f.expectReceipt(r.ReceiptID); err != nil {
		return err
	}
	// The same outcome reported again after the flow moved on (a push
	// after the poll that found it) is refused, so that it costs the
	// history nothing: a refused update leaves no event. The partner's
	// event is dropped as any refused one (filings.Events).
	if f.state.Stage == filing.StageBureauReview && r.Outcome == filing.SMSVerified {
		return stageMismatch("the SMS verification of %s is already recorded", r.ReceiptID)
	}
	return f.expect("SMS verification outcome", filing.StageSMSVerification)
}

func decisionFrom(receipt string, st activities.BureauStatus) filing.BureauDecisionRequest {
	return filing.BureauDecisionRequest{ReceiptID: receipt, Approved: st.Approved, FilingNumber: st.FilingNumber, Reasons: st.Reasons}
}
