// Package backoff holds the waits between retries of an HTTP call that the
// API client and the partner clients share: exponential backoff with
// jitter, and the server's Retry-After. Standard library only, so that the
// API client stays light.
package backoff

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Jittered is the wait before retry number attempt (1 for the first): base
// doubled per retry up to ceiling, half of it random so that clients that
// failed together do not retry together. It is 0 when ceiling is not
// positive.
func Jittered(attempt int, base, ceiling time.Duration) time.Duration {
	d := ceiling
	if attempt >= 1 && attempt <= 30 {
		d = min(base<<(attempt-1), ceiling)
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1) //nolint:gosec // G404: jitter of a retry wait, not a secret
}

// RetryAfter reads a Retry-After header value, delay-seconds or an HTTP
// date; 0 when absent, malformed or in the past.
func RetryAfter(v string, now time.Time) time.Duration {
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
