package workflows

import (
	"fmt"
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

// onAttachMaterials verifies the uploads, all at once in one workflow task,
// then records them, or none when one is refused. A new upload of a kind
// replaces the previous one, except pre-approvals, of which there may be
// several.
func (f *flow) onAttachMaterials(ctx workflow.Context, r filing.AttachMaterialsRequest) error {
	checks := make([]upload, len(r.Materials))
	for i, m := range r.Materials {
		checks[i] = upload{kind: m.Kind, key: m.ObjectKey, size: m.Size, sha: m.SHA256, field: fmt.Sprintf("materials[%d].object_key", i)}
	}
	if err := f.verifyUploads(ctx, filing.AttachMaterials.Name, checks...); err != nil {
		return err
	}
	// The filing may have been submitted while the uploads were checked.
	if err := f.validateAttachMaterials(ctx, r); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	for _, m := range r.Materials {
		ref := filing.MaterialRef{Kind: m.Kind, ObjectKey: m.ObjectKey, Size: m.Size, SHA256: m.SHA256, AttachedAt: now}
		if ref.Kind != filing.MaterialPreApproval {
			f.state.Materials = slices.DeleteFunc(f.state.Materials, func(x filing.MaterialRef) bool { return x.Kind == ref.Kind })
		}
		f.state.Materials = append(f.state.Materials, ref)
	}
	return nil
}

func (f *flow) validateAttachMaterials(_ workflow.Context, r filing.AttachMaterialsRequest) error {
	if len(r.Materials) == 0 || len(r.Materials) > filing.MaxMaterialsPerAttach {
		return invalidAction("attach between 1 and %d materials at once", filing.MaxMaterialsPerAttach)
	}
	kinds := map[filing.MaterialKind]bool{}
	keys := map[string]bool{}
	for _, m := range r.Materials {
		if !m.Kind.Attachable() || m.ObjectKey == "" {
			return invalidAction("unknown material kind %q or missing object key", m.Kind)
		}
		if m.Size <= 0 || len(m.SHA256) != 64 {
			return invalidAction("declare the material's size and SHA-256")
		}
		if kinds[m.Kind] && m.Kind != filing.MaterialPreApproval {
			return invalidAction("material kind %q is attached twice in one action", m.Kind)
		}
		if keys[m.ObjectKey] {
			return invalidAction("upload %s is attached twice in one action", m.ObjectKey)
		}
		kinds[m.Kind], keys[m.ObjectKey] = true, true
	}
	return f.expect("attaching materials", filing.StageInformation)
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
