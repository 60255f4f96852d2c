package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/beianflow/beianflow/internal/support"
	"github.com/beianflow/beianflow/workflows"
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
	// CodeStageNotReached: ResetFiling refused because the filing has never
	// been in the stage asked for.
	CodeStageNotReached = "stage_not_reached"
	// CodeAlreadyAtStageStart: ResetFiling refused because the filing has
	// done nothing since it last entered the stage.
	CodeAlreadyAtStageStart = "already_at_stage_start"
)

// Reasons of a StuckFiling.
const (
	StuckWorkflowTaskFailing = support.ReasonWorkflowTaskFailing
	StuckActivityFailing     = support.ReasonActivityFailing
	StuckDeadlinePassed      = support.ReasonDeadlinePassed
)

// The answers of the support endpoints are the server's own types.
type (
	// StuckReport is the answer of Stuck.
	StuckReport = support.StuckReport
	// StuckFiling is one reason one filing is stuck.
	StuckFiling = support.StuckFiling
	// StuckDetails are the specifics of a StuckFiling's reason.
	StuckDetails = support.StuckDetails
	// FilingHistory is a filing's audit trail and workflow history, decoded.
	FilingHistory = support.HistoryReport
	// HistoryEvent is one workflow history event in a line.
	HistoryEvent = support.HistoryEvent
	// RetryResult lists the activities RetryFiling made run again.
	RetryResult = support.RetryResult
	// ResetResult says what ResetFiling did: the new run, and the actions
	// after the reset point redelivered or dropped.
	ResetResult = support.ResetResult
	// ResetAction is one action that followed the reset point.
	ResetAction = support.ResetAction
	// ReplayResult says whether a history replays against the server's
	// workflow code.
	ReplayResult = support.ReplayResult
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

// FilingHistory returns the audit trail and the workflow's history side by
// side, payloads decoded (GET /v1/support/filings/{id}/history).
func (c *Client) FilingHistory(ctx context.Context, id string, opts ...CallOption) (*FilingHistory, error) {
	if id == "" {
		return nil, errors.New("beianflow: empty filing ID")
	}
	return call[FilingHistory](ctx, c, http.MethodGet, "/v1/support/filings/"+url.PathEscape(id)+"/history", nil, nil, opts)
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

// ResetRequest is the body of ResetFiling.
type ResetRequest struct {
	// ToStage is the stage to put the filing back to; one of
	// ResettableStages.
	ToStage workflows.Stage `json:"to_stage"`
	// Reason says why, for the audit trail: one line, at most 500
	// characters, no personal data.
	Reason string `json:"reason"`
}

// ResettableStages lists the stages ResetFiling accepts.
func ResettableStages() []workflows.Stage { return support.ResettableStages() }

// ResetFiling puts a filing back to where it last entered a stage
// (POST /v1/support/filings/{id}/reset): the stage's work runs again on the
// workers' current code in a new workflow run. The applicant's later actions
// are redelivered in order and kept if they still fit; others' decisions
// and cancellations after that point are dropped and listed. The new run
// writes who reset it and why to the audit trail. Refused with
// CodeStageNotReached, CodeAlreadyAtStageStart or CodeFilingClosed.
func (c *Client) ResetFiling(ctx context.Context, id string, req ResetRequest, opts ...CallOption) (*ResetResult, error) {
	if id == "" {
		return nil, errors.New("beianflow: empty filing ID")
	}
	return call[ResetResult](ctx, c, http.MethodPost, "/v1/support/filings/"+url.PathEscape(id)+"/reset", nil, req, opts)
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
