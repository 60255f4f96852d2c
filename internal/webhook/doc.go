// Package webhook carries the outside world's pushes to beianflow over
// HTTP: the provincial bureau's status changes and the courier's tracking
// changes arrive as signed POSTs (docs/protocol.md).
//
// On our side [Handler] serves one webhook endpoint: a [Verifier] checks
// the HMAC-SHA256 signature, the timestamp window and, through a
// [DeliveryStore] such as [DBStore], that the delivery was not accepted
// before; then a deliver func such as [DeliverBureau] hands the event to a
// bureau.Listener or courier.Listener (filings.Events in the app). A
// delivery is recorded only once it was delivered, so a sender may retry a
// failed one under the same delivery ID.
//
// On the sandbox's side [Sender] is a bureau.Listener and a
// courier.Listener that posts signed webhooks, so that
// bureau.Sandbox.Run and courier.Sandbox.Run push over HTTP as the real
// parties do.
package webhook
