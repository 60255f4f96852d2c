package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// initialReview is the provider's review (初审): automated checks of the
// stored application and materials first, then a reviewer's decision within
// about one business day. It reports whether the filing passed; a rejection
// sends it back to editing with the reasons.
func (f *filing) initialReview(ctx workflow.Context) (bool, error) {
	if err := f.enterStage(ctx, StageInitialReview, ""); err != nil {
		return false, err
	}
	f.state.InitialReviewRounds++
	f.setWaiting(ctx, waitSpec{step: "automated_checks", on: PartyProvider, what: "automated checks of the application"})
	var found []activities.Finding
	if err := workflow.ExecuteActivity(withActivity(ctx, "automated checks"), acts.CheckApplication,
		activities.CheckApplicationRequest{
			FilingID:   f.in.FilingID,
			Province:   f.in.Province,
			Domain:     f.in.Domain,
			RevisionID: f.state.Application.RevisionID,
			Digest:     f.state.Application.Digest,
			Materials:  materialKinds(f.state.Materials),
		}).Get(ctx, &found); err != nil {
		return false, err
	}
	if len(found) > 0 {
		reasons := make([]Reason, len(found))
		for i, v := range found {
			reasons[i] = Reason{Field: v.Field, Code: v.Code, Message: v.Message}
		}
		f.reject(ctx, "automated_checks", reasons)
		f.notify(ctx, "initial_review_rejected", nil)
		return false, nil
	}

	f.decision = nil
	if _, err := f.wait(ctx, waitSpec{
		step: "awaiting_reviewer", on: PartyReviewer, what: "the initial review (初审) decision",
		deadline: ptr(f.businessDeadline(workflow.Now(ctx), ReviewBusinessDays)),
	}, func() bool { return f.decision != nil }); err != nil {
		return false, err
	}
	d := f.decision
	f.decision = nil
	if !d.Approve {
		f.reject(ctx, "reviewer", d.Reasons)
		f.notify(ctx, "initial_review_rejected", nil)
		return false, nil
	}
	f.notify(ctx, "initial_review_approved", nil)
	return true, nil
}

func materialKinds(ms []MaterialRef) []string {
	kinds := make([]string, len(ms))
	for i, m := range ms {
		kinds[i] = m.Kind
	}
	return kinds
}

func ptr[T any](v T) *T { return &v }
