package cluster

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An API process going down closes connections without answering. The
// balancer sends on what may reach the API twice, a read or an action with
// an Idempotency-Key, to the next process; an action without a key it
// answers 502, since it cannot know whether the first process took it.
func TestABrokenConnectionSendsOnlyWhatMayBeSentTwiceToTheNextAPI(t *testing.T) {
	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		require.NoError(t, err)
		_ = conn.Close() // no answer at all
	}))
	defer hangUp.Close()
	var served []string
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		served = append(served, r.Method+" "+string(body))
		w.WriteHeader(http.StatusOK)
	}))
	defer ok.Close()
	b, err := NewBalancer("127.0.0.1:0", []string{hangUp.URL, ok.URL})
	require.NoError(t, err)
	defer func() { _ = b.Close() }()

	send := func(method, key, body string) int {
		req, err := http.NewRequest(method, b.URL()+"/v1/filings/x", strings.NewReader(body))
		require.NoError(t, err)
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	// Each request starts at the next backend in turn: send twice so that
	// one of the two starts at the one that hangs up. Unkeyed first: a
	// backend that failed a resendable request is skipped for a second.
	statuses := map[int]int{}
	for range 2 {
		statuses[send(http.MethodPost, "", `{"b":2}`)]++
	}
	assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusBadGateway: 1}, statuses, "an action without a key is not sent twice")
	for range 2 {
		assert.Equal(t, http.StatusOK, send(http.MethodPost, "k-1", `{"a":1}`), "a keyed action")
	}
	for range 2 {
		assert.Equal(t, http.StatusOK, send(http.MethodGet, "", ""), "a read")
	}
	assert.Contains(t, served, `POST {"a":1}`, "the keyed action's body reached the next API whole")
}

// A client that gives up before the API answers (a partner's push with a
// timeout of its own) is counted 499, as nginx logs it, not as a 502 the
// API never gave.
func TestAClientThatGaveUpIsNotABadGateway(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		<-release
		w.WriteHeader(http.StatusNoContent)
	}))
	defer slow.Close()
	defer close(release)
	b, err := NewBalancer("127.0.0.1:0", []string{slow.URL})
	require.NoError(t, err)
	defer func() { _ = b.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.URL()+"/v1/webhooks/courier", strings.NewReader(`{}`))
	require.NoError(t, err)
	_, err = http.DefaultClient.Do(req)
	require.Error(t, err, "the client gave up")
	require.Eventually(t, func() bool { return b.Statuses()[StatusClientClosed] == 1 }, 2*time.Second, 10*time.Millisecond)
	assert.Zero(t, b.Statuses()[http.StatusBadGateway])
	assert.Empty(t, b.Failures())
}
