package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/filing"
)

// A filing the reviewer keeps sending back continues as new between rounds
// once Temporal suggests it, and the next run goes on from where the last one
// stood: the same rounds, timeline and numbering, without claiming the
// subject or binding a 备案服务号 again, to approval.
func TestARejectedFilingContinuesAsNewWhenTheServerSuggestsItAndGoesOnToApproval(t *testing.T) {
	first := newFilingTest(t, "ZJ", monday)
	first.fillAndSubmit(monday.Add(10 * time.Minute))
	first.at(monday.Add(time.Hour), func() {
		first.env.SetContinueAsNewSuggested(true)
		first.act(filing.InitialReviewDecision.Name, rejectW("subject.leader.mobile", "phone_unreachable"))
	})
	first.env.ExecuteWorkflow(filing.WorkflowName, first.in)
	require.True(t, first.env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(first.env.GetWorkflowError(), &can), "continued as new: %v", first.env.GetWorkflowError())
	assert.Equal(t, filing.WorkflowName, can.WorkflowType.Name)
	var next filing.Input
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	c := next.Continued
	require.NotNil(t, c, "the run hands its state on")
	assert.Equal(t, 1, c.Runs)
	assert.Equal(t, filing.StageInitialReview, c.State.Stage, "between rounds, before it goes back to editing")
	assert.Equal(t, "phone_unreachable", c.State.LastRejection.Reasons[0].Code)
	assert.Equal(t, 1, c.State.InitialReviewRounds)
	assert.NotEmpty(t, c.InstanceID)
	// Everything the first run did is written: the rejection's
	// notification is in the read model's outbox, its audit entries too.
	assert.Contains(t, first.world.notifications, "initial_review_rejected")
	written := first.world.audit
	require.NotEmpty(t, written)
	assert.Equal(t, c.AuditSeq, written[len(written)-1].Seq, "every audit entry written before the run ended")

	resumedAt := first.env.Now()
	second := newFilingTest(t, "ZJ", resumedAt)
	second.in = next
	second.at(resumedAt.Add(10*time.Minute), func() {
		st := second.returnedBy("reviewer")
		assert.Equal(t, "phone_unreachable", st.LastRejection.Reasons[0].Code)
		second.act(filing.SaveApplication.Name, saveApp)
		second.act(filing.Submit.Name, filing.SubmitRequest{})
	})
	second.at(resumedAt.Add(time.Hour), func() { second.act(filing.InitialReviewDecision.Name, approve) })
	second.at(resumedAt.Add(70*time.Minute), func() { second.act(filing.SetMailingAddress.Name, mailing) })
	second.at(resumedAt.Add(26*time.Hour), func() {
		second.act(filing.ShipmentDelivered.Name, delivered)
		second.act(filing.UploadPhoto.Name, photo)
	})
	second.at(resumedAt.Add(27*time.Hour), func() { second.act(filing.PhotoReviewDecision.Name, approve) })
	second.at(resumedAt.Add(28*time.Hour), func() { second.act(filing.SMSVerification.Name, smsVerified("R-1")) })
	second.at(resumedAt.Add(50*time.Hour), func() {
		second.act(filing.BureauDecision.Name, filing.BureauDecisionRequest{ReceiptID: "R-1", Approved: true, FilingNumber: "浙ICP备26000009号-1"})
	})
	st := second.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
	assert.Equal(t, 2, st.InitialReviewRounds, "the rounds go on counting")
	assert.Equal(t, c.State.Timeline, st.Timeline[:len(c.State.Timeline)], "the timeline goes on")
	w := second.world
	assert.Zero(t, w.subjectClaims, "the subject stays claimed: the new run does not claim it again")
	assert.Equal(t, 1, w.subjectFreed, "and frees it once approved")
	require.NotEmpty(t, w.audit)
	assert.Equal(t, c.AuditSeq+1, w.audit[0].Seq, "audit numbering goes on where it stopped")
	assert.Equal(t, 1, w.consumed, "the number the first run bound is consumed")
}
