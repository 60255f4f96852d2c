package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/auth"
	"github.com/beianflow/beianflow/internal/erasure"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/httpx"
	"github.com/beianflow/beianflow/internal/store"
	supportsvc "github.com/beianflow/beianflow/internal/support"
)

// supportRoutes serves the support tooling (`beianflow ctl`): stuck
// filings, decoded histories, retries and replays. Support keys only: the
// decoded history shows every payload in clear.
type supportRoutes struct {
	s  *server
	sv *supportsvc.Service
}

func (s *server) registerSupport(v1 *router) {
	r := &supportRoutes{s: s, sv: &supportsvc.Service{Filings: s.client, Namespace: s.Namespace, DB: s.DB,
		Codec: s.Codec.Codec, Now: s.Now}}
	v1.add(http.MethodGet, "/support/stuck", r.stuck, RoleSupport)
	v1.add(http.MethodGet, "/support/filings/:id/history", r.history, RoleSupport)
	v1.add(http.MethodPost, "/support/filings/:id/retry", r.retry, RoleSupport)
	v1.add(http.MethodPost, "/support/replay", r.replay, RoleSupport)
	v1.add(http.MethodPost, "/support/filings/:id/reset", r.reset, RoleSupport)
	v1.add(http.MethodPost, "/support/filings/:id/erase", r.erase, RoleSupport)
}

// erase answers POST /v1/support/filings/:id/erase: an ended filing's
// personal data is erased (erasure.Eraser), for the data subject's request
// (PIPL Art. 47) or another reason code.
func (r *supportRoutes) erase(c echo.Context) error {
	id, perr := filingID(c)
	if perr != nil {
		return perr
	}
	var req filing.EraseRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.Reason == "" {
		return httpx.BadRequest(filing.CodeRequired, "reason", "say why, as a snake_case code such as subject_request")
	}
	if r.s.Eraser == nil {
		return httpx.Unavailable("the erasure service")
	}
	p := auth.PrincipalOf(c)
	res, err := r.s.Eraser.Erase(c.Request().Context(), id, "support:"+p.KeyID, req.Reason)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound(id)
	case errors.Is(err, erasure.ErrNotEnded):
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeFilingNotEnded,
			Message: "the filing is still in flight; only approved, cancelled or expired filings are erased"}
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, filing.ErasureResult{FilingID: id, ErasedAt: res.ErasedAt, DocumentsDeleted: res.Documents, AlreadyErased: res.Already})
}

// maxResetReasonRunes bounds the reason written to the audit trail.
const maxResetReasonRunes = 500

// reset answers POST /v1/support/filings/:id/reset: the filing starts
// again from where it last entered a stage (see supportsvc.Service.Reset).
func (r *supportRoutes) reset(c echo.Context) error {
	id, perr := filingID(c)
	if perr != nil {
		return perr
	}
	var req filing.ResetRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	stage := req.ToStage
	switch {
	case req.ToStage == "":
		return httpx.BadRequest(filing.CodeRequired, "to_stage", "to_stage is required")
	case !slices.Contains(filing.ResettableStages(), stage):
		return httpx.BadRequest(filing.CodeInvalidValue, "to_stage", "to_stage must be a stage before the bureau's decision, such as photo_verification")
	case strings.TrimSpace(req.Reason) == "":
		return httpx.BadRequest(filing.CodeRequired, "reason", "say why the filing is reset; the reason goes to the audit trail")
	case utf8.RuneCountInString(req.Reason) > maxResetReasonRunes || strings.ContainsFunc(req.Reason, unicode.IsControl):
		return httpx.BadRequest(filing.CodeInvalidValue, "reason", "reason must be one line of at most %d characters", maxResetReasonRunes)
	}
	p := auth.PrincipalOf(c)
	ctx := c.Request().Context()
	requestID := updateID(c) // a retried request resets once
	res, err := r.sv.Reset(ctx, id, supportsvc.ResetOrder{ToStage: stage, Reason: strings.TrimSpace(req.Reason),
		Actor: "support:" + p.KeyID, RequestID: requestID})
	if err != nil {
		return r.fail(c, id, err)
	}
	r.s.Log.InfoContext(ctx, "support reset a filing", "filing_id", id, "key_id", p.KeyID, "to_stage", stage,
		"event_id", res.EventID, "run_id", res.RunID, "redelivered", len(res.Redelivered), "dropped", len(res.Dropped))
	return c.JSON(http.StatusOK, res)
}

