package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// monday is a plain business day: 2026-09-07 09:30 China time.
var monday = cst(2026, 9, 7, 9, 30)

var (
	mailing   = filing.MailingAddressRequest{AddressRevisionID: "addr-1"}
	delivered = filing.ShipmentDeliveredRequest{TrackingNumber: "SF000000000001"}
	photo     = filing.UploadPhotoRequest{ObjectKey: "filings/x/photo-1", Size: 2048, SHA256: sha}
)

// throughPhoto scripts everything up to an approved photo, starting on a
// business day at day: review, backdrop, delivery, photo and its approval.
func (ft *filingTest) throughPhoto(day time.Time) {
	ft.approvedAtInitialReview(day)
	ft.at(day.Add(40*time.Minute), func() { ft.act(filing.SetMailingAddress.Name, mailing) })
	ft.at(day.Add(48*time.Hour), func() { ft.act(filing.ShipmentDelivered.Name, delivered) })
	ft.at(day.Add(49*time.Hour), func() { ft.act(filing.UploadPhoto.Name, photo) })
	ft.at(day.Add(50*time.Hour), func() { ft.act(filing.PhotoReviewDecision.Name, approve) })
}

// submittedToBureau is a filing of province that went through initial
// review and photo verification from Monday and was submitted to the
// bureau at once, Wednesday 11:30, which it returns.
func submittedToBureau(t *testing.T, province string) (*filingTest, time.Time) {
	t.Helper()
	ft := newFilingTest(t, province, monday)
	ft.throughPhoto(monday)
	return ft, monday.Add(50 * time.Hour)
}

func smsVerified(receipt string) filing.SMSVerificationRequest {
	return filing.SMSVerificationRequest{ReceiptID: receipt, Outcome: filing.SMSVerified}
}

func bureauApproves(receipt string) filing.BureauDecisionRequest {
	return filing.BureauDecisionRequest{ReceiptID: receipt, Approved: true, FilingNumber: "浙ICP备26012345号-2"}
}

func TestHappyPathOutsideShanghai(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.throughPhoto(monday)
	photoApproved := monday.Add(50 * time.Hour) // Wednesday 11:30, inside the window
	ft.at(photoApproved.Add(time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.StageSMSVerification, st.Stage, "submitted at once inside the window")
		assert.Equal(t, filing.PartyApplicant, st.WaitingOn)
		require.NotNil(t, st.Deadline)
		assert.True(t, st.DeadlineEstimated, "the code is not sent yet")
		assert.Equal(t, photoApproved.Add(25*time.Hour).UTC(), st.Deadline.UTC(), "estimated: a code within the hour, then 24 hours")
	})
	// MIIT sent the code two minutes after the submission; the bureau says
	// so when asked ten minutes in.
	ft.at(photoApproved.Add(11*time.Minute), func() {
		st := ft.state()
		require.NotNil(t, st.Bureau.SMSSentAt)
		assert.Equal(t, photoApproved.Add(2*time.Minute).UTC(), st.Bureau.SMSSentAt.UTC())
		require.NotNil(t, st.Deadline)
		assert.False(t, st.DeadlineEstimated)
		assert.Equal(t, photoApproved.Add(2*time.Minute+24*time.Hour).UTC(), st.Deadline.UTC(), "24 hours from the code")
	})
	ft.at(photoApproved.Add(30*time.Minute), func() { ft.act(filing.SMSVerification.Name, smsVerified("R-1")) })
	ft.at(photoApproved.Add(31*time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.StageBureauReview, st.Stage)
		assert.Equal(t, filing.PartyBureau, st.WaitingOn)
		assert.Equal(t, 30, st.DeadlineBusinessDays, "Zhejiang allows its bureau 30 business days (rules data)")
	})
	ft.at(cst(2026, 9, 14, 10, 0), func() { ft.act(filing.BureauDecision.Name, bureauApproves("R-1")) })

	st := ft.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
	assert.Equal(t, []filing.Stage{
		filing.StageProductVerification, filing.StageInformation, filing.StageInitialReview,
		filing.StagePhotoVerification, filing.StageBureauSubmission, filing.StageSMSVerification,
		filing.StageBureauReview, filing.StageApproved,
	}, stages(st))
	assert.Equal(t, "浙ICP备26012345号-2", st.Bureau.FilingNumber)
	assert.Equal(t, "BSN0000000001", st.ServiceNumber)
	assert.Equal(t, filing.NextSteps, st.NextSteps)
	assert.Equal(t, filing.PhotoBackdrop, st.PhotoMode)
	assert.Equal(t, photoApproved.UTC(), ft.world.submittedAt[0].UTC())
	w := ft.world
	assert.Equal(t, 1, w.shipments, "one backdrop")
	assert.Len(t, w.submissions, 1, "one submission")
	assert.Equal(t, 1, w.consumed, "the 备案服务号 is consumed on approval")
	assert.Equal(t, 1, w.subjectFreed)
	assert.Zero(t, w.released)
	for _, e := range []string{"initial_review_approved", "backdrop_shipped", "photo_review_approved",
		"bureau_submitted", "sms_verification_needed", "bureau_approved"} {
		assert.Equal(t, 1, w.notified(e), e)
	}
	// The audit trail holds every action and stage change, numbered, with
	// who acted.
	require.NotEmpty(t, w.audit)
	for i, e := range w.audit {
		assert.Equal(t, int64(i+1), e.Seq, "numbered without gaps")
	}
	actors := map[string]bool{}
	for _, e := range w.audit {
		actors[e.Actor] = true
	}
	for _, a := range []string{"account:acc-1", "reviewer:staff-7", "courier", "bureau", "system"} {
		assert.True(t, actors[a], "audit trail names %s", a)
	}
	last := w.rows[len(w.rows)-1]
	assert.Equal(t, filing.StageApproved, last.Stage)
	assert.True(t, last.Closed)
	for i := 1; i < len(w.rows); i++ {
		prev, cur := w.rows[i-1], w.rows[i]
		sameWait := cur.Stage == prev.Stage && cur.Step == prev.Step && cur.WaitingOn == prev.WaitingOn &&
			(cur.Deadline == nil) == (prev.Deadline == nil) && (cur.Deadline == nil || cur.Deadline.Equal(*prev.Deadline))
		if sameWait {
			assert.Equal(t, cur.Revision, prev.Revision, "a notification flush rewrites the same revision: a no-op")
		} else {
			assert.Greater(t, cur.Revision, prev.Revision, "the read model gets a newer revision at every stage and wait")
		}
	}
	// Reviewer queues read the wait from the read model: the row says the
	// filing waits for a reviewer, and since when.
	var awaitingReviewer bool
	for _, r := range w.rows {
		if r.Stage == filing.StageInitialReview && r.WaitingOn == filing.PartyReviewer {
			awaitingReviewer = true
			assert.NotEmpty(t, r.Step)
			assert.NotNil(t, r.Since)
		}
	}
	assert.True(t, awaitingReviewer, "the read model shows the wait for the initial review")
	// Every stage change and its announcement travel in one write.
	for _, r := range w.rows {
		if r.Stage == filing.StageApproved {
			require.Len(t, r.Notifications, 1)
			assert.Equal(t, "bureau_approved", r.Notifications[0].Event)
		}
	}
}

