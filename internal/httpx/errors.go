package httpx

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
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

// BadRequest is a 400 with a message formatted like fmt.Sprintf.
func BadRequest(code, field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// RuleError is a 400 for a violated province rule, in both languages: the
// rules package words each violation in English and Chinese, more
// precisely than the message of its code.
func RuleError(code, field, en, zh string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Field: field, Message: en, MessageZH: zh}
}

// Unavailable is the 503 for a dependency (what) that cannot be reached:
// the request may succeed when retried.
func Unavailable(what string) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: filing.CodeUnavailable,
		Message: what + " is unavailable; retry later"}
}

// ErrorHandler renders every error as an Error body. Anything that is not
// an *Error is logged with the request ID and answered with a generic 500,
// so internals and personal data never leak into responses.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
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
				"request_id", RequestID(c), "route", c.Path(), "err", err)
			apiErr = &Error{Status: http.StatusInternalServerError, Code: filing.CodeInternal,
				Message: "internal error; quote request ID " + RequestID(c)}
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
		return &Error{Status: e.Code, Code: filing.CodeRouteNotFound, Message: "no such endpoint"}
	case http.StatusMethodNotAllowed:
		return &Error{Status: e.Code, Code: filing.CodeMethodNotAllowed, Message: "method not allowed on this endpoint"}
	case http.StatusRequestEntityTooLarge:
		return &Error{Status: e.Code, Code: filing.CodeBodyTooLarge, Message: "request body too large"}
	case http.StatusUnsupportedMediaType:
		return &Error{Status: e.Code, Code: filing.CodeUnsupportedMediaType, Message: "send application/json"}
	default:
		return &Error{Status: e.Code, Code: http.StatusText(e.Code), Message: fmt.Sprint(e.Message)}
	}
}

// RetryAfter sets Retry-After to wait in whole seconds, at least one, and
// returns them: clients that honour it never retry early.
func RetryAfter(c echo.Context, wait time.Duration) int {
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return secs
}
