package apiclient

import "net/http"

// Option configures a Client at construction.
type Option func(*Client)

// Languages the API answers messages in (Accept-Language).
const (
	LanguageZH = "zh"
	LanguageEN = "en"
)

// WithHTTPClient sends requests through hc, e.g. one with a custom
// transport or timeout. Its Timeout bounds each attempt, not the whole call:
// a timed-out attempt is retried with the same idempotency key. A nil hc is
// ignored.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithLanguage asks for messages in lang (LanguageZH or LanguageEN), sent as
// Accept-Language. Codes never change with the language.
func WithLanguage(lang string) Option {
	return func(c *Client) { c.language = lang }
}

// WithRetries sets how many times a failed call is retried (DefaultRetries
// unless set); 0 disables retries, negative values count as 0.
func WithRetries(n int) Option {
	return func(c *Client) { c.retries = max(n, 0) }
}

// WithUserAgent replaces DefaultUserAgent, so the server's logs can tell
// callers apart.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// CallOption adjusts one call.
type CallOption func(*callSettings)

type callSettings struct {
	idempotencyKey string
	meta           *Meta
	minimal        bool
	// noContent is told whether the answer was 204, with no body.
	noContent *bool
}

func newCallSettings(opts []CallOption) callSettings {
	var s callSettings
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	return s
}

// IdempotencyKey sends key as the call's Idempotency-Key instead of a
// generated one. Use it to make a retry of your own (after a crash, or of a
// call that failed for good) return the first answer: the server replays it
// for the same key and body. It applies to POST and PUT calls only.
func IdempotencyKey(key string) CallOption {
	return func(s *callSettings) { s.idempotencyKey = key }
}

// Minimal asks an action to answer without the filing's state (Prefer:
// return=minimal): the call then returns a nil *filing.View when the
// server applied it (204). For a backend that learns of changes from
// events; the state costs the filing's workflow a query.
func Minimal() CallOption {
	return func(s *callSettings) { s.minimal = true }
}

// Into fills m with the call's response metadata once the call returns,
// whether it succeeded or not.
func Into(m *Meta) CallOption {
	return func(s *callSettings) { s.meta = m }
}

// Meta describes how a call was answered. It is per call (see Into) rather
// than kept on the Client, so concurrent calls cannot overwrite each
// other's.
type Meta struct {
	// Status is the HTTP status of the last answer; 0 when the last attempt
	// got none (a network failure).
	Status int
	// RequestID is the server's X-Request-Id of the last answer; quote it
	// when reporting a problem.
	RequestID string
	// Replayed is true when the server answered with the stored answer of
	// an earlier request with the same idempotency key
	// (Idempotent-Replayed: true): the action was not performed again.
	Replayed bool
	// IdempotencyKey is the key sent with a POST or PUT, generated or
	// given; empty for other methods.
	IdempotencyKey string
	// Attempts counts the requests sent, retries included.
	Attempts int
}
