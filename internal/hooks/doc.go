// Package hooks pushes the event feed (package feed) to the webhook
// endpoints provider accounts register, following the Standard Webhooks
// specification: each delivery is a POST of one filing.Event as JSON with
// the webhook-id (the event's ID), webhook-timestamp and webhook-signature
// (HMAC-SHA256 under the endpoint's secret; during a rotation under both
// secrets) headers, so receivers can verify it with the specification's
// published libraries or apiclient.VerifyWebhook.
//
// # Nothing lost, in order
//
// A delivery row is written for every matching endpoint in the same
// transaction as the event (Schedule), so an event exists exactly when its
// deliveries do. Senders in every worker claim due rows with a lease, like
// the notification outbox: one UPDATE leases rows that are pending, due and
// not leased (FOR UPDATE SKIP LOCKED on PostgreSQL). A row is claimed only
// when no earlier event of the same filing is still pending for the same
// endpoint: a filing's events arrive in order, each after the one before
// it was acknowledged. Different filings go in parallel.
//
// Delivery is at least once: an endpoint that acknowledged a delivery the
// sender could not record (it crashed, or its lease ran out) gets it again,
// with the same webhook-id. Receivers deduplicate by it.
//
// # Failures
//
// Any answer but 2xx, a timeout (10 s), a refused connection or an address
// that is private or loopback (checked when the connection is made, so DNS
// rebinding cannot reach our own network) is a failed attempt, retried
// after an exponential backoff with jitter until RetryFor (3 days) after
// the event, then marked failed. Redirects are not followed; answers are
// read up to 64 KiB and never stored. An endpoint that has failed without
// a success for DisableAfter (3 days), over at least MinFailures attempts,
// is disabled and the account told by a webhook_endpoint.disabled event in
// its feed; its pending deliveries wait until the account enables it again.
package hooks
