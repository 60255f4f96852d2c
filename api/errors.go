package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// Error is the one error body every endpoint returns:
// {"code": "...", "message": "...", "field": "..."}.
// Code is stable and meant for programs; Message is for people; Field is
// the JSON path of the offending input, when there is one.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Details carries structured specifics, e.g. every rule violation.
	Details any `json:"details,omitempty"`
	// MessageZH is the Chinese message when it is more specific than the
	// one for the code (rule violations); Accept-Language picks it.
	MessageZH string `json:"-"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Stable error codes.
const (
	CodeInvalidJSON          = "invalid_json"
	CodeInvalidType          = "invalid_type"
	CodeUnknownField         = "unknown_field"
	CodeRequired             = "required"
	CodeInvalidValue         = "invalid_value"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeBodyTooLarge         = "body_too_large"
	CodeFilingNotFound       = "filing_not_found"
	CodeRouteNotFound        = "route_not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeStageConflict        = "stage_conflict"
	CodeInvalidAction        = "invalid_action"
	CodeApplicationInvalid   = "application_invalid"
	CodeSubjectBusy          = "subject_busy"
	CodeFilingClosed         = "filing_closed"
	CodeMaterialRejected     = "material_rejected"
	CodeFilingExists         = "filing_exists"
	CodeUnavailable          = "dependency_unavailable"
	CodeInternal             = "internal"
)

func badRequest(code, field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ruleError is a 400 for a violated province rule, in both languages.
func ruleError(code, field, en, zh string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Field: field, Message: en, MessageZH: zh}
}

// notFound names the ID only when it is one of ours (a UUID): anything
// else is the caller's input and is not echoed back.
func notFound(id string) *Error {
	msg := "no such filing"
	if u, err := uuid.Parse(id); err == nil && u.String() == id {
		msg = "no filing with ID " + id
	}
	return &Error{Status: http.StatusNotFound, Code: CodeFilingNotFound, Message: msg}
}

func unavailable(what string) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
		Message: what + " is unavailable; retry later"}
}

// errorHandler renders every error as an Error body. Anything that is not
// an *Error is logged with the request ID and answered with a generic 500,
// so internals and personal data never leak into responses.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var apiErr *Error
		var httpErr *echo.HTTPError
		switch {
		case errors.As(err, &apiErr):
		case errors.As(err, &httpErr):
			apiErr = fromEchoError(httpErr)
		default:
			log.ErrorContext(c.Request().Context(), "request failed",
				"request_id", requestID(c), "route", c.Path(), "err", err)
			apiErr = &Error{Status: http.StatusInternalServerError, Code: CodeInternal,
				Message: "internal error; quote request ID " + requestID(c)}
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(apiErr.Status)
			return
		}
		lang := language(c)
		c.Response().Header().Set("Content-Language", lang)
		_ = c.JSON(apiErr.Status, localize(apiErr, lang))
	}
}

func fromEchoError(e *echo.HTTPError) *Error {
	switch e.Code {
	case http.StatusNotFound:
		return &Error{Status: e.Code, Code: CodeRouteNotFound, Message: "no such endpoint"}
	case http.StatusMethodNotAllowed:
		return &Error{Status: e.Code, Code: CodeMethodNotAllowed, Message: "method not allowed on this endpoint"}
	case http.StatusRequestEntityTooLarge:
		return &Error{Status: e.Code, Code: CodeBodyTooLarge, Message: "request body too large"}
	case http.StatusUnsupportedMediaType:
		return &Error{Status: e.Code, Code: CodeUnsupportedMediaType, Message: "send application/json"}
	default:
		return &Error{Status: e.Code, Code: http.StatusText(e.Code), Message: fmt.Sprint(e.Message)}
	}
}
