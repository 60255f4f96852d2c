package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestEnqueueRefusesAMessageWithoutAKey(t *testing.T) {
	db := testenv.SQLiteDB(t)
	m := sms(1)
	m.DedupKey = ""
	require.Error(t, outbox.Enqueue(db.Gorm, m))
	assert.Equal(t, 0, counts(t, db)["pending"])
}

func TestMessageEnqueuedTwiceWithTheSameKeyIsSentOnce(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		provider, c := &recorder{}, newClock()
		s, _ := newSender(db, provider, c)
		m := sms(1)
		// A retried activity enqueues again, in one call and in two.
		enqueue(t, db, m, m)
		enqueue(t, db, m)
		assert.Equal(t, map[string]int{"pending": 1, "sent": 0, "failed": 0}, counts(t, db))

		deliver(t, s, 1, 0)
		enqueue(t, db, m) // and once more after it was sent
		deliver(t, s, 0, 0)

		assert.Equal(t, 1, provider.count())
		r := get(t, db, m.DedupKey)
		assert.Equal(t, outbox.StatusSent, r.Status)
		assert.Equal(t, 1, r.Attempts)
		require.NotNil(t, r.SentAt)
		assert.WithinDuration(t, c.Now(), *r.SentAt, time.Millisecond)
		assert.Nil(t, r.LockedUntil)
		assert.Equal(t, map[string]int{"pending": 0, "sent": 1, "failed": 0}, counts(t, db))
	})
}

func TestEnqueueRollsBackWithTheStageChange(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		stageChange := func(id string, m outbox.Message, fail error) error {
			return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				f := store.Filing{ID: id, AccountID: "acc-1", Province: "ZJ", FilingType: "new_website_elsewhere",
					Domain: "example.com", Stage: "approved", Revision: 7, WorkflowID: "filing-" + id,
					CreatedAt: now, UpdatedAt: now}
				if err := tx.Create(&f).Error; err != nil {
					return err
				}
				if err := outbox.Enqueue(tx, m); err != nil {
					return err
				}
				return fail
			})
		}
		boom := errors.New("the read-model write failed after the enqueue")
		require.ErrorIs(t, stageChange("f-1", sms(1), boom), boom)
		assert.Equal(t, map[string]int{"pending": 0, "sent": 0, "failed": 0}, counts(t, db), "no message without its stage change")

		require.NoError(t, stageChange("f-2", sms(2), nil))
		assert.Equal(t, 1, counts(t, db)["pending"], "committed together")
	})
}

func TestFailingProviderIsRetriedWithBackoffWithoutBlockingOthers(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		a, b, c := sms(1), sms(2), sms(3)
		provider := &recorder{fail: func(m notify.Message) error {
			if m.To == a.To {
				return fmt.Errorf("gateway: %w", unavailable)
			}
			return nil
		}}
		clk := newClock()
		s, _ := newSender(db, provider, clk)
		enqueue(t, db, a) // the oldest, first in line
		enqueue(t, db, b, c)

		deliver(t, s, 2, 1)
		r := get(t, db, a.DedupKey)
		assert.Equal(t, outbox.StatusPending, r.Status)
		assert.Equal(t, 1, r.Attempts)
		assert.Equal(t, "sns ServiceUnavailable (HTTP 503, retryable)", r.LastError)
		assert.WithinDuration(t, clk.Now().Add(time.Minute), r.NextAttemptAt, time.Millisecond, "backoff(1)")
		assert.Nil(t, r.LockedUntil, "the lease is given back with the outcome")
		assert.Equal(t, outbox.StatusSent, get(t, db, b.DedupKey).Status)
		assert.Equal(t, outbox.StatusSent, get(t, db, c.DedupKey).Status)

		deliver(t, s, 0, 0) // not due before its backoff
		clk.advance(time.Minute)
		deliver(t, s, 0, 1)
		r = get(t, db, a.DedupKey)
		assert.Equal(t, 2, r.Attempts)
		assert.WithinDuration(t, clk.Now().Add(2*time.Minute), r.NextAttemptAt, time.Millisecond, "backoff(2)")

		provider.setFail(nil) // the provider recovers
		clk.advance(2 * time.Minute)
		deliver(t, s, 1, 0)
		r = get(t, db, a.DedupKey)
		assert.Equal(t, outbox.StatusSent, r.Status)
		assert.Equal(t, 3, r.Attempts)
		assert.Equal(t, 3, provider.to(a.To))
		assert.Equal(t, 1, provider.to(b.To))
	})
}

