package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// logSender writes a line per message instead of delivering it.
type logSender struct{ log *slog.Logger }

// NewLogSender returns a Sender that only logs what it would send: the
// filing, event, channel, language and masked recipient, never the clear
// recipient or the text. It renders the message first, so a bad event or a
// missing parameter fails under `make run` as it would with a real gateway.
// A nil log means slog.Default().
func NewLogSender(log *slog.Logger) Sender {
	if log == nil {
		log = slog.Default()
	}
	return logSender{log: log}
}

// Send implements Sender.
func (s logSender) Send(ctx context.Context, m Message) error {
	if m.Channel != SMS && m.Channel != Email {
		return fmt.Errorf("notify: %s for filing %s: unknown channel %q", m.Event, m.FilingID, m.Channel)
	}
	if strings.TrimSpace(m.To) == "" {
		return fmt.Errorf("notify: %s for filing %s: no recipient", m.Event, m.FilingID)
	}
	if _, _, err := Render(m); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "notification sent (log only)",
		"filing_id", m.FilingID, "event", m.Event, "channel", string(m.Channel),
		"lang", m.Lang, "to", MaskRecipient(m.To))
	return nil
}

// MaskRecipient hides most of a phone number or e-mail address so logs can
// tell recipients apart without holding personal data: 13812348000 becomes
// 138****8000 and zhang@example.com z***@example.com. Anything too short to
// keep a part of is masked whole.
func MaskRecipient(to string) string {
	to = strings.TrimSpace(to)
	if at := strings.LastIndexByte(to, '@'); at >= 0 {
		local, domain := []rune(to[:at]), to[at+1:]
		if len(local) == 0 || domain == "" {
			return "***"
		}
		return string(local[0]) + "***@" + domain
	}
	// Eleven characters is a mainland mobile number; shorter ones would
	// reveal too large a share of themselves.
	r := []rune(to)
	if len(r) < 11 {
		return "****"
	}
	return string(r[:len(r)-8]) + "****" + string(r[len(r)-4:])
}
