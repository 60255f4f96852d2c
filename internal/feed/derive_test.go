package feed_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/feed"
)

var t0 = time.Date(2026, 11, 3, 8, 1, 0, 0, time.UTC)

func row(rev int64, stage filing.Stage, step filing.Step, on filing.Party) filing.Row {
	deadline := t0.Add(72 * time.Hour)
	return filing.Row{Identity: filing.Identity{FilingID: "f-1", AccountID: "acc-1"}, Stage: stage, Step: step, WaitingOn: on,
		Since: &t0, Deadline: &deadline, Revision: rev, UpdatedAt: t0}
}

func types(ds []feed.Draft) []filing.EventType {
	out := make([]filing.EventType, len(ds))
	for i, d := range ds {
		out[i] = d.Type
	}
	return out
}

func TestTheWorkflowsFirstWriteAnnouncesTheFilingAndWhatItWaitsFor(t *testing.T) {
	created := row(0, filing.StageProductVerification, "", "") // the API's row at creation
	first := row(1, filing.StageInformation, filing.StepEditing, filing.PartyApplicant)
	ds := feed.Derive(&created, first, true, nil)
	assert.Equal(t, []filing.EventType{filing.EventCreated, filing.EventStageChanged, filing.EventWaiting}, types(ds))
	w := ds[2].Data.(filing.Waiting)
	assert.Equal(t, filing.PartyApplicant, w.WaitingOn)
	assert.Equal(t, filing.StepEditing, w.Step)
	assert.Equal(t, t0.Add(72*time.Hour), *w.Deadline)
}

func TestARejectionIsAnnouncedWithItsCodesBetweenTheStageChangeAndTheWaitItLeadsTo(t *testing.T) {
	prev := row(4, filing.StageInitialReview, filing.StepAwaitingReviewer, filing.PartyReviewer)
	next := row(5, filing.StageInformation, filing.StepEditing, filing.PartyApplicant)
	ds := feed.Derive(&prev, next, true, []feed.Note{{Event: "initial_review_rejected", Seq: 3,
		Rejected: &filing.Rejected{By: "reviewer", Reasons: []filing.ReasonRef{{Field: "websites[0].name", Code: "name_mismatch"}}}}})
	require.Equal(t, []filing.EventType{filing.EventStageChanged, filing.EventRejected, filing.EventWaiting}, types(ds))
	b, err := json.Marshal(ds[1].Data)
	require.NoError(t, err)
	assert.JSONEq(t, `{"by":"reviewer","reasons":[{"field":"websites[0].name","code":"name_mismatch"}]}`, string(b))
	assert.Equal(t, filing.StageMove{From: filing.StageInitialReview, To: filing.StageInformation}, ds[0].Data)
}

func TestApprovalCarriesTheFilingNumberAndAnEndedFilingWaitsForNobody(t *testing.T) {
	prev := row(9, filing.StageBureauReview, filing.StepAwaitingDecision, filing.PartyBureau)
	next := row(10, filing.StageApproved, "", "")
	ds := feed.Derive(&prev, next, true, []feed.Note{{Event: "bureau_approved", Seq: 8, Params: map[string]string{"filing_number": "浙ICP备26000001号-1"}}})
	assert.Equal(t, []filing.EventType{filing.EventStageChanged, filing.EventApproved}, types(ds))
	assert.Equal(t, filing.Approved{FilingNumber: "浙ICP备26000001号-1"}, ds[1].Data)
}

func TestARetriedWriteAnnouncesOnlyItsNotificationsWhichDedupeByTheirNumber(t *testing.T) {
	prev := row(5, filing.StageInformation, filing.StepEditing, filing.PartyApplicant)
	again := feed.Derive(&prev, prev, false, []feed.Note{{Event: "backdrop_shipped", Seq: 4, Params: map[string]string{"tracking_number": "SF1234567890"}}})
	require.Equal(t, []filing.EventType{filing.EventBackdropShipped}, types(again))
	assert.Equal(t, struct{}{}, again[0].Data, "the tracking number is not passed on")
	first := feed.Derive(&prev, prev, false, []feed.Note{{Event: "backdrop_shipped", Seq: 4}})
	assert.Equal(t, feed.EventID("f-1", first[0].Key), feed.EventID("f-1", again[0].Key))
	assert.NotEqual(t, feed.EventID("f-1", first[0].Key), feed.EventID("f-2", first[0].Key))
}

func TestARowWrittenAsAStageBeginsAnnouncesTheStageButNoWaitYet(t *testing.T) {
	prev := row(6, filing.StageInitialReview, filing.StepAwaitingReviewer, filing.PartyReviewer)
	entering := row(7, filing.StagePhotoVerification, filing.StepNone, filing.PartyReviewer)
	assert.Equal(t, []filing.EventType{filing.EventStageChanged}, types(feed.Derive(&prev, entering, true, nil)))
}

func TestNotificationsOnlyTheApplicantNeedsAnnounceNothing(t *testing.T) {
	prev := row(5, filing.StageSMSVerification, filing.StepAwaitingSMS, filing.PartyApplicant)
	assert.Empty(t, feed.Derive(&prev, prev, false, []feed.Note{{Event: "some_future_reminder", Seq: 9}}))
}
