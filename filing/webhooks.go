package filing

import "time"

// WebhookEndpoint is where a provider account has its filings' events
// pushed (POST /v1/webhook-endpoints). Its signing secret is shown only
// when it is made or rotated (WebhookEndpointSecret).
type WebhookEndpoint struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// EventTypes are the types delivered; empty delivers every type,
	// those added later included.
	EventTypes []EventType `json:"event_types"`
	// Status is enabled or disabled; a disabled endpoint gets nothing
	// until it is enabled again (its deliveries wait).
	Status string `json:"status"`
	// DisabledReason says why it was disabled: failing (by the system,
	// after failing for days) or by_account.
	DisabledReason string     `json:"disabled_reason,omitempty"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
	// FailingSince is the first failed attempt since the last success.
	FailingSince *time.Time `json:"failing_since,omitempty"`
	// PreviousSecretUntil is when the secret before the last rotation
	// stops signing; deliveries carry both signatures until then.
	PreviousSecretUntil *time.Time `json:"previous_secret_until,omitempty"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
}

// Statuses of a webhook endpoint.
const (
	WebhookEnabled  = "enabled"
	WebhookDisabled = "disabled"
)

// WebhookEndpointSecret is an endpoint with its signing secret: the answer
// to creating it and to rotating its secret, the only times the secret is
// shown ("whsec_" and base64, as the Standard Webhooks libraries take it).
type WebhookEndpointSecret struct {
	WebhookEndpoint
	Secret string `json:"secret"`
}

// WebhookEndpointRequest creates an endpoint.
type WebhookEndpointRequest struct {
	URL        string      `json:"url"`
	EventTypes []EventType `json:"event_types,omitempty"`
}

// WebhookEndpointPatch changes an endpoint; absent members stay.
type WebhookEndpointPatch struct {
	URL        *string      `json:"url,omitempty"`
	EventTypes *[]EventType `json:"event_types,omitempty"`
	// Enabled false disables the endpoint; true enables it again, also
	// after the system disabled it, and its waiting deliveries go out.
	Enabled *bool `json:"enabled,omitempty"`
}

// RotateSecretRequest rotates an endpoint's secret. The old one keeps
// signing (beside the new) for PreviousValidFor, a Go duration such as
// "24h" (default 24h, at most 168h; "0s" retires it at once).
type RotateSecretRequest struct {
	PreviousValidFor string `json:"previous_valid_for,omitempty"`
}

// WebhookEndpointList is GET /v1/webhook-endpoints.
type WebhookEndpointList struct {
	Endpoints []WebhookEndpoint `json:"endpoints"`
}

// WebhookDelivery is one event's delivery to one endpoint, as support sees
// it: its status, attempts, last error and next try.
type WebhookDelivery struct {
	EndpointID string    `json:"endpoint_id"`
	EventID    string    `json:"event_id"`
	EventType  EventType `json:"event_type"`
	FilingID   ID        `json:"filing_id,omitempty"`
	Sequence   int64     `json:"sequence"`
	// Status is pending, delivered or failed (given up after the retry
	// window; redeliver by hand).
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	// LastError is a class (timeout, refused, blocked_address, status 503,
	// ...), never an answer's body.
	LastError     string     `json:"last_error,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	// RedeliveredBy, RedeliveredAt and RedeliveryReason audit the last
	// redelivery by hand.
	RedeliveredBy    string     `json:"redelivered_by,omitempty"`
	RedeliveredAt    *time.Time `json:"redelivered_at,omitempty"`
	RedeliveryReason string     `json:"redelivery_reason,omitempty"`
}

// WebhookDeliveryList is GET /v1/support/webhook-deliveries.
type WebhookDeliveryList struct {
	Deliveries []WebhookDelivery `json:"deliveries"`
}

// RedeliverRequest asks support to deliver an event to an endpoint again.
type RedeliverRequest struct {
	EndpointID string `json:"endpoint_id"`
	EventID    string `json:"event_id"`
	// Reason is why, for the audit trail: a code such as
	// receiver_restored.
	Reason string `json:"reason"`
}

// Account-level event types: about the account's webhook endpoints, not a
// filing (FilingID empty).
const (
	// EventWebhookEndpointDisabled: an endpoint failed for days and was
	// disabled (WebhookEndpointDisabled).
	EventWebhookEndpointDisabled EventType = "webhook_endpoint.disabled"
)

// WebhookEndpointDisabled is the data of webhook_endpoint.disabled.
type WebhookEndpointDisabled struct {
	EndpointID   string    `json:"endpoint_id"`
	FailingSince time.Time `json:"failing_since"`
	LastError    string    `json:"last_error"`
}
