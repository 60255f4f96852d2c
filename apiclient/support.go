package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/beianflow/beianflow/filing"
)

// The support tooling (GET /v1/support/..., POST /v1/support/...): what
// `beianflow ctl` calls. Role: support, for every method in this file.

// StuckQuery bounds a scan for stuck filings; zero values take the
// server's defaults (limit 50, scan 200, min_attempts 2).
type StuckQuery struct {
	// Limit is the most entries listed (1..200).
	Limit int
	// Scan is the most open filings described in Temporal (1..1000).
	Scan int
	// MinAttempts is the attempt from which a retrying activity is listed.
	MinAttempts int
	// Cursor is StuckReport.NextCursor of the previous call.
	Cursor string
}

// Stuck lists filings that need support (GET /v1/support/stuck): workflow
// tasks failing, activities failing again and again, waits past their
// deadline, each with advice.
func (c *Client) Stuck(ctx context.Context, q StuckQuery, opts ...CallOption) (*filing.StuckReport, error) {
	v := url.Values{}
	for name, n := range map[string]int{"limit": q.Limit, "scan": q.Scan, "min_attempts": q.MinAttempts} {
		if n > 0 {
			v.Set(name, strconv.Itoa(n))
		}
	}
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	return call[filing.StuckReport](ctx, c, http.MethodGet, "/v1/support/stuck", v, nil, opts)
}

// FilingHistory returns the audit trail and the workflow's history side by
// side, payloads decoded (GET /v1/support/filings/{id}/history).
func (c *Client) FilingHistory(ctx context.Context, id filing.ID, opts ...CallOption) (*filing.HistoryReport, error) {
	p, err := supportPath(id, "/history")
	if err != nil {
		return nil, err
	}
	return call[filing.HistoryReport](ctx, c, http.MethodGet, p, nil, nil, opts)
}

// RetryFiling runs the filing's failing activities again now, their
// attempts starting over (POST /v1/support/filings/{id}/retry). Refused
// with filing.CodeWorkflowTaskFailing, CodeNothingToRetry or
// CodeFilingClosed.
func (c *Client) RetryFiling(ctx context.Context, id filing.ID, opts ...CallOption) (*filing.RetryResult, error) {
	p, err := supportPath(id, "/retry")
	if err != nil {
		return nil, err
	}
	return call[filing.RetryResult](ctx, c, http.MethodPost, p, nil, struct{}{}, opts)
}

// ResetFiling puts a filing back to where it last entered a stage
// (POST /v1/support/filings/{id}/reset): the stage's work runs again on the
// workers' current code in a new workflow run. The applicant's later actions
// are redelivered in order and kept if they still fit; others' decisions
// and cancellations after that point are dropped and listed. The new run
// writes who reset it and why to the audit trail. Refused with
// filing.CodeStageNotReached, CodeAlreadyAtStageStart or CodeFilingClosed.
func (c *Client) ResetFiling(ctx context.Context, id filing.ID, req filing.ResetRequest, opts ...CallOption) (*filing.ResetResult, error) {
	p, err := supportPath(id, "/reset")
	if err != nil {
		return nil, err
	}
	return call[filing.ResetResult](ctx, c, http.MethodPost, p, nil, req, opts)
}

// ReplayFiling replays the filing's current history against the server's
// workflow code (POST /v1/support/replay with {"filing_id"}).
func (c *Client) ReplayFiling(ctx context.Context, id filing.ID, opts ...CallOption) (*filing.ReplayResult, error) {
	if id == "" {
		return nil, errors.New("beianflow: empty filing ID")
	}
	return call[filing.ReplayResult](ctx, c, http.MethodPost, "/v1/support/replay", nil, map[string]filing.ID{"filing_id": id}, opts)
}

// ReplayHistory replays a history as `temporal workflow show --output json`
// exports it (POST /v1/support/replay). It is sent compacted; the server
// takes at most 1 MiB (ReplayFiling has no such limit).
func (c *Client) ReplayHistory(ctx context.Context, historyJSON []byte, opts ...CallOption) (*filing.ReplayResult, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, historyJSON); err != nil {
		return nil, errors.New("beianflow: the history is not JSON: " + err.Error())
	}
	return call[filing.ReplayResult](ctx, c, http.MethodPost, "/v1/support/replay", nil, json.RawMessage(buf.Bytes()), opts)
}

func supportPath(id filing.ID, suffix string) (string, error) {
	return filingPathUnder("/v1/support/filings/", id, suffix)
}
