package apiclient

import (
	"context"
	"net/http"

	"github.com/beianflow/beianflow/filing"
)

// ValidateApplication checks a complete or partial application against the
// rules without storing or starting anything (POST /v1/filings/validate).
// Violations are the answer, not an error; only an unreadable body is.
// Materials lists the documents its submission will demand.
//
// Role: backend.
func (c *Client) ValidateApplication(ctx context.Context, app filing.Application, opts ...CallOption) (*filing.Validation, error) {
	return call[filing.Validation](ctx, c, http.MethodPost, "/v1/filings/validate", nil, app, opts)
}
