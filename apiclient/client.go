package apiclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// Defaults of a new Client.
const (
	// DefaultRetries is how many times a failed call is retried.
	DefaultRetries = 2
	// DefaultTimeout bounds each attempt of the default HTTP client. Actions
	// are workflow updates that answer within seconds; a slower attempt is
	// abandoned and retried with the same idempotency key.
	DefaultTimeout = 30 * time.Second
	// DefaultUserAgent is sent unless WithUserAgent replaces it.
	DefaultUserAgent = "beianflow-apiclient/1"
)

// Headers the client sends or reads.
const (
	HeaderIdempotencyKey     = "Idempotency-Key"
	HeaderIdempotentReplayed = "Idempotent-Replayed"
	HeaderRequestID          = "X-Request-Id"
)

// maxAnswerBytes caps how much of an answer is read: answers are JSON
// documents of a few kilobytes (the OpenAPI description is the largest), so
// anything near this is a misbehaving server, not an answer to buffer.
const maxAnswerBytes = 32 << 20

// Client calls one beianflow API with one API key. It is safe for
// concurrent use; create one per key and reuse it.
type Client struct {
	baseURL   string
	apiKey    string
	http      *http.Client
	language  string
	retries   int
	userAgent string

	// Retry timing. Fixed for callers (the server's limits are the same
	// for everyone); unexported so this package's tests can shorten them.
	backoffBase   time.Duration // wait before the first retry, doubled per retry
	backoffCap    time.Duration // longest backoff wait
	maxRetryAfter time.Duration // longest Retry-After the client waits out
}

