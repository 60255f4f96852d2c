package apiclient

import (
	"context"
	"net/http"

	"github.com/beianflow/beianflow/filing"
)

// Timeline returns a filing's audit trail (GET /v1/filings/{id}/timeline).
// It is written as events happen, so it may trail GetFiling by a moment.
func (c *Client) Timeline(ctx context.Context, id filing.ID, opts ...CallOption) (*filing.Timeline, error) {
	p, err := filingPath(id, "/timeline")
	if err != nil {
		return nil, err
	}
	return call[filing.Timeline](ctx, c, http.MethodGet, p, nil, nil, opts)
}
