package apiclient

import (
	"context"
	"net/http"
	"time"

	"github.com/beianflow/beianflow/internal/backoff"

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

// backoff is the wait before retry number attempt (1 for the first).
func (c *Client) backoff(attempt int) time.Duration {
	return backoff.Jittered(attempt, c.backoffBase, c.backoffCap)
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
