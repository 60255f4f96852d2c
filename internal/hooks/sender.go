package hooks

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/feed"
	"github.com/beianflow/beianflow/internal/safehttp"
	"github.com/beianflow/beianflow/internal/standardwebhooks"
	"github.com/beianflow/beianflow/internal/store"
)

// Defaults of the Sender fields left zero.
const (
	defaultBatch        = 64
	defaultParallel     = 16
	defaultLockFor      = time.Minute
	defaultInterval     = 250 * time.Millisecond
	defaultFirstBackoff = 5 * time.Second
	maxBackoff          = time.Hour
	// DefaultDisableAfter is how long an endpoint fails without a success
	// before it is disabled, over at least MinFailures attempts.
	DefaultDisableAfter = 72 * time.Hour
	// MinFailures is the fewest failed attempts that disable an endpoint.
	MinFailures = 10
	// recordTimeout bounds recording an outcome after ctx has ended.
	recordTimeout = 5 * time.Second
)

// Sender delivers due webhook deliveries. Run one in every worker: the
// lease on claimed rows keeps each with one sender at a time (see the
// package documentation). Fields left zero take the defaults named on
// them.
type Sender struct {
	DB *store.DB
	// Client posts the deliveries: safehttp.NewClient's, which refuses
	// private addresses, follows no redirect and times out after 10 s.
	Client  *http.Client
	Secrets SecretBox
	// Batch is the most due deliveries one claim takes (64); Parallel how
	// many are in flight at once (16).
	Batch, Parallel int
	// LockFor is the lease on claimed deliveries (1 minute): longer than
	// the client's timeout, so a sender at work keeps what it claimed.
	LockFor time.Duration
	// Interval is how often an idle sender looks for due deliveries
	// (250 ms): the latency of a delivery when nothing is in flight.
	Interval time.Duration
	// FirstBackoff is the wait after the first failed attempt (5 s); it
	// doubles with each, up to MaxBackoff (an hour), with jitter.
	FirstBackoff, MaxBackoff time.Duration
	// DisableAfter is how long an endpoint fails without a success before
	// it is disabled (72 h). (How long a delivery is retried is set when
	// it is scheduled: Schedule's retryFor.)
	DisableAfter time.Duration
	// RetryForSchedule is the retry window of the account event a
	// disabling announces (DefaultRetryFor when zero).
	RetryForSchedule time.Duration
	Metrics          *Metrics
	Log              *slog.Logger
	Now              func() time.Time

	secretsMu sync.Mutex
	secrets   map[string]cachedSecrets
}

type cachedSecrets struct {
	keys    [][]byte
	version string // the sealed forms they were opened from
	expires time.Time
}

