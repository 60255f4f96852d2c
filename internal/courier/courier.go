// Package courier ships the photo backdrop (幕布) that applicants stand in
// front of for the legacy photo verification, and tracks the parcel.
//
// [Courier] is what the rest of the system calls. The courier also pushes
// tracking changes to a [Listener]; pushes can be lost, so callers poll
// [Courier.Track] as well.
//
// # Sandbox
//
// [Sandbox] implements Courier for `make run` and the tests, with its state
// in the sandbox_shipments table so it survives restarts. It follows
// Tencent's published rule (domain brief §2.4): a request made before 16:00
// China time on a business day ships that day (at once, or at 09:00 if made
// before then), any other request ships at 09:00 on the next business day;
// the parcel is delivered DeliveryDays calendar days after shipping. The
// schedule is fixed when the shipment is created, driven by an injectable
// clock and compressed by a time scale: the shipment's own
// [Shipment.SandboxTimeScale] when it carries one, else
// [SandboxOptions.TimeScale];
// [Sandbox.Run] plays the courier's push to a Listener. Recipient and
// address are validated and then dropped: the table holds no personal data.
//
// # Over HTTP
//
// [HTTPClient] is the Courier that speaks the courier protocol of
// docs/protocol.md, with retries and idempotency keys; [NewSandboxServer]
// serves that protocol over a Sandbox, so `make run` crosses real HTTP.
package courier

import (
	"context"
	"errors"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// Shipment is one backdrop to mail.
type Shipment struct {
	// IdempotencyKey identifies the shipment: a call repeated with the same
	// key (an activity retry) returns the original tracking and never mails
	// a second backdrop.
	IdempotencyKey string
	// FilingID is beianflow's filing ID.
	FilingID string
	// Recipient is who receives the parcel: name and mobile are used.
	// Personal data: never log it.
	Recipient filing.Person
	// Address is the mainland delivery address. Personal data: never log
	// it.
	Address filing.Address
	// SandboxTimeScale is the filing's own time scale, a hint for the
	// sandbox: when positive, the sandbox compresses this shipment's
	// delays (pickup, delivery) by it instead of SandboxOptions.TimeScale;
	// 0 is no hint. It is honoured only by the sandbox; real partners never
	// see it (the clients send it only when it is set and not 1).
	SandboxTimeScale float64
}

// TrackingState is where a parcel is.
type TrackingState string

// Tracking states, in order.
const (
	// StateCreated: the order is taken, the parcel not yet picked up.
	StateCreated TrackingState = "created"
	// StateInTransit: the parcel left the warehouse.
	StateInTransit TrackingState = "in_transit"
	// StateDelivered: the recipient has the parcel; no change follows.
	StateDelivered TrackingState = "delivered"
)

// Tracking is the state of one shipment.
type Tracking struct {
	// TrackingNumber identifies the parcel, e.g. "SF" and 12 digits.
	TrackingNumber string
	// FilingID is the filing the backdrop is for.
	FilingID string
	// State is where the parcel is now.
	State TrackingState
	// ShippedAt and DeliveredAt are zero until the parcel ships and
	// arrives.
	ShippedAt, DeliveredAt time.Time
}

// Courier creates and tracks shipments. Implementations must be safe for
// concurrent use.
type Courier interface {
	// CreateShipment orders the shipment, or returns the tracking of the
	// earlier one with s.IdempotencyKey. It fails with ErrUndeliverable,
	// ErrInvalidShipment or ErrIdempotencyKeyReused for requests no retry
	// can fix; other errors are transient.
	CreateShipment(ctx context.Context, s Shipment) (Tracking, error)
	// Track returns the current tracking of a shipment, or
	// ErrUnknownShipment.
	Track(ctx context.Context, trackingNumber string) (Tracking, error)
}

// Listener receives the courier's pushed tracking changes. A push may be
// lost or repeated, so implementations must be idempotent and callers must
// poll too.
type Listener interface {
	// ShipmentChanged is told the new tracking; an error makes the courier
	// push it again later.
	ShipmentChanged(ctx context.Context, t Tracking) error
}

var (
	// ErrUnknownShipment is returned by Track for a tracking number the
	// courier does not know. Retrying does not help.
	ErrUnknownShipment = errors.New("courier: unknown shipment")
	// ErrUndeliverable is returned by CreateShipment for an address outside
	// the mainland or with missing fields, or a recipient without name or
	// mobile: a business rejection the applicant must fix. Retrying does
	// not help.
	ErrUndeliverable = errors.New("courier: undeliverable")
	// ErrInvalidShipment is returned by CreateShipment for a request without
	// idempotency key or filing ID, a caller bug. Retrying does not help.
	ErrInvalidShipment = errors.New("courier: invalid shipment")
	// ErrIdempotencyKeyReused is returned by CreateShipment when the key
	// already identifies another filing's shipment. Retrying does not help.
	ErrIdempotencyKeyReused = errors.New("courier: idempotency key already used for another filing")
)
