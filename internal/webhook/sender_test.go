package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/partner/partnertest"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
	"github.com/beianflow/beianflow/internal/webhook"
)

// clock is a fake clock for the sandboxes; the webhook timestamps use real
// time, as the sandbox's push does.
type clock struct{ t chan time.Time }

func newClock(t time.Time) *clock {
	c := &clock{t: make(chan time.Time, 1)}
	c.t <- t
	return c
}

func (c *clock) Now() time.Time {
	t := <-c.t
	c.t <- t
	return t
}

func (c *clock) Set(t time.Time) {
	<-c.t
	c.t <- t
}

func TestSandboxPushesSignedWebhooksOverHTTP(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		monday := time.Date(2026, 11, 2, 10, 0, 0, 0, calendar.China)
		clk := newClock(monday)
		bureauSB := bureau.NewSandbox(db, bureau.SandboxOptions{Now: clk.Now, Logger: quiet})
		courierSB := courier.NewSandbox(db, courier.SandboxOptions{Now: clk.Now, Logger: quiet})
		rc, err := bureauSB.Submit(ctx, bureau.Submission{
			IdempotencyKey: "f1/submission/1", FilingID: "f1", Province: "ZJ", SMSRequired: true,
			Application: filing.Application{Websites: []filing.Website{{Name: "博客"}}},
		})
		require.NoError(t, err)
		tr, err := courierSB.CreateShipment(ctx, courier.Shipment{
			IdempotencyKey: "backdrop/f1", FilingID: "f1",
			Recipient: filing.Person{Name: "李娜", Mobile: "13700137000"},
			Address:   filing.Address{Province: "ZJ", City: "杭州市", Detail: "文三路90号"},
		})
		require.NoError(t, err)

		// The first delivery fails (Temporal down); the sandbox pushes again.
		l := &listener{partnertest.Recorder[any]{FailFirst: 1}}
		srv := receiver(t, &webhook.Verifier{Secret: secret, Seen: webhook.NewDBStore(db)}, l)
		sender := &webhook.Sender{URL: srv.URL, Secret: secret, Client: srv.Client()}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 2)
		go func() { done <- bureauSB.Run(runCtx, sender, 5*time.Millisecond) }()
		go func() { done <- courierSB.Run(runCtx, sender, 5*time.Millisecond) }()
		t.Cleanup(func() {
			stop()
			assert.NoError(t, <-done)
			assert.NoError(t, <-done)
		})

		require.Eventually(t, func() bool { return l.delivered() == 2 }, 5*time.Second, time.Millisecond)
		assert.Equal(t, []bureau.State{bureau.StateSMSPending}, l.bureauStates())
		assert.Equal(t, []courier.TrackingState{courier.StateInTransit}, l.courierStates())

		// Four days later the review has decided and the parcel arrived.
		clk.Set(monday.AddDate(0, 0, 4))
		require.Eventually(t, func() bool { return l.delivered() == 4 }, 5*time.Second, time.Millisecond)
		assert.Equal(t, []bureau.State{bureau.StateSMSPending, bureau.StateApproved}, l.bureauStates(),
			"only the current state is pushed")
		assert.Equal(t, []courier.TrackingState{courier.StateInTransit, courier.StateDelivered}, l.courierStates())
		assert.Equal(t, rc.ReceiptID, l.statuses()[1].ReceiptID)
		assert.NotEmpty(t, l.statuses()[1].FilingNumber)
		assert.Equal(t, tr.TrackingNumber, l.trackings()[1].TrackingNumber)
		assert.False(t, l.trackings()[1].DeliveredAt.IsZero())
		// Recorded just after delivery, so perhaps a moment after the listener saw it.
		assert.Eventually(t, func() bool { return deliveries(t, db) == 4 }, 5*time.Second, time.Millisecond,
			"each delivered event recorded once")

		// Everything final was pushed: nothing more arrives.
		time.Sleep(50 * time.Millisecond)
		assert.Equal(t, 4, l.delivered())
	})
}

// The example of docs/protocol.md, so that the document stays right.
func TestSignMatchesTheProtocolExample(t *testing.T) {
	body := `{"receipt_id":"SBX-3f9a1c0d5e7b2a4c6d8e","filing_id":"01JBXKZ8Q3","state":"approved","sms_attempts_failed":0,` +
		`"filing_number":"浙ICP备26012345号-1","updated_at":"2026-11-05T02:10:00Z"}`
	assert.Equal(t, "sha256=1a3de6f2757cb8c2268adac787e9e7b615a40a26f0e9ec41052e17878397502d",
		webhook.Sign([]byte("example-secret"), 1793584800, "bureau-5d41402abc4b2a76b9719d911017c592", []byte(body)))

	// And the body is what bureau.Status encodes to.
	var st bureau.Status
	require.NoError(t, st.UnmarshalJSON([]byte(body)))
	again, err := st.MarshalJSON()
	require.NoError(t, err)
	assert.JSONEq(t, body, string(again))
}
