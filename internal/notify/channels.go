package notify

import (
	"context"
	"fmt"
)

// Channels routes each message to the Sender of its channel, so that SMS
// can go through SNS and e-mail through SES behind the one Sender that
// callers (package outbox) take.
type Channels map[Channel]Sender

// Send implements Sender. A channel without a sender fails permanently:
// the deployment does not send on it, and retrying cannot change that.
func (c Channels) Send(ctx context.Context, m Message) error {
	s, ok := c[m.Channel]
	if !ok {
		return fmt.Errorf("notify: %s for filing %s: no sender for channel %q: %w", m.Event, m.FilingID, m.Channel, ErrPermanent)
	}
	return s.Send(ctx, m)
}
