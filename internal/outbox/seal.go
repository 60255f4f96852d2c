package outbox

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/envelope"
	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/store"
)

// sealedPrefix marks a recipient sealed with its filing's data key.
const sealedPrefix = "sealed:v1:"

// recipientPurpose binds a sealed recipient to its message.
func recipientPurpose(dedupKey string) string { return "outbox recipient " + dedupKey }

// SealRecipients seals each message's recipient (a phone number or
// e-mail address) with its filing's data key, keeping the masked form for
// operators: the outbox then holds no recipient in clear. Seal before the
// transaction that enqueues them, so it does not wait on the key.
func SealRecipients(ctx context.Context, sealer store.Sealer, msgs []Message) error {
	for i := range msgs {
		m := &msgs[i]
		if m.To == "" || strings.HasPrefix(m.To, sealedPrefix) {
			continue
		}
		sealed, err := sealer.Seal(ctx, filing.ID(m.FilingID), recipientPurpose(m.DedupKey), []byte(m.To))
		if err != nil {
			return fmt.Errorf("outbox: seal the recipient of %s: %w", m.DedupKey, err)
		}
		m.Masked = notify.MaskRecipient(m.To)
		m.To = sealedPrefix + base64.StdEncoding.EncodeToString(sealed)
	}
	return nil
}

// errErased is the permanent failure of a message whose filing's personal
// data was erased before it went out.
var errErased = errors.New("permanent: personal data erased")

// recipient is r's recipient in clear: opened with its filing's data key,
// or as stored for a message enqueued before recipients were sealed.
func (r record) recipient(ctx context.Context, sealer store.Sealer) (string, error) {
	b64, ok := strings.CutPrefix(r.Recipient, sealedPrefix)
	if !ok {
		return r.Recipient, nil
	}
	if sealer == nil {
		return "", errors.New("outbox: a sealed recipient and no data keys to open it")
	}
	sealed, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("outbox: recipient of %s: %w", r.DedupKey, err)
	}
	to, err := sealer.Open(ctx, filing.ID(r.FilingID), recipientPurpose(r.DedupKey), sealed)
	if errors.Is(err, envelope.ErrErased) {
		return "", errErased
	}
	if err != nil {
		return "", fmt.Errorf("outbox: open the recipient of %s: %w", r.DedupKey, err)
	}
	return string(to), nil
}

// masked is the recipient as operators see it.
func (r record) masked() string {
	if r.RecipientMasked != "" || strings.HasPrefix(r.Recipient, sealedPrefix) {
		return r.RecipientMasked
	}
	return notify.MaskRecipient(r.Recipient)
}
