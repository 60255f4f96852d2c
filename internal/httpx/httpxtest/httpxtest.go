// Package httpxtest sends requests to handlers in-process and reads their
// JSON answers, for the tests of the API and of what it is built from.
package httpxtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// Answer is what a handler answered.
type Answer struct {
	Status int
	Header http.Header
	// Body is the JSON object answered; nil for an empty body.
	Body map[string]any
}

// Call sends method path with body (none when empty) of contentType (no
// header when empty) and the header name-value pairs to h. An answer that
// is not a JSON object fails the test: every answer of the API is one.
func Call(t *testing.T, h http.Handler, method, path, contentType, body string, header ...string) Answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if contentType != "" {
		req.Header.Set(echo.HeaderContentType, contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	out := Answer{Status: rec.Code, Header: rec.Header()}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out.Body); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %s", method, path, rec.Body)
		}
	}
	return out
}

// MustJSON encodes v, which must encode.
func MustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
