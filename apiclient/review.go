package apiclient

import (
	"context"
	"net/http"
	"net/url"

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
