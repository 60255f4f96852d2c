package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// NextSteps are the applicant's duties once the filing is approved.
var NextSteps = []string{
	"resolve_domain_to_instance",     // enable DNS: the domain must resolve to the filed mainland instance
	"show_filing_number_in_footer",   // website number linked to beian.miit.gov.cn (Guangdong: the subject number)
	"public_security_filing_30_days", // 公安备案 within 30 days of the site opening
}

// complete records the approval: the 备案服务号 is consumed for good, the
// subject may file again, and the applicant learns the number and next steps.
func (f *filing) complete(ctx workflow.Context) error {
	f.setWaiting(ctx, waitSpec{step: "completing", on: PartyProvider, what: "recording the approval"})
	if err := workflow.ExecuteActivity(withActivity(ctx, "consume 备案服务号"), acts.ConsumeServiceNumber,
		activities.ServiceNumberRequest{FilingID: f.in.FilingID, Number: f.state.ServiceNumber}).Get(ctx, nil); err != nil {
		return err
	}
	if err := f.releaseSubject(ctx); err != nil {
		return err
	}
	f.state.NextSteps = NextSteps
	f.notify(ctx, "bureau_approved", map[string]string{"filing_number": f.state.Bureau.FilingNumber})
	return f.enterStage(ctx, StageApproved, "filing number "+f.state.Bureau.FilingNumber)
}

// finishEnded closes a cancelled or expired filing: its 备案服务号 goes back
// to the instance (only a successful filing consumes it) and the subject may
// file again.
func (f *filing) finishEnded(ctx workflow.Context) error {
	// A fresh context: the flow may have unwound mid-wait, and cleanup must
	// run regardless.
	if f.state.ServiceNumber != "" {
		if err := workflow.ExecuteActivity(withActivity(ctx, "release 备案服务号"), acts.ReleaseServiceNumber,
			activities.ServiceNumberRequest{FilingID: f.in.FilingID, Number: f.state.ServiceNumber}).Get(ctx, nil); err != nil {
			return err
		}
	}
	if err := f.releaseSubject(ctx); err != nil {
		return err
	}
	event := "order_cancelled"
	if f.ended.Stage == StageExpired {
		event = "order_expired"
	}
	f.notify(ctx, event, nil)
	return f.enterStage(ctx, f.ended.Stage, f.ended.Reason)
}

// releaseSubject lets the subject start another filing.
func (f *filing) releaseSubject(ctx workflow.Context) error {
	if f.in.SubjectKey == "" {
		return nil
	}
	return workflow.ExecuteActivity(withActivity(ctx, "release subject"), acts.ReleaseSubject,
		activities.ReleaseSubjectRequest{FilingID: f.in.FilingID, SubjectKey: f.in.SubjectKey}).Get(ctx, nil)
}
