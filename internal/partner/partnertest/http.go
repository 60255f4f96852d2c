package partnertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

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
