package outbox_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/testenv"
)

// slowRecorder takes a moment per message, so that two senders' rounds
// overlap.
type slowRecorder struct{ recorder }

func (r *slowRecorder) Send(ctx context.Context, m notify.Message) error {
	time.Sleep(200 * time.Microsecond)
	return r.recorder.Send(ctx, m)
}

func TestTwoSendersNeverSendTwice(t *testing.T) {
	ctx := context.Background()
	testenv.NeedsServers(t)
	url, drop, err := testenv.Postgres(ctx)
	require.NoError(t, err)
	t.Cleanup(drop)
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

	var wg sync.WaitGroup
	var sentBy [2]int
	for i, s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				sent, failed, err := s.DeliverDue(ctx)
				if !assert.NoError(t, err) || sent+failed == 0 {
					return
				}
				sentBy[i] += sent
			}
		}()
	}
	wg.Wait()

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
	for dialect, db := range databases(t) {
		t.Run(string(dialect), func(t *testing.T) {
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
}
