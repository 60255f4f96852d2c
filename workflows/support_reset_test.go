package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
)

// After a support reset the new run's history stops where the old run had
// gone on from: its audit entries and read-model revisions are already in
// the database. The notice moves the numbering above them, the reset is
// audited with who did it and why, and the read model is rewritten at once
// even though the filing stays in the wait it was reset into.
func TestFilingResetBySupportNumbersAboveTheOldRunAndAuditsWhoAndWhy(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	var beforeReset int
	ft.at(monday.Add(10*time.Minute), func() {
		ft.world.mu.Lock()
		beforeReset = len(ft.world.rows)
		ft.world.mu.Unlock()
		ft.env.SignalWorkflow(filing.SignalSupportReset, filing.ResetNotice{
			Actor: "support:k1", ToStage: filing.StageInformation, EventID: 42, Reason: "bureau asked for the form again",
			AuditBase: 1_000_000, RevisionBase: 2_000_000,
		})
	})
	ft.at(monday.Add(20*time.Minute), func() {
		ft.world.mu.Lock()
		rows := ft.world.rows[beforeReset:]
		ft.world.mu.Unlock()
		if assert.Len(t, rows, 1, "one read-model write right after the reset") {
			assert.Equal(t, int64(2_000_001), rows[0].Revision)
			assert.Equal(t, filing.StageInformation, rows[0].Stage)
		}
	})
	ft.at(monday.Add(30*time.Minute), func() { ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"}) })
	st := ft.run()
	require.Equal(t, filing.StageCancelled, st.Stage)
	assert.Greater(t, st.Revision, int64(2_000_001), "revisions go on above the base")

	var reset *int
	for i, e := range ft.world.audit {
		if e.Action == "reset" {
			reset = &i
		}
	}
	require.NotNil(t, reset, "the reset is in the audit trail")
	e := ft.world.audit[*reset]
	assert.Equal(t, int64(1_000_001), e.Seq)
	assert.Equal(t, "support:k1", e.Actor)
	assert.Equal(t, "to information (history event 42): bureau asked for the form again", e.Detail)
	for i, later := range ft.world.audit[*reset+1:] {
		assert.Equal(t, int64(1_000_002+i), later.Seq, "entries after the reset follow it without gaps")
	}
	for _, earlier := range ft.world.audit[:*reset] {
		assert.Less(t, earlier.Seq, int64(1_000_000))
	}
}

// Outside events delivered by hand name the support key in the audit
// trail, with the partner they stand in for.
func TestCourierEventDeliveredByHandIsAuditedAsTheSupportKey(t *testing.T) {
	ft := newFilingTest(t, "ZJ", monday)
	ft.fillAndSubmit(monday.Add(10 * time.Minute))
	ft.at(monday.Add(time.Hour), func() { ft.act(filing.InitialReviewDecision.Name, approve) })
	ft.at(monday.Add(2*time.Hour), func() { ft.act(filing.SetMailingAddress.Name, mailing) })
	ft.at(monday.Add(3*time.Hour), func() {
		ft.act(filing.ShipmentDelivered.Name, filing.ShipmentDeliveredRequest{
			TrackingNumber: "SF000000000001", DeliveredAt: monday.Add(3 * time.Hour), ByHand: filing.ByHand{DeliveredBy: "support:k9"}})
	})
	ft.at(monday.Add(4*time.Hour), func() { ft.act(filing.Cancel.Name, filing.CancelRequest{Reason: "user_request"}) })
	ft.run()
	var found bool
	for _, e := range ft.world.audit {
		if e.Action == filing.ShipmentDelivered.Name {
			found = true
			assert.Equal(t, "support:k9", e.Actor)
			assert.Equal(t, "for the courier: SF000000000001", e.Detail)
		}
	}
	assert.True(t, found, "the delivery is audited")
}
