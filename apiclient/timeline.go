package apiclient

import (
	"context"
	"net/http"
	"time"

	"github.com/beianflow/beianflow/workflows"
)

// Timeline is a filing's audit trail (the server's timeline answer).
type Timeline struct {
	FilingID string          `json:"filing_id"`
	Events   []TimelineEvent `json:"events"`
}

// TimelineEvent is one event of the audit trail.
type TimelineEvent struct {
	// Seq numbers the filing's events from 1, without gaps.
	Seq int64     `json:"seq"`
	At  time.Time `json:"at"`
	// Actor is a role and an opaque ID, never a name.
	Actor     string             `json:"actor"`
	Action    string             `json:"action"`
	FromStage workflows.Stage    `json:"from_stage,omitempty"`
	ToStage   workflows.Stage    `json:"to_stage,omitempty"`
	Detail    string             `json:"detail,omitempty"`
	Reasons   []workflows.Reason `json:"reasons"`
}

// Timeline returns a filing's audit trail (GET /v1/filings/{id}/timeline).
// It is written as events happen, so it may trail GetFiling by a moment.
func (c *Client) Timeline(ctx context.Context, id string, opts ...CallOption) (*Timeline, error) {
	p, err := filingPath(id, "/timeline")
	if err != nil {
		return nil, err
	}
	return call[Timeline](ctx, c, http.MethodGet, p, nil, nil, opts)
}