func TestShanghaiFilingVerifiesInTheBureauApp(t *testing.T) {
	ft := newFilingTest(t, "SH", monday)
	ft.approvedAtInitialReview(monday)
	ft.at(monday.Add(40*time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.PhotoShanghaiBureauApp, st.PhotoMode)
		assert.Equal(t, filing.StepAwaitingAppVerification, st.Step)
		ft.refused(filing.SetMailingAddress.Name, mailing) // no backdrop in Shanghai
	})
	ft.at(monday.Add(2*time.Hour), func() {
		ft.act(filing.VerificationResult.Name, filing.VerificationResultRequest{Passed: false,
			Reason: []filing.Reason{{Code: "face_mismatch"}}})
	})
	ft.at(monday.Add(3*time.Hour), func() {
		ft.act(filing.VerificationResult.Name, filing.VerificationResultRequest{Passed: true})
	})
	ft.at(monday.Add(4*time.Hour), func() { ft.act(filing.SMSVerification.Name, smsVerified("R-1")) })
	ft.at(monday.Add(5*time.Hour), func() {
		ft.act(filing.BureauDecision.Name, filing.BureauDecisionRequest{ReceiptID: "R-1", Approved: true, FilingNumber: "沪ICP备26000001号-1"})
	})

	st := ft.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
	assert.Zero(t, ft.world.shipments, "Shanghai mails no backdrop")
}

func TestInitialReviewRejectedTwiceThenApproved(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	// The automated checks reject the first submission, the reviewer the
	// second; the third passes.
	ft.world.findings = [][]filing.Reason{{{Field: "websites[0].name", Code: "website_name.too_short", Message: "too short"}}}
	ft.fillAndSubmit(monday.Add(10 * time.Minute))
	ft.at(monday.Add(20*time.Minute), func() {
		st := ft.returnedBy("automated_checks")
		assert.Equal(t, "websites[0].name", st.LastRejection.Reasons[0].Field)
		ft.act(filing.Submit.Name, filing.SubmitRequest{})
	})
	ft.at(monday.Add(2*time.Hour), func() {
		ft.act(filing.InitialReviewDecision.Name, rejectW("subject.leader.mobile", "phone_unreachable"))
	})
	ft.at(monday.Add(3*time.Hour), func() {
		st := ft.returnedBy("reviewer")
		assert.Equal(t, "phone_unreachable", st.LastRejection.Reasons[0].Code)
		ft.act(filing.SaveApplication.Name, saveApp)
		ft.act(filing.Submit.Name, filing.SubmitRequest{})
	})
	ft.at(monday.Add(4*time.Hour), func() {
		st := ft.state()
		assert.Equal(t, 3, st.InitialReviewRounds)
		assert.Equal(t, rules.DefaultRuleSet().Version(), st.ChecksRuleSetVersion, "the filing records the rules its checks applied")
		assert.Equal(t, filing.StepAwaitingReviewer, st.Step)
		require.NotNil(t, st.Deadline)
		assert.Equal(t, 1, st.DeadlineBusinessDays, "initial review is due within one business day")
		ft.act(filing.InitialReviewDecision.Name, approve)
		ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"})
	})

	st := ft.run()
	assert.Equal(t, filing.StageCancelled, st.Stage)
	assert.Equal(t, 2, ft.world.notified("initial_review_rejected"))
	assert.Equal(t, 1, ft.world.notified("initial_review_approved"))
}

