package webhook

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/beianflow/beianflow/internal/store"
)

// DBStore is a DeliveryStore in the webhook_deliveries table, shared by
// every API replica over one database. It is safe for concurrent use.
type DBStore struct{ db *store.DB }

var _ DeliveryStore = (*DBStore)(nil)

// NewDBStore returns the store over db, which must be migrated.
func NewDBStore(db *store.DB) *DBStore { return &DBStore{db: db} }

// deliveryRecord is a row of webhook_deliveries.
type deliveryRecord struct {
	DeliveryID string    `gorm:"column:delivery_id;primaryKey"`
	Source     string    `gorm:"column:source"`
	ReceivedAt time.Time `gorm:"column:received_at"`
}

// TableName tells GORM the table; it is created by store's migrations.
func (deliveryRecord) TableName() string { return "webhook_deliveries" }

// Seen implements DeliveryStore.
func (s *DBStore) Seen(ctx context.Context, deliveryID string) (bool, error) {
	var n int64
	err := s.db.Gorm.WithContext(ctx).Model(&deliveryRecord{}).Where("delivery_id = ?", deliveryID).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("webhook: look up delivery %s: %w", deliveryID, err)
	}
	return n > 0, nil
}

// Mark implements DeliveryStore. The primary key decides between
// concurrent marks of one delivery: exactly one inserts the row.
func (s *DBStore) Mark(ctx context.Context, deliveryID, source string, at time.Time) (bool, error) {
	// Microseconds, UTC: what PostgreSQL keeps, and one text format on
	// SQLite, so Prune compares like with like.
	rec := deliveryRecord{DeliveryID: deliveryID, Source: source, ReceivedAt: at.UTC().Truncate(time.Microsecond)}
	res := s.db.Gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rec)
	if res.Error != nil {
		return false, fmt.Errorf("webhook: record delivery %s: %w", deliveryID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Prune forgets the deliveries received before olderThan and returns how
// many. Keep at least the Verifier's window (plus clock skew between sender
// and receiver): a delivery older than that is refused as stale anyway, so
// its row protects nothing. Run it periodically, e.g. hourly with
// now − 24h.
func (s *DBStore) Prune(ctx context.Context, olderThan time.Time) (int64, error) {
	res := s.db.Gorm.WithContext(ctx).Where("received_at < ?", olderThan.UTC().Truncate(time.Microsecond)).Delete(&deliveryRecord{})
	if res.Error != nil {
		return 0, fmt.Errorf("webhook: prune deliveries: %w", res.Error)
	}
	return res.RowsAffected, nil
}
