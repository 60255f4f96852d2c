// Package notify tells applicants about their filing by SMS and e-mail.
//
// Delivery belongs to the outside world (an SMS gateway, a mail server), so
// this package holds the Sender interface, the message templates in Chinese
// and English (Render), and a Sender that only logs, the `make run` default.
//
// Recipients are personal data: nothing here logs a phone number or e-mail
// address in clear (see MaskRecipient).
package notify

import "context"

// Channel is how a message reaches the applicant.
type Channel string

// Channels.
const (
	SMS   Channel = "sms"
	Email Channel = "email"
)

// Message is one notification to one recipient.
type Message struct {
	FilingID string
	// Event is the template key, one of the Event constants.
	Event   string
	Channel Channel
	// To is the phone number (SMS) or e-mail address: personal data, never
	// logged in clear.
	To string
	// Lang is "zh" (the default when empty) or "en".
	Lang string
	// Params fills the event's template; see the Event constants for which
	// each one needs. No personal data is expected here, but values are
	// treated as sensitive and never logged.
	Params map[string]string
}

// Sender delivers a message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
