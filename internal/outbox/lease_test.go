package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
)

// stalls is a provider that answers only after the clock has moved on by
// d, running meanwhile (once) whatever else happens in that time.
type stalls struct {
	recorder
	clk       *clock
	d         time.Duration
	meanwhile func()
}

func (s *stalls) Send(ctx context.Context, m notify.Message) error {
	s.clk.advance(s.d)
	if s.meanwhile != nil {
		f := s.meanwhile
		s.meanwhile = nil
		f()
	}
	return s.recorder.Send(ctx, m)
}

func TestSenderThatOutlivedItsLeaseRecordsNothing(t *testing.T) {
	for dialect, db := range databases(t) {
		t.Run(string(dialect), func(t *testing.T) {
			clk := newClock()
			m := sms(1)
			enqueue(t, db, m)
			other := &recorder{}
			second, _ := newSender(db, other, clk)
			slow := &stalls{clk: clk, d: 2 * time.Minute}
			first, logs := newSender(db, slow, clk)
			first.LockFor = time.Minute
			// While the first sender waits on its provider, its lease runs
			// out and the second sender delivers the message.
			slow.meanwhile = func() { deliver(t, second, 1, 0) }

			deliver(t, first, 0, 0)
			assert.Equal(t, 1, slow.count())
			assert.Equal(t, 1, other.count())
			assert.Contains(t, logs.String(), "lease lost")
			r := get(t, db, m.DedupKey)
			assert.Equal(t, outbox.StatusSent, r.Status)
			assert.Equal(t, 1, r.Attempts, "only the holder of the lease records")
		})
	}
}

func TestSendsThatWouldOutliveTheLeaseAreHandedBack(t *testing.T) {
	for dialect, db := range databases(t) {
		t.Run(string(dialect), func(t *testing.T) {
			clk := newClock()
			enqueue(t, db, sms(1), sms(2), sms(3))
			// Each send of three may take a sixth of the 60 s lease, 10 s.
			// The first takes 55 s: the next would end past the lease.
			slow := &stalls{clk: clk, d: 55 * time.Second}
			first, _ := newSender(db, slow, clk)
			first.LockFor = time.Minute

			deliver(t, first, 1, 0)
			assert.Equal(t, 1, slow.count())
			for _, m := range []outbox.Message{sms(2), sms(3)} {
				r := get(t, db, m.DedupKey)
				assert.Equal(t, outbox.StatusPending, r.Status)
				assert.Zero(t, r.Attempts)
				assert.Nil(t, r.LockedUntil, "free at once, not when the lease ends")
			}
			other := &recorder{}
			second, _ := newSender(db, other, clk)
			deliver(t, second, 2, 0)
			require.Equal(t, 2, other.count())
		})
	}
}
