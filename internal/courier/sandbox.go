package courier

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/internal/partner"
	"github.com/beianflow/beianflow/internal/store"
)

// SandboxOptions configures a Sandbox. Zero fields take their defaults.
type SandboxOptions struct {
	// Now is the clock; default time.Now. Tests pass a fake clock.
	Now func() time.Time
	// TimeScale compresses every sandbox delay: each is divided by it.
	// 1 (the default, also for zero, negative or NaN) is real time; 1440
	// lets one real minute stand for one day. A shipment that carries its
	// own Shipment.SandboxTimeScale is compressed by that instead.
	TimeScale float64
	// DeliveryDays is how many calendar days after shipping the parcel
	// arrives, before scaling; default (also for zero or negative) 2.
	DeliveryDays int
	// Logger receives the sandbox's log lines; default slog.Default().
	Logger *slog.Logger
}

// Sandbox is a Courier that plays the courier locally; see the package
// documentation for its behaviour. It is safe for concurrent use, also by
// several processes over one database.
type Sandbox struct {
	base *partner.Sandbox[ShipmentRecord]
	opts SandboxOptions
}

var _ Courier = (*Sandbox)(nil)

// names are how the sandbox courier names itself and its shipments.
var names = partner.Names{Service: "courier", Party: "courier", Noun: "shipment", Collection: "/shipments", Ref: "tracking_number"}

// NewSandbox returns a sandbox courier over db, which must be migrated.
func NewSandbox(db *store.DB, opts SandboxOptions) *Sandbox {
	opts.DeliveryDays = opts.deliveryDays()
	return &Sandbox{base: partner.New[ShipmentRecord](names, db, opts.Now, opts.TimeScale, opts.Logger), opts: opts}
}

// ShipmentRecord is a row of sandbox_shipments: one shipment and the
// schedule the sandbox fixed for it on creation. It holds no personal data.
// The time scale the schedule was compressed by (the shipment's hint or
// SandboxOptions.TimeScale) needs no column: the row holds the scheduled
// instants themselves, so a restarted sandbox, whatever its options, keeps
// the course fixed on creation.
type ShipmentRecord struct {
	IdempotencyKey string    `gorm:"column:idempotency_key;primaryKey"`
	TrackingNumber string    `gorm:"column:tracking_number"`
	FilingID       string    `gorm:"column:filing_id"`
	RequestedAt    time.Time `gorm:"column:requested_at"`
	// ShippedAt and DeliveredAt are scheduled; Track reports each once it
	// has passed.
	ShippedAt   time.Time `gorm:"column:shipped_at"`
	DeliveredAt time.Time `gorm:"column:delivered_at"`
	// LastPushedState is the state last delivered to a Listener by Run.
	LastPushedState TrackingState `gorm:"column:last_pushed_state"`
}

// TableName tells GORM the table; it is created by store's migrations, not
// by GORM.
func (ShipmentRecord) TableName() string { return "sandbox_shipments" }

// dispatch is when the warehouse hands parcels to the courier on business
// days: from the 09:00 morning run until the 16:00 cut-off.
var dispatch = calendar.Window{Open: 9 * time.Hour, Close: 16 * time.Hour}

// CreateShipment validates the shipment and schedules it, or returns the
// tracking of the shipment already created under s.IdempotencyKey.
func (sb *Sandbox) CreateShipment(ctx context.Context, s Shipment) (Tracking, error) {
	t, _, err := sb.createShipment(ctx, s)
	return t, err
}

// createShipment is CreateShipment that also reports whether this call
// created the shipment, so that the HTTP server can tell 201 from 200.
func (sb *Sandbox) createShipment(ctx context.Context, s Shipment) (Tracking, bool, error) {
	if err := validate(s); err != nil {
		return Tracking{}, false, err
	}
	created := false
	rec, err := sb.base.ByKey(ctx, s.IdempotencyKey)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		scale := sb.base.TimeScale(s.SandboxTimeScale)
		fresh := sb.schedule(s, sb.base.Now(), scale)
		// Nothing is written on a conflict, then the row is re-read: when
		// calls with one key race, exactly one row is written and every
		// caller returns it.
		if created, err = sb.base.Insert(ctx, &fresh); err != nil {
			return Tracking{}, false, fmt.Errorf("courier: ship for filing %s: %w", s.FilingID, err)
		}
		if created {
			sb.base.Logger().InfoContext(ctx, "courier sandbox: backdrop shipment created",
				"filing_id", fresh.FilingID, "tracking_number", fresh.TrackingNumber,
				"ships_at", fresh.ShippedAt, "delivers_at", fresh.DeliveredAt, "time_scale", scale)
		}
		rec, err = sb.base.ByKey(ctx, s.IdempotencyKey)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			// Only another key hashing to the same tracking number gets here.
			return Tracking{}, false, fmt.Errorf("courier: ship for filing %s: tracking number %s is taken", s.FilingID, fresh.TrackingNumber)
		}
	}
	if err != nil {
		return Tracking{}, false, fmt.Errorf("courier: ship for filing %s: %w", s.FilingID, err)
	}
	if rec.FilingID != s.FilingID {
		return Tracking{}, false, fmt.Errorf("courier: ship for filing %s: %w", s.FilingID, ErrIdempotencyKeyReused)
	}
	return rec.trackingAt(sb.base.Now()), created, nil
}

