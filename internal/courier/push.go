package courier

import (
	"context"
	"time"

	"github.com/beianflow/beianflow/internal/partner"
)

// push is the courier's webhook as the sandbox plays it: a parcel whose
// delivery was pushed cannot change again.
var push = partner.Push[ShipmentRecord, Tracking, TrackingState, Listener]{
	Subject: "tracking", Order: "requested_at", Final: []TrackingState{StateDelivered},
	Pending: ShipmentRecord.pending, Deliver: Listener.ShipmentChanged,
}

// Run plays the courier's push: at once and then every interval (real time)
// it delivers to l the tracking of each shipment whose state changed since
// the last successful push, until ctx ends (then it returns nil). A failed
// push is logged and retried on the next tick. Only the current state is
// pushed, so a sandbox that was stopped for a while skips the states that
// passed meanwhile; callers poll to see everything.
func (sb *Sandbox) Run(ctx context.Context, l Listener, every time.Duration) error {
	return push.Run(ctx, sb.base, l, every)
}
