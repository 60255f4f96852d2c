package bureau

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// maxAnswerBytes caps how much of an answer is read; the gateway's answers
// are small JSON documents.
const maxAnswerBytes = 1 << 20

// answer is a definitive HTTP answer: one that retrying would not change.
type answer struct {
	status int
	body   []byte
}

// call sends the request until it gets a definitive answer, retrying
// network failures and retryable statuses with exponential backoff and
// jitter (or after Retry-After) as long as the call budget allows. POSTs
// carry key as Idempotency-Key, so a retry after a lost answer returns the
// first result instead of acting twice.
func (c *HTTPClient) call(ctx context.Context, op, method, path, key string, body []byte) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.CallBudget)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return answer{}, fmt.Errorf("bureau: %s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set(HeaderIdempotencyKey, key)
	}
	for attempt := 1; ; attempt++ {
		a, retryAfter, err := c.attempt(ctx, req, body)
		if err == nil && !retryableStatus(a.status) {
			return a, nil
		}
		if err == nil {
			err = fmt.Errorf("HTTP %d%s", a.status, a.codeSuffix())
		}
		if ctx.Err() != nil {
			return answer{}, fmt.Errorf("bureau: %s: gave up after %d attempts: %w; last failure: %w", op, attempt, ctx.Err(), err)
		}
		wait := retryAfter
		if wait <= 0 {
			wait = c.backoff(attempt)
		}
		if deadline, _ := ctx.Deadline(); time.Until(deadline) < wait {
			return answer{}, fmt.Errorf("bureau: %s: no answer within the call budget after %d attempts: %w", op, attempt, err)
		}
		c.opts.Logger.WarnContext(ctx, "bureau client: retrying", "op", op, "attempt", attempt, "wait", wait, "err", err)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return answer{}, fmt.Errorf("bureau: %s: gave up after %d attempts: %w; last failure: %w", op, attempt, ctx.Err(), err)
		case <-timer.C:
		}
	}
}

// attempt sends req once, within RequestTimeout. An error is a network
// failure: no answer, or an answer cut short.
func (c *HTTPClient) attempt(ctx context.Context, req *http.Request, body []byte) (answer, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	r := req.Clone(ctx)
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	resp, err := c.opts.Client.Do(r)
	if err != nil {
		return answer{}, 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return answer{}, 0, fmt.Errorf("read HTTP %d answer: %w", resp.StatusCode, err)
	}
	return answer{status: resp.StatusCode, body: b}, retryAfter(resp.Header.Get("Retry-After"), time.Now()), nil
}

// retryableStatus: rate limiting and a gateway or its proxy being down say
// nothing about the request, so the same request may succeed later. Other
// statuses are the gateway's answer to this request.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff is the wait before retry number attempt: MinBackoff doubled per
// retry, capped at MaxBackoff, half of it random so that clients that
// failed together do not retry together.
func (c *HTTPClient) backoff(attempt int) time.Duration {
	d := c.opts.MaxBackoff
	if attempt < 32 {
		d = min(c.opts.MinBackoff<<(attempt-1), c.opts.MaxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads a Retry-After value, delay-seconds or an HTTP date; 0
// when absent, malformed or past.
func retryAfter(v string, now time.Time) time.Duration {
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

// errorCode is what an error code looks like; anything else in the code
// field is dropped rather than copied into errors and logs.
var errorCode = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// code is the answer's error code, or "" if it has none.
func (a answer) code() string {
	var e errorBody
	if json.Unmarshal(a.body, &e) != nil || !errorCode.MatchString(e.Code) {
		return ""
	}
	return e.Code
}

func (a answer) codeSuffix() string {
	if code := a.code(); code != "" {
		return " " + code
	}
	return ""
}

// err describes a definitive answer that is not a success, wrapping
// sentinel when the answer means one. The gateway's message is left out:
// it may quote the application.
func (a answer) err(op string, sentinel error) error {
	if sentinel == nil {
		return fmt.Errorf("bureau: %s: unexpected answer HTTP %d%s", op, a.status, a.codeSuffix())
	}
	return fmt.Errorf("bureau: %s: HTTP %d%s: %w", op, a.status, a.codeSuffix(), sentinel)
}
