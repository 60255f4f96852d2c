package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// One filing per subject at a time (§1.3 of the domain brief): the request
// that creates a filing leases the subject's lock, and the workflow claims
// it first thing. A workflow that cannot claim it — its request gave up and
// another filing took the subject over before this start went through —
// ends at once, so that no two filings of a subject ever run.

// reasonSubjectTaken ends a filing whose subject another filing holds.
const reasonSubjectTaken = "subject_taken"

// claimSubject reports whether this filing holds its subject.
func (f *flow) claimSubject(ctx workflow.Context) (bool, error) {
	if f.in.SubjectKey == "" {
		return true, nil
	}
	var held bool
	err := workflow.ExecuteLocalActivity(withLocalStep(ctx, "claim subject"), acts.ClaimSubject, f.subject()).Get(ctx, &held)
	return held, err
}

// releaseSubject lets the subject start another filing.
func (f *flow) releaseSubject(ctx workflow.Context) error {
	if f.in.SubjectKey == "" {
		return nil
	}
	return workflow.ExecuteLocalActivity(withLocalStep(ctx, "release subject"), acts.ReleaseSubject, f.subject()).Get(ctx, nil)
}

func (f *flow) subject() activities.SubjectRequest {
	return activities.SubjectRequest{FilingID: f.in.FilingID, SubjectKey: f.in.SubjectKey}
}

// subjectTaken ends a filing that never held its subject: nothing was
// bound or sent, and the subject is another filing's to release.
func (f *flow) subjectTaken(ctx workflow.Context) error {
	return f.enterStage(ctx, filing.StageCancelled, reasonSubjectTaken)
}