// New returns a client of the API at baseURL (scheme, host and any path
// prefix, e.g. "https://beian.example.com"), authenticating every call with
// apiKey as a bearer token.
func New(baseURL, apiKey string, opts ...Option) *Client {
	c := &Client{
		baseURL:       strings.TrimRight(baseURL, "/"),
		apiKey:        apiKey,
		http:          &http.Client{Timeout: DefaultTimeout},
		retries:       DefaultRetries,
		userAgent:     DefaultUserAgent,
		backoffBase:   200 * time.Millisecond,
		backoffCap:    5 * time.Second,
		maxRetryAfter: 30 * time.Second,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// answer is one HTTP answer, read completely so that the connection can be
// reused and the body outlives the attempt.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call sends one logical API call and decodes a 2xx JSON answer into a new
// T. It is a function rather than a method because methods cannot have type
// parameters.
func call[T any](ctx context.Context, c *Client, method, path string, query url.Values, in any, opts []CallOption) (*T, error) {
	out := new(T)
	var empty bool
	if err := c.do(ctx, method, path, query, in, out, append(opts, func(s *callSettings) { s.noContent = &empty })); err != nil {
		return nil, err
	}
	if empty {
		return nil, nil // 204: the caller asked for no answer (Minimal)
	}
	return out, nil
}

// do sends one logical API call: in (if not nil) is encoded once, so every
// retry sends the same bytes, which the server's idempotency check
// requires; a 2xx answer is decoded into out (a *[]byte receives it raw).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any, opts []CallOption) error {
	s := newCallSettings(opts)
	op := "beianflow " + method + " " + path // no query: it may carry account IDs or domains
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("%s: encode request: %w", op, err)
		}
	}
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", c.userAgent)
	if c.apiKey != "" {
		h.Set("Authorization", "Bearer "+c.apiKey)
	}
	if c.language != "" {
		h.Set("Accept-Language", c.language)
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	if s.minimal {
		h.Set("Prefer", "return=minimal")
	}
	var meta Meta
	if method == http.MethodPost || method == http.MethodPut {
		// One key per logical call, shared by its retries: a retry after a
		// lost answer is then answered from the first request's result
		// instead of acting twice.
		meta.IdempotencyKey = s.idempotencyKey
		if meta.IdempotencyKey == "" {
			meta.IdempotencyKey = newIdempotencyKey()
		}
		h.Set(HeaderIdempotencyKey, meta.IdempotencyKey)
	}
	u := c.baseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	a, err := c.send(ctx, method, u, h, body, &meta)
	if s.meta != nil {
		*s.meta = meta
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if a.status == http.StatusNoContent {
		if s.noContent != nil {
			*s.noContent = true
		}
		return nil
	}
	switch dst := out.(type) {
	case nil:
	case *[]byte:
		*dst = a.body
	default:
		// Unknown fields are accepted: the server may add fields, and an
		// older client must keep working.
		if err := json.Unmarshal(a.body, out); err != nil {
			return fmt.Errorf("%s: decode HTTP %d answer: %w", op, a.status, err)
		}
	}
	return nil
}

// send performs the request until it gets a definitive answer or runs out
// of retries or time. A non-2xx definitive answer is returned as an *Error
// (wrapped when retries were spent on it). meta receives the last answer's
// details and the attempt count.
func (c *Client) send(ctx context.Context, method, u string, h http.Header, body []byte, meta *Meta) (*answer, error) {
	for attempt := 1; ; attempt++ {
		meta.Attempts = attempt
		a, err := c.attempt(ctx, method, u, h, body)
		var permanent *permanentError
		if errors.As(err, &permanent) {
			return nil, permanent.err
		}
		meta.Status, meta.RequestID, meta.Replayed = 0, "", false
		if a != nil {
			meta.Status = a.status
			meta.RequestID = a.header.Get(HeaderRequestID)
			meta.Replayed = strings.EqualFold(a.header.Get(HeaderIdempotentReplayed), "true")
		}
		if err == nil && a.status >= 200 && a.status < 300 {
			return a, nil
		}
		if err != nil && ctx.Err() != nil {
			// The caller gave up; the attempt's error only repeats that.
			return nil, fmt.Errorf("gave up after %d attempt(s): %w", attempt, ctx.Err())
		}
		var wait time.Duration
		if err == nil {
			apiErr := newError(a)
			if !retryable(apiErr) {
				return nil, apiErr
			}
			if apiErr.RetryAfter > c.maxRetryAfter {
				// The server wants a longer pause than a call should
				// block for: the caller decides (Error.RetryAfter).
				return nil, apiErr
			}
			err, wait = apiErr, apiErr.RetryAfter
		}
		if attempt > c.retries {
			return nil, fmt.Errorf("after %d attempt(s): %w", attempt, err)
		}
		if wait <= 0 {
			wait = c.backoff(attempt)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, fmt.Errorf("after %d attempt(s), no time left to retry: %w", attempt, err)
		}
		if werr := sleep(ctx, wait); werr != nil {
			return nil, fmt.Errorf("gave up after %d attempt(s): %w; last failure: %w", attempt, werr, err)
		}
	}
}

// permanentError is a failure before anything was sent (e.g. a malformed
// base URL); retrying cannot help.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }

// attempt sends the request once and reads the whole answer. An error is a
// network failure (no answer, or an answer cut short), after which the
// request may or may not have been acted on — the idempotency key makes a
// retry safe either way — or a *permanentError.
func (c *Client) attempt(ctx context.Context, method, u string, h http.Header, body []byte) (*answer, error) {
	var rd io.Reader
	if body != nil {
		// A fresh reader per attempt; NewRequest also sets GetBody from it,
		// so the transport can resend the body on its own.
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, &permanentError{fmt.Errorf("build request: %w", err)}
	}
	req.Header = h.Clone()
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error quotes the URL, whose query may hold account IDs or,
		// for a presigned upload, a credential: keep only what failed.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			return nil, fmt.Errorf("%s to %s: %w", ue.Op, req.URL.Host, ue.Err)
		}
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read HTTP %d answer: %w", resp.StatusCode, err)
	}
	if len(b) > maxAnswerBytes {
		return nil, &permanentError{fmt.Errorf("HTTP %d answer larger than %d bytes", resp.StatusCode, maxAnswerBytes)}
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// filingPath is the path of a filing's resource; id is escaped so that no
// value can address another endpoint.
func filingPath(id filing.ID, suffix string) (string, error) {
	return filingPathUnder("/v1/filings/", id, suffix)
}

// filingPathUnder is filingPath under another prefix (the support tooling's).
func filingPathUnder(prefix string, id filing.ID, suffix string) (string, error) {
	if id == "" {
		return "", errors.New("beianflow: empty filing ID")
	}
	return prefix + url.PathEscape(string(id)) + suffix, nil
}

// newIdempotencyKey is a fresh key for one logical call: a random (version
// 4) UUID, built here so a caller of this package pulls in no UUID module.
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