// stuck answers GET /v1/support/stuck: filings whose workflow task or an
// activity keeps failing, and filings past the deadline of their wait, each
// with what to do.
func (r *supportRoutes) stuck(c echo.Context) error {
	v := c.QueryParams()
	if e := checkParams(v, []string{"limit", "scan", "min_attempts", "cursor"}); e != nil {
		return e
	}
	var q supportsvc.StuckQuery
	var e *httpx.Error
	if q.Limit, e = supportIntParam(v, "limit", supportsvc.DefaultStuckLimit, 1, supportsvc.MaxStuckLimit); e != nil {
		return e
	}
	if q.Scan, e = supportIntParam(v, "scan", supportsvc.DefaultStuckScan, 1, supportsvc.MaxStuckScan); e != nil {
		return e
	}
	if q.MinAttempts, e = supportIntParam(v, "min_attempts", supportsvc.DefaultMinAttempts, 1, 1000); e != nil {
		return e
	}
	if q.Cursor, e = single(v, "cursor"); e != nil {
		return e
	}
	rep, err := r.sv.Stuck(c.Request().Context(), q)
	if err != nil {
		return r.fail(c, "", err)
	}
	return c.JSON(http.StatusOK, rep)
}

// history answers GET /v1/support/filings/:id/history: the audit trail
// and the workflow's own events, decoded.
func (r *supportRoutes) history(c echo.Context) error {
	id, perr := filingID(c)
	if perr != nil {
		return perr
	}
	rep, err := r.sv.History(c.Request().Context(), id)
	if err != nil {
		return r.fail(c, id, err)
	}
	return c.JSON(http.StatusOK, rep)
}

// retry answers POST /v1/support/filings/:id/retry: the failing activities
// of the filing run again now, their attempts starting over.
func (r *supportRoutes) retry(c echo.Context) error {
	id, perr := filingID(c)
	if perr != nil {
		return perr
	}
	if c.Request().ContentLength != 0 {
		var empty struct{}
		if err := httpx.DecodeJSON(c, &empty); err != nil {
			return err
		}
	}
	p := auth.PrincipalOf(c)
	ctx := c.Request().Context()
	res, err := r.sv.Retry(ctx, id, "beianflow-support:"+p.KeyID)
	if err != nil {
		return r.fail(c, id, err)
	}
	for _, a := range res.Retried {
		// Who made the filing act outside its own schedule. The audit
		// trail is numbered by the workflow and cannot take entries from
		// outside; Temporal records the identity with the reset.
		r.s.Log.InfoContext(ctx, "support retried an activity", "filing_id", id, "key_id", p.KeyID,
			"activity_type", a.ActivityType, "activity_id", a.ActivityID, "attempt_before", a.AttemptBefore)
	}
	return c.JSON(http.StatusOK, res)
}

