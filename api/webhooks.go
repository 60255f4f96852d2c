package api

import (
	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/webhook"
)

// registerWebhooks receives the bureau's and the courier's pushed events.
// They authenticate with HMAC signatures over timestamp, delivery ID and
// body, not API keys; stale timestamps and replayed deliveries are refused.
// Events become the same filing updates the other endpoints send.
func (s *server) registerWebhooks(e *echo.Echo) {
	v := &webhook.Verifier{Secret: s.Webhooks, Seen: webhook.NewDBStore(s.DB)}
	events := &filings.Events{Filings: s.client, Log: s.Log}
	e.POST(webhook.BureauPath, echo.WrapHandler(webhook.Handler(v, webhook.SourceBureau, webhook.DeliverBureau(events), s.Log)))
	e.POST(webhook.CourierPath, echo.WrapHandler(webhook.Handler(v, webhook.SourceCourier, webhook.DeliverCourier(events), s.Log)))
}
