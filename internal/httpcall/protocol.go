package httpcall

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// The two calls of the partner protocol (docs/protocol.md), which the
// bureau's and the courier's clients make alike: an idempotent POST that
// creates a record, and a GET that reads one.

// Create POSTs v in JSON to path with the idempotency key, and
// HeaderSandboxTimeScale when hint is one to send (see SandboxTimeScale).
// A call without key is refused with invalid before anything is sent:
// without the key a retry could act twice. Any definitive answer is
// returned; see Created and CreateRefused.
func (c *Client) Create(ctx context.Context, op, path, key string, v any, hint float64, invalid error) (Answer, error) {
	if key == "" {
		return Answer{}, fmt.Errorf("%s: %s: %w: idempotency key is required", c.service, op, invalid)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return Answer{}, fmt.Errorf("%s: %s: encode: %w", c.service, op, err)
	}
	return c.CallWithHeader(ctx, op, http.MethodPost, path, key, body, SandboxTimeScale(hint))
}

// Created reports whether a answers Create with success: 201 for the
// first call with a key, 200 for a later one.
func (a Answer) Created() bool {
	return a.Status == http.StatusCreated || a.Status == http.StatusOK
}

// CreateRefused describes an answer to Create that is not a success.
// Business refusals wrap the caller's errors, so that no retry is made:
// 400, 413 and 422 wrap invalid, 409 (the key names another filing's
// record) wraps reused. Anything else is unexpected, hence transient.
func (c *Client) CreateRefused(op string, a Answer, invalid, reused error) error {
	switch a.Status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return c.Refused(op, a, invalid)
	case http.StatusConflict:
		return c.Refused(op, a, reused)
	}
	return c.Refused(op, a, nil)
}

// Get reads the record ref under path: GET path/{ref}, and returns the 200
// answer. An empty ref, and a 404 whose code is unknownCode, wrap
// unknown; a bare 404 from a wrong base URL does not, so that it never
// makes a record look lost.
func (c *Client) Get(ctx context.Context, op, path, ref, unknownCode string, unknown error) (Answer, error) {
	if ref == "" {
		return Answer{}, fmt.Errorf("%s: %s: %w", c.service, op, unknown)
	}
	a, err := c.Call(ctx, op, http.MethodGet, path+"/"+url.PathEscape(ref), "", nil)
	switch {
	case err != nil:
		return Answer{}, err
	case a.Status == http.StatusOK:
		return a, nil
	case a.Status == http.StatusNotFound && a.Code() == unknownCode:
		return Answer{}, c.Refused(op, a, unknown)
	}
	return Answer{}, c.Refused(op, a, nil)
}

// Decode reads a successful answer's JSON body into v; complete reports
// whether v then holds what the protocol requires. The error names what
// was expected and the status, never the body.
func (c *Client) Decode(op string, a Answer, what string, v any, complete func() bool) error {
	if json.Unmarshal(a.Body, v) != nil || !complete() {
		return fmt.Errorf("%s: %s: unreadable %s in HTTP %d answer", c.service, op, what, a.Status)
	}
	return nil
}