func (s *Sender) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Run delivers due deliveries until ctx ends, when it returns nil. It
// keeps up to Parallel deliveries in flight, claiming more as each one
// ends: a slow endpoint holds one slot, not everyone's round, and a
// filing's next event goes out as soon as the one before it was
// acknowledged.
func (s *Sender) Run(ctx context.Context) error {
	parallel := cmp.Or(s.Parallel, defaultParallel)
	interval := cmp.Or(s.Interval, defaultInterval)
	done := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	defer wg.Wait()
	inflight := 0
	for {
		if free := parallel - inflight; free > 0 && ctx.Err() == nil {
			n, err := s.dispatch(ctx, min(free, cmp.Or(s.Batch, defaultBatch)), &wg, done)
			if err != nil && ctx.Err() == nil {
				s.log().ErrorContext(ctx, "webhook deliveries: claiming failed; trying again shortly", "err", err)
			}
			inflight += n
			if n > 0 {
				continue // more may be due
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			inflight--
		case <-time.After(interval):
		}
	}
}

// DeliverDue claims up to a batch of due deliveries, sends them, records
// each outcome and returns how many it sent; for tests and tools that
// want one round at a time.
func (s *Sender) DeliverDue(ctx context.Context) (int, error) {
	batch := cmp.Or(s.Batch, defaultBatch)
	var wg sync.WaitGroup
	n, err := s.dispatch(ctx, batch, &wg, make(chan struct{}, batch))
	wg.Wait()
	return n, err
}

// dispatch claims up to n due deliveries and sends each in a goroutine of
// wg, which signals done when it has recorded its outcome; it returns how
// many it started.
func (s *Sender) dispatch(ctx context.Context, n int, wg *sync.WaitGroup, done chan<- struct{}) (int, error) {
	now := s.now()
	lease := now.Add(cmp.Or(s.LockFor, defaultLockFor))
	rows, err := claim(ctx, s.DB, now, lease, n)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	events, endpoints, err := s.load(ctx, rows)
	if err != nil {
		_ = release(ctx, s.DB, rows, lease)
		return 0, err
	}
	started := 0
	for _, row := range rows {
		ev, okEv := events[row.EventID]
		ep, okEp := endpoints[row.EndpointID]
		if !okEv || !okEp {
			continue // deleted meanwhile; its lease runs out harmlessly
		}
		started++
		wg.Add(1)
		go func() {
			defer func() { done <- struct{}{}; wg.Done() }()
			s.deliver(ctx, row, ev, ep, lease)
		}()
	}
	return started, nil
}

// load reads the events and endpoints of claimed rows.
func (s *Sender) load(ctx context.Context, rows []deliveryRecord) (map[string]filing.Event, map[string]endpointRecord, error) {
	var evIDs, epIDs []string
	for _, r := range rows {
		evIDs, epIDs = append(evIDs, r.EventID), append(epIDs, r.EndpointID)
	}
	tx := s.DB.Gorm.WithContext(ctx)
	list, err := feed.ByID(tx, evIDs)
	if err != nil {
		return nil, nil, err
	}
	events := make(map[string]filing.Event, len(list))
	for _, e := range list {
		events[e.ID] = e
	}
	var eps []endpointRecord
	if err := tx.Where("id IN ?", epIDs).Find(&eps).Error; err != nil {
		return nil, nil, fmt.Errorf("hooks: read endpoints: %w", err)
	}
	endpoints := make(map[string]endpointRecord, len(eps))
	for _, e := range eps {
		endpoints[e.ID] = e
	}
	return events, endpoints, nil
}

// deliver posts one event to one endpoint and records the outcome.
func (s *Sender) deliver(ctx context.Context, row deliveryRecord, ev filing.Event, ep endpointRecord, lease time.Time) {
	failure := ""
	keys, err := s.signingKeys(ctx, ep)
	if err == nil {
		failure = s.post(ctx, ep.URL, ev, keys)
	} else {
		failure = "secret_unavailable"
		s.log().ErrorContext(ctx, "webhook deliveries: cannot open an endpoint's secret", "endpoint_id", ep.ID, "err", err)
	}
	if ctx.Err() != nil && failure != "" {
		// Shutting down: the attempt was cut short, not the endpoint's fault.
		_ = release(ctx, s.DB, []deliveryRecord{row}, lease)
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := s.now()
	if failure == "" {
		s.Metrics.delivered(now.Sub(ev.OccurredAt))
		if err := s.succeeded(rctx, row, ep, lease, now); err != nil {
			s.log().ErrorContext(ctx, "webhook deliveries: recording a delivery failed; it may be delivered again", "event_id", ev.ID, "err", err)
		}
		return
	}
	s.Metrics.failed(failure)
	if err := s.failed(rctx, row, ep, lease, now, failure); err != nil {
		s.log().ErrorContext(ctx, "webhook deliveries: recording a failed attempt failed", "event_id", ev.ID, "err", err)
	}
}

// post sends the event signed with keys; "" on a 2xx answer, else the
// failure's class.
func (s *Sender) post(ctx context.Context, url string, ev filing.Event, keys [][]byte) string {
	body, err := json.Marshal(ev)
	if err != nil {
		return "unencodable"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "bad_url"
	}
	for name, v := range standardwebhooks.Headers(keys, ev.ID, s.now(), body) {
		req.Header[name] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "beianflow-webhooks/1")
	resp, err := s.Client.Do(req)
	if err != nil {
		return classify(err)
	}
	// The answer's body is not stored: a little of it is read so the
	// connection can be reused.
	defer func() {
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return ""
	}
	return "status " + strconv.Itoa(resp.StatusCode)
}

// classify names a failed request's cause without its text, which may
// hold addresses or the URL's query.
func classify(err error) string {
	var netErr net.Error
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, safehttp.ErrBlockedAddress):
		return "blocked_address"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.As(err, &dnsErr):
		return "dns"
	}
	return "error"
}

// secretTTL bounds how long opened secrets stay in memory: a rotation
// made on another process is seen within it (the sealed forms are
// compared on every delivery anyway).
const secretTTL = time.Minute

