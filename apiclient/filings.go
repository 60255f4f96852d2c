package apiclient

import (
	"context"
	"net/http"

	"github.com/beianflow/beianflow/filing"
)

// CreateFiling starts a filing (POST /v1/filings, 201). A subject with a
// filing in flight is refused with filing.CodeSubjectBusy; other filing
// types with their "filing_type.…" code (409 or 422).
//
// Role: backend.
func (c *Client) CreateFiling(ctx context.Context, req filing.CreateRequest, opts ...CallOption) (*filing.View, error) {
	return call[filing.View](ctx, c, http.MethodPost, "/v1/filings", nil, req, opts)
}

// GetFiling returns a filing's state (GET /v1/filings/{id}).
//
// Role: any (a backend key sees its own account's filings only).
func (c *Client) GetFiling(ctx context.Context, id filing.ID, opts ...CallOption) (*filing.View, error) {
	p, err := filingPath(id, "")
	if err != nil {
		return nil, err
	}
	return call[filing.View](ctx, c, http.MethodGet, p, nil, nil, opts)
}

// Cancel cancels a filing before bureau submission (POST
// /v1/filings/{id}/cancel). req.Reason is a snake_case code such as
// "user_request" (the server's default when empty), never free text.
// Cancelling a cancelled filing answers its state, so retrying is harmless.
//
// Role: backend.
func (c *Client) Cancel(ctx context.Context, id filing.ID, req filing.CancelRequest, opts ...CallOption) (*filing.View, error) {
	return c.act(ctx, id, "/cancel", req, opts)
}
