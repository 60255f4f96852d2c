package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The support tooling (GET /v1/support/..., POST /v1/support/...): what
// `beianflow ctl` calls. Role: support, for every method in this file.

// Codes of the support endpoints.
const (
	// CodeWorkflowTaskFailing: RetryFiling refused because the filing's
	// workflow code fails on the worker; deploy a fix or roll back first.
	CodeWorkflowTaskFailing = "workflow_task_failing"
	// CodeNothingToRetry: RetryFiling found no failing activity.
	CodeNothingToRetry = "nothing_to_retry"
)

// Reasons of a StuckFiling.
const (
	StuckWorkflowTaskFailing = "workflow_task_failing"
	StuckActivityFailing     = "activity_failing"
	StuckDeadlinePassed      = "deadline_passed"
)

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

// StuckReport is the answer of Stuck.
type StuckReport struct {
	Items []StuckFiling `json:"items"`
	// Scanned open filings were described; OpenFilings are open in all
	// (first page only).
	Scanned     int    `json:"scanned"`
	OpenFilings *int64 `json:"open_filings,omitempty"`
	// NextCursor continues the scan; empty when every open filing was
	// described.
	NextCursor string    `json:"next_cursor,omitempty"`
	Truncated  bool      `json:"truncated"`
	CheckedAt  time.Time `json:"checked_at"`
}

// StuckFiling is one reason one filing is stuck.
type StuckFiling struct {
	FilingID   string       `json:"filing_id"`
	WorkflowID string       `json:"workflow_id"`
	Reason     string       `json:"reason"`
	Stage      string       `json:"stage,omitempty"`
	Step       string       `json:"step,omitempty"`
	WaitingOn  string       `json:"waiting_on,omitempty"`
	Deadline   *time.Time   `json:"deadline,omitempty"`
	UpdatedAt  *time.Time   `json:"updated_at,omitempty"`
	Details    StuckDetails `json:"details"`
	// NextStep is what to do about it, in words.
	NextStep string `json:"next_step"`
}

// StuckDetails are the specifics of a StuckFiling's reason.
type StuckDetails struct {
	ActivityID      string     `json:"activity_id,omitempty"`
	ActivityType    string     `json:"activity_type,omitempty"`
	Attempt         int32      `json:"attempt,omitempty"`
	MaximumAttempts int32      `json:"maximum_attempts,omitempty"`
	Paused          bool       `json:"paused,omitempty"`
	State           string     `json:"state,omitempty"`
	NextAttemptAt   *time.Time `json:"next_attempt_at,omitempty"`
	Cause           string     `json:"cause,omitempty"`
	LastFailure     string     `json:"last_failure,omitempty"`
	LastFailureType string     `json:"last_failure_type,omitempty"`
	LastFailureAt   *time.Time `json:"last_failure_at,omitempty"`
	OverdueSeconds  int64      `json:"overdue_seconds,omitempty"`
}

// Stuck lists filings that need support (GET /v1/support/stuck): workflow
// tasks failing, activities failing again and again, waits past their
// deadline, each with advice.
func (c *Client) Stuck(ctx context.Context, q StuckQuery, opts ...CallOption) (*StuckReport, error) {
	v := url.Values{}
	for name, n := range map[string]int{"limit": q.Limit, "scan": q.Scan, "min_attempts": q.MinAttempts} {
		if n > 0 {
			v.Set(name, strconv.Itoa(n))
		}
	}
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	return call[StuckReport](ctx, c, http.MethodGet, "/v1/support/stuck", v, nil, opts)
}

// FilingHistory is a filing's audit trail and workflow history, decoded.
type FilingHistory struct {
	FilingID   string `json:"filing_id"`
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id,omitempty"`
	// Status of the workflow run (running, completed, …); empty when
	// Temporal no longer holds it.
	Status              string          `json:"status,omitempty"`
	Audit               []TimelineEvent `json:"audit"`
	Events              []HistoryEvent  `json:"events"`
	Truncated           bool            `json:"truncated"`
	UndecodablePayloads int             `json:"undecodable_payloads,omitempty"`
}

// HistoryEvent is one workflow history event in a line.
type HistoryEvent struct {
	EventID int64     `json:"event_id"`
	Time    time.Time `json:"time"`
	Type    string    `json:"type"`
	Summary string    `json:"summary,omitempty"`
}

// FilingHistory returns the audit trail and the workflow's history side by
// side, payloads decoded (GET /v1/support/filings/{id}/history).
func (c *Client) FilingHistory(ctx context.Context, id string, opts ...CallOption) (*FilingHistory, error) {
	if id == "" {
		return nil, errors.New("beianflow: empty filing ID")
	}
	return call[FilingHistory](ctx, c, http.MethodGet, "/v1/support/filings/"+url.PathEscape(id)+"/history", nil, nil, opts)
}

// RetryResult lists the activities Retry made run again.
type RetryResult struct {
	FilingID string `json:"filing_id"`
	Retried  []struct {
		ActivityID    string `json:"activity_id"`
		ActivityType  string `json:"activity_type"`
		AttemptBefore int32  `json:"attempt_before"`
		LastFailure   string `json:"last_failure,omitempty"`
	} `json:"retried"`
}

// RetryFiling runs the filing's failing activities again now, their
// attempts starting over (POST /v1/support/filings/{id}/retry). Refused
// with CodeWorkflowTaskFailing, CodeNothingToRetry or CodeFilingClosed.
func (c *Client) RetryFiling(ctx context.Context, id string, opts ...CallOption) (*RetryResult, error) {
	if id == "" {
		return nil, errors.New("beianflow: empty filing ID")
	}
	return call[RetryResult](ctx, c, http.MethodPost, "/v1/support/filings/"+url.PathEscape(id)+"/retry", nil, struct{}{}, opts)
}

// ReplayResult says whether a history replays against the server's
// workflow code.
type ReplayResult struct {
	Deterministic bool   `json:"deterministic"`
	Error         string `json:"error,omitempty"`
	Events        int    `json:"events"`
	FilingID      string `json:"filing_id,omitempty"`
	WorkflowID    string `json:"workflow_id,omitempty"`
	RunID         string `json:"run_id,omitempty"`
}

// ReplayFiling replays the filing's current history against the server's
// workflow code (POST /v1/support/replay with {"filing_id"}).
func (c *Client) ReplayFiling(ctx context.Context, id string, opts ...CallOption) (*ReplayResult, error) {
	if id == "" {
		return nil, errors.New("beianflow: empty filing ID")
	}
	return call[ReplayResult](ctx, c, http.MethodPost, "/v1/support/replay", nil, map[string]string{"filing_id": id}, opts)
}

// ReplayHistory replays a history as `temporal workflow show --output json`
// exports it (POST /v1/support/replay). It is sent compacted; the server
// takes at most 1 MiB (ReplayFiling has no such limit).
func (c *Client) ReplayHistory(ctx context.Context, historyJSON []byte, opts ...CallOption) (*ReplayResult, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, historyJSON); err != nil {
		return nil, errors.New("beianflow: the history is not JSON: " + err.Error())
	}
	return call[ReplayResult](ctx, c, http.MethodPost, "/v1/support/replay", nil, json.RawMessage(buf.Bytes()), opts)
}
