package hooks

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/feed"
)

// Statuses of a delivery.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// DefaultRetryFor is how long a delivery is retried after its event.
const DefaultRetryFor = 72 * time.Hour

// deliveryRecord is a row of webhook_deliveries_out: one event to one
// endpoint.
type deliveryRecord struct {
	ID            string `gorm:"primaryKey"`
	EndpointID    string
	EventID       string
	FilingID      string
	Seq           int64
	EventType     string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	RetryUntil    time.Time
	LockedUntil   *time.Time
	LastError     string
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	DeliveredAt   *time.Time
	// RedeliveredBy, RedeliveredAt and RedeliveryReason record the last
	// redelivery by hand.
	RedeliveredBy    string
	RedeliveredAt    *time.Time
	RedeliveryReason string
}

// TableName is the table GORM reads and writes.
func (deliveryRecord) TableName() string { return "webhook_deliveries_out" }

// Schedule writes a delivery of each of the events (by ID, as
// feed.Append stored them in tx) to every enabled endpoint of the account
// that takes its type, due now. Pass the transaction that stored the
// events: the deliveries then exist exactly when the events do. A delivery
// that exists is left alone, so a retried write schedules nothing twice.
// retryFor is how long each is retried (DefaultRetryFor when zero).
func Schedule(tx *gorm.DB, accountID string, eventIDs []string, now time.Time, retryFor time.Duration) error {
	if len(eventIDs) == 0 || accountID == "" {
		return nil
	}
	var endpoints []endpointRecord
	if err := tx.Select("id", "event_types").Where("account_id = ? AND status = ?", accountID, filing.WebhookEnabled).
		Find(&endpoints).Error; err != nil {
		return fmt.Errorf("hooks: schedule deliveries: %w", err)
	}
	if len(endpoints) == 0 {
		return nil
	}
	events, err := feed.ByID(tx, eventIDs)
	if err != nil {
		return err
	}
	if retryFor <= 0 {
		retryFor = DefaultRetryFor
	}
	now = now.UTC().Truncate(time.Microsecond)
	var rows []deliveryRecord
	for _, ep := range endpoints {
		for _, ev := range events {
			if !ep.wants(ev.Type) {
				continue
			}
			rows = append(rows, deliveryRecord{ID: uuid.Must(uuid.NewV7()).String(), EndpointID: ep.ID, EventID: ev.ID,
				FilingID: string(ev.FilingID), Seq: ev.Sequence, EventType: string(ev.Type), Status: StatusPending,
				NextAttemptAt: now, RetryUntil: ev.OccurredAt.Add(retryFor).UTC(), CreatedAt: now})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	err = tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "endpoint_id"}, {Name: "event_id"}}, DoNothing: true}).
		Create(&rows).Error
	if err != nil {
		return fmt.Errorf("hooks: schedule deliveries: %w", err)
	}
	return nil
}
