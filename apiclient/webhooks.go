package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/standardwebhooks"
)

// CreateWebhookEndpoint registers an endpoint of the key's account. The
// answer holds its signing secret, shown this once: keep it where the
// receiver reads it.
func (c *Client) CreateWebhookEndpoint(ctx context.Context, req filing.WebhookEndpointRequest, opts ...CallOption) (filing.WebhookEndpointSecret, error) {
	var out filing.WebhookEndpointSecret
	err := c.do(ctx, http.MethodPost, "/v1/webhook-endpoints", nil, req, &out, opts)
	return out, err
}

// WebhookEndpoints lists the account's endpoints, without secrets.
func (c *Client) WebhookEndpoints(ctx context.Context, opts ...CallOption) ([]filing.WebhookEndpoint, error) {
	var out filing.WebhookEndpointList
	err := c.do(ctx, http.MethodGet, "/v1/webhook-endpoints", nil, nil, &out, opts)
	return out.Endpoints, err
}

// UpdateWebhookEndpoint changes, disables or enables an endpoint.
func (c *Client) UpdateWebhookEndpoint(ctx context.Context, id string, p filing.WebhookEndpointPatch, opts ...CallOption) (filing.WebhookEndpoint, error) {
	var out filing.WebhookEndpoint
	err := c.do(ctx, http.MethodPatch, "/v1/webhook-endpoints/"+url.PathEscape(id), nil, p, &out, opts)
	return out, err
}

// RotateWebhookSecret gives an endpoint a new secret; the old one keeps
// signing beside it for previousValidFor.
func (c *Client) RotateWebhookSecret(ctx context.Context, id string, previousValidFor time.Duration, opts ...CallOption) (filing.WebhookEndpointSecret, error) {
	var out filing.WebhookEndpointSecret
	req := filing.RotateSecretRequest{PreviousValidFor: previousValidFor.String()}
	err := c.do(ctx, http.MethodPost, "/v1/webhook-endpoints/"+url.PathEscape(id)+"/rotate-secret", nil, req, &out, opts)
	return out, err
}

// Events reads a page of the account's event feed after the cursor ("" for
// the start); give the page's NextCursor back for what follows.
func (c *Client) Events(ctx context.Context, after string, opts ...CallOption) (filing.EventPage, error) {
	var out filing.EventPage
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	err := c.do(ctx, http.MethodGet, "/v1/events", q, nil, &out, opts)
	return out, err
}

// VerifyWebhook checks a delivery as a receiver gets it — its headers and
// the raw body, before any parsing — against the endpoint's secrets
// ("whsec_…"; during a rotation give the new and the old one), by the
// Standard Webhooks scheme, refusing a timestamp more than five minutes
// off; then it returns the event. Deduplicate by the event's ID: a
// delivery may arrive more than once.
func VerifyWebhook(secrets []string, h http.Header, body []byte) (filing.Event, error) {
	keys := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		k, err := standardwebhooks.ParseSecret(s)
		if err != nil {
			return filing.Event{}, fmt.Errorf("apiclient: webhook secret: %w", err)
		}
		keys = append(keys, k)
	}
	if err := standardwebhooks.Verify(keys, h, body, time.Now(), standardwebhooks.DefaultTolerance); err != nil {
		return filing.Event{}, fmt.Errorf("apiclient: webhook: %w", err)
	}
	var ev filing.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return filing.Event{}, fmt.Errorf("apiclient: webhook body: %w", err)
	}
	if ev.ID != h.Get(standardwebhooks.HeaderID) {
		return filing.Event{}, fmt.Errorf("apiclient: webhook: the body's event is not the signed webhook-id")
	}
	return ev, nil
}
