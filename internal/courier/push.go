package courier

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Run plays the courier's push: at once and then every interval (real time)
// it delivers to l the tracking of each shipment whose state changed since
// the last successful push, until ctx ends (then it returns nil). A failed
// push is logged and retried on the next tick. Only the current state is
// pushed, so a sandbox that was stopped for a while skips the states that
// passed meanwhile; callers poll to see everything.
func (sb *Sandbox) Run(ctx context.Context, l Listener, every time.Duration) error {
	if l == nil || every <= 0 {
		return fmt.Errorf("courier: run sandbox push: need a listener and a positive interval, got %v", every)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		sb.pushChanges(ctx, l)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// pushChanges is one scan. Errors are logged, not returned: the next tick
// retries, and a database outage must not end the loop.
func (sb *Sandbox) pushChanges(ctx context.Context, l Listener) {
	log := sb.opts.Logger
	var recs []ShipmentRecord
	// A delivered parcel whose delivery was pushed cannot change again.
	err := sb.db.Gorm.WithContext(ctx).Where("last_pushed_state <> ?", StateDelivered).
		Order("requested_at").Find(&recs).Error
	if err != nil {
		if ctx.Err() == nil {
			log.WarnContext(ctx, "courier sandbox: scan for tracking changes failed; retrying on the next tick", "err", err)
		}
		return
	}
	now := sb.now()
	for _, r := range recs {
		if ctx.Err() != nil {
			return
		}
		t := r.trackingAt(now)
		if t.State == r.LastPushedState {
			continue
		}
		if err := l.ShipmentChanged(ctx, t); err != nil {
			if !errors.Is(err, context.Canceled) {
				log.WarnContext(ctx, "courier sandbox: push failed; retrying on the next tick",
					"filing_id", r.FilingID, "tracking_number", r.TrackingNumber, "state", t.State, "err", err)
			}
			continue
		}
		// Record the delivered push even if ctx ends now, or a restarted
		// sandbox repeats it. Compare-and-set: if another loop over the same
		// database recorded a push meanwhile, leave its record alone.
		recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err := sb.db.Gorm.WithContext(recordCtx).Model(&ShipmentRecord{}).
			Where("idempotency_key = ? AND last_pushed_state = ?", r.IdempotencyKey, r.LastPushedState).
			Update("last_pushed_state", t.State).Error
		cancel()
		if err != nil {
			log.WarnContext(ctx, "courier sandbox: recording a push failed; it will be pushed again",
				"filing_id", r.FilingID, "tracking_number", r.TrackingNumber, "state", t.State, "err", err)
		}
	}
}