// signingKeys are the secrets that sign for ep now: the current one and,
// during a rotation, the previous.
func (s *Sender) signingKeys(ctx context.Context, ep endpointRecord) ([][]byte, error) {
	now := s.now()
	previous := ep.PreviousSecret != "" && ep.PreviousUntil != nil && now.Before(*ep.PreviousUntil)
	version := ep.Secret
	if previous {
		version += "|" + ep.PreviousSecret
	}
	s.secretsMu.Lock()
	c, ok := s.secrets[ep.ID]
	s.secretsMu.Unlock()
	if ok && c.version == version && now.Before(c.expires) {
		return c.keys, nil
	}
	cur, err := s.Secrets.UnwrapSecret(ctx, secretName(ep.ID), ep.Secret)
	if err != nil {
		return nil, err
	}
	keys := [][]byte{cur}
	if previous {
		old, err := s.Secrets.UnwrapSecret(ctx, secretName(ep.ID), ep.PreviousSecret)
		if err != nil {
			return nil, err
		}
		keys = append(keys, old)
	}
	s.secretsMu.Lock()
	if s.secrets == nil {
		s.secrets = map[string]cachedSecrets{}
	}
	s.secrets[ep.ID] = cachedSecrets{keys: keys, version: version, expires: now.Add(secretTTL)}
	s.secretsMu.Unlock()
	return keys, nil
}

// succeeded records a delivery as delivered and the endpoint as healthy.
func (s *Sender) succeeded(ctx context.Context, row deliveryRecord, ep endpointRecord, lease, now time.Time) error {
	return s.DB.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&deliveryRecord{}).Where("id = ? AND status = ? AND locked_until = ?", row.ID, StatusPending, lease).
			Updates(map[string]any{"status": StatusDelivered, "attempts": row.Attempts + 1, "delivered_at": now,
				"locked_until": nil, "last_error": ""})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // a lost lease: the sender holding it now records
		}
		return tx.Model(&endpointRecord{}).Where("id = ? AND (consecutive_failures > 0 OR failing_since IS NOT NULL)", ep.ID).
			Updates(map[string]any{"consecutive_failures": 0, "failing_since": nil}).Error
	})
}

// failed records a failed attempt: the next try after the backoff, or
// failed for good past the retry window; the endpoint's failures counted,
// and the endpoint disabled when it has failed long enough.
func (s *Sender) failed(ctx context.Context, row deliveryRecord, ep endpointRecord, lease, now time.Time, failure string) error {
	attempts := row.Attempts + 1
	set := map[string]any{"attempts": attempts, "last_error": failure, "locked_until": nil}
	if now.Before(row.RetryUntil) {
		set["next_attempt_at"] = now.Add(s.backoff(attempts))
	} else {
		set["status"] = StatusFailed
	}
	return s.DB.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&deliveryRecord{}).Where("id = ? AND status = ? AND locked_until = ?", row.ID, StatusPending, lease).Updates(set)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		err := tx.Exec(`UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1,
			failing_since = COALESCE(failing_since, ?) WHERE id = ?`, now, ep.ID).Error
		if err != nil {
			return err
		}
		var cur endpointRecord
		if err := tx.Where("id = ?", ep.ID).Take(&cur).Error; err != nil {
			return err
		}
		if cur.Status != filing.WebhookEnabled || cur.ConsecutiveFailures < MinFailures || cur.FailingSince == nil ||
			now.Sub(*cur.FailingSince) < cmp.Or(s.DisableAfter, DefaultDisableAfter) {
			return nil
		}
		return s.disable(tx, cur, now, failure)
	})
}

// disable turns off an endpoint that keeps failing and tells its account:
// a webhook_endpoint.disabled event in its feed, delivered to its other
// endpoints.
func (s *Sender) disable(tx *gorm.DB, ep endpointRecord, now time.Time, failure string) error {
	err := tx.Model(&endpointRecord{}).Where("id = ?", ep.ID).Updates(map[string]any{
		"status": filing.WebhookDisabled, "disabled_reason": ReasonFailing, "disabled_at": now, "updated_at": now}).Error
	if err != nil {
		return err
	}
	draft := feed.Draft{Key: "endpoint/" + ep.ID + "/disabled/" + strconv.FormatInt(now.UnixMicro(), 10),
		Type: filing.EventWebhookEndpointDisabled, OccurredAt: now,
		Data: filing.WebhookEndpointDisabled{EndpointID: ep.ID, FailingSince: ep.FailingSince.UTC(), LastError: failure}}
	if err := feed.Append(tx, "", ep.AccountID, draft); err != nil {
		return err
	}
	if err := Schedule(tx, ep.AccountID, feed.IDs("", []feed.Draft{draft}), now, s.RetryForSchedule); err != nil {
		return err
	}
	s.Metrics.disabledOne()
	s.log().Warn("webhook endpoint disabled after failing", "endpoint_id", ep.ID, "account_id", ep.AccountID,
		"failing_since", ep.FailingSince.UTC(), "last_error", failure)
	return nil
}

