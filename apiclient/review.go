package apiclient

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// ReadApplication returns a saved revision of the filing's application
// (GET /v1/filings/{id}/application): the current one when revision is
// empty, with what changed since the last rejected revision. The read is
// recorded in the filing's access log.
//
// Role: backend (own account), reviewer, support.
func (c *Client) ReadApplication(ctx context.Context, id filing.ID, revision string, opts ...CallOption) (*filing.ApplicationRead, error) {
	p, err := filingPath(id, "/application")
	if err != nil {
		return nil, err
	}
	var q url.Values
	if revision != "" {
		q = url.Values{"revision": {revision}}
	}
	return call[filing.ApplicationRead](ctx, c, http.MethodGet, p, q, nil, opts)
}

// ReadMaterials lists the filing's materials and photos with presigned
// download URLs valid for minutes (GET /v1/filings/{id}/materials); each
// URL issued is recorded in the access log.
//
// Role: backend (own account), reviewer, support.
func (c *Client) ReadMaterials(ctx context.Context, id filing.ID, opts ...CallOption) (*filing.MaterialsRead, error) {
	p, err := filingPath(id, "/materials")
	if err != nil {
		return nil, err
	}
	return call[filing.MaterialsRead](ctx, c, http.MethodGet, p, nil, nil, opts)
}

// AccessLog returns who read which of the filing's personal data, and when
// (GET /v1/filings/{id}/access-log).
//
// Role: support.
func (c *Client) AccessLog(ctx context.Context, id filing.ID, opts ...CallOption) (*filing.AccessLog, error) {
	p, err := filingPath(id, "/access-log")
	if err != nil {
		return nil, err
	}
	return call[filing.AccessLog](ctx, c, http.MethodGet, p, nil, nil, opts)
}

// ReaderLogParams select one reader's reads (GET /v1/access-log).
type ReaderLogParams struct {
	// Actor is the reader, "role:key" as the filings' logs name it.
	Actor string
	// Since and Until bound the reads' time (Until excluded); zero is
	// unbounded.
	Since, Until time.Time
	Limit        int
	Cursor       string
}

// ReaderLog returns one page of a reader's reads across filings, oldest
// first: who saw what. Give NextCursor back as Cursor for the next page.
//
// Role: support.
func (c *Client) ReaderLog(ctx context.Context, p ReaderLogParams, opts ...CallOption) (*filing.AccessLog, error) {
	q := url.Values{"actor": {p.Actor}}
	if !p.Since.IsZero() {
		q.Set("since", p.Since.Format(time.RFC3339Nano))
	}
	if !p.Until.IsZero() {
		q.Set("until", p.Until.Format(time.RFC3339Nano))
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	return call[filing.AccessLog](ctx, c, http.MethodGet, "/v1/access-log", q, nil, opts)
}
