package courier

import (
	"encoding/json"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// The JSON forms of the courier protocol (docs/protocol.md). They are kept
// apart from the Go types so that renaming a field in Go never changes what
// goes over the wire, and so that the idempotency key travels only in its
// header.

// shipmentBody is the body of POST /shipments. Of the recipient only name
// and mobile go out: the courier needs no more of the applicant's data.
type shipmentBody struct {
	FilingID  string         `json:"filing_id"`
	Recipient recipientBody  `json:"recipient"`
	Address   filing.Address `json:"address"`
}

type recipientBody struct {
	Name   string `json:"name"`
	Mobile string `json:"mobile"`
}

func toShipmentBody(s Shipment) shipmentBody {
	return shipmentBody{
		FilingID:  s.FilingID,
		Recipient: recipientBody{Name: s.Recipient.Name, Mobile: s.Recipient.Mobile},
		Address:   s.Address,
	}
}

func (b shipmentBody) shipment(key string) Shipment {
	return Shipment{
		IdempotencyKey: key,
		FilingID:       b.FilingID,
		Recipient:      filing.Person{Name: b.Recipient.Name, Mobile: b.Recipient.Mobile},
		Address:        b.Address,
	}
}

// trackingBody is a Tracking on the wire: the answer to POST /shipments
// and GET /shipments/{tracking_number}, and the body of the courier's
// webhook. Times not yet reached are left out.
type trackingBody struct {
	TrackingNumber string        `json:"tracking_number"`
	FilingID       string        `json:"filing_id"`
	State          TrackingState `json:"state"`
	ShippedAt      time.Time     `json:"shipped_at,omitzero"`
	DeliveredAt    time.Time     `json:"delivered_at,omitzero"`
}

// MarshalJSON encodes the tracking in the protocol's form.
func (t Tracking) MarshalJSON() ([]byte, error) {
	return json.Marshal(trackingBody(t))
}

// UnmarshalJSON decodes the protocol's form. Unknown fields are ignored so
// that the courier may add some; checking that the required ones are there
// is the receiver's job.
func (t *Tracking) UnmarshalJSON(data []byte) error {
	var b trackingBody
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	*t = Tracking(b)
	return nil
}

// Error codes of the protocol beyond the ones every partner answers
// (partner.Code…).
const (
	codeInvalidShipment = "invalid_shipment"
	codeUndeliverable   = "undeliverable"
	codeUnknownShipment = "unknown_shipment"
)
