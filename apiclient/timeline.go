package apiclient

import (
	"context"
	"net/http"

	"github.com/beianflow/beianflow/internal/support"
)

// Timeline is a filing's audit trail (the server's timeline answer).
type Timeline struct {
	FilingID string          `json:"filing_id"`
	Events   []TimelineEvent `json:"events"`
}

// TimelineEvent is one event of the audit trail.
type TimelineEvent = support.AuditEntry

// Timeline returns a filing's audit trail (GET /v1/filings/{id}/timeline).
// It is written as events happen, so it may trail GetFiling by a moment.
func (c *Client) Timeline(ctx context.Context, id string, opts ...CallOption) (*Timeline, error) {
	p, err := filingPath(id, "/timeline")
	if err != nil {
		return nil, err
	}
	return call[Timeline](ctx, c, http.MethodGet, p, nil, nil, opts)
}
