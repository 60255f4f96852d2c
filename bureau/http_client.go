package bureau

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
	// CallBudget bounds one call to Submit or Status, every attempt and
	// wait included; default 30s. The caller's deadline applies too, so an
	// activity's start-to-close timeout should exceed it.
	CallBudget time.Duration
	// MinBackoff is the wait before the first retry, doubled for each
	// further one up to MaxBackoff, with jitter; defaults 200ms and 5s. A
	// Retry-After header overrides it.
	MinBackoff, MaxBackoff time.Duration
	// Logger receives a line per retry; default slog.Default().
	Logger *slog.Logger
}

// HTTPClient is a Gateway that speaks the gateway protocol of
// docs/protocol.md: to a real provincial gateway, or to NewSandboxServer in
// `make run`. It retries network failures and 429, 502, 503 and 504
// answers within HTTPOptions.CallBudget; the Idempotency-Key header makes a
// retried submission safe. Business refusals (4xx) are not retried and map
// to ErrInvalidSubmission, ErrIdempotencyKeyReused and ErrUnknownReceipt.
// Errors carry operation, receipt or filing ID, HTTP status and error code,
// never the gateway's message, which may quote the application. It is safe
// for concurrent use.
type HTTPClient struct {
	base string
	opts HTTPOptions
}

var _ Gateway = (*HTTPClient)(nil)

// NewHTTPClient returns a client of the gateway at baseURL, e.g.
// "https://gateway.example/v1" (a trailing slash is ignored).
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

// Submit implements Gateway: POST /submissions with the Idempotency-Key
// header. A submission without key is refused before anything is sent:
// without it a retry could submit twice.
func (c *HTTPClient) Submit(ctx context.Context, s Submission) (Receipt, error) {
	op := "submit filing " + s.FilingID
	if s.IdempotencyKey == "" {
		return Receipt{}, fmt.Errorf("bureau: %s: %w: idempotency key is required", op, ErrInvalidSubmission)
	}
	body, err := json.Marshal(toSubmissionBody(s))
	if err != nil {
		return Receipt{}, fmt.Errorf("bureau: %s: encode: %w", op, err)
	}
	a, err := c.call(ctx, op, http.MethodPost, "/submissions", s.IdempotencyKey, body)
	if err != nil {
		return Receipt{}, err
	}
	switch a.status {
	case http.StatusCreated, http.StatusOK:
		var rb receiptBody
		if err := json.Unmarshal(a.body, &rb); err != nil || rb.ReceiptID == "" {
			return Receipt{}, fmt.Errorf("bureau: %s: unreadable receipt in HTTP %d answer", op, a.status)
		}
		return Receipt{ReceiptID: rb.ReceiptID, SubmittedAt: rb.SubmittedAt.UTC()}, nil
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return Receipt{}, a.err(op, ErrInvalidSubmission)
	case http.StatusConflict:
		return Receipt{}, a.err(op, ErrIdempotencyKeyReused)
	}
	return Receipt{}, a.err(op, nil)
}

// Status implements Gateway: GET /submissions/{receipt_id}. Only a 404
// whose code is unknown_receipt means ErrUnknownReceipt: a bare 404 from a
// wrong base URL must not make a filing's submission look lost.
func (c *HTTPClient) Status(ctx context.Context, receiptID string) (Status, error) {
	op := "status of receipt " + receiptID
	if receiptID == "" {
		return Status{}, fmt.Errorf("bureau: %s: %w", op, ErrUnknownReceipt)
	}
	a, err := c.call(ctx, op, http.MethodGet, "/submissions/"+url.PathEscape(receiptID), "", nil)
	if err != nil {
		return Status{}, err
	}
	switch {
	case a.status == http.StatusOK:
		var st Status
		if err := json.Unmarshal(a.body, &st); err != nil || st.ReceiptID == "" || st.State == "" {
			return Status{}, fmt.Errorf("bureau: %s: unreadable status in HTTP 200 answer", op)
		}
		return st, nil
	case a.status == http.StatusNotFound && a.code() == codeUnknownReceipt:
		return Status{}, a.err(op, ErrUnknownReceipt)
	}
	return Status{}, a.err(op, nil)
}