func TestPermanentFailureIsMarkedFailedAtOnceAndVisible(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		refused := sms(1)
		missingParam := sms(2)
		missingParam.Params = nil
		badNumber := sms(3)
		badNumber.To = "12345"
		fax := sms(4)
		fax.Channel, fax.DedupKey = "fax", outbox.Key("f-4", notify.EventBureauApproved, 7, "fax")
		provider := &recorder{fail: func(m notify.Message) error {
			return fmt.Errorf("gateway: %w", &notify.ProviderError{Provider: "sns", Code: "InvalidParameter", Status: 400, Permanent: true})
		}}
		s, _ := newSender(db, provider, newClock())
		enqueue(t, db, refused, missingParam, badNumber, fax)

		deliver(t, s, 0, 4)
		assert.Equal(t, 1, provider.count(), "only the deliverable message reached the provider")
		assert.Equal(t, map[string]int{"pending": 0, "sent": 0, "failed": 4}, counts(t, db))

		failed, err := outbox.Failed(context.Background(), db, 10)
		require.NoError(t, err)
		require.Len(t, failed, 4)
		byKey := map[string]outbox.FailedMessage{}
		for _, f := range failed {
			byKey[f.DedupKey] = f
			assert.Equal(t, 1, f.Attempts)
			assert.Equal(t, notify.EventBureauApproved, f.Event)
		}
		assert.Equal(t, "sns InvalidParameter (HTTP 400, permanent)", byKey[refused.DedupKey].LastError)
		assert.Equal(t, "138****0001", byKey[refused.DedupKey].To, "masked")
		assert.Equal(t, "f-1", byKey[refused.DedupKey].FilingID)
		assert.Equal(t, notify.SMS, byKey[refused.DedupKey].Channel)
		assert.Equal(t, "permanent: render: notify: bureau_approved: missing parameter filing_number", byKey[missingParam.DedupKey].LastError)
		assert.Equal(t, "permanent: invalid recipient", byKey[badNumber.DedupKey].LastError)
		assert.Equal(t, "****", byKey[badNumber.DedupKey].To)
		assert.Equal(t, "permanent: unknown channel", byKey[fax.DedupKey].LastError)

		one, err := outbox.Failed(context.Background(), db, 1)
		require.NoError(t, err)
		assert.Len(t, one, 1)
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		provider := &recorder{fail: func(notify.Message) error { return errors.New("connection reset") }}
		clk := newClock()
		s, _ := newSender(db, provider, clk)
		s.MaxAttempts = 3
		m := sms(1)
		enqueue(t, db, m)
		for attempt := 1; attempt <= 3; attempt++ {
			deliver(t, s, 0, 1)
			clk.advance(time.Duration(attempt) * time.Minute)
		}
		r := get(t, db, m.DedupKey)
		assert.Equal(t, outbox.StatusFailed, r.Status)
		assert.Equal(t, 3, r.Attempts)
		assert.Equal(t, "retryable: sender error", r.LastError, "the class of the last failure, not its text")
		clk.advance(time.Hour)
		deliver(t, s, 0, 0)
		assert.Equal(t, 3, provider.count())
	})
}

func TestLogsNeverContainRecipients(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
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
		assert.Equal(t, 4, bytes.Count(logs.Bytes(), []byte("\n")), "a line per outcome")

		assert.Equal(t, "retryable: sender error", get(t, db, retried.DedupKey).LastError)
		assert.Equal(t, "permanent: refused by the sender", get(t, db, refused.DedupKey).LastError)
		failed, err := outbox.Failed(context.Background(), db, 0)
		require.NoError(t, err)
		assert.NotContains(t, fmt.Sprintf("%+v", failed), refused.To)
	})
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
