package outbox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// A recipient waits in the outbox sealed with its filing's key: the table
// holds only the sealed and the masked forms; the gateway gets it in clear.
func TestQueuedRecipientsAreSealedAndDeliveredInClear(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys := testenv.Keys(t, db)
		msgs := []outbox.Message{sms(1)}
		require.NoError(t, outbox.SealRecipients(ctx, keys, msgs))
		enqueue(t, db, msgs...)

		var stored []string
		require.NoError(t, db.Gorm.Raw("SELECT recipient || ' ' || recipient_masked FROM outbox_messages").Scan(&stored).Error)
		require.Len(t, stored, 1)
		assert.NotContains(t, stored[0], "13800000001")
		assert.Contains(t, stored[0], "sealed:v1:")

		rec := &recorder{}
		s, _ := newSender(db, rec, newClock())
		s.Sealer = keys
		sent, failed, err := s.DeliverDue(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, sent)
		assert.Zero(t, failed)
		assert.Equal(t, 1, rec.to("13800000001"), "the gateway gets the number")
	})
}

// A message still queued when its filing's data is erased never goes out.
func TestAMessageOfAnErasedFilingFailsForGood(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys := testenv.Keys(t, db)
		m := sms(2)
		msgs := []outbox.Message{m}
		require.NoError(t, outbox.SealRecipients(ctx, keys, msgs))
		enqueue(t, db, msgs...)
		require.NoError(t, keys.Erase(ctx, filing.ID(m.FilingID)))

		rec := &recorder{}
		s, _ := newSender(db, rec, newClock())
		s.Sealer = keys
		_, failed, err := s.DeliverDue(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, failed)
		assert.Zero(t, rec.count())
		r := get(t, db, m.DedupKey)
		assert.Equal(t, outbox.StatusFailed, r.Status)
		assert.Equal(t, "permanent: personal data erased", r.LastError)

		list, err := outbox.Failed(ctx, db, 10)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "138****0002", list[0].To, "operators see the masked number")
	})
}
