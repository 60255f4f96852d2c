package partnertest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/httpcall"
)

// Serve serves h for the test's duration.
func Serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// HintRecorder wraps a sandbox server: it keeps the method and the sandbox
// time-scale hint of every request, and answers the first FailFirst with
// 503 (Retry-After 0) after the sandbox acted, as a lost answer would.
type HintRecorder struct {
	Next      http.Handler
	FailFirst int

	mu    sync.Mutex
	hints []string
}

// ServeHTTP implements http.Handler.
func (h *HintRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.hints = append(h.hints, r.Method+" "+r.Header.Get(httpcall.HeaderSandboxTimeScale))
	n := len(h.hints)
	h.mu.Unlock()
	if n <= h.FailFirst {
		h.Next.ServeHTTP(httptest.NewRecorder(), r)
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	h.Next.ServeHTTP(w, r)
}

// Sent lists "METHOD hint" of every request, in order.
func (h *HintRecorder) Sent() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.hints...)
}

// PostWithHint POSTs body (JSON) to url with an idempotency key and a
// sandbox time-scale hint, as the partner clients do, and returns the status
// and the error code of the answer.
func PostWithHint(t *testing.T, url string, body any, key, hint string) (status int, code string) {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(httpcall.HeaderIdempotencyKey, key)
	req.Header.Set(httpcall.HeaderSandboxTimeScale, hint)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	var e struct{ Code string }
	_ = json.NewDecoder(res.Body).Decode(&e)
	return res.StatusCode, e.Code
}

// Quick are client options that retry at once, so that tests do not wait
// for the production backoff.
var Quick = httpcall.Options{
	MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
	CallBudget: 5 * time.Second, Logger: slog.New(slog.DiscardHandler),
}

// Flaky wraps a sandbox server: it keeps the idempotency key and the body
// of every request, and lets the test spoil answers after the sandbox
// acted, as a lost or failed answer would.
type Flaky struct {
	Next http.Handler
	// Spoil, if set, is called with the 1-based attempt number; true means
	// the sandbox's answer is replaced by what Spoil wrote.
	Spoil func(attempt int, w http.ResponseWriter) bool

	mu     sync.Mutex
	keys   []string
	bodies []string
}

// FailFirst spoils the first n answers with status.
func FailFirst(n, status int) func(int, http.ResponseWriter) bool {
	return func(attempt int, w http.ResponseWriter) bool {
		if attempt > n {
			return false
		}
		w.WriteHeader(status)
		return true
	}
}

// ServeHTTP implements http.Handler.
func (f *Flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	f.mu.Lock()
	f.keys = append(f.keys, r.Header.Get(httpcall.HeaderIdempotencyKey))
	f.bodies = append(f.bodies, string(body))
	n := len(f.keys)
	f.mu.Unlock()
	if f.Spoil == nil {
		f.Next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	f.Next.ServeHTTP(rec, r)
	if f.Spoil(n, w) {
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// Count is how many requests came.
func (f *Flaky) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.keys)
}

// Keys are the idempotency keys sent, in order.
func (f *Flaky) Keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.keys...)
}

// Bodies are the request bodies, in order.
func (f *Flaky) Bodies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

// RefusesBadHints checks that post, a create with the given time-scale
// hint, is refused as 400 invalid_time_scale for every hint that is no
// positive number.
func RefusesBadHints(t *testing.T, post func(hint string) (status int, code string)) {
	t.Helper()
	for _, hint := range []string{"fast", "0", "-8640", "NaN", "Inf", "1e400", "8640s"} {
		status, code := post(hint)
		assert.Equal(t, http.StatusBadRequest, status, hint)
		assert.Equal(t, "invalid_time_scale", code, hint)
	}
}