func TestPhotoRejectedThenApproved(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.approvedAtInitialReview(monday)
	ft.at(monday.Add(40*time.Minute), func() { ft.act(filing.SetMailingAddress.Name, mailing) })
	ft.at(monday.Add(26*time.Hour), func() {
		ft.act(filing.ShipmentDelivered.Name, delivered)
		// The courier's event twice: refused, it changes nothing and
		// costs the history nothing.
		ft.refusedAs(filing.ShipmentDelivered.Name, delivered, filing.ErrTypeStageMismatch)
		ft.act(filing.UploadPhoto.Name, photo)
	})
	ft.at(monday.Add(27*time.Hour), func() {
		ft.act(filing.PhotoReviewDecision.Name, rejectW("photo", "background_not_backdrop"))
	})
	ft.at(monday.Add(28*time.Hour), func() {
		st := ft.state()
		assert.Equal(t, filing.StepAwaitingPhoto, st.Step)
		assert.Equal(t, "photo_reviewer", st.LastRejection.By)
		ft.act(filing.UploadPhoto.Name, filing.UploadPhotoRequest{ObjectKey: "filings/x/photo-2", Size: 2048, SHA256: sha})
	})
	ft.at(monday.Add(29*time.Hour), func() { ft.act(filing.PhotoReviewDecision.Name, approve) })
	ft.at(monday.Add(30*time.Hour), func() {
		st := ft.state()
		assert.Equal(t, filing.StageSMSVerification, st.Stage)
		require.Len(t, st.Verifications, 1)
		assert.Equal(t, 2, st.Verifications[0].Rounds)
		assert.Equal(t, "filings/x/photo-2", st.Verifications[0].PhotoKey)
		assert.Equal(t, 1, ft.world.shipments, "a rejected photo does not mail another backdrop")
		ft.refused(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"})
		ft.env.CancelWorkflow()
	})
	ft.env.ExecuteWorkflow(filing.WorkflowName, ft.in)
	assert.Equal(t, 1, ft.world.notified("photo_review_rejected"))
}

func TestSMSWindowMissedThenResubmitted(t *testing.T) {
	ft, submitted := submittedToBureau(t, "ZJ")
	// Nobody reports the SMS outcome; the bureau, asked after the window,
	// says the filing was returned.
	ft.at(submitted.Add(20*time.Hour), func() {
		ft.world.setBureauStatus("R-1", activities.BureauStatus{SMSReturned: true, Reasons: []filing.Reason{{Code: "sms_timeout"}}})
	})
	ft.at(submitted.Add(26*time.Hour), func() {
		st := ft.state()
		require.Len(t, ft.world.submissions, 2, "resubmitted without data changes")
		assert.Equal(t, filing.StageSMSVerification, st.Stage)
		assert.Equal(t, "R-2", st.Bureau.ReceiptID)
		assert.Equal(t, "sms", st.LastRejection.By)
		ft.refused(filing.SMSVerification.Name, smsVerified("R-1")) // the old submission's event
		ft.act(filing.SMSVerification.Name, smsVerified("R-2"))
	})
	ft.at(submitted.Add(27*time.Hour), func() { ft.act(filing.BureauDecision.Name, bureauApproves("R-2")) })

	st := ft.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
	assert.Equal(t, 2, ft.world.submissions[1].Round)
	assert.Equal(t, 1, st.InitialReviewRounds, "no new initial review when no data must change")
}

// The bureau's push says when the code was sent too, for a filing that
// had not asked yet.
func TestAPushedSMSOutcomeSaysWhenTheCodeWasSent(t *testing.T) {
	ft, submitted := submittedToBureau(t, "ZJ")
	ft.world.setBureauStatus("R-1", activities.BureauStatus{})
	sent := submitted.Add(3 * time.Minute)
	ft.at(submitted.Add(5*time.Minute), func() {
		ft.act(filing.SMSVerification.Name, filing.SMSVerificationRequest{ReceiptID: "R-1", Outcome: filing.SMSVerified, CodeSentAt: &sent})
	})
	ft.at(submitted.Add(6*time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.StageBureauReview, st.Stage)
		require.NotNil(t, st.Bureau.SMSSentAt)
		assert.True(t, st.Bureau.SMSSentAt.Equal(sent))
	})
	ft.at(submitted.Add(24*time.Hour), func() { ft.act(filing.BureauDecision.Name, bureauApproves("R-1")) })
	assert.Equal(t, filing.StageApproved, ft.run().Stage)
}

