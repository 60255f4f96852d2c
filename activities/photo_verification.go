package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/beianflow/beianflow/internal/faults"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/store"
)

// ErrTypeUndeliverable marks a backdrop the courier cannot deliver to the
// given address.
const ErrTypeUndeliverable = "Undeliverable"

// ShipBackdropRequest references the stored mailing address.
type ShipBackdropRequest struct {
	FilingID          filing.ID `json:"filing_id"`
	AddressRevisionID string    `json:"address_revision_id"`
	// TimeScale is the filing's own time scale when it is not 1 (0
	// otherwise, and then left out, so a production filing's input is as
	// before): a hint for the sandbox courier, which a real courier never
	// sees (courier.Shipment.SandboxTimeScale).
	TimeScale float64 `json:"time_scale,omitempty"`
}

// ShipmentTracking is what the workflow records of a shipment.
type ShipmentTracking struct {
	TrackingNumber string    `json:"tracking_number"`
	ShippedAt      time.Time `json:"shipped_at"`
	Delivered      bool      `json:"delivered"`
	DeliveredAt    time.Time `json:"delivered_at"`
}

// ShipBackdrop mails the backdrop (幕布) once per filing: the idempotency key
// is the filing, so a retried activity, or a crash after the courier
// accepted the order, never ships a second one.
func (a *Activities) ShipBackdrop(ctx context.Context, r ShipBackdropRequest) (ShipmentTracking, error) {
	var to filing.MailingAddress
	if err := a.Applications.Load(ctx, r.FilingID, r.AddressRevisionID, store.KindMailingAddress, "", &to); err != nil {
		return ShipmentTracking{}, fmt.Errorf("ship backdrop for filing %s: %w", r.FilingID, err)
	}
	t, err := a.Courier.CreateShipment(ctx, courier.Shipment{
		IdempotencyKey:   "backdrop/" + string(r.FilingID),
		FilingID:         string(r.FilingID),
		Recipient:        to.Recipient,
		Address:          to.Address,
		SandboxTimeScale: r.TimeScale,
	})
	if errors.Is(err, courier.ErrUndeliverable) {
		code := "address_undeliverable"
		var u *courier.UndeliverableError
		if errors.As(err, &u) && len(u.Reasons) > 0 {
			code = u.Reasons[0] // e.g. address_not_mainland: what to fix
		}
		return ShipmentTracking{}, reject(ErrTypeUndeliverable, code, "the courier cannot deliver to this address: "+code, nil)
	}
	if err != nil {
		return ShipmentTracking{}, fmt.Errorf("ship backdrop for filing %s: %w", r.FilingID, err)
	}
	faults.Point(faults.AfterShipment)
	return tracking(t), nil
}

// TrackBackdrop asks the courier where the backdrop is.
func (a *Activities) TrackBackdrop(ctx context.Context, trackingNumber string) (ShipmentTracking, error) {
	t, err := a.Courier.Track(ctx, trackingNumber)
	if err != nil {
		return ShipmentTracking{}, fmt.Errorf("track backdrop %s: %w", trackingNumber, err)
	}
	return tracking(t), nil
}

func tracking(t courier.Tracking) ShipmentTracking {
	return ShipmentTracking{
		TrackingNumber: t.TrackingNumber,
		ShippedAt:      t.ShippedAt,
		Delivered:      t.State == courier.StateDelivered,
		DeliveredAt:    t.DeliveredAt,
	}
}
