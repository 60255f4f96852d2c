package bureau

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
// header, and HeaderSandboxTimeScale when s carries a hint other than 1. A
// submission without key is refused before anything is sent: without it a
// retry could submit twice.
func (c *HTTPClient) Submit(ctx context.Context, s Submission) (Receipt, error) {
	op := "submit filing " + s.FilingID
	if s.IdempotencyKey == "" {
		return Receipt{}, fmt.Errorf("bureau: %s: %w: idempotency key is required", op, ErrInvalidSubmission)
	}
	body, err := json.Marshal(toSubmissionBody(s))
	if err != nil {
		return Receipt{}, fmt.Errorf("bureau: %s: encode: %w", op, err)
	}
	a, err := c.c.CallWithHeader(ctx, op, http.MethodPost, "/submissions", s.IdempotencyKey, body, httpcall.SandboxTimeScale(s.SandboxTimeScale))
	if err != nil {
		return Receipt{}, err
	}
	switch a.Status {
	case http.StatusCreated, http.StatusOK:
		var rb receiptBody
		if err := json.Unmarshal(a.Body, &rb); err != nil || rb.ReceiptID == "" {
			return Receipt{}, fmt.Errorf("bureau: %s: unreadable receipt in HTTP %d answer", op, a.Status)
		}
		return Receipt{ReceiptID: rb.ReceiptID, SubmittedAt: rb.SubmittedAt.UTC()}, nil
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return Receipt{}, c.c.Refused(op, a, ErrInvalidSubmission)
	case http.StatusConflict:
		return Receipt{}, c.c.Refused(op, a, ErrIdempotencyKeyReused)
	}
	return Receipt{}, c.c.Refused(op, a, nil)
}

// Status implements Gateway: GET /submissions/{receipt_id}. Only a 404
// whose code is unknown_receipt means ErrUnknownReceipt: a bare 404 from a
// wrong base URL must not make a filing's submission look lost.
func (c *HTTPClient) Status(ctx context.Context, receiptID string) (Status, error) {
	op := "status of receipt " + receiptID
	if receiptID == "" {
		return Status{}, fmt.Errorf("bureau: %s: %w", op, ErrUnknownReceipt)
	}
	a, err := c.c.Call(ctx, op, http.MethodGet, "/submissions/"+url.PathEscape(receiptID), "", nil)
	if err != nil {
		return Status{}, err
	}
	switch {
	case a.Status == http.StatusOK:
		var st Status
		if err := json.Unmarshal(a.Body, &st); err != nil || st.ReceiptID == "" || st.State == "" {
			return Status{}, fmt.Errorf("bureau: %s: unreadable status in HTTP 200 answer", op)
		}
		return st, nil
	case a.Status == http.StatusNotFound && a.Code() == codeUnknownReceipt:
		return Status{}, c.c.Refused(op, a, ErrUnknownReceipt)
	}
	return Status{}, c.c.Refused(op, a, nil)
}