// A code the bureau never reports sent still ends: the window is assumed to
// open an hour after the submission, and an hour after it would have
// closed the filing counts as returned and is resubmitted.
func TestAnSMSCodeNeverReportedSentStillHasADeadline(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.bureauStatus["R-1"] = activities.BureauStatus{} // the bureau says nothing of a code
	ft.throughPhoto(monday)
	submitted := monday.Add(50 * time.Hour)
	ft.at(submitted.Add(2*time.Hour), func() {
		st := ft.state()
		assert.Equal(t, filing.StageSMSVerification, st.Stage)
		assert.Nil(t, st.Bureau.SMSSentAt)
		require.NotNil(t, st.Deadline)
		assert.True(t, st.DeadlineEstimated)
		assert.Equal(t, submitted.Add(25*time.Hour).UTC(), st.Deadline.UTC())
	})
	ft.at(submitted.Add(27*time.Hour), func() {
		st := ft.state()
		require.Len(t, ft.world.submissions, 2, "treated as missed and resubmitted")
		assert.Equal(t, "sms_timeout", st.LastRejection.Reasons[0].Code)
		ft.act(filing.SMSVerification.Name, smsVerified("R-2"))
	})
	ft.at(submitted.Add(28*time.Hour), func() { ft.act(filing.BureauDecision.Name, bureauApproves("R-2")) })

	st := ft.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
}

// A second missed SMS window is not resubmitted again: the number is
// probably wrong, which only the applicant can fix. The filing goes back to
// editing; the corrected application passes the initial review again and
// is submitted afresh, with a new pair of attempts.
func TestSMSWindowMissedTwiceReturnsTheFilingToTheApplicant(t *testing.T) {
	ft, submitted := submittedToBureau(t, "ZJ")
	missed := activities.BureauStatus{SMSReturned: true, Reasons: []filing.Reason{{Code: "sms_timeout"}}}
	ft.at(submitted.Add(20*time.Hour), func() {
		ft.world.setBureauStatus("R-1", missed)
	})
	ft.at(submitted.Add(26*time.Hour), func() {
		require.Len(t, ft.world.submissions, 2, "resubmitted once")
		assert.Equal(t, filing.StageSMSVerification, ft.state().Stage)
		ft.world.setBureauStatus("R-2", missed)
	})
	ft.at(submitted.Add(52*time.Hour), func() {
		st := ft.state()
		assert.Equal(t, filing.StageInformation, st.Stage, "returned to the applicant after the second miss")
		assert.Equal(t, filing.StepEditing, st.Step)
		assert.Equal(t, "sms", st.LastRejection.By)
		require.Len(t, ft.world.submissions, 2, "not resubmitted a third time")
		assert.Equal(t, 1, ft.world.notified("sms_verification_returned"))
		// The applicant corrects the responsible person's number.
		ft.act(filing.SaveApplication.Name, filing.SaveApplicationRequest{Application: filing.ApplicationRef{RevisionID: "rev-2", Digest: "d2"}})
		ft.act(filing.Submit.Name, filing.SubmitRequest{})
	})
	ft.at(submitted.Add(53*time.Hour), func() {
		assert.Equal(t, filing.StageInitialReview, ft.state().Stage, "a new number goes back through initial review")
		ft.act(filing.InitialReviewDecision.Name, approve)
	})
	ft.at(submitted.Add(54*time.Hour), func() {
		st := ft.state()
		require.Len(t, ft.world.submissions, 3, "submitted afresh")
		assert.Equal(t, "rev-2", ft.world.submissions[2].RevisionID)
		assert.Equal(t, filing.StageSMSVerification, st.Stage)
		ft.act(filing.SMSVerification.Name, smsVerified(st.Bureau.ReceiptID))
	})
	ft.at(submitted.Add(60*time.Hour), func() { ft.act(filing.BureauDecision.Name, bureauApproves("R-3")) })

	st := ft.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
	assert.Equal(t, 2, st.InitialReviewRounds)
	require.Len(t, st.Verifications, 1)
	assert.Equal(t, 1, st.Verifications[0].Rounds, "the approved photo stands")
}

