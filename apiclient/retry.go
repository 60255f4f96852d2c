package apiclient

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// retryable: rate limiting and the API or its proxy being down say nothing
// about the request, so the same request may succeed later. The one 4xx
// retried is 409 idempotency_in_progress: it answers only a repeat of a
// key whose first request is still running — typically this client's own
// retry after an attempt timed out — and the first request's answer is
// what the retry will get. Every other status is the server's answer to
// this request, and repeating it would get the same answer.
func retryable(e *Error) bool {
	switch e.Status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusConflict:
		return e.Code == filing.CodeIdempotencyInProgress
	}
	return false
}

// backoff is the wait before retry number attempt (1 for the first):
// backoffBase doubled per retry up to backoffCap, half of it random so that
// clients that failed together do not retry together.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.backoffCap
	if attempt <= 30 {
		d = min(c.backoffBase<<(attempt-1), c.backoffCap)
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1) //nolint:gosec // G404: jitter of a retry wait, not a secret
}

// retryAfter reads a Retry-After value, delay-seconds or an HTTP date; 0
// when absent, malformed or in the past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(secs, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// sleep waits d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
