package partner

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Pending is what the push loop needs of one record at a time: the event
// it shows then and what identifies it.
type Pending[E any, S ~string] struct {
	// Event is what the listener is told, in State.
	Event E
	State S
	// Pushed is the state last delivered to a listener.
	Pushed S
	// Key is the record's idempotency key; FilingID and Ref (the value of
	// Names.Ref) go into log lines.
	Key, FilingID, Ref string
}

// Push describes a sandbox's push of events E to listeners L: the
// partner's webhook, played by Run.
type Push[R, E any, S ~string, L any] struct {
	// Subject is what an event carries, for log lines, e.g. "status".
	Subject string
	// Order is the column the scan goes by, oldest first.
	Order string
	// Final lists the states after which a record cannot change; a record
	// whose final state was pushed is no longer read.
	Final []S
	// Pending reads a record at now.
	Pending func(rec R, now time.Time) Pending[E, S]
	// Deliver tells l the event, e.g. Listener.BureauStatusChanged.
	Deliver func(l L, ctx context.Context, e E) error
}

// Run plays the partner's push: at once and then every interval (real
// time) it delivers to l the event of each record whose state changed
// since the last successful push, until ctx ends (then it returns nil). A
// failed push is logged and retried on the next tick. Only the current
// state is pushed, so a sandbox that was stopped for a while skips the
// states that passed meanwhile, as a real push may; callers poll to see
// everything.
func (p Push[R, E, S, L]) Run(ctx context.Context, sb *Sandbox[R], l L, every time.Duration) error {
	// L is an interface type: a nil listener is a nil interface value.
	if any(l) == nil || every <= 0 {
		return fmt.Errorf("%s: run sandbox push: need a listener and a positive interval, got %v", sb.names.Service, every)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		p.pushChanges(ctx, sb, l)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// pushChanges is one scan. Errors are logged, not returned: the next tick
// retries, and a database outage must not end the loop.
func (p Push[R, E, S, L]) pushChanges(ctx context.Context, sb *Sandbox[R], l L) {
	log, service, ref := sb.logger, sb.names.Service, sb.names.Ref
	var recs []R
	// A record whose final state was pushed cannot change again.
	err := sb.db.Gorm.WithContext(ctx).Where("last_pushed_state NOT IN ?", p.Final).Order(p.Order).Find(&recs).Error
	if err != nil {
		if ctx.Err() == nil {
			log.WarnContext(ctx, service+" sandbox: scan for "+p.Subject+" changes failed; retrying on the next tick", "err", err)
		}
		return
	}
	now := sb.Now()
	for _, rec := range recs {
		if ctx.Err() != nil {
			return
		}
		c := p.Pending(rec, now)
		if c.State == c.Pushed {
			continue
		}
		if err := p.Deliver(l, ctx, c.Event); err != nil {
			if !errors.Is(err, context.Canceled) {
				log.WarnContext(ctx, service+" sandbox: push failed; retrying on the next tick",
					"filing_id", c.FilingID, ref, c.Ref, "state", c.State, "err", err)
			}
			continue
		}
		// Record the delivered push even if ctx ends now, or a restarted
		// sandbox repeats it. Compare-and-set: if another loop over the same
		// database recorded a push meanwhile, leave its record alone.
		recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err := sb.db.Gorm.WithContext(recordCtx).Model(new(R)).
			Where("idempotency_key = ? AND last_pushed_state = ?", c.Key, c.Pushed).
			Update("last_pushed_state", c.State).Error
		cancel()
		if err != nil {
			log.WarnContext(ctx, service+" sandbox: recording a push failed; it will be pushed again",
				"filing_id", c.FilingID, ref, c.Ref, "state", c.State, "err", err)
		}
	}
}