// Returned to the applicant after the SMS attempts, the filing is no
// longer with the bureau: the applicant may cancel it.
func TestAFilingReturnedAfterSMSVerificationCanBeCancelled(t *testing.T) {
	ft, submitted := submittedToBureau(t, "ZJ")
	missed := activities.BureauStatus{SMSReturned: true, Reasons: []filing.Reason{{Code: "sms_attempts_exhausted"}}}
	ft.at(submitted.Add(time.Hour), func() {
		ft.refused(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"}) // with the bureau
		ft.world.setBureauStatus("R-1", missed)
	})
	ft.at(submitted.Add(26*time.Hour), func() {
		ft.world.setBureauStatus("R-2", missed)
	})
	ft.at(submitted.Add(52*time.Hour), func() {
		assert.Equal(t, filing.StageInformation, ft.state().Stage)
		ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"})
	})

	st := ft.run()
	assert.Equal(t, filing.StageCancelled, st.Stage)
	assert.Equal(t, 1, ft.world.subjectFreed)
	assert.Equal(t, 1, ft.world.released, "the 备案服务号 goes back to the instance")
}

func TestBureauRejectsThenApprovesAfterEdits(t *testing.T) {
	ft, submitted := submittedToBureau(t, "ZJ")
	ft.at(submitted.Add(10*time.Minute), func() { ft.act(filing.SMSVerification.Name, smsVerified("R-1")) })
	ft.at(submitted.Add(24*time.Hour), func() {
		ft.act(filing.BureauDecision.Name, filing.BureauDecisionRequest{ReceiptID: "R-1",
			Reasons: []filing.Reason{{Field: "websites[0].name", Code: "website_name", Message: "name does not match content"}}})
	})
	ft.at(submitted.Add(25*time.Hour), func() {
		ft.returnedBy("bureau")
		ft.act(filing.SaveApplication.Name, filing.SaveApplicationRequest{Application: filing.ApplicationRef{RevisionID: "rev-2", Digest: "d2"}})
		ft.act(filing.Submit.Name, filing.SubmitRequest{})
	})
	ft.at(submitted.Add(26*time.Hour), func() {
		assert.Equal(t, filing.StageInitialReview, ft.state().Stage, "back through initial review")
		ft.act(filing.InitialReviewDecision.Name, approve)
	})
	ft.at(submitted.Add(27*time.Hour), func() { ft.act(filing.SMSVerification.Name, smsVerified("R-2")) })
	ft.at(submitted.Add(48*time.Hour), func() { ft.act(filing.BureauDecision.Name, bureauApproves("R-2")) })

	st := ft.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
	assert.Equal(t, 2, st.InitialReviewRounds)
	require.Len(t, st.Verifications, 1)
	assert.Equal(t, 1, st.Verifications[0].Rounds, "the approved photo stands")
	require.Len(t, ft.world.submissions, 2)
	assert.Equal(t, "rev-2", ft.world.submissions[1].RevisionID, "the corrected application goes to the bureau")
	assert.Equal(t, 1, ft.world.notified("bureau_rejected"))
}

func TestBureauOverdueAfter20BusinessDays(t *testing.T) {
	ft, submitted := submittedToBureau(t, "GD") // Wednesday 2026-09-09 11:30
	ft.at(submitted.Add(5*time.Minute), func() { ft.act(filing.SMSVerification.Name, smsVerified("R-1")) })
	// 20 business days from Wed 09-09 (Mid-Autumn 09-25 and National Day
	// 10-01..07 off, make-up days 09-20 and 10-10 on) end on Tue 2026-10-13.
	ft.at(cst(2026, 10, 13, 11, 0), func() { assert.False(t, ft.state().Overdue, "not yet") })
	ft.at(cst(2026, 10, 13, 12, 0), func() {
		st := ft.state()
		assert.True(t, st.Overdue, "flagged for operators at the legal limit")
		assert.Equal(t, filing.StageBureauReview, st.Stage, "and keeps waiting")
		assert.Equal(t, 1, ft.world.notified("filing_overdue"))
	})
	ft.at(cst(2026, 10, 20, 10, 30), func() {
		ft.act(filing.BureauDecision.Name, filing.BureauDecisionRequest{ReceiptID: "R-1", Approved: true, FilingNumber: "粤ICP备26000002号-1"})
	})
	st := ft.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
	assert.False(t, st.Overdue, "cleared once decided")
}

func TestBureauResultIsPolledWhenThePushIsLost(t *testing.T) {
	ft, submitted := submittedToBureau(t, "ZJ")
	ft.at(submitted.Add(5*time.Minute), func() { ft.act(filing.SMSVerification.Name, smsVerified("R-1")) })
	ft.at(submitted.Add(30*time.Hour), func() {
		ft.world.setBureauStatus("R-1", activities.BureauStatus{SMSVerified: true, Decided: true, Approved: true, FilingNumber: "浙ICP备26099999号-1"})
	})
	st := ft.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
	assert.Equal(t, "浙ICP备26099999号-1", st.Bureau.FilingNumber)
	// Pushed nothing; the daily poll found it, a day after the one before
	// (the review began with the SMS verification, Wednesday 11:35).
	assert.Equal(t, cst(2026, 9, 11, 11, 35).UTC(), st.Bureau.DecidedAt.UTC())
}

func TestIdleFilingExpiresAfter45DaysWithTwoReminders(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.at(monday.Add(time.Hour), func() { ft.act(filing.SaveApplication.Name, saveApp) })
	st := ft.run()
	assert.Equal(t, filing.StageExpired, st.Stage)
	assert.Equal(t, monday.Add(time.Hour+45*24*time.Hour).UTC(), ft.env.Now().UTC(), "45 days after the last update")
	assert.Equal(t, 2, ft.world.notified("idle_reminder"), "reminded at 30 and 40 idle days")
	assert.Equal(t, 1, ft.world.notified("order_expired"))
	assert.Equal(t, 1, ft.world.released, "the 备案服务号 returns to its instance")
	assert.Equal(t, 1, ft.world.subjectFreed)
}

func TestApplicantCancelsBeforeBureauSubmission(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.fillAndSubmit(monday.Add(10 * time.Minute))
	ft.at(monday.Add(time.Hour), func() {
		ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"}, func(st filing.Ack) {
			assert.Equal(t, filing.StageCancelled, st.Stage, "the caller gets the final state")
		})
	})
	st := ft.run()
	assert.Equal(t, filing.StageCancelled, st.Stage)
	assert.Equal(t, "user_request", st.Timeline[len(st.Timeline)-1].Reason)
	assert.Equal(t, 1, ft.world.released)
	assert.Equal(t, 1, ft.world.notified("order_cancelled"))
	assert.Zero(t, ft.world.consumed)
}

