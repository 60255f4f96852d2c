package outbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestLogsNeverContainRecipients(t *testing.T) {
	for dialect, db := range databases(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ok, retried, refused := sms(1), sms(2), sms(3)
			mail := sms(4)
			mail.Channel, mail.To, mail.DedupKey = notify.Email, "zhang.wei@example.com", outbox.Key("f-4", notify.EventBureauApproved, 7, notify.Email)
			// Providers quote the recipient in their errors; the outbox must
			// not pass that on.
			provider := &recorder{fail: func(m notify.Message) error {
				switch m.To {
				case retried.To, mail.To:
					return fmt.Errorf("gateway timeout sending to %s", m.To)
				case refused.To:
					return fmt.Errorf("%s is on the opt-out list: %w", m.To, notify.ErrPermanent)
				}
				return nil
			}}
			clk := newClock()
			s, logs := newSender(db, provider, clk)
			enqueue(t, db, ok, retried, refused, mail)
			deliver(t, s, 1, 3)

			out := logs.String()
			require.NotEmpty(t, out)
			for _, to := range []string{ok.To, retried.To, refused.To, mail.To, "zhang.wei"} {
				assert.NotContains(t, out, to)
			}
			assert.Contains(t, out, `"to":"138****0001"`, "masked recipients tell messages apart")
			assert.Contains(t, out, `"to":"z***@example.com"`)
			assert.Contains(t, out, `"filing_id":"f-2"`)
			assert.Equal(t, 4, strings.Count(out, "\n"), "a line per outcome")

			assert.Equal(t, "retryable: sender error", get(t, db, retried.DedupKey).LastError)
			assert.Equal(t, "permanent: refused by the sender", get(t, db, refused.DedupKey).LastError)
			failed, err := outbox.Failed(context.Background(), db, 0)
			require.NoError(t, err)
			assert.NotContains(t, fmt.Sprintf("%+v", failed), refused.To)
		})
	}
}

func TestRunDeliversUntilCancelled(t *testing.T) {
	db := testenv.SQLiteDB(t)
	provider := &recorder{}
	s, _ := newSender(db, provider, newClock())
	s.Batch = 2
	enqueue(t, db, sms(1), sms(2), sms(3), sms(4), sms(5))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx, time.Hour) }()
	// A full batch does not wait for the next tick, an hour away.
	require.Eventually(t, func() bool { return provider.count() == 5 }, 5*time.Second, 5*time.Millisecond)
	cancel()
	require.NoError(t, <-done)

	assert.Error(t, (&outbox.Sender{DB: db, Notifier: provider}).Run(context.Background(), 0))
	assert.Error(t, (&outbox.Sender{DB: db}).Run(context.Background(), time.Second))
}

func TestDefaultBackoffDoublesFrom30SecondsToAnHourWithJitter(t *testing.T) {
	for attempt, ceiling := range map[int]time.Duration{
		1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 32 * time.Minute,
		8: time.Hour, 10: time.Hour, 1000: time.Hour,
	} {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := outbox.DefaultBackoff(attempt)
			assert.GreaterOrEqual(t, d, ceiling/2, "attempt %d", attempt)
			assert.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
			seen[d] = true
		}
		assert.Greater(t, len(seen), 1, "attempt %d: jittered", attempt)
	}
}
