// Package httpcall is the retrying HTTP call the outside world's clients
// share (the bureau's and the courier's protocols, docs/protocol.md): a call
// budget, exponential backoff with jitter or Retry-After, retries only for
// answers that retrying can change, and idempotency keys on POSTs.
package httpcall

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/beianflow/beianflow/internal/backoff"
)

// Options configures an HTTPClient. Zero fields take their defaults.
type Options struct {
	// Client sends the requests; default a client of its own over
	// http.DefaultTransport. Its own Timeout, if any, applies per attempt
	// on top of RequestTimeout.
	Client *http.Client
	// RequestTimeout bounds one attempt, answer body included; default 10s.
	RequestTimeout time.Duration
	// CallBudget bounds one call to Submit or Status, every attempt and
	// wait included; default 30s. The caller's deadline applies too, so an
	// activity's start-to-close timeout should exceed it.
	CallBudget time.Duration
	// MinBackoff is the wait before the first retry, doubled for each
	// further one up to MaxBackoff, with jitter; defaults 200ms and 5s. A
	// Retry-After header overrides it.
	MinBackoff, MaxBackoff time.Duration
	// Logger receives a line per retry; default slog.Default().
	Logger *slog.Logger
}

// Client calls one service's HTTP API.
type Client struct {
	service string
	base    string
	opts    Options
}

// New returns a client of the service at baseURL; service names it in
// errors and logs. Zero options take their defaults.
func New(service, baseURL string, opts Options) *Client {
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	if opts.CallBudget <= 0 {
		opts.CallBudget = 30 * time.Second
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 200 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	opts.MaxBackoff = max(opts.MaxBackoff, opts.MinBackoff)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Client{service: service, base: strings.TrimRight(baseURL, "/"), opts: opts}
}

// maxAnswerBytes caps how much of an answer is read; the services' answers
// are small JSON documents.
const maxAnswerBytes = 1 << 20

// Answer is a definitive HTTP answer: one that retrying would not change.
type Answer struct {
	Status int
	Body   []byte
}

// Call sends the request until it gets a definitive answer, retrying
// network failures and retryable statuses with exponential backoff and
// jitter (or after Retry-After) as long as the call budget allows. POSTs
// carry key as Idempotency-Key, so a retry after a lost answer returns the
// first result instead of acting twice.
func (c *Client) Call(ctx context.Context, op, method, path, key string, body []byte) (Answer, error) {
	return c.CallWithHeader(ctx, op, method, path, key, body, nil)
}

// CallWithHeader is Call with extra request headers, sent on every attempt;
// they replace the defaults of the same name (Accept, say).
func (c *Client) CallWithHeader(ctx context.Context, op, method, path, key string, body []byte, extra http.Header) (Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.CallBudget)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return Answer{}, fmt.Errorf("%s: %s: %w", c.service, op, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set(HeaderIdempotencyKey, key)
	}
	for name, values := range extra {
		req.Header[http.CanonicalHeaderKey(name)] = values
	}
	for attempt := 1; ; attempt++ {
		a, retryAfter, err := c.attempt(ctx, req, body)
		if err == nil && !retryableStatus(a.Status) {
			return a, nil
		}
		if err == nil {
			err = fmt.Errorf("HTTP %d%s", a.Status, a.codeSuffix())
		}
		if ctx.Err() != nil {
			return Answer{}, fmt.Errorf("%s: %s: gave up after %d attempts: %w; last failure: %w", c.service, op, attempt, ctx.Err(), err)
		}
		wait := retryAfter
		if wait <= 0 {
			wait = c.backoff(attempt)
		}
		if deadline, _ := ctx.Deadline(); time.Until(deadline) < wait {
			return Answer{}, fmt.Errorf("%s: %s: no answer within the call budget after %d attempts: %w", c.service, op, attempt, err)
		}
		c.opts.Logger.WarnContext(ctx, c.service+" client: retrying", "op", op, "attempt", attempt, "wait", wait, "err", err)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return Answer{}, fmt.Errorf("%s: %s: gave up after %d attempts: %w; last failure: %w", c.service, op, attempt, ctx.Err(), err)
		case <-timer.C:
		}
	}
}

// attempt sends req once, within RequestTimeout. An error is a network
// failure: no answer, or an answer cut short.
func (c *Client) attempt(ctx context.Context, req *http.Request, body []byte) (Answer, time.Duration, error) {
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
		return Answer{}, 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return Answer{}, 0, fmt.Errorf("read HTTP %d answer: %w", resp.StatusCode, err)
	}
	return Answer{Status: resp.StatusCode, Body: b}, backoff.RetryAfter(resp.Header.Get("Retry-After"), time.Now()), nil
}

// retryableStatus: rate limiting and a service or its proxy being down say
// nothing about the request, so the same request may succeed later. Other
// statuses are the service's answer to this request.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff is the wait before retry number attempt: MinBackoff doubled per
// retry, capped at MaxBackoff, with jitter.
func (c *Client) backoff(attempt int) time.Duration {
	return backoff.Jittered(attempt, c.opts.MinBackoff, c.opts.MaxBackoff)
}

// errorCode is what an error code looks like; anything else in the code
// field is dropped rather than copied into errors and logs.
var errorCode = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// HeaderIdempotencyKey carries the idempotency key of POSTs.
const HeaderIdempotencyKey = "Idempotency-Key"

// IsCode reports whether s looks like an error code; anything else in a
// code field is dropped rather than copied into errors and logs, where it
// could carry personal data.
func IsCode(s string) bool { return errorCode.MatchString(s) }

// Code is the answer's error code ({"code": ...}), or "" if it has none.
func (a Answer) Code() string {
	var e struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(a.Body, &e) != nil || !errorCode.MatchString(e.Code) {
		return ""
	}
	return e.Code
}

func (a Answer) codeSuffix() string {
	if code := a.Code(); code != "" {
		return " " + code
	}
	return ""
}

// Refused describes a definitive answer that is not a success, wrapping
// sentinel when the answer means one. The service's message is left out:
// it may quote personal data.
func (c *Client) Refused(op string, a Answer, sentinel error) error {
	if sentinel == nil {
		return fmt.Errorf("%s: %s: unexpected answer HTTP %d%s", c.service, op, a.Status, a.codeSuffix())
	}
	return fmt.Errorf("%s: %s: HTTP %d%s: %w", c.service, op, a.Status, a.codeSuffix(), sentinel)
}

// HeaderSandboxTimeScale carries a filing's own time scale to the sandbox
// bureau and courier, formatted with strconv.FormatFloat(v, 'g', -1, 64),
// so that they keep pace with the filing's compressed timers. It is
// optional and honoured only by the sandboxes; real partners never see it
// (SandboxTimeScale sends it only for a hint other than 1).
const HeaderSandboxTimeScale = "X-Sandbox-Time-Scale"

// SandboxTimeScale is the header to send for a time-scale hint: nil for no
// hint, real time (1), or a value that is not a positive finite number,
// which no sandbox would accept.
func SandboxTimeScale(v float64) http.Header {
	if !(v > 0) || v == 1 || math.IsInf(v, 1) {
		return nil
	}
	return http.Header{HeaderSandboxTimeScale: {strconv.FormatFloat(v, 'g', -1, 64)}}
}

// ParseSandboxTimeScale reads a HeaderSandboxTimeScale value: 0 for an
// absent header, false for anything but a positive finite number.
func ParseSandboxTimeScale(h string) (float64, bool) {
	if h == "" {
		return 0, true
	}
	v, err := strconv.ParseFloat(h, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 1) {
		return 0, false
	}
	return v, true
}
