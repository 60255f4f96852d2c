package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/requestid"
)

// RequestID is the ID of the request being answered, the caller's or one
// minted for it: logs quote it so that a caller's report finds its lines.
func RequestID(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

// requestIDContext puts the request ID into the request's context, where
// the Temporal client's context propagator picks it up, so that the
// workflow's handlers and activities log it too.
func requestIDContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		c.SetRequest(r.WithContext(requestid.With(r.Context(), RequestID(c))))
		return next(c)
	}
}

// accessLog logs one line per request: the route template rather than the
// raw URL, and never bodies or query strings, which may carry personal data.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			log.InfoContext(c.Request().Context(), "http request",
				"request_id", RequestID(c),
				"method", c.Request().Method,
				"route", c.Path(),
				"status", c.Response().Status,
				"duration_ms", float64(time.Since(start).Microseconds())/1000)
			return nil
		}
	}
}

// recoverer turns a handler panic into a logged 500 instead of a dropped
// connection.
func recoverer(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					log.ErrorContext(c.Request().Context(), "handler panic",
						"request_id", RequestID(c), "route", c.Path(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return next(c)
		}
	}
}

// LimitBody caps the request body; reading past it fails with
// *http.MaxBytesError, which ReadBody turns into 413.
func LimitBody(n int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().ContentLength > n {
				return &Error{Status: http.StatusRequestEntityTooLarge, Code: filing.CodeBodyTooLarge,
					Message: fmt.Sprintf("request body larger than %d bytes", n)}
			}
			c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, n)
			return next(c)
		}
	}
}

// SecurityHeaders marks every answer as JSON that browsers must not sniff,
// frame, cache or leak through referrers: the API serves personal data to
// programs, never pages. CORS headers are not sent, so browsers keep other
// origins out.
func SecurityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// requestIDPattern is what a caller's X-Request-Id must look like to be
// kept; it goes into logs and answers, so arbitrary text may not.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// saneRequestID drops a caller's X-Request-Id that is not a short token,
// so the next middleware mints one instead.
func saneRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header
		if id := h.Get(echo.HeaderXRequestID); id != "" && !requestIDPattern.MatchString(id) {
			h.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}
