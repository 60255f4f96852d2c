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
	return deliver("bureau status", "receipt_id, filing_id and state",
		func(st bureau.Status) bool { return st.ReceiptID != "" && st.FilingID != "" && st.State != "" },
		func(ctx context.Context, st bureau.Status) error {
			if err := l.BureauStatusChanged(ctx, st); err != nil {
				return fmt.Errorf("webhook: deliver status %s of receipt %s: %w", st.State, st.ReceiptID, err)
			}
			return nil
		})
}

// DeliverCourier returns Handler's deliver func for the courier's webhook:
// it decodes the body as a courier.Tracking (the protocol's JSON form) and
// tells l, e.g. filings.Events.
func DeliverCourier(l courier.Listener) func(ctx context.Context, body []byte) error {
	return deliver("courier tracking", "tracking_number, filing_id and state",
		func(t courier.Tracking) bool { return t.TrackingNumber != "" && t.FilingID != "" && t.State != "" },
		func(ctx context.Context, t courier.Tracking) error {
			if err := l.ShipmentChanged(ctx, t); err != nil {
				return fmt.Errorf("webhook: deliver tracking %s of %s: %w", t.State, t.TrackingNumber, err)
			}
			return nil
		})
}

// deliver decodes a webhook's body as an E, what, refuses one without the
// fields complete checks (ErrBadPayload, naming needs), and tells it.
func deliver[E any](what, needs string, complete func(E) bool, tell func(context.Context, E) error) func(ctx context.Context, body []byte) error {
	return func(ctx context.Context, body []byte) error {
		var e E
		// The decoder's message may quote a value from the body: leave it out.
		if json.Unmarshal(body, &e) != nil {
			return fmt.Errorf("%w: body is not a %s in JSON", ErrBadPayload, what)
		}
		if !complete(e) {
			return fmt.Errorf("%w: %s needs %s", ErrBadPayload, what, needs)
		}
		return tell(ctx, e)
	}
}
