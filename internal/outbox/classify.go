package outbox

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/rules"
)

// message rebuilds the notify.Message of r, without its recipient (which
// may be sealed; see recipient). A non-empty reason says why no gateway
// could deliver it: unreadable parameters or an unknown channel.
func (r record) message() (m notify.Message, reason string) {
	m = notify.Message{FilingID: r.FilingID, Event: r.Event, Channel: notify.Channel(r.Channel), Lang: r.Lang}
	if err := json.Unmarshal([]byte(r.Params), &m.Params); err != nil {
		return m, "permanent: unreadable params"
	}
	if m.Channel != notify.SMS && m.Channel != notify.Email {
		return m, "permanent: unknown channel"
	}
	return m, ""
}

// validate says why no gateway could deliver m: a malformed recipient, or
// a template that does not render. Checking here makes such a message fail
// at once whichever notify.Sender is configured (the log sender accepts any
// recipient). Reasons hold no personal data: Render's errors name the event
// and the missing parameter, never a value.
func validate(m notify.Message) string {
	var err error
	if m.Channel == notify.SMS {
		_, err = rules.ParseMobile(m.To)
	} else {
		_, err = rules.ParseEmail(m.To)
	}
	if err != nil {
		return "permanent: invalid recipient"
	}
	if _, _, err := notify.Render(m); err != nil {
		return "permanent: render: " + err.Error()
	}
	return ""
}

// classify tells whether a send error is permanent and describes it for
// last_error and logs without the error's text, which may quote the
// recipient: a notify.ProviderError by its provider, code and status,
// anything else by its class alone.
func classify(err error) (permanent bool, reason string) {
	var pe *notify.ProviderError
	switch {
	case errors.As(err, &pe):
		return pe.Permanent, pe.Error()
	case errors.Is(err, notify.ErrPermanent):
		return true, "permanent: refused by the sender"
	case errors.Is(err, context.DeadlineExceeded):
		return false, "retryable: timeout"
	default:
		return false, "retryable: sender error"
	}
}
