package courier

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/beianflow/beianflow/internal/httpcall"
	"github.com/beianflow/beianflow/internal/partner"
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
// Idempotency-Key header, and httpcall.HeaderSandboxTimeScale when s carries a hint
// other than 1. A shipment without key is refused before anything is
// sent: without it a retry could ship twice.
func (c *HTTPClient) CreateShipment(ctx context.Context, s Shipment) (Tracking, error) {
	op := "ship for filing " + s.FilingID
	a, err := c.c.Create(ctx, op, "/shipments", s.IdempotencyKey, toShipmentBody(s), s.SandboxTimeScale, ErrInvalidShipment)
	switch {
	case err != nil:
		return Tracking{}, err
	case a.Created():
		return c.tracking(op, a)
	case a.Status == http.StatusUnprocessableEntity && a.Code() == codeUndeliverable:
		// The same error the sandbox returns: the filing and the reasons are
		// all a caller needs.
		return Tracking{}, &UndeliverableError{FilingID: s.FilingID, Reasons: reasons(a)}
	}
	return Tracking{}, c.c.CreateRefused(op, a, ErrInvalidShipment, ErrIdempotencyKeyReused)
}

// Track implements Courier: GET /shipments/{tracking_number}. Only a 404
// whose code is unknown_shipment means ErrUnknownShipment: a bare 404 from
// a wrong base URL must not make a parcel look lost.
func (c *HTTPClient) Track(ctx context.Context, trackingNumber string) (Tracking, error) {
	op := "track " + trackingNumber
	a, err := c.c.Get(ctx, op, "/shipments", trackingNumber, codeUnknownShipment, ErrUnknownShipment)
	if err != nil {
		return Tracking{}, err
	}
	return c.tracking(op, a)
}

// tracking decodes a successful answer.
func (c *HTTPClient) tracking(op string, a httpcall.Answer) (Tracking, error) {
	var t Tracking
	if err := c.c.Decode(op, a, "tracking", &t, func() bool { return t.TrackingNumber != "" && t.State != "" }); err != nil {
		return Tracking{}, err
	}
	return t, nil
}

// reasons are the reason codes of an undeliverable answer; anything that
// does not look like a code is dropped rather than passed on.
func reasons(a httpcall.Answer) []string {
	var e partner.ErrorBody
	_ = json.Unmarshal(a.Body, &e)
	var out []string
	for _, r := range e.Reasons {
		if httpcall.IsCode(r) {
			out = append(out, r)
		}
	}
	return out
}
