package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/beianflow/beianflow/rules"
)

// Error is a non-2xx answer of the API. The server sends one shape for
// every error, {"code", "message", "field", "details"}; an answer that is
// not in that shape (e.g. a proxy's HTML page) still becomes an *Error with
// Status set and Code empty.
type Error struct {
	// Status is the HTTP status.
	Status int
	// Code is the stable, machine-readable reason (the Code… constants, a
	// rule code such as "domain.tld_not_approved", or a filing-type code
	// such as "filing_type.…"). Switch on it, never on Message.
	Code string
	// Message explains the error to people, in the requested language
	// where the server has one.
	Message string
	// Field is the JSON path of the offending input, when there is one.
	Field string
	// Details carries structured specifics as sent, e.g. every rule
	// violation of application_invalid (see Violations).
	Details json.RawMessage
	// RequestID is the server's X-Request-Id; quote it when reporting.
	RequestID string
	// RetryAfter is the server's Retry-After, when it sent one (429, 503):
	// how long to wait before trying again.
	RetryAfter time.Duration
}

// Error describes the answer. It never includes the request body, which may
// hold personal data.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Field != "" {
		b.WriteString(" (field " + e.Field + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" [request " + e.RequestID + "]")
	}
	return b.String()
}

// Violations decodes Details as the rule violations that come with
// application_invalid; nil when Details holds something else.
func (e *Error) Violations() []rules.Violation {
	var vs []rules.Violation
	if json.Unmarshal(e.Details, &vs) != nil {
		return nil
	}
	return vs
}

// IsCode reports whether err is, or wraps, an *Error with the given code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// Error codes the API returns. Rule codes (e.g. "domain.tld_not_approved")
// and filing-type codes ("filing_type.…") come on top; see the rules package.
const (
	// 400: the request cannot be read.
	CodeInvalidJSON  = "invalid_json"
	CodeInvalidType  = "invalid_type"
	CodeUnknownField = "unknown_field"
	CodeRequired     = "required"
	CodeInvalidValue = "invalid_value"
	// CodeInvalidCursor: a listing cursor that is malformed, expired or was
	// issued for other filters; start again without one.
	CodeInvalidCursor = "invalid_cursor"
	// CodeInvalidIdempotencyKey: the Idempotency-Key header is malformed.
	CodeInvalidIdempotencyKey = "invalid_idempotency_key"

	// 401 and 403: authentication and authorisation.
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	// CodeAccountMismatch: a backend key creating a filing for another
	// account. (Another account's filing is CodeFilingNotFound.)
	CodeAccountMismatch = "account_mismatch"

	// 404, 405.
	CodeFilingNotFound   = "filing_not_found"
	CodeRouteNotFound    = "route_not_found"
	CodeMethodNotAllowed = "method_not_allowed"

	// 409: the filing's state does not allow the request.
	CodeStageConflict = "stage_conflict"
	CodeSubjectBusy   = "subject_busy"
	CodeFilingClosed  = "filing_closed"
	CodeFilingExists  = "filing_exists"
	// CodeIdempotencyKeyReused: the key was used before with another
	// request body; use a new key for a new request.
	CodeIdempotencyKeyReused = "idempotency_key_reused"
	// CodeIdempotencyInProgress: a request with the same key is still
	// being processed. The client retries it like a 503; when the retries
	// run out, retry later with the same key (Meta.IdempotencyKey).
	CodeIdempotencyInProgress = "idempotency_in_progress"

	// 413, 415.
	CodeBodyTooLarge         = "body_too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"

	// 422: the request is well-formed but refused.
	CodeInvalidAction      = "invalid_action"
	CodeApplicationInvalid = "application_invalid"
	CodeMaterialMissing    = "material_missing"
	CodeMaterialRejected   = "material_rejected"

	// 429.
	CodeRateLimited = "rate_limited"

	// 5xx.
	CodeInternal    = "internal"
	CodeUnavailable = "dependency_unavailable"
)

// newError reads a non-2xx answer.
func newError(a *answer) *Error {
	e := &Error{
		Status:     a.status,
		RequestID:  a.header.Get(HeaderRequestID),
		RetryAfter: retryAfter(a.header.Get("Retry-After"), time.Now()),
	}
	var wire struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Field   string          `json:"field"`
		Details json.RawMessage `json:"details"`
	}
	if json.Unmarshal(a.body, &wire) != nil || wire.Code == "" {
		// Not the API's error shape: a proxy or load balancer answered.
		// Its body is not quoted; the status and content type say enough.
		e.Message = http.StatusText(a.status)
		if ct := a.header.Get("Content-Type"); ct != "" {
			e.Message += fmt.Sprintf(" (%d-byte %s body)", len(a.body), ct)
		}
		return e
	}
	e.Code, e.Message, e.Field = wire.Code, wire.Message, wire.Field
	if d := bytes.TrimSpace(wire.Details); len(d) > 0 && !bytes.Equal(d, []byte("null")) {
		e.Details = d
	}
	return e
}
