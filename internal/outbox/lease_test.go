package outbox_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
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
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
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

func TestSendsThatWouldOutliveTheLeaseAreHandedBack(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
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

// slowRecorder takes a moment per message, so that two senders' rounds
// overlap.
type slowRecorder struct{ recorder }

func (r *slowRecorder) Send(ctx context.Context, m notify.Message) error {
	time.Sleep(200 * time.Microsecond)
	return r.recorder.Send(ctx, m)
}

func TestTwoSendersNeverSendTwice(t *testing.T) {
	ctx := context.Background()
	url := testenv.PostgresURL(t)
	// Two workers: two connection pools on one database.
	senders := [2]*outbox.Sender{}
	provider := &slowRecorder{}
	clk := newClock()
	for i := range senders {
		senders[i], _ = newSender(testenv.OpenDB(t, url, ""), provider, clk)
		senders[i].Batch = 7
	}
	const total = 300
	msgs := make([]outbox.Message, total)
	for i := range msgs {
		msgs[i] = sms(i)
	}
	enqueue(t, senders[0].DB, msgs...)

	var sentBy [2]int
	errs := testenv.Concurrently(len(senders), func(i int) error {
		for {
			sent, failed, err := senders[i].DeliverDue(ctx)
			if err != nil || sent+failed == 0 {
				return err
			}
			sentBy[i] += sent
		}
	})
	for _, err := range errs {
		assert.NoError(t, err)
	}

	assert.Equal(t, total, provider.count(), "every message sent once, none twice")
	for _, m := range msgs {
		assert.Equal(t, 1, provider.to(m.To), m.To)
	}
	assert.Equal(t, total, sentBy[0]+sentBy[1])
	assert.Positive(t, sentBy[0], "both senders took part")
	assert.Positive(t, sentBy[1], "both senders took part")
	assert.Equal(t, map[string]int{"pending": 0, "sent": total, "failed": 0}, counts(t, senders[0].DB))
}

// diesAfterSending is a provider call after which the sender's process
// dies: the message went out, and nothing after it runs.
type diesAfterSending struct{ recorder }

func (d *diesAfterSending) Send(ctx context.Context, m notify.Message) error {
	_ = d.recorder.Send(ctx, m)
	runtime.Goexit()
	return nil
}

func TestExpiredLeaseIsReclaimed(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		dying := &diesAfterSending{}
		first, _ := newSender(db, dying, clk)
		first.LockFor = time.Minute
		m := sms(1)
		enqueue(t, db, m)
		done := make(chan struct{})
		go func() { defer close(done); _, _, _ = first.DeliverDue(context.Background()) }()
		<-done
		require.Equal(t, 1, dying.count())

		provider := &recorder{}
		second, _ := newSender(db, provider, clk)
		deliver(t, second, 0, 0) // leased to the dead sender
		clk.advance(59 * time.Second)
		deliver(t, second, 0, 0)
		clk.advance(2 * time.Second)
		deliver(t, second, 1, 0) // the lease ran out: claimed again

		assert.Equal(t, 1, provider.count(), "sent again: at least once to the provider after a crash")
		r := get(t, db, m.DedupKey)
		assert.Equal(t, outbox.StatusSent, r.Status)
		assert.Equal(t, 1, r.Attempts, "the dead sender recorded nothing")
	})
}
