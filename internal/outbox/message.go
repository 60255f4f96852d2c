package outbox

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/beianflow/beianflow/internal/notify"
)

// Statuses of a message: pending until sent, or failed when given up on.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Message is a notification to enqueue: the message to deliver (To is the
// recipient) and the key that makes enqueuing it idempotent.
type Message struct {
	// DedupKey identifies the message: enqueuing a key that exists does
	// nothing. Use Key. It is shown to operators, so no personal data.
	DedupKey string
	notify.Message
	// Masked is the recipient as operators see it, set by SealRecipients
	// (To then holds the sealed recipient); empty masks To.
	Masked string
}

// Key returns the dedup key of an event of a filing, announced at a
// read-model revision, on one channel: "<filing_id>/<event>/<revision>/<channel>".
// The revision makes a second occurrence of an event (a filing rejected
// twice) a new message, and a retry of the same write the same one.
func Key(filingID, event string, revision int64, ch notify.Channel) string {
	return filingID + "/" + event + "/" + strconv.FormatInt(revision, 10) + "/" + string(ch)
}

// record is a row of outbox_messages.
type record struct {
	ID        string `gorm:"primaryKey"`
	DedupKey  string
	FilingID  string
	Event     string
	Channel   string
	Recipient string
	// RecipientMasked is Recipient for operators' eyes.
	RecipientMasked string
	Lang            string
	Params          string // JSON object
	Status          string
	Attempts        int
	NextAttemptAt   time.Time
	LastError       string
	CreatedAt       time.Time `gorm:"autoCreateTime:false"`
	SentAt          *time.Time
	LockedUntil     *time.Time
}

// TableName is the table GORM reads and writes.
func (record) TableName() string { return "outbox_messages" }

// Enqueue writes msgs as pending messages due now, skipping any whose dedup
// key exists. Pass the transaction that records the stage change the
// messages announce, with its context (tx.WithContext(ctx)): the messages are
// then stored if and only if the change is. Nothing about the message is
// checked here but the key: a message that cannot be delivered fails at
// delivery, visibly (Failed), instead of failing the stage change.
func Enqueue(tx *gorm.DB, msgs ...Message) error {
	if len(msgs) == 0 {
		return nil
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	rows := make([]record, 0, len(msgs))
	for _, m := range msgs {
		if m.DedupKey == "" {
			return fmt.Errorf("outbox: enqueue %s for filing %s: empty dedup key", m.Event, m.FilingID)
		}
		params := m.Params
		if params == nil {
			params = map[string]string{}
		}
		body, err := json.Marshal(params)
		if err != nil {
			return fmt.Errorf("outbox: enqueue %s: %w", m.DedupKey, err)
		}
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("outbox: enqueue %s: %w", m.DedupKey, err)
		}
		masked := m.Masked
		if masked == "" {
			masked = notify.MaskRecipient(m.To)
		}
		rows = append(rows, record{
			ID: id.String(), DedupKey: m.DedupKey, FilingID: m.FilingID, Event: m.Event,
			Channel: string(m.Channel), Recipient: m.To, RecipientMasked: masked, Lang: m.Lang, Params: string(body),
			Status: StatusPending, NextAttemptAt: now, CreatedAt: now,
		})
	}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedup_key"}}, DoNothing: true}).
		Create(&rows).Error
	if err != nil {
		return fmt.Errorf("outbox: enqueue %d messages: %w", len(rows), err)
	}
	return nil
}
