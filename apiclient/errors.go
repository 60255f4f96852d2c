package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/beianflow/beianflow/internal/backoff"

	"github.com/beianflow/beianflow/filing"
)

// Error is a non-2xx answer of the API. The server sends one shape for
// every error, {"code", "message", "field", "details"}; an answer that is
// not in that shape (e.g. a proxy's HTML page) still becomes an *Error with
// Status set and Code empty.
type Error struct {
	// Status is the HTTP status.
	Status int
	// Code is the stable, machine-readable reason (the filing.Code…
	// constants, a rule code such as "domain.tld_not_approved", or a
	// filing-type code such as "filing_type.…"). Switch on it, never on
	// Message.
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
func (e *Error) Violations() []filing.Violation {
	var vs []filing.Violation
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

// newError reads a non-2xx answer.
func newError(a *answer) *Error {
	e := &Error{
		Status:     a.status,
		RequestID:  a.header.Get(HeaderRequestID),
		RetryAfter: backoff.RetryAfter(a.header.Get("Retry-After"), time.Now()),
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