func TestActionInTheWrongStageIsRefused(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.at(monday.Add(10*time.Minute), func() {
		for name, req := range map[string]any{
			filing.InitialReviewDecision.Name: approve,
			filing.PhotoReviewDecision.Name:   approve,
			filing.UploadPhoto.Name:           photo,
			filing.SetMailingAddress.Name:     mailing,
			filing.BureauDecision.Name:        bureauApproves("R-1"),
			filing.VerifyProduct.Name:         filing.VerifyProductRequest{Product: filing.Product{ServiceNumber: "BSN1234567890"}},
		} {
			ft.refusedAs(name, req, filing.ErrTypeStageMismatch)
		}
		// Submitting without the verification form is refused with a reason.
		ft.act(filing.SaveApplication.Name, saveApp)
	})
	ft.at(monday.Add(20*time.Minute), func() {
		ft.refusedAs(filing.Submit.Name, filing.SubmitRequest{}, filing.ErrTypeInvalidAction)
		// A rejection without reasons is refused whatever the stage.
		ft.refusedAs(filing.InitialReviewDecision.Name, filing.DecisionRequest{Reviewer: "staff-7"}, filing.ErrTypeInvalidAction)
	})
	ft.at(monday.Add(30*time.Minute), func() { ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"}) })
	assert.Equal(t, filing.StageCancelled, ft.run().Stage)
}

func TestPhotoApprovedOnNationalDayEveIsSubmittedAfterTheHoliday(t *testing.T) {
	start := cst(2026, 9, 28, 10, 0)
	ft := newFilingTest(t, "ZJ", start)
	ft.fillAndSubmit(start.Add(10 * time.Minute))
	ft.at(start.Add(30*time.Minute), func() { ft.act(filing.InitialReviewDecision.Name, approve) })
	ft.at(start.Add(40*time.Minute), func() { ft.act(filing.SetMailingAddress.Name, mailing) })
	ft.at(cst(2026, 9, 30, 10, 0), func() { ft.act(filing.ShipmentDelivered.Name, delivered) })
	ft.at(cst(2026, 9, 30, 19, 0), func() { ft.act(filing.UploadPhoto.Name, photo) })
	ft.at(cst(2026, 9, 30, 20, 0), func() { ft.act(filing.PhotoReviewDecision.Name, approve) })
	ft.at(cst(2026, 9, 30, 20, 1), func() {
		st := ft.state()
		assert.Equal(t, filing.StageBureauSubmission, st.Stage)
		assert.Equal(t, filing.StepAwaitingWindow, st.Step)
		require.NotNil(t, st.Deadline)
		assert.Equal(t, cst(2026, 10, 8, 9, 0).UTC(), st.Deadline.UTC())
		assert.Empty(t, ft.world.submissions, "never during the holiday")
	})
	ft.at(cst(2026, 10, 8, 9, 5), func() {
		require.Len(t, ft.world.submissions, 1)
		assert.Equal(t, cst(2026, 10, 8, 9, 0).UTC(), ft.world.submittedAt[0].UTC())
		ft.env.CancelWorkflow()
	})
	ft.env.ExecuteWorkflow(filing.WorkflowName, ft.in)
}

func TestUnusableServiceNumberWaitsForAnotherProduct(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.productErrs = []error{temporal.NewNonRetryableApplicationError("quota", activities.ErrTypeProductRejected, nil,
		filing.Reason{Code: "service_number_quota_exhausted", Message: "the instance has no 备案服务号 quota left"})}
	ft.at(monday.Add(time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.StageProductVerification, st.Stage)
		assert.Equal(t, filing.StepAwaitingProduct, st.Step)
		assert.Equal(t, "service_number_quota_exhausted", st.LastRejection.Reasons[0].Code)
		ft.refused(filing.VerifyProduct.Name, filing.VerifyProductRequest{}) // neither field
		ft.act(filing.VerifyProduct.Name, filing.VerifyProductRequest{Product: filing.Product{ServiceNumber: "BSN1234567890"}})
	})
	ft.at(monday.Add(2*time.Minute), func() {
		assert.Equal(t, filing.StageInformation, ft.state().Stage)
		ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"})
	})
	assert.Equal(t, filing.StageCancelled, ft.run().Stage)
}

func TestReadModelFailureIsRetriedUntilTheDatabaseIsBack(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.recordFails = 3 // the database is down for the first writes
	ft.at(monday.Add(time.Hour), func() { ft.env.CancelWorkflow() })
	ft.env.ExecuteWorkflow(filing.WorkflowName, ft.in)
	assert.GreaterOrEqual(t, ft.world.recordCalls, 5, "the write is retried, not given up")
	require.NotEmpty(t, ft.world.rows, "and written once the database is back")
	// The filing's first write is its first wait: the product was
	// verified in the same workflow task.
	assert.Equal(t, filing.StageInformation, ft.world.rows[0].Stage)
}

func TestGuangdongApplicantTakesTheProviderAppPathInsteadOfTheBackdrop(t *testing.T) {
	ft := newFilingTest(t, "GD", monday)
	ft.approvedAtInitialReview(monday)
	ft.at(monday.Add(40*time.Minute), func() {
		ft.refusedAs(filing.ChoosePhotoPath.Name, filing.ChoosePhotoPathRequest{Mode: filing.PhotoShanghaiBureauApp}, filing.ErrTypeInvalidAction)
		ft.act(filing.ChoosePhotoPath.Name, filing.ChoosePhotoPathRequest{Mode: filing.PhotoProviderApp})
	})
	ft.at(monday.Add(50*time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.PhotoProviderApp, st.PhotoMode)
		assert.Equal(t, filing.StepAwaitingAppVerification, st.Step)
		ft.act(filing.VerificationResult.Name, filing.VerificationResultRequest{Passed: true})
	})
	ft.at(monday.Add(time.Hour), func() { ft.act(filing.SMSVerification.Name, smsVerified("R-1")) })
	ft.at(monday.Add(2*time.Hour), func() {
		ft.act(filing.BureauDecision.Name, filing.BureauDecisionRequest{ReceiptID: "R-1", Approved: true, FilingNumber: "粤ICP备26000003号-1"})
	})
	assert.Equal(t, filing.StageApproved, ft.run().Stage)
	assert.Zero(t, ft.world.shipments, "no backdrop on the app path")
}

