package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/store"
)

// Defaults of the Sender fields left zero.
const (
	defaultBatch       = 20
	defaultMaxAttempts = 10
	defaultLockFor     = 5 * time.Minute
	// recordTimeout bounds writing an outcome after ctx has ended: a send
	// the provider accepted is worth recording during shutdown, or it is
	// sent again.
	recordTimeout = 5 * time.Second
)

// Sender delivers due messages from the outbox through Notifier. Run one in
// every worker: any number may run against one database at once, and the
// lease on claimed rows keeps each message with one of them (see the package
// documentation). Fields left zero take the defaults named on them.
type Sender struct {
	// DB holds the outbox.
	DB *store.DB
	// Notifier delivers one message, e.g. notify.Channels of an SNS and an
	// SES sender. Its errors are taken as retryable unless they wrap
	// notify.ErrPermanent.
	Notifier notify.Sender
	// Batch is how many due messages one DeliverDue claims; default 20.
	Batch int
	// Backoff is the wait before the next attempt after the attempt-th
	// failed one (1 for the first); default DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// MaxAttempts is how many failed attempts make a message failed for
	// good; default 10 (about three hours of retries with DefaultBackoff).
	MaxAttempts int
	// LockFor is the lease on claimed messages, default 5 minutes. Each send
	// of a batch of n may take LockFor/(2n), at least LockFor/(2×Batch), so
	// it also bounds how long a provider may take to answer; and a message
	// whose sender died is claimed again after it.
	LockFor time.Duration
	// Sealer opens the recipients sealed with their filing's data key.
	Sealer store.Sealer
	// Log gets a line per outcome, with the recipient masked; default
	// slog.Default().
	Log *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Run delivers due messages at once and then every interval until ctx ends,
// when it returns nil. After a full batch it goes on without waiting, to
// drain a backlog. Database errors are logged and retried on the next tick:
// an outage must not end the loop.
func (s *Sender) Run(ctx context.Context, every time.Duration) error {
	if s.DB == nil || s.Notifier == nil || every <= 0 {
		return fmt.Errorf("outbox: run sender: need a database, a notifier and a positive interval, got %v", every)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for ctx.Err() == nil {
		sent, failed, err := s.DeliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.log().WarnContext(ctx, "outbox: delivery round failed; retrying on the next tick", "err", err)
		}
		if err == nil && sent+failed == s.batch() {
			continue
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	return nil
}

// DeliverDue claims up to Batch due messages and tries each once. It
// reports how many were sent and how many attempts failed (to be retried or
// given up on). A failing provider only fails its messages; err is about the
// database: claiming, or recording an outcome (such a message is claimed and
// sent again once its lease ends).
func (s *Sender) DeliverDue(ctx context.Context) (sent, failed int, err error) {
	start := s.now()
	lease := start.Add(s.lockFor()).UTC().Truncate(time.Microsecond)
	claimed, err := claim(ctx, s.DB, start, lease, s.batch())
	if err != nil || len(claimed) == 0 {
		return 0, 0, err
	}
	// Sends get half the lease between them; the rest is for the database
	// and slack, so that the batch ends before another sender may take it.
	perSend := s.lockFor() / time.Duration(2*len(claimed))
	var errs []error
	for i, r := range claimed {
		if ctx.Err() != nil || s.now().Add(perSend).After(lease) {
			// Shutting down, or the lease would end mid-send: hand the
			// rest back now instead of when the lease ends.
			errs = append(errs, release(ctx, s.DB, claimed[i:], lease))
			break
		}
		status, err := s.deliver(ctx, r, lease, perSend)
		if err != nil {
			errs = append(errs, err)
		}
		switch status {
		case StatusSent:
			sent++
		case StatusPending, StatusFailed:
			failed++
		}
	}
	return sent, failed, errors.Join(errs...)
}

// deliver tries r once and records the outcome. It returns the status it
// recorded, or "" when it recorded none: a send cut short by ctx (shutdown)
// is not an attempt, and the row is handed back; and a sender that lost its
// lease leaves the row to the sender that holds it now.
func (s *Sender) deliver(ctx context.Context, r record, lease time.Time, timeout time.Duration) (status string, err error) {
	m, reason := r.message()
	permanent := reason != ""
	if !permanent {
		to, err := r.recipient(ctx, s.Sealer)
		switch {
		case errors.Is(err, errErased):
			reason, permanent = err.Error(), true
		case err != nil:
			// No key to open it with here, or the database is down: a
			// failed attempt, retried later.
			reason = "retryable: " + err.Error()
		default:
			m.To = to
			reason = validate(m)
			permanent = reason != ""
		}
	}
	if reason == "" {
		sendCtx, cancel := context.WithTimeout(ctx, timeout)
		err := s.Notifier.Send(sendCtx, m)
		cancel()
		if err != nil && ctx.Err() != nil {
			return "", release(ctx, s.DB, []record{r}, lease)
		}
		if err != nil {
			permanent, reason = classify(err)
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	o := outcome{attempts: r.Attempts + 1, lastError: reason}
	switch {
	case reason == "":
		o.status, o.sentAt = StatusSent, &now
	case permanent || o.attempts >= s.maxAttempts():
		o.status = StatusFailed
	default:
		o.status, o.next = StatusPending, now.Add(s.backoff(o.attempts))
	}
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	held, err := settle(recordCtx, s.DB, r.ID, lease, o)
	log := s.log().With("outbox_id", r.ID, "filing_id", r.FilingID, "event", r.Event,
		"channel", r.Channel, "to", r.masked(), "attempt", o.attempts)
	switch {
	case err != nil:
		log.ErrorContext(ctx, "outbox: recording a delivery outcome failed; the message will be claimed again",
			"status", o.status, "err", err)
		return "", fmt.Errorf("outbox: record outcome of %s: %w", r.ID, err)
	case !held:
		log.WarnContext(ctx, "outbox: lease lost before the outcome was recorded; another sender has the message",
			"status", o.status)
		return "", nil
	case o.status == StatusSent:
		log.InfoContext(ctx, "outbox: notification sent")
	case o.status == StatusFailed:
		log.ErrorContext(ctx, "outbox: notification failed; giving up", "err", reason)
	default:
		log.WarnContext(ctx, "outbox: notification failed; retrying later", "err", reason, "retry_at", o.next)
	}
	return o.status, nil
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return defaultBatch
}

func (s *Sender) maxAttempts() int {
	if s.MaxAttempts > 0 {
		return s.MaxAttempts
	}
	return defaultMaxAttempts
}

func (s *Sender) lockFor() time.Duration {
	if s.LockFor > 0 {
		return s.LockFor
	}
	return defaultLockFor
}

func (s *Sender) backoff(attempt int) time.Duration {
	if s.Backoff != nil {
		return s.Backoff(attempt)
	}
	return DefaultBackoff(attempt)
}

func (s *Sender) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
