package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/store"
)

// FailedMessage is a message given up on, as operators see it: the
// recipient masked, the failure by class and provider code.
type FailedMessage struct {
	ID       string
	DedupKey string
	FilingID string
	Event    string
	Channel  notify.Channel
	// To is the recipient masked by notify.MaskRecipient.
	To       string
	Lang     string
	Attempts int
	// LastError is the class and provider code of the last failure, e.g.
	// "sns InvalidParameter (HTTP 400, permanent)".
	LastError string
	CreatedAt time.Time
}

// Failed returns up to limit (100 when not positive) failed messages, the
// most recently created first.
func Failed(ctx context.Context, db *store.DB, limit int) ([]FailedMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	var rows []record
	err := db.Gorm.WithContext(ctx).Where("status = ?", StatusFailed).
		Order("created_at DESC").Order("id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("outbox: list failed messages: %w", err)
	}
	out := make([]FailedMessage, len(rows))
	for i, r := range rows {
		out[i] = FailedMessage{
			ID: r.ID, DedupKey: r.DedupKey, FilingID: r.FilingID, Event: r.Event,
			Channel: notify.Channel(r.Channel), To: r.masked(), Lang: r.Lang,
			Attempts: r.Attempts, LastError: r.LastError, CreatedAt: r.CreatedAt,
		}
	}
	return out, nil
}

// Counts returns the number of messages in each status, zero included, for
// dashboards and alerts (a growing failed or pending count).
func Counts(ctx context.Context, db *store.DB) (map[string]int, error) {
	var rows []struct {
		Status string
		N      int
	}
	err := db.Gorm.WithContext(ctx).Model(&record{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("outbox: count messages: %w", err)
	}
	out := map[string]int{StatusPending: 0, StatusSent: 0, StatusFailed: 0}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