func TestTheAppPathIsNotOfferedWhereTheProvinceHasNoAppUpload(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.approvedAtInitialReview(monday)
	ft.at(monday.Add(40*time.Minute), func() {
		ft.refusedAs(filing.ChoosePhotoPath.Name, filing.ChoosePhotoPathRequest{Mode: filing.PhotoProviderApp}, filing.ErrTypeInvalidAction)
		ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"})
	})
	assert.Equal(t, filing.StageCancelled, ft.run().Stage)
}

func TestABadUploadIsRejectedWithItsReasonAndTheFilingDoesNotAdvance(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.badUploads["filings/x/blurry"] = "resolution_too_low"
	ft.approvedAtInitialReview(monday)
	ft.at(monday.Add(40*time.Minute), func() { ft.act(filing.SetMailingAddress.Name, mailing) })
	ft.at(monday.Add(26*time.Hour), func() { ft.act(filing.ShipmentDelivered.Name, delivered) })
	ft.at(monday.Add(27*time.Hour), func() {
		var got error
		ft.env.UpdateWorkflow(filing.UploadPhoto.Name, "", &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { t.Errorf("refused by the validator: %v", err) },
			OnComplete: func(_ any, err error) { got = err },
		}, filing.UploadPhotoRequest{ObjectKey: "filings/x/blurry", Size: 10, SHA256: sha})
		ft.at(monday.Add(27*time.Hour+time.Minute), func() {
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(got, &appErr), "%v", got)
			assert.Equal(t, filing.ErrTypeMaterialRejected, appErr.Type())
			st := ft.state()
			assert.Equal(t, filing.StepAwaitingPhoto, st.Step, "the filing does not advance on a bad upload")
			assert.Zero(t, st.Verifications[0].Rounds)
			ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"})
		})
	})
	assert.Equal(t, filing.StageCancelled, ft.run().Stage)
}

