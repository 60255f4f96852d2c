package apiclient

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/beianflow/beianflow/filing"
)

// Support's view of the webhook deliveries (GET and POST
// /v1/support/webhook-deliveries...): what `beianflow ctl deliveries` and
// `ctl redeliver` call. Role: support, for every method in this file.

// WebhookDeliveryQuery selects deliveries; zero fields are not sent, so
// they match any value and the server's default limit (100) applies.
type WebhookDeliveryQuery struct {
	// EndpointID keeps one endpoint's deliveries ("we_…").
	EndpointID string
	// FilingID keeps the deliveries of one filing's events.
	FilingID filing.ID
	// Status is pending, delivered or failed.
	Status string
	// Limit is the most deliveries listed (1..500).
	Limit int
}

// query encodes the selection as the server's query string.
func (q WebhookDeliveryQuery) query() url.Values {
	v := url.Values{}
	for name, s := range map[string]string{"endpoint_id": q.EndpointID, "filing_id": string(q.FilingID), "status": q.Status} {
		if s != "" {
			v.Set(name, s)
		}
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// WebhookDeliveries lists deliveries newest first
// (GET /v1/support/webhook-deliveries): each one's status, attempts, the
// last error's class, the next try and the last redelivery by hand. A
// status outside pending, delivered and failed is refused with
// filing.CodeInvalidValue.
func (c *Client) WebhookDeliveries(ctx context.Context, q WebhookDeliveryQuery, opts ...CallOption) ([]filing.WebhookDelivery, error) {
	var out filing.WebhookDeliveryList
	err := c.do(ctx, http.MethodGet, "/v1/support/webhook-deliveries", q.query(), nil, &out, opts)
	return out.Deliveries, err
}

// Redeliver delivers an event to an endpoint again from now, retried for
// the retry window whatever became of it before
// (POST /v1/support/webhook-deliveries/redeliver); the answer is the
// delivery, pending again, with the support key and the reason recorded on
// it. Refused with filing.CodeWebhookEndpointNotFound or
// filing.CodeEventNotFound (404).
func (c *Client) Redeliver(ctx context.Context, req filing.RedeliverRequest, opts ...CallOption) (filing.WebhookDelivery, error) {
	var out filing.WebhookDelivery
	err := c.do(ctx, http.MethodPost, "/v1/support/webhook-deliveries/redeliver", nil, req, &out, opts)
	return out, err
}