// replay answers POST /v1/support/replay: a history (as `temporal workflow
// show --output json` exports it) or {"filing_id": ...} is replayed against
// this build's workflow code.
func (r *supportRoutes) replay(c echo.Context) error {
	req := c.Request()
	raw, e := httpx.ReadJSON(c)
	if e != nil {
		if e.Code == filing.CodeBodyTooLarge {
			e.Message = "request body too large; replay a filing the server holds with {\"filing_id\": ...} instead"
		}
		return e
	}
	var top map[string]json.RawMessage
	if e := httpx.DecodeOne(json.NewDecoder(bytes.NewReader(raw)), &top); e != nil {
		return e
	}
	ctx := req.Context()
	_, hasEvents := top["events"]
	idRaw, hasID := top["filing_id"]
	switch {
	case hasEvents && hasID:
		return httpx.BadRequest(filing.CodeInvalidValue, "filing_id", "send either a history (events) or a filing_id, not both")
	case hasID:
		if len(top) > 1 {
			return httpx.BadRequest(filing.CodeInvalidValue, "filing_id", "with filing_id, send nothing else")
		}
		var raw string
		if err := json.Unmarshal(idRaw, &raw); err != nil {
			return httpx.BadRequest(filing.CodeInvalidType, "filing_id", "filing_id must be a string")
		}
		id, err := filing.ParseID(raw)
		if err != nil {
			return noSuchFiling()
		}
		res, err := r.sv.ReplayFiling(ctx, id)
		if err != nil {
			return r.fail(c, id, err)
		}
		return c.JSON(http.StatusOK, res)
	case hasEvents:
		res, err := r.sv.ReplayJSON(ctx, raw)
		if err != nil {
			return r.fail(c, "", err)
		}
		return c.JSON(http.StatusOK, res)
	}
	return httpx.BadRequest(filing.CodeRequired, "events", "send a workflow history ({\"events\": [...]}) or {\"filing_id\": ...}")
}

// fail maps the support service's errors to the API's.
func (r *supportRoutes) fail(c echo.Context, id filing.ID, err error) error {
	switch {
	case errors.Is(err, filings.ErrNotFound):
		return notFound(id)
	case errors.Is(err, filings.ErrClosed):
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeFilingClosed, Message: "the filing has ended; nothing runs any more"}
	case errors.Is(err, supportsvc.ErrWorkflowTaskFailing):
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeWorkflowTaskFailing,
			Message: "the filing's workflow code fails on the worker (e.g. non-determinism after a deploy); running it again changes nothing. " +
				"Roll the worker back, or deploy a fix checked with POST /v1/support/replay; GET /v1/support/stuck shows the failure"}
	case errors.Is(err, supportsvc.ErrNothingToRetry):
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeNothingToRetry,
			Message: "no activity of this filing is failing; GET /v1/support/stuck and the history say what it waits for"}
	case errors.Is(err, supportsvc.ErrStageNotReached):
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeStageNotReached, Field: "to_stage",
			Message: "the filing has never been in that stage; GET /v1/filings/{id}/timeline shows where it has been"}
	case errors.Is(err, supportsvc.ErrAtStageStart):
		return &httpx.Error{Status: http.StatusConflict, Code: filing.CodeAlreadyAtStageStart, Field: "to_stage",
			Message: "the filing has done nothing since it entered that stage; a reset would change nothing"}
	case errors.Is(err, supportsvc.ErrNotResettable):
		return httpx.BadRequest(filing.CodeInvalidValue, "to_stage", "to_stage must be a stage before the bureau's decision")
	case errors.Is(err, supportsvc.ErrBadCursor):
		return httpx.BadRequest(filing.CodeInvalidCursor, "cursor", "the cursor is not one this endpoint issued; start again without it")
	case errors.Is(err, supportsvc.ErrBadHistory):
		return httpx.BadRequest(filing.CodeInvalidValue, "events", "the body is not a workflow history as `temporal workflow show --output json` exports it")
	case errors.Is(err, supportsvc.ErrDatabase):
		r.s.Log.ErrorContext(c.Request().Context(), "support endpoint", "filing_id", id, "err", err)
		return httpx.Unavailable("the database")
	}
	return temporalError(err)
}

// supportIntParam reads an optional whole-number query parameter within [lo, hi].
func supportIntParam(v url.Values, name string, def, lo, hi int) (int, *httpx.Error) {
	s, e := single(v, name)
	if e != nil || s == "" {
		return def, e
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, httpx.BadRequest(filing.CodeInvalidValue, name, "%s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}
