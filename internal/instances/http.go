package instances

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/beianflow/beianflow/internal/httpcall"
)

// HTTPOptions configures an HTTPClient: the bearer token and the calls'
// timeouts, budget, backoff and logger (httpcall.Options; zero fields take
// its defaults).
type HTTPOptions struct {
	// Token, when set, goes out as "Authorization: Bearer <token>" on every
	// attempt; the inventory refuses requests without it (401).
	Token string
	httpcall.Options
}

// HTTPClient is an Inventory that speaks the instance inventory protocol of
// docs/protocol.md: to the provider's compute API (or a proxy of it), or
// to NewSandboxServer in `make run`. It retries network failures and 429,
// 502, 503 and 504 answers within HTTPOptions.CallBudget; a lookup has no
// side effect, so retrying it is always safe. Only a 404 whose code is
// unknown_instance maps to ErrNotFound. It is safe for concurrent use.
type HTTPClient struct {
	c    *httpcall.Client
	auth http.Header
}

var _ Inventory = (*HTTPClient)(nil)

// codeUnknownInstance is the error code of a 404 for an instance that does
// not exist (or was released).
const codeUnknownInstance = "unknown_instance"

// NewHTTPClient returns a client of the inventory at baseURL, e.g.
// "https://compute.example/v1" (a trailing slash is ignored).
func NewHTTPClient(baseURL string, opts HTTPOptions) *HTTPClient {
	return &HTTPClient{c: httpcall.New("instances", baseURL, opts.Options), auth: httpcall.BearerHeader(opts.Token)}
}

// instanceBody is an instance on the wire. AccountID is a pointer so that
// an answer without it is refused: an empty owner means every account may
// use the instance, which a dropped field must not grant.
type instanceBody struct {
	InstanceID         string  `json:"instance_id"`
	AccountID          *string `json:"account_id"`
	Region             string  `json:"region"`
	Mainland           bool    `json:"mainland"`
	Subscription       bool    `json:"subscription"`
	Running            bool    `json:"running"`
	ServiceNumberQuota int     `json:"service_number_quota"`
}

func toInstanceBody(inst Instance) instanceBody {
	return instanceBody{
		InstanceID: inst.ID, AccountID: &inst.AccountID, Region: inst.Region, Mainland: inst.Mainland,
		Subscription: inst.Subscription, Running: inst.Running, ServiceNumberQuota: inst.ServiceNumberQuota,
	}
}

// Instance implements Inventory: GET /instances/{id}. A bare 404 from a
// wrong base URL is a plain (transient) error, not ErrNotFound: it must not
// make a filing's instance look released.
func (c *HTTPClient) Instance(ctx context.Context, id string) (Instance, error) {
	op := fmt.Sprintf("look up instance %q", id)
	if id == "" {
		// No request could name it; the inventory has no such instance.
		return Instance{}, fmt.Errorf("instances: %s: %w", op, ErrNotFound)
	}
	a, err := c.c.CallWithHeader(ctx, op, http.MethodGet, "/instances/"+url.PathEscape(id), "", nil, c.auth)
	switch {
	case err != nil:
		return Instance{}, err
	case a.Status == http.StatusNotFound && a.Code() == codeUnknownInstance:
		return Instance{}, c.c.Refused(op, a, ErrNotFound)
	case a.Status != http.StatusOK:
		return Instance{}, c.c.Refused(op, a, nil)
	}
	var b instanceBody
	// An answer about another instance than the one asked for is as
	// unreadable as a malformed one.
	if err := c.c.Decode(op, a, "instance", &b, func() bool { return b.InstanceID == id && b.AccountID != nil }); err != nil {
		return Instance{}, err
	}
	return Instance{
		ID: b.InstanceID, AccountID: *b.AccountID, Region: b.Region, Mainland: b.Mainland,
		Subscription: b.Subscription, Running: b.Running, ServiceNumberQuota: b.ServiceNumberQuota,
	}, nil
}
