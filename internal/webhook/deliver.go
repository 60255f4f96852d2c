package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/courier"
)

// ErrBadPayload is wrapped by a deliver func when the body is not the
// event it expects; Handler answers 400, which tells the sender that
// redelivering the same body will not help.
var ErrBadPayload = errors.New("webhook: unreadable payload")

// DeliverBureau returns Handler's deliver func for the bureau's webhook:
// it decodes the body as a bureau.Status (the protocol's JSON form) and
// tells l, e.g. filings.Events. An error of l is returned as is, for
// Handler to answer 503 and the bureau to push again.
func DeliverBureau(l bureau.Listener) func(ctx context.Context, body []byte) error {
	return func(ctx context.Context, body []byte) error {
		var st bureau.Status
		// The decoder's message may quote a value from the body: leave it out.
		if json.Unmarshal(body, &st) != nil {
			return fmt.Errorf("%w: body is not a bureau status in JSON", ErrBadPayload)
		}
		if st.ReceiptID == "" || st.FilingID == "" || st.State == "" {
			return fmt.Errorf("%w: bureau status needs receipt_id, filing_id and state", ErrBadPayload)
		}
		if err := l.BureauStatusChanged(ctx, st); err != nil {
			return fmt.Errorf("webhook: deliver status %s of receipt %s: %w", st.State, st.ReceiptID, err)
		}
		return nil
	}
}

// DeliverCourier returns Handler's deliver func for the courier's webhook:
// it decodes the body as a courier.Tracking (the protocol's JSON form) and
// tells l, e.g. filings.Events.
func DeliverCourier(l courier.Listener) func(ctx context.Context, body []byte) error {
	return func(ctx context.Context, body []byte) error {
		var t courier.Tracking
		if json.Unmarshal(body, &t) != nil {
			return fmt.Errorf("%w: body is not a courier tracking in JSON", ErrBadPayload)
		}
		if t.TrackingNumber == "" || t.FilingID == "" || t.State == "" {
			return fmt.Errorf("%w: courier tracking needs tracking_number, filing_id and state", ErrBadPayload)
		}
		if err := l.ShipmentChanged(ctx, t); err != nil {
			return fmt.Errorf("webhook: deliver tracking %s of %s: %w", t.State, t.TrackingNumber, err)
		}
		return nil
	}
}
