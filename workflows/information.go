package workflows

import (
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/filing"
)

// collectInformation waits while the applicant completes or corrects the
// subject and website information and the materials, until they submit. The
// API validates every change with the rules before it reaches the workflow;
// the workflow keeps only references.
func (f *flow) collectInformation(ctx workflow.Context) error {
	reason := ""
	if f.state.LastRejection != nil {
		reason = "returned by " + f.state.LastRejection.By
	}
	if err := f.enterStage(ctx, filing.StageInformation, reason); err != nil {
		return err
	}
	what := "subject and website information and materials, then submit"
	if f.state.LastRejection != nil {
		what = "corrections for the reasons of the last rejection, then resubmit"
	}
	_, _, err := receive(ctx, f, &f.inbox.submit, waitSpec{
		step: filing.StepEditing, on: filing.PartyApplicant, what: what, deadline: f.orderExpiry(),
	})
	return err
}

func (f *flow) onSaveApplication(ctx workflow.Context, r filing.SaveApplicationRequest) error {
	a := r.Application
	a.SavedAt = workflow.Now(ctx)
	f.state.Application = &a
	return nil
}

func (f *flow) validateSaveApplication(_ workflow.Context, r filing.SaveApplicationRequest) error {
	if r.Application.RevisionID == "" || r.Application.Digest == "" {
		return invalidAction("application revision and digest are required")
	}
	return f.expect("saving the application", filing.StageInformation)
}

// onAttachMaterial verifies the upload, then records it. A new upload of a
// kind replaces the previous one, except pre-approvals, of which there may
// be several.
func (f *flow) onAttachMaterial(ctx workflow.Context, r filing.AttachMaterialRequest) error {
	if err := f.verifyUpload(ctx, filing.AttachMaterial.Name, r.Kind, r.ObjectKey, r.Size, r.SHA256); err != nil {
		return err
	}
	// The filing may have been submitted while the upload was checked.
	if err := f.validateAttachMaterial(ctx, r); err != nil {
		return err
	}
	m := filing.MaterialRef{Kind: r.Kind, ObjectKey: r.ObjectKey, Size: r.Size, SHA256: r.SHA256, AttachedAt: workflow.Now(ctx)}
	if m.Kind != filing.MaterialPreApproval {
		f.state.Materials = slices.DeleteFunc(f.state.Materials, func(x filing.MaterialRef) bool { return x.Kind == m.Kind })
	}
	f.state.Materials = append(f.state.Materials, m)
	return nil
}

func (f *flow) validateAttachMaterial(_ workflow.Context, r filing.AttachMaterialRequest) error {
	if !r.Kind.Attachable() || r.ObjectKey == "" {
		return invalidAction("unknown material kind %q or missing object key", r.Kind)
	}
	if r.Size <= 0 || len(r.SHA256) != 64 {
		return invalidAction("declare the material's size and SHA-256")
	}
	return f.expect("attaching a material", filing.StageInformation)
}

func (f *flow) validateSubmit(_ workflow.Context, _ filing.SubmitRequest) error {
	if err := f.expect("submitting", filing.StageInformation, filing.StepEditing); err != nil {
		return err
	}
	if f.state.Application == nil {
		return invalidAction("save the application before submitting")
	}
	if f.material(filing.MaterialVerificationForm) == nil {
		return invalidAction("attach the authenticity verification form (真实性核验单) before submitting")
	}
	return nil
}
