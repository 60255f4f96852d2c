package apiclient

import (
	"context"
	"net/http"
)

// OpenAPI returns the API's OpenAPI description as served (GET
// /v1/openapi.json), unparsed, for tools and contract tests.
func (c *Client) OpenAPI(ctx context.Context, opts ...CallOption) ([]byte, error) {
	var raw []byte
	if err := c.do(ctx, http.MethodGet, "/v1/openapi.json", nil, nil, &raw, opts); err != nil {
		return nil, err
	}
	return raw, nil
}
