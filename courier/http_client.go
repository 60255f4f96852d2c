package courier

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// HTTPOptions configures an HTTPClient. Zero fields take their defaults.
type HTTPOptions struct {
	// Client sends the requests; default a client of its own over
	// http.DefaultTransport. Its own Timeout, if any, applies per attempt
	// on top of RequestTimeout.
	Client *http.Client
	// RequestTimeout bounds one attempt, answer body included; default 10s.
	RequestTimeout time.Duration
	// CallBudget bounds one call to CreateShipment or Track, every attempt
	// and wait included; default 30s. The caller's deadline applies too, so
	// an activity's start-to-close timeout should exceed it.
	CallBudget time.Duration
	// MinBackoff is the wait before the first retry, doubled for each
	// further one up to MaxBackoff, with jitter; defaults 200ms and 5s. A
	// Retry-After header overrides it.
	MinBackoff, MaxBackoff time.Duration
	// Logger receives a line per retry; default slog.Default().
	Logger *slog.Logger
}

// HTTPClient is a Courier that speaks the courier protocol of
// docs/protocol.md: to a real courier, or to NewSandboxServer in `make
// run`. It retries network failures and 429, 502, 503 and 504 answers
// within HTTPOptions.CallBudget; the Idempotency-Key header makes a retried
// order safe. Business refusals (4xx) are not retried and map to
// *UndeliverableError (ErrUndeliverable), ErrInvalidShipment,
// ErrIdempotencyKeyReused and ErrUnknownShipment. Errors carry operation,
// filing ID or tracking number, HTTP status and codes, never the courier's
// message, which may quote the address. It is safe for concurrent use.
type HTTPClient struct {
	base string
	opts HTTPOptions
}

var _ Courier = (*HTTPClient)(nil)

// NewHTTPClient returns a client of the courier at baseURL, e.g.
// "https://courier.example/api" (a trailing slash is ignored).
func NewHTTPClient(baseURL string, opts HTTPOptions) *HTTPClient {
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	if opts.CallBudget <= 0 {
		opts.CallBudget = 30 * time.Second
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 200 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	opts.MaxBackoff = max(opts.MaxBackoff, opts.MinBackoff)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &HTTPClient{base: strings.TrimRight(baseURL, "/"), opts: opts}
}

// CreateShipment implements Courier: POST /shipments with the
// Idempotency-Key header. A shipment without key is refused before
// anything is sent: without it a retry could ship twice.
func (c *HTTPClient) CreateShipment(ctx context.Context, s Shipment) (Tracking, error) {
	op := "ship for filing " + s.FilingID
	if s.IdempotencyKey == "" {
		return Tracking{}, fmt.Errorf("courier: %s: %w: idempotency key is required", op, ErrInvalidShipment)
	}
	body, err := json.Marshal(toShipmentBody(s))
	if err != nil {
		return Tracking{}, fmt.Errorf("courier: %s: encode: %w", op, err)
	}
	a, err := c.call(ctx, op, http.MethodPost, "/shipments", s.IdempotencyKey, body)
	if err != nil {
		return Tracking{}, err
	}
	switch {
	case a.status == http.StatusCreated || a.status == http.StatusOK:
		return a.tracking(op)
	case a.status == http.StatusUnprocessableEntity && a.code() == codeUndeliverable:
		// The same error the sandbox returns: the filing and the reasons are
		// all a caller needs.
		return Tracking{}, &UndeliverableError{FilingID: s.FilingID, Reasons: a.reasons()}
	case a.status == http.StatusBadRequest || a.status == http.StatusRequestEntityTooLarge || a.status == http.StatusUnprocessableEntity:
		return Tracking{}, a.err(op, ErrInvalidShipment)
	case a.status == http.StatusConflict:
		return Tracking{}, a.err(op, ErrIdempotencyKeyReused)
	}
	return Tracking{}, a.err(op, nil)
}

// Track implements Courier: GET /shipments/{tracking_number}. Only a 404
// whose code is unknown_shipment means ErrUnknownShipment: a bare 404 from
// a wrong base URL must not make a parcel look lost.
func (c *HTTPClient) Track(ctx context.Context, trackingNumber string) (Tracking, error) {
	op := "track " + trackingNumber
	if trackingNumber == "" {
		return Tracking{}, fmt.Errorf("courier: %s: %w", op, ErrUnknownShipment)
	}
	a, err := c.call(ctx, op, http.MethodGet, "/shipments/"+url.PathEscape(trackingNumber), "", nil)
	if err != nil {
		return Tracking{}, err
	}
	switch {
	case a.status == http.StatusOK:
		return a.tracking(op)
	case a.status == http.StatusNotFound && a.code() == codeUnknownShipment:
		return Tracking{}, a.err(op, ErrUnknownShipment)
	}
	return Tracking{}, a.err(op, nil)
}

// tracking decodes a successful answer.
func (a answer) tracking(op string) (Tracking, error) {
	var t Tracking
	if err := json.Unmarshal(a.body, &t); err != nil || t.TrackingNumber == "" || t.State == "" {
		return Tracking{}, fmt.Errorf("courier: %s: unreadable tracking in HTTP %d answer", op, a.status)
	}
	return t, nil
}

// reasons are the reason codes of an undeliverable answer; anything that
// does not look like a code is dropped rather than passed on.
func (a answer) reasons() []string {
	var e errorBody
	_ = json.Unmarshal(a.body, &e)
	var out []string
	for _, r := range e.Reasons {
		if errorCode.MatchString(r) {
			out = append(out, r)
		}
	}
	return out
}
