package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// ReviewBusinessDays is the provider's SLA for initial and photo review.
const ReviewBusinessDays = 1

// initialReview is the provider's review (初审): automated checks of the
// stored application and materials first, then a reviewer's decision within
// about one business day. It reports whether the filing passed; a rejection
// sends it back to editing with the reasons.
func (f *flow) initialReview(ctx workflow.Context) (bool, error) {
	if err := f.enterStage(ctx, filing.StageInitialReview, ""); err != nil {
		return false, err
	}
	f.state.InitialReviewRounds++
	f.setWaiting(ctx, waitSpec{step: filing.StepAutomatedChecks, on: filing.PartyProvider, what: "automated checks of the application"})
	var checked activities.CheckApplicationResult
	if err := f.call(ctx, "automated checks", acts.CheckApplication,
		activities.CheckApplicationRequest{
			FilingID:   f.in.FilingID,
			Province:   f.in.Province,
			Domain:     f.in.Domain,
			RevisionID: f.state.Application.RevisionID,
			Digest:     f.state.Application.Digest,
			Materials:  materialKinds(f.state.Materials),
			Form:       f.material(filing.MaterialVerificationForm),
		}, &checked); err != nil {
		return false, err
	}
	f.state.ChecksRuleSetVersion = checked.RuleSetVersion
	if len(checked.Reasons) > 0 {
		f.reject(ctx, "automated_checks", checked.Reasons)
		f.notify("initial_review_rejected", nil)
		return false, nil
	}
	if ok, err := f.websiteNumbers(ctx); !ok || err != nil {
		return false, err
	}
	if err := f.listPersons(ctx); err != nil {
		return false, err
	}

	d, _, err := receive(ctx, f, &f.inbox.decision, waitSpec{
		step: filing.StepAwaitingReviewer, on: filing.PartyReviewer, what: "the initial review (初审) decision",
		deadline: f.businessDeadline(workflow.Now(ctx), ReviewBusinessDays),
	})
	if err != nil {
		return false, err
	}
	if !d.Approve {
		f.reject(ctx, "reviewer", d.Reasons)
		f.notify("initial_review_rejected", nil)
		return false, nil
	}
	f.notify("initial_review_approved", nil)
	return true, nil
}

func (f *flow) validateInitialReviewDecision(_ workflow.Context, r filing.DecisionRequest) error {
	if err := validDecision(r); err != nil {
		return err
	}
	return f.expect("initial review decision", filing.StageInitialReview, filing.StepAwaitingReviewer)
}

// material is the attached material of kind, nil when there is none.
func (f *flow) material(kind filing.MaterialKind) *filing.MaterialRef {
	for i := range f.state.Materials {
		if f.state.Materials[i].Kind == kind {
			return &f.state.Materials[i]
		}
	}
	return nil
}

func materialKinds(ms []filing.MaterialRef) []filing.MaterialKind {
	kinds := make([]filing.MaterialKind, len(ms))
	for i, m := range ms {
		kinds[i] = m.Kind
	}
	return kinds
}