// Track computes the shipment's state from its row and the clock, so a poll
// sees the truth even when a push was lost.
func (sb *Sandbox) Track(ctx context.Context, trackingNumber string) (Tracking, error) {
	rec, err := sb.base.ByRef(ctx, trackingNumber, ErrUnknownShipment)
	if err != nil {
		return Tracking{}, fmt.Errorf("courier: track %s: %w", trackingNumber, err)
	}
	return rec.trackingAt(sb.base.Now()), nil
}

// schedule fixes when the parcel ships and arrives, every wait compressed
// by scale. The business-day rule is evaluated on the real calendar and
// only the resulting wait is compressed, so a compressed run still shows
// the weekend and holiday effects.
func (sb *Sandbox) schedule(s Shipment, now time.Time, scale float64) ShipmentRecord {
	shipped, delivered := sb.opts.Schedule(now, scale)
	return ShipmentRecord{
		IdempotencyKey: s.IdempotencyKey,
		TrackingNumber: trackingNumber(s.IdempotencyKey),
		FilingID:       s.FilingID,
		RequestedAt:    now,
		ShippedAt:      shipped,
		DeliveredAt:    delivered,
	}
}

// Schedule is when a sandbox parcel ordered at now ships (the next pickup
// window) and arrives (DeliveryDays later), every wait compressed by
// scale. The sandbox fixes shipments by it; `make demo` uses it to know
// how long the courier should take.
func (o SandboxOptions) Schedule(now time.Time, scale float64) (shipped, delivered time.Time) {
	// The flag for dates beyond the loaded holiday data is ignored: a
	// sandbox parcel a day off is harmless.
	pickup, _ := calendar.Default().NextWindowOpen(now, dispatch)
	shipped = partner.Scaled(now, pickup, scale)
	return shipped, partner.Scaled(shipped, shipped.AddDate(0, 0, o.deliveryDays()), scale)
}

func (o SandboxOptions) deliveryDays() int {
	if o.DeliveryDays <= 0 {
		return 2
	}
	return o.DeliveryDays
}

// trackingAt is the shipment's tracking at now, read off its schedule.
func (r ShipmentRecord) trackingAt(now time.Time) Tracking {
	t := Tracking{TrackingNumber: r.TrackingNumber, FilingID: r.FilingID, State: StateCreated}
	if !now.Before(r.ShippedAt) {
		t.State, t.ShippedAt = StateInTransit, r.ShippedAt.UTC()
	}
	if !now.Before(r.DeliveredAt) {
		t.State, t.DeliveredAt = StateDelivered, r.DeliveredAt.UTC()
	}
	return t
}

// pending is what the push loop needs of the shipment at now.
func (r ShipmentRecord) pending(now time.Time) partner.Pending[Tracking, TrackingState] {
	t := r.trackingAt(now)
	return partner.Pending[Tracking, TrackingState]{Event: t, State: t.State, Pushed: r.LastPushedState, Key: r.IdempotencyKey, FilingID: r.FilingID, Ref: r.TrackingNumber}
}

// validate refuses what a courier would refuse. Messages and reason codes
// name the missing fields, never their values: they are personal data.
func validate(s Shipment) error {
	switch {
	case s.IdempotencyKey == "":
		return fmt.Errorf("%w: idempotency key is required", ErrInvalidShipment)
	case s.FilingID == "":
		return fmt.Errorf("%w: filing ID is required", ErrInvalidShipment)
	}
	if reasons := undeliverable(s); len(reasons) > 0 {
		return &UndeliverableError{FilingID: s.FilingID, Reasons: reasons}
	}
	return nil
}

// trackingNumber derives "SF" and 12 digits from the idempotency key, so
// concurrent calls with one key compute the same number.
func trackingNumber(key string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte("courier-tracking:" + key))
	return fmt.Sprintf("SF%012d", h.Sum64()%1_000_000_000_000)
}

// Shipments returns the filing's shipments in creation order, for tests.
func (sb *Sandbox) Shipments(ctx context.Context, filingID string) ([]ShipmentRecord, error) {
	recs, err := sb.base.OfFiling(ctx, filingID, "requested_at, idempotency_key")
	if err != nil {
		return nil, fmt.Errorf("courier: shipments of filing %s: %w", filingID, err)
	}
	return recs, nil
}
