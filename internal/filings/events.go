package filings

import (
	"context"
	"errors"
	"log/slog"

	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/workflows"
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
	reasons := make([]workflows.Reason, len(st.Reasons))
	for i, r := range st.Reasons {
		reasons[i] = workflows.Reason{Code: r.Code, Message: r.Message}
	}
	switch st.State {
	case bureau.StateUnderReview:
		return e.deliver(ctx, st.FilingID, workflows.UpdateSMSVerification,
			workflows.SMSVerificationRequest{ReceiptID: st.ReceiptID, Outcome: workflows.SMSVerified})
	case bureau.StateSMSReturned:
		return e.deliver(ctx, st.FilingID, workflows.UpdateSMSVerification,
			workflows.SMSVerificationRequest{ReceiptID: st.ReceiptID, Outcome: workflows.SMSReturned, Reasons: reasons})
	case bureau.StateApproved, bureau.StateRejected:
		return e.deliver(ctx, st.FilingID, workflows.UpdateBureauDecision, workflows.BureauDecisionRequest{
			ReceiptID: st.ReceiptID, Approved: st.State == bureau.StateApproved,
			FilingNumber: st.FilingNumber, Reasons: reasons,
		})
	}
	return nil
}

// ShipmentChanged implements courier.Listener.
func (e *Events) ShipmentChanged(ctx context.Context, t courier.Tracking) error {
	if t.State != courier.StateDelivered {
		return nil
	}
	return e.deliver(ctx, t.FilingID, workflows.UpdateShipmentDelivered,
		workflows.ShipmentDeliveredRequest{TrackingNumber: t.TrackingNumber, DeliveredAt: t.DeliveredAt})
}

func (e *Events) deliver(ctx context.Context, filingID, update string, arg any) error {
	_, err := e.Filings.Act(ctx, filingID, update, "", arg)
	var refused *RefusedError
	if errors.As(err, &refused) || errors.Is(err, ErrClosed) || errors.Is(err, ErrNotFound) {
		e.Log.DebugContext(ctx, "outside event not applied", "filing_id", filingID, "update", update, "reason", err)
		return nil
	}
	return err
}
