package workflows

import "go.temporal.io/sdk/workflow"

// Material kinds an applicant attaches.
const (
	MaterialVerificationForm   = "verification_form"   // 真实性核验单, signed and scanned
	MaterialSubjectCertificate = "subject_certificate" // business licence or other subject certificate
	MaterialLeaderID           = "leader_id"           // 主体负责人 ID document
	MaterialResponsibleID      = "responsible_id"      // 网站负责人 ID document
	MaterialDomainCertificate  = "domain_certificate"  // where the province requires it
	MaterialPreApproval        = "pre_approval"        // 前置审批 documents
)

// collectInformation waits while the applicant completes or corrects the
// subject and website information and the materials, until they submit. The
// API validates every change with the rules before it reaches the workflow;
// the workflow keeps only references.
func (f *filing) collectInformation(ctx workflow.Context) error {
	reason := ""
	if f.state.LastRejection != nil {
		reason = "returned by " + f.state.LastRejection.By
	}
	if err := f.enterStage(ctx, StageInformation, reason); err != nil {
		return err
	}
	f.submitted = false
	what := "subject and website information and materials, then submit"
	if f.state.LastRejection != nil {
		what = "corrections for the reasons of the last rejection, then resubmit"
	}
	_, err := f.wait(ctx, waitSpec{
		step: "editing", on: PartyApplicant, what: what, deadline: f.orderExpiry(),
	}, func() bool { return f.submitted })
	f.submitted = false
	return err
}
