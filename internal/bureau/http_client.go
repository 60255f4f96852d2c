package bureau

import (
	"context"

	"github.com/beianflow/beianflow/internal/httpcall"
)

// HTTPOptions configures an HTTPClient. Zero fields take their defaults.
type HTTPOptions = httpcall.Options

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
	c *httpcall.Client
}

var _ Gateway = (*HTTPClient)(nil)

// NewHTTPClient returns a client of the gateway at baseURL, e.g.
// "https://gateway.example/v1" (a trailing slash is ignored).
func NewHTTPClient(baseURL string, opts HTTPOptions) *HTTPClient {
	return &HTTPClient{c: httpcall.New("bureau", baseURL, opts)}
}

// Submit implements Gateway: POST /submissions with the Idempotency-Key
// header, and httpcall.HeaderSandboxTimeScale when s carries a hint other than 1. A
// submission without key is refused before anything is sent: without it a
// retry could submit twice.
func (c *HTTPClient) Submit(ctx context.Context, s Submission) (Receipt, error) {
	op := "submit filing " + s.FilingID
	a, err := c.c.Create(ctx, op, "/submissions", s.IdempotencyKey, toSubmissionBody(s), s.SandboxTimeScale, ErrInvalidSubmission)
	if err != nil {
		return Receipt{}, err
	}
	if !a.Created() {
		return Receipt{}, c.c.CreateRefused(op, a, ErrInvalidSubmission, ErrIdempotencyKeyReused)
	}
	var rb receiptBody
	if err := c.c.Decode(op, a, "receipt", &rb, func() bool { return rb.ReceiptID != "" }); err != nil {
		return Receipt{}, err
	}
	return Receipt{ReceiptID: rb.ReceiptID, SubmittedAt: rb.SubmittedAt.UTC()}, nil
}

// Status implements Gateway: GET /submissions/{receipt_id}. Only a 404
// whose code is unknown_receipt means ErrUnknownReceipt: a bare 404 from a
// wrong base URL must not make a filing's submission look lost.
func (c *HTTPClient) Status(ctx context.Context, receiptID string) (Status, error) {
	op := "status of receipt " + receiptID
	a, err := c.c.Get(ctx, op, "/submissions", receiptID, codeUnknownReceipt, ErrUnknownReceipt)
	if err != nil {
		return Status{}, err
	}
	var st Status
	if err := c.c.Decode(op, a, "status", &st, func() bool { return st.ReceiptID != "" && st.State != "" }); err != nil {
		return Status{}, err
	}
	return st, nil
}
