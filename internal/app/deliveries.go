package app

import (
	"time"

	"github.com/beianflow/beianflow/internal/hooks"
	"github.com/beianflow/beianflow/internal/safehttp"
)

// The event feed pushed to the accounts' webhook endpoints.

// deliveredKeep is how long a delivered delivery stays listed for support;
// pending and failed ones stay until delivered or their endpoint goes.
const deliveredKeep = 30 * 24 * time.Hour

// DeliverySender pushes the event feed to the accounts' webhook endpoints
// through the SSRF-safe client; every process that delivers the outbox
// runs one.
func (a *App) DeliverySender() *hooks.Sender {
	a.deliveryMetrics.Do(func() { a.hookMetrics = hooks.NewMetrics(a.Metrics.Registry()) })
	d := a.Config.Deliveries
	return &hooks.Sender{DB: a.DB, Secrets: a.Keys, Metrics: a.hookMetrics, Log: a.Log,
		Client: safehttp.NewClient(a.urlOptions()),
		// A sender that dies holds what it claimed until the lease ends:
		// long enough for a delivery and its record, no longer.
		LockFor:      max(3*d.Timeout, 10*time.Second),
		FirstBackoff: d.FirstBackoff, MaxBackoff: d.MaxBackoff, DisableAfter: d.DisableAfter, RetryForSchedule: d.RetryFor}
}

// WebhookEndpoints are the accounts' webhook endpoints, their URLs checked
// as deliveries will reach them.
func (a *App) WebhookEndpoints() *hooks.Endpoints {
	return &hooks.Endpoints{DB: a.DB, Secrets: a.Keys, URLs: a.urlOptions()}
}

// urlOptions are what webhook URLs may be: https and public addresses,
// unless development allows http and localhost.
func (a *App) urlOptions() safehttp.Options {
	d := a.Config.Deliveries
	return safehttp.Options{AllowHTTP: d.AllowInsecureURLs, AllowPrivate: d.AllowInsecureURLs, Timeout: d.Timeout}
}
