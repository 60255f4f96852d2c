package activities

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/internal/faults"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/rules"
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

// PersonsRequest names the application revision whose responsible persons
// are to be verified.
type PersonsRequest struct {
	FilingID   filing.ID `json:"filing_id"`
	RevisionID string    `json:"revision_id"`
	Digest     string    `json:"digest"`
}

// ResponsiblePersons lists the distinct website responsible persons of an
// application revision, each under a keyed hash of their identity document
// and name, with the websites they answer for. The workflow compares the
// keys with those already verified: a person who replaced another is a new
// key, one whose phone number changed is not.
func (a *Activities) ResponsiblePersons(ctx context.Context, r PersonsRequest) ([]filing.PersonVerification, error) {
	var app filing.Application
	if err := a.Applications.Load(ctx, r.FilingID, r.RevisionID, store.KindApplication, r.Digest, &app); err != nil {
		return nil, fmt.Errorf("responsible persons of filing %s: %w", r.FilingID, err)
	}
	return a.responsiblePersons(r.FilingID, app), nil
}

// responsiblePersons is ResponsiblePersons of a loaded application.
func (a *Activities) responsiblePersons(id filing.ID, app filing.Application) []filing.PersonVerification {
	var out []filing.PersonVerification
	at := map[string]int{}
	for i, w := range app.Websites {
		key := a.personKey(id, app.ResponsibleOf(i))
		domain := w.Domain
		if d, err := rules.ParseDomain(w.Domain); err == nil {
			domain = d.ASCII
		}
		if j, ok := at[key]; ok {
			out[j].Websites = append(out[j].Websites, domain)
			continue
		}
		at[key] = len(out)
		out = append(out, filing.PersonVerification{Person: key, Websites: []string{domain}})
	}
	return out
}

// personKey names a person within one filing: keyed, so the key cannot be
// reversed by enumerating ID numbers, and salted with the filing, so two
// filings' keys for one person cannot be linked.
func (a *Activities) personKey(id filing.ID, p filing.Person) string {
	m := hmac.New(sha256.New, a.IdentitySecret)
	m.Write([]byte(string(id) + "|" + string(p.IDType) + "|" + strings.ToUpper(strings.TrimSpace(p.IDNumber)) + "|" + strings.TrimSpace(p.Name)))
	return "rp-" + hex.EncodeToString(m.Sum(nil)[:8])
}
