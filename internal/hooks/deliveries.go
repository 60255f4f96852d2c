package hooks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/feed"
	"github.com/beianflow/beianflow/internal/store"
)

// DeliveryQuery selects deliveries for support: of one endpoint, one
// filing or one status (empty: any), newest first.
type DeliveryQuery struct {
	EndpointID string
	FilingID   filing.ID
	Status     string
	// Limit is 1..500; zero means 100.
	Limit int
}

// ErrNoSuchEvent is a redelivery of an event the feed does not hold.
var ErrNoSuchEvent = errors.New("hooks: no such event")

// Deliveries lists deliveries: status, attempts, last error, next try.
func Deliveries(ctx context.Context, db *store.DB, q DeliveryQuery) ([]filing.WebhookDelivery, error) {
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	tx := db.Gorm.WithContext(ctx).Model(&deliveryRecord{})
	if q.EndpointID != "" {
		tx = tx.Where("endpoint_id = ?", q.EndpointID)
	}
	if q.FilingID != "" {
		tx = tx.Where("filing_id = ?", string(q.FilingID))
	}
	if q.Status != "" {
		tx = tx.Where("status = ?", q.Status)
	}
	var rows []deliveryRecord
	if err := tx.Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("hooks: list deliveries: %w", err)
	}
	out := make([]filing.WebhookDelivery, len(rows))
	for i, r := range rows {
		out[i] = r.contract()
	}
	return out, nil
}

// Redeliver delivers an event to an endpoint again, from now on for the
// retry window, whatever became of it before (delivered, failed, or never
// scheduled because the endpoint came later or took other types); by and
// reason are recorded on the delivery. The endpoint's other deliveries of
// the filing keep their order: an earlier one still pending goes first.
func Redeliver(ctx context.Context, db *store.DB, endpointID, eventID, by, reason string, now time.Time, retryFor time.Duration) (filing.WebhookDelivery, error) {
	if retryFor <= 0 {
		retryFor = DefaultRetryFor
	}
	now = now.UTC().Truncate(time.Microsecond)
	var out deliveryRecord
	err := db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ep endpointRecord
		if res := tx.Where("id = ?", endpointID).Limit(1).Find(&ep); res.Error != nil || res.RowsAffected == 0 {
			return errors.Join(res.Error, ErrNotFound)
		}
		events, err := feed.ByID(tx, []string{eventID})
		if err != nil {
			return err
		}
		if len(events) == 0 || events[0].AccountID != ep.AccountID {
			return ErrNoSuchEvent
		}
		ev := events[0]
		set := map[string]any{"status": StatusPending, "next_attempt_at": now, "retry_until": now.Add(retryFor),
			"locked_until": nil, "redelivered_by": by, "redelivered_at": now, "redelivery_reason": reason}
		res := tx.Model(&deliveryRecord{}).Where("endpoint_id = ? AND event_id = ?", endpointID, eventID).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			row := deliveryRecord{ID: uuid.Must(uuid.NewV7()).String(), EndpointID: endpointID, EventID: eventID,
				FilingID: string(ev.FilingID), Seq: ev.Sequence, EventType: string(ev.Type), Status: StatusPending,
				NextAttemptAt: now, RetryUntil: now.Add(retryFor), CreatedAt: now,
				RedeliveredBy: by, RedeliveredAt: &now, RedeliveryReason: reason}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		}
		return tx.Where("endpoint_id = ? AND event_id = ?", endpointID, eventID).Take(&out).Error
	})
	if err != nil {
		return filing.WebhookDelivery{}, fmt.Errorf("hooks: redeliver %s to %s: %w", eventID, endpointID, err)
	}
	return out.contract(), nil
}

// contract is the delivery as support sees it.
func (r deliveryRecord) contract() filing.WebhookDelivery {
	out := filing.WebhookDelivery{EndpointID: r.EndpointID, EventID: r.EventID, EventType: filing.EventType(r.EventType),
		FilingID: filing.ID(r.FilingID), Sequence: r.Seq, Status: r.Status, Attempts: r.Attempts, LastError: r.LastError,
		DeliveredAt: utc(r.DeliveredAt), CreatedAt: r.CreatedAt.UTC(),
		RedeliveredBy: r.RedeliveredBy, RedeliveredAt: utc(r.RedeliveredAt), RedeliveryReason: r.RedeliveryReason}
	if r.Status == StatusPending {
		out.NextAttemptAt = utc(&r.NextAttemptAt)
	}
	return out
}

// PruneDelivered deletes deliveries delivered before cutoff and returns
// how many: the feed keeps the events themselves, and a delivered row only
// tells support it went out.
func PruneDelivered(ctx context.Context, db *store.DB, cutoff time.Time) (int64, error) {
	res := db.Gorm.WithContext(ctx).Where("status = ? AND delivered_at < ?", StatusDelivered, cutoff.UTC()).Delete(&deliveryRecord{})
	if res.Error != nil {
		return 0, fmt.Errorf("hooks: prune delivered deliveries: %w", res.Error)
	}
	return res.RowsAffected, nil
}