func TestAnUndeliverableAddressAsksTheApplicantForAnotherOne(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.undeliverable["addr-bad"] = true
	ft.approvedAtInitialReview(monday)
	ft.at(monday.Add(40*time.Minute), func() {
		ft.act(filing.SetMailingAddress.Name, filing.MailingAddressRequest{AddressRevisionID: "addr-bad"})
	})
	ft.at(monday.Add(50*time.Minute), func() {
		st := ft.state()
		assert.Equal(t, filing.StepAwaitingMailingAddress, st.Step, "the filing goes on, asking again")
		assert.Equal(t, "courier", st.LastRejection.By)
		assert.Equal(t, "address_undeliverable", st.LastRejection.Reasons[0].Code)
		ft.act(filing.SetMailingAddress.Name, mailing)
	})
	ft.at(monday.Add(time.Hour), func() {
		assert.Equal(t, filing.StepInTransit, ft.state().Step)
		ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"})
	})
	assert.Equal(t, filing.StageCancelled, ft.run().Stage)
	assert.Equal(t, 1, ft.world.shipments)
}

// The reviewer queues list the filings that wait in their queue's stage and
// step (filing.Queue.Wait): the workflow must wait for a reviewer exactly
// there, or a queue would silently stay empty.
func TestReviewQueuesFindTheFilingsThatWaitForAReviewer(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.throughPhoto(monday)
	inQueue := func(q filing.Queue) {
		st := ft.state()
		stage, step, ok := q.Wait()
		require.True(t, ok)
		assert.Equal(t, stage, st.Stage, q)
		assert.Equal(t, step, st.Step, q)
		assert.Equal(t, filing.PartyReviewer, st.WaitingOn, q)
	}
	// Just before each review decision of throughPhoto.
	ft.at(monday.Add(29*time.Minute), func() { inQueue(filing.QueueInitial) })
	ft.at(monday.Add(49*time.Hour+time.Minute), func() { inQueue(filing.QueuePhoto) })
	ft.at(monday.Add(51*time.Hour), func() { ft.act(filing.SMSVerification.Name, smsVerified("R-1")) })
	ft.at(cst(2026, 9, 14, 10, 0), func() { ft.act(filing.BureauDecision.Name, bureauApproves("R-1")) })
	ft.run()
}

// A workflow whose start went through only after its request gave up, and
// after another filing took the subject over, must not run beside that
// filing: it ends before it binds or sends anything, and leaves the
// subject to its holder.
func TestAFilingThatCannotClaimItsSubjectEndsBeforeItDoesAnything(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.subjectTaken = true

	st := ft.run()
	assert.Equal(t, filing.StageCancelled, st.Stage)
	require.Len(t, st.Timeline, 1)
	assert.Equal(t, "subject_taken", st.Timeline[0].Reason)
	assert.Empty(t, st.ServiceNumber, "no 备案服务号 was bound")
	assert.Zero(t, ft.world.released)
	assert.Zero(t, ft.world.subjectFreed, "the subject is its holder's to release")
	assert.Empty(t, ft.world.notifications, "nobody is told of a filing that never ran")
}

// Each website has its own 备案服务号: the ones added in the application
// get theirs from the filing's instance once the automated checks pass, and
// on approval every one of them is consumed.
func TestEveryWebsiteGetsItsOwnServiceNumber(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.websites = []string{"blog.example.com"}
	ft.throughPhoto(monday)
	submitted := monday.Add(50 * time.Hour)
	ft.at(submitted.Add(time.Minute), func() {
		st := ft.state()
		assert.Equal(t, "BSN0000000001", st.ServiceNumber, "the started-for website's number")
		assert.Equal(t, []filing.WebsiteServiceNumber{
			{Domain: "example.com", Number: "BSN0000000001"}, {Domain: "blog.example.com", Number: "BSN-blog.example.com"},
		}, st.ServiceNumbers)
	})
	ft.at(submitted.Add(10*time.Minute), func() { ft.act(filing.SMSVerification.Name, smsVerified("R-1")) })
	ft.at(submitted.Add(24*time.Hour), func() { ft.act(filing.BureauDecision.Name, bureauApproves("R-1")) })

	st := ft.run()
	assert.Equal(t, filing.StageApproved, st.Stage)
	assert.Equal(t, 2, ft.world.consumed, "both websites' numbers are consumed")
}

// A website the instance has no 备案服务号 left for sends the filing back
// to editing with the reason on that website; the applicant may drop it.
func TestAWebsiteWithoutAServiceNumberGoesBackToTheApplicant(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.world.websites, ft.world.noQuotaFor = []string{"blog.example.com"}, "blog.example.com"
	ft.fillAndSubmit(monday.Add(10 * time.Minute))
	ft.at(monday.Add(20*time.Minute), func() {
		st := ft.returnedBy("product_verification")
		assert.Equal(t, "websites[1]", st.LastRejection.Reasons[0].Field)
		assert.Equal(t, "service_number_quota_exhausted", st.LastRejection.Reasons[0].Code)
		ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"})
	})

	st := ft.run()
	assert.Equal(t, filing.StageCancelled, st.Stage)
	assert.Equal(t, 1, ft.world.released, "the one number it held goes back")
}
