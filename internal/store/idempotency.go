package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// IdempotencyRecord is a POST request that carried an Idempotency-Key and,
// once handled, its response. Status 0 means still being handled.
type IdempotencyRecord struct {
	APIKeyID    string `gorm:"primaryKey"`
	IdemKey     string `gorm:"primaryKey"`
	Method      string
	Path        string
	BodySHA256  string `gorm:"column:body_sha256"`
	Status      int
	ContentType string
	Location    string
	Response    []byte
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
}

// TableName is the table of idempotency records.
func (IdempotencyRecord) TableName() string { return "idempotency_keys" }

// Idempotency stores idempotency records.
type Idempotency struct{ db *DB }

// NewIdempotency returns the repository over db.
func NewIdempotency(db *DB) *Idempotency { return &Idempotency{db: db} }

// Claim records rec as in progress unless a live record (created after
// notBefore) already holds its key; it returns that record and false then.
// An expired record is replaced. Claim is atomic: of two concurrent claims
// of one key, exactly one wins.
func (r *Idempotency) Claim(ctx context.Context, rec IdempotencyRecord, notBefore time.Time) (IdempotencyRecord, bool, error) {
	g := r.db.Gorm.WithContext(ctx)
	for range 3 {
		res := g.Clauses(clause.OnConflict{DoNothing: true}).Create(&rec)
		if res.Error != nil {
			return IdempotencyRecord{}, false, fmt.Errorf("store: claim idempotency key: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			return rec, true, nil
		}
		var cur IdempotencyRecord
		err := g.Where("api_key_id = ? AND idem_key = ?", rec.APIKeyID, rec.IdemKey).Take(&cur).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue // released between our insert and read: try again
		}
		if err != nil {
			return IdempotencyRecord{}, false, fmt.Errorf("store: read idempotency key: %w", err)
		}
		if !cur.CreatedAt.Before(notBefore) {
			return cur, false, nil
		}
		// Expired: remove exactly that record (not a newer claim) and retry.
		if err := g.Where("api_key_id = ? AND idem_key = ? AND created_at = ?", cur.APIKeyID, cur.IdemKey, cur.CreatedAt).
			Delete(&IdempotencyRecord{}).Error; err != nil {
			return IdempotencyRecord{}, false, fmt.Errorf("store: expire idempotency key: %w", err)
		}
	}
	return IdempotencyRecord{}, false, errors.New("store: idempotency key keeps changing; retry")
}

// Complete stores the response of a claimed request.
func (r *Idempotency) Complete(ctx context.Context, rec IdempotencyRecord) error {
	err := r.db.Gorm.WithContext(ctx).Model(&IdempotencyRecord{}).
		Where("api_key_id = ? AND idem_key = ?", rec.APIKeyID, rec.IdemKey).
		Updates(map[string]any{"status": rec.Status, "content_type": rec.ContentType,
			"location": rec.Location, "response": rec.Response}).Error
	if err != nil {
		return fmt.Errorf("store: complete idempotency key: %w", err)
	}
	return nil
}

// Release forgets a claim whose request should be retryable with the same
// key (it failed with a server-side or transient error).
func (r *Idempotency) Release(ctx context.Context, apiKeyID, key string) error {
	err := r.db.Gorm.WithContext(ctx).Where("api_key_id = ? AND idem_key = ?", apiKeyID, key).
		Delete(&IdempotencyRecord{}).Error
	if err != nil {
		return fmt.Errorf("store: release idempotency key: %w", err)
	}
	return nil
}

// Prune deletes records created before cutoff and reports how many.
func (r *Idempotency) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	res := r.db.Gorm.WithContext(ctx).Where("created_at < ?", cutoff.UTC()).Delete(&IdempotencyRecord{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: prune idempotency keys: %w", res.Error)
	}
	return res.RowsAffected, nil
}
