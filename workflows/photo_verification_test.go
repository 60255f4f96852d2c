package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
)

// twoPersons is an application whose second website has a responsible
// person of its own.
var twoPersons = []filing.PersonVerification{
	{Person: "rp-zhang", Websites: []string{"example.com"}},
	{Person: "rp-li", Websites: []string{"shop.example.com"}},
}

func photoOf(person, key string) filing.UploadPhotoRequest {
	return filing.UploadPhotoRequest{Person: person, ObjectKey: key, Size: 2048, SHA256: sha}
}

// The seed has every website responsible person photographed: one
// backdrop is mailed, then each person's photo is uploaded and reviewed in
// turn, and a photo handed in for the wrong person is refused.
func TestEveryWebsiteResponsiblePersonIsPhotographedInFrontOfOneBackdrop(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.websites = []string{"shop.example.com"}
	ft.world.persons["rev-1"] = twoPersons
	ft.approvedAtInitialReview(monday)
	ft.at(monday.Add(40*time.Minute), func() { ft.act(filing.SetMailingAddress.Name, mailing) })
	ft.at(monday.Add(26*time.Hour), func() { ft.act(filing.ShipmentDelivered.Name, delivered) })
	ft.at(monday.Add(27*time.Hour), func() {
		st := ft.state()
		assert.Equal(t, filing.StepAwaitingPhoto, st.Step)
		assert.Contains(t, st.WaitingFor, "example.com (person 1 of 2)")
		ft.refusedAs(filing.UploadPhoto.Name, photoOf("rp-li", "filings/x/li-1"), filing.ErrTypeInvalidAction)
		ft.act(filing.UploadPhoto.Name, photoOf("rp-zhang", "filings/x/zhang-1"))
	})
	ft.at(monday.Add(28*time.Hour), func() { ft.act(filing.PhotoReviewDecision.Name, approve) })
	ft.at(monday.Add(29*time.Hour), func() {
		st := ft.state()
		assert.Equal(t, filing.StagePhotoVerification, st.Stage, "the second person is still to be verified")
		assert.Contains(t, st.WaitingFor, "shop.example.com (person 2 of 2)")
		require.Len(t, st.Verifications, 2)
		assert.True(t, st.Verifications[0].Verified())
		assert.False(t, st.Verifications[1].Verified())
		ft.act(filing.UploadPhoto.Name, photoOf("", "filings/x/li-1")) // no person: the one waited for
	})
	ft.at(monday.Add(30*time.Hour), func() {
		ft.act(filing.PhotoReviewDecision.Name, rejectW("photo", "face_covered"))
	})
	ft.at(monday.Add(31*time.Hour), func() {
		ft.act(filing.UploadPhoto.Name, photoOf("rp-li", "filings/x/li-2"))
	})
	ft.at(monday.Add(32*time.Hour), func() { ft.act(filing.PhotoReviewDecision.Name, approve) })
	ft.at(monday.Add(33*time.Hour), func() {
		st := ft.state()
		assert.Equal(t, filing.StageSMSVerification, st.Stage, "submitted once both are verified")
		require.Len(t, st.Verifications, 2)
		assert.Equal(t, 1, st.Verifications[0].Rounds)
		assert.Equal(t, 2, st.Verifications[1].Rounds)
		assert.Equal(t, "filings/x/li-2", st.Verifications[1].PhotoKey)
		assert.True(t, st.Verifications[1].Verified())
		ft.env.CancelWorkflow()
	})
	ft.env.ExecuteWorkflow(filing.WorkflowName, ft.in)
	assert.Equal(t, 1, ft.world.shipments, "one backdrop for both persons")
	assert.Equal(t, 2, ft.world.notified("photo_review_approved"))
	assert.Equal(t, 1, ft.world.notified("photo_review_rejected"))
}

