package filings

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/courier"
)

// Events turns the outside world's pushed events into filing updates. A
// refused event (already recorded, or about an old submission) is logged and
// dropped: the world repeats itself, and the workflow's polling covers
// anything lost.
type Events struct {
	Filings *Client
	Log     *slog.Logger
}

var (
	_ bureau.Listener  = (*Events)(nil)
	_ courier.Listener = (*Events)(nil)
)

// BureauStatusChanged implements bureau.Listener.
func (e *Events) BureauStatusChanged(ctx context.Context, st bureau.Status) error {
	id, err := filing.ParseID(st.FilingID)
	if err != nil {
		return e.ignored(ctx, st.FilingID, "bureau", err)
	}
	reasons := make([]filing.Reason, len(st.Reasons))
	for i, r := range st.Reasons {
		reasons[i] = filing.Reason{Code: r.Code, Message: r.Message}
	}
	var sent *time.Time
	if !st.SMSSentAt.IsZero() {
		sent = &st.SMSSentAt
	}
	switch st.State {
	case bureau.StateUnderReview:
		return e.outcome(ctx, id, filing.SMSVerification.Name, deliver(ctx, e.Filings, id, filing.SMSVerification,
			filing.SMSVerificationRequest{ReceiptID: st.ReceiptID, Outcome: filing.SMSVerified, CodeSentAt: sent}))
	case bureau.StateSMSReturned:
		return e.outcome(ctx, id, filing.SMSVerification.Name, deliver(ctx, e.Filings, id, filing.SMSVerification,
			filing.SMSVerificationRequest{ReceiptID: st.ReceiptID, Outcome: filing.SMSReturned, Reasons: reasons, CodeSentAt: sent}))
	case bureau.StateApproved, bureau.StateRejected:
		return e.outcome(ctx, id, filing.BureauDecision.Name, deliver(ctx, e.Filings, id, filing.BureauDecision,
			filing.BureauDecisionRequest{ReceiptID: st.ReceiptID, Approved: st.State == bureau.StateApproved,
				FilingNumber: st.FilingNumber, Reasons: reasons}))
	}
	return nil
}

// ShipmentChanged implements courier.Listener.
func (e *Events) ShipmentChanged(ctx context.Context, t courier.Tracking) error {
	if t.State != courier.StateDelivered {
		return nil
	}
	id, err := filing.ParseID(t.FilingID)
	if err != nil {
		return e.ignored(ctx, t.FilingID, "courier", err)
	}
	return e.outcome(ctx, id, filing.ShipmentDelivered.Name, deliver(ctx, e.Filings, id, filing.ShipmentDelivered,
		filing.ShipmentDeliveredRequest{TrackingNumber: t.TrackingNumber, DeliveredAt: t.DeliveredAt}))
}

func deliver[Req filing.Request](ctx context.Context, c *Client, id filing.ID, u filing.Update[Req], req Req) error {
	_, err := Act(ctx, c, id, u, "", req)
	return err
}

// outcome drops what the filing refused or can no longer take.
func (e *Events) outcome(ctx context.Context, id filing.ID, update string, err error) error {
	var refused *RefusedError
	if errors.As(err, &refused) || errors.Is(err, ErrClosed) || errors.Is(err, ErrNotFound) {
		e.Log.DebugContext(ctx, "outside event not applied", "filing_id", id, "update", update, "reason", err)
		return nil
	}
	return err
}

// ignored drops an event about no filing of ours: its filing ID is not one
// we minted, so it names no filing (and must not reach Temporal: invalid
// UTF-8 in a workflow ID fails the gRPC call itself, which would read as an
// outage; found by fuzzing the webhooks).
func (e *Events) ignored(ctx context.Context, raw, from string, err error) error {
	e.Log.DebugContext(ctx, "outside event for no filing of ours", "from", from, "reason", err, "filing_id_length", len(raw))
	return nil
}
