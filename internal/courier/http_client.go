package courier

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/beianflow/beianflow/internal/httpcall"
)

// HTTPOptions configures an HTTPClient. Zero fields take their defaults.
type HTTPOptions = httpcall.Options

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
	c *httpcall.Client
}

var _ Courier = (*HTTPClient)(nil)

// NewHTTPClient returns a client of the courier at baseURL, e.g.
// "https://courier.example/api" (a trailing slash is ignored).
func NewHTTPClient(baseURL string, opts HTTPOptions) *HTTPClient {
	return &HTTPClient{c: httpcall.New("courier", baseURL, opts)}
}

// CreateShipment implements Courier: POST /shipments with the
// Idempotency-Key header, and HeaderSandboxTimeScale when s carries a hint
// other than 1. A shipment without key is refused before anything is
// sent: without it a retry could ship twice.
func (c *HTTPClient) CreateShipment(ctx context.Context, s Shipment) (Tracking, error) {
	op := "ship for filing " + s.FilingID
	if s.IdempotencyKey == "" {
		return Tracking{}, fmt.Errorf("courier: %s: %w: idempotency key is required", op, ErrInvalidShipment)
	}
	body, err := json.Marshal(toShipmentBody(s))
	if err != nil {
		return Tracking{}, fmt.Errorf("courier: %s: encode: %w", op, err)
	}
	a, err := c.c.CallWithHeader(ctx, op, http.MethodPost, "/shipments", s.IdempotencyKey, body, httpcall.SandboxTimeScale(s.SandboxTimeScale))
	if err != nil {
		return Tracking{}, err
	}
	switch {
	case a.Status == http.StatusCreated || a.Status == http.StatusOK:
		return tracking(a, op)
	case a.Status == http.StatusUnprocessableEntity && a.Code() == codeUndeliverable:
		// The same error the sandbox returns: the filing and the reasons are
		// all a caller needs.
		return Tracking{}, &UndeliverableError{FilingID: s.FilingID, Reasons: reasons(a)}
	case a.Status == http.StatusBadRequest || a.Status == http.StatusRequestEntityTooLarge || a.Status == http.StatusUnprocessableEntity:
		return Tracking{}, c.c.Refused(op, a, ErrInvalidShipment)
	case a.Status == http.StatusConflict:
		return Tracking{}, c.c.Refused(op, a, ErrIdempotencyKeyReused)
	}
	return Tracking{}, c.c.Refused(op, a, nil)
}

// Track implements Courier: GET /shipments/{tracking_number}. Only a 404
// whose code is unknown_shipment means ErrUnknownShipment: a bare 404 from
// a wrong base URL must not make a parcel look lost.
func (c *HTTPClient) Track(ctx context.Context, trackingNumber string) (Tracking, error) {
	op := "track " + trackingNumber
	if trackingNumber == "" {
		return Tracking{}, fmt.Errorf("courier: %s: %w", op, ErrUnknownShipment)
	}
	a, err := c.c.Call(ctx, op, http.MethodGet, "/shipments/"+url.PathEscape(trackingNumber), "", nil)
	if err != nil {
		return Tracking{}, err
	}
	switch {
	case a.Status == http.StatusOK:
		return tracking(a, op)
	case a.Status == http.StatusNotFound && a.Code() == codeUnknownShipment:
		return Tracking{}, c.c.Refused(op, a, ErrUnknownShipment)
	}
	return Tracking{}, c.c.Refused(op, a, nil)
}

// tracking decodes a successful answer.
func tracking(a httpcall.Answer, op string) (Tracking, error) {
	var t Tracking
	if err := json.Unmarshal(a.Body, &t); err != nil || t.TrackingNumber == "" || t.State == "" {
		return Tracking{}, fmt.Errorf("courier: %s: unreadable tracking in HTTP %d answer", op, a.Status)
	}
	return t, nil
}

// reasons are the reason codes of an undeliverable answer; anything that
// does not look like a code is dropped rather than passed on.
func reasons(a httpcall.Answer) []string {
	var e errorBody
	_ = json.Unmarshal(a.Body, &e)
	var out []string
	for _, r := range e.Reasons {
		if httpcall.IsCode(r) {
			out = append(out, r)
		}
	}
	return out
}