// A bureau rejection the applicant answers by naming another responsible
// person for one website: that person is verified, the other's photo
// stands, and the backdrop already delivered is used again.
func TestAResponsiblePersonChangedAfterABureauRejectionIsVerifiedAnew(t *testing.T) {
	ft, submitted := submittedToBureau(t, "ZJ")
	ft.world.websites = []string{"shop.example.com"}
	ft.world.persons["rev-1"] = []filing.PersonVerification{{Person: "rp-leader", Websites: []string{"example.com", "shop.example.com"}}}
	ft.world.persons["rev-2"] = []filing.PersonVerification{
		{Person: "rp-leader", Websites: []string{"example.com"}},
		{Person: "rp-wang", Websites: []string{"shop.example.com"}},
	}
	ft.at(submitted.Add(10*time.Minute), func() { ft.act(filing.SMSVerification.Name, smsVerified("R-1")) })
	ft.at(submitted.Add(24*time.Hour), func() {
		ft.act(filing.BureauDecision.Name, filing.BureauDecisionRequest{ReceiptID: "R-1",
			Reasons: []filing.Reason{{Field: "websites[1].responsible", Code: "responsible_unreachable"}}})
	})
	ft.at(submitted.Add(25*time.Hour), func() {
		ft.returnedBy("bureau")
		ft.act(filing.SaveApplication.Name, filing.SaveApplicationRequest{Application: filing.ApplicationRef{RevisionID: "rev-2", Digest: "d2"}})
		ft.act(filing.Submit.Name, filing.SubmitRequest{})
	})
	ft.at(submitted.Add(26*time.Hour), func() { ft.act(filing.InitialReviewDecision.Name, approve) })
	ft.at(submitted.Add(27*time.Hour), func() {
		st := ft.state()
		assert.Equal(t, filing.StagePhotoVerification, st.Stage, "the new person is photographed")
		assert.Equal(t, filing.StepAwaitingPhoto, st.Step, "in front of the backdrop already delivered")
		assert.Contains(t, st.WaitingFor, "shop.example.com (person 2 of 2)")
		ft.act(filing.UploadPhoto.Name, photoOf("rp-wang", "filings/x/wang-1"))
	})
	ft.at(submitted.Add(28*time.Hour), func() { ft.act(filing.PhotoReviewDecision.Name, approve) })
	ft.at(submitted.Add(29*time.Hour), func() {
		st := ft.state()
		assert.Equal(t, filing.StageSMSVerification, st.Stage)
		ft.act(filing.SMSVerification.Name, smsVerified(st.Bureau.ReceiptID))
	})
	ft.at(submitted.Add(48*time.Hour), func() { ft.act(filing.BureauDecision.Name, bureauApproves("R-2")) })

	st := ft.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
	require.Len(t, st.Verifications, 2)
	assert.Equal(t, "rp-leader", st.Verifications[0].Person)
	assert.Equal(t, 1, st.Verifications[0].Rounds, "the leader's approved photo stands")
	assert.Equal(t, []string{"example.com"}, st.Verifications[0].Websites)
	assert.Equal(t, "rp-wang", st.Verifications[1].Person)
	assert.Equal(t, 1, st.Verifications[1].Rounds)
	assert.Equal(t, 1, ft.world.shipments, "no second backdrop")
	assert.Equal(t, 2, ft.world.notified("photo_review_approved"))
}

// In Shanghai every responsible person verifies in the bureau's app, one
// after the other; a result for another person than the one waited for is
// refused.
func TestInShanghaiEveryResponsiblePersonVerifiesInTheBureauApp(t *testing.T) {
	ft := newFilingTest(t, "SH", monday)
	ft.world.websites = []string{"shop.example.com"}
	ft.world.persons["rev-1"] = twoPersons
	ft.approvedAtInitialReview(monday)
	ft.at(monday.Add(40*time.Minute), func() {
		assert.Contains(t, ft.state().WaitingFor, "Shanghai bureau app")
		ft.refusedAs(filing.VerificationResult.Name, filing.VerificationResultRequest{Person: "rp-li", Passed: true}, filing.ErrTypeInvalidAction)
		ft.act(filing.VerificationResult.Name, filing.VerificationResultRequest{Person: "rp-zhang", Passed: true})
	})
	ft.at(monday.Add(50*time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.StepAwaitingAppVerification, st.Step, "the second person has yet to verify")
		assert.Contains(t, st.WaitingFor, "shop.example.com")
		ft.act(filing.VerificationResult.Name, filing.VerificationResultRequest{Person: "rp-li", Passed: false,
			Reason: []filing.Reason{{Code: "phone_mismatch", Message: "the app's phone is not the responsible person's"}}})
	})
	ft.at(monday.Add(60*time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.StepAwaitingAppVerification, st.Step, "a failed verification is tried again")
		assert.Equal(t, "verification_app", st.LastRejection.By)
		ft.act(filing.VerificationResult.Name, filing.VerificationResultRequest{Person: "rp-li", Passed: true})
	})
	ft.at(monday.Add(70*time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.StageSMSVerification, st.Stage)
		require.Len(t, st.Verifications, 2)
		assert.True(t, st.Verifications[0].Verified())
		assert.True(t, st.Verifications[1].Verified())
		assert.Zero(t, st.Verifications[1].Rounds, "no photo was reviewed")
		ft.env.CancelWorkflow()
	})
	ft.env.ExecuteWorkflow(filing.WorkflowName, ft.in)
	assert.Zero(t, ft.world.shipments)
}
