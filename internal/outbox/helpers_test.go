package outbox_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
)

// clock is a clock the test moves on, started a little ahead of real time
// so that messages enqueued now (Enqueue uses the real clock) are due.
// Senders read it from their goroutines, hence the atomic.
type clock struct {
	start   time.Time
	elapsed atomic.Int64 // nanoseconds advanced since start
}

func newClock() *clock { return &clock{start: time.Now().Add(time.Second)} }

func (c *clock) Now() time.Time { return c.start.Add(time.Duration(c.elapsed.Load())) }

func (c *clock) advance(d time.Duration) { c.elapsed.Add(int64(d)) }

// recorder is the provider: it records every message it was given and
// answers with fail's verdict (nil: accepted).
type recorder struct {
	mu   sync.Mutex
	sent []notify.Message
	fail func(notify.Message) error
}

func (r *recorder) Send(_ context.Context, m notify.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	if r.fail != nil {
		return r.fail(m)
	}
	return nil
}

func (r *recorder) setFail(fail func(notify.Message) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = fail
}

// to counts the messages given for recipient to.
func (r *recorder) to(to string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.sent {
		if m.To == to {
			n++
		}
	}
	return n
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

var unavailable = &notify.ProviderError{Provider: "sns", Code: "ServiceUnavailable", Status: 503}

// sms is a valid message for filing f-n to mobile 138 followed by n in
// eight digits.
func sms(n int) outbox.Message {
	filingID := fmt.Sprintf("f-%d", n)
	return outbox.Message{
		DedupKey: outbox.Key(filingID, notify.EventBureauApproved, 7, notify.SMS),
		Message: notify.Message{FilingID: filingID, Event: notify.EventBureauApproved, Channel: notify.SMS,
			To: fmt.Sprintf("138%08d", n), Lang: "zh", Params: map[string]string{"filing_number": "浙ICP备2026000001号-2"}},
	}
}

func enqueue(t *testing.T, db *store.DB, msgs ...outbox.Message) {
	t.Helper()
	require.NoError(t, outbox.Enqueue(db.Gorm.WithContext(context.Background()), msgs...))
}

// newSender is a Sender over db with a fixed backoff (attempt minutes) and
// logs to a buffer.
func newSender(db *store.DB, n notify.Sender, c *clock) (*outbox.Sender, *bytes.Buffer) {
	var logs bytes.Buffer
	return &outbox.Sender{
		DB: db, Notifier: n, Now: c.Now,
		Backoff: func(attempt int) time.Duration { return time.Duration(attempt) * time.Minute },
		Log:     slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, &logs
}

// row is the stored state of a message, read directly.
type row struct {
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        *time.Time
	LockedUntil   *time.Time
	Recipient     string
}

func get(t *testing.T, db *store.DB, dedupKey string) row {
	t.Helper()
	var r row
	require.NoError(t, db.Gorm.Table("outbox_messages").Where("dedup_key = ?", dedupKey).Take(&r).Error)
	return r
}

func counts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	c, err := outbox.Counts(context.Background(), db)
	require.NoError(t, err)
	return c
}

// deliver runs one round and checks its counts.
func deliver(t *testing.T, s *outbox.Sender, wantSent, wantFailed int) {
	t.Helper()
	sent, failed, err := s.DeliverDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, [2]int{wantSent, wantFailed}, [2]int{sent, failed}, "sent, failed")
}