// backoff is the wait after the attempt-th failed attempt: FirstBackoff
// doubling up to MaxBackoff, the second half of it random so that
// deliveries failing together do not return together.
func (s *Sender) backoff(attempt int) time.Duration {
	ceiling := cmp.Or(s.MaxBackoff, maxBackoff)
	d := ceiling
	first := cmp.Or(s.FirstBackoff, defaultFirstBackoff)
	if attempt < 20 {
		d = min(first<<max(attempt-1, 0), ceiling)
	}
	return d/2 + rand.N(d/2+1) //nolint:gosec // G404: jitter of a retry wait, not a secret
}

// claimSQL leases due pending deliveries of enabled endpoints that no live
// lease holds and whose filing has no earlier delivery to the same
// endpoint still pending: a filing's events go out one after another, in
// order. On PostgreSQL the inner SELECT locks its rows FOR UPDATE SKIP
// LOCKED, so concurrent senders take disjoint rows.
const claimSQL = `UPDATE webhook_deliveries_out SET locked_until = ?
WHERE id IN (
    SELECT d.id FROM webhook_deliveries_out d
    JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'enabled'
    WHERE d.status = 'pending' AND d.next_attempt_at <= ?
      AND (d.locked_until IS NULL OR d.locked_until < ?)
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries_out p
          WHERE p.endpoint_id = d.endpoint_id AND p.filing_id = d.filing_id
            AND p.seq < d.seq AND p.status = 'pending')
    ORDER BY d.next_attempt_at, d.id
    LIMIT ? %s)
RETURNING *`

// claim leases up to n due deliveries at now until lease.
func claim(ctx context.Context, db *store.DB, now, lease time.Time, n int) ([]deliveryRecord, error) {
	lock := ""
	if db.Dialect == store.Postgres {
		lock = "FOR UPDATE OF d SKIP LOCKED"
	}
	var rows []deliveryRecord
	err := db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Raw(fmt.Sprintf(claimSQL, lock), lease, now, now, n).Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("hooks: claim due deliveries: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	return rows, nil
}

// release hands rows back unsent where lease still holds them.
func release(ctx context.Context, db *store.DB, rows []deliveryRecord, lease time.Time) error {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	return db.Gorm.WithContext(ctx).Model(&deliveryRecord{}).
		Where("id IN ? AND status = ? AND locked_until = ?", ids, StatusPending, lease).
		Update("locked_until", nil).Error
}

// Metrics are the senders' Prometheus metrics; a nil *Metrics records
// nothing.
type Metrics struct {
	attempts *prometheus.CounterVec
	latency  prometheus.Histogram
	disabled prometheus.Counter
}

// NewMetrics registers the delivery metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "beianflow_webhook_delivery_attempts_total",
			Help: "Webhook delivery attempts by outcome: delivered, or the failure's class (timeout, refused, status 503, ...)."}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "beianflow_webhook_delivery_latency_seconds",
			Help:    "From an event's change to its endpoint's acknowledgement, retries included.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400}}),
		disabled: prometheus.NewCounter(prometheus.CounterOpts{Name: "beianflow_webhook_endpoints_disabled_total",
			Help: "Webhook endpoints disabled for failing."}),
	}
	reg.MustRegister(m.attempts, m.latency, m.disabled)
	return m
}

func (m *Metrics) delivered(latency time.Duration) {
	if m != nil {
		m.attempts.WithLabelValues("delivered").Inc()
		m.latency.Observe(latency.Seconds())
	}
}

func (m *Metrics) failed(class string) {
	if m != nil {
		m.attempts.WithLabelValues(class).Inc()
	}
}

func (m *Metrics) disabledOne() {
	if m != nil {
		m.disabled.Inc()
	}
}
