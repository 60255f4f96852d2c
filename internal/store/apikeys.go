package store

import (
	"context"
	"fmt"
	"time"
)

// APIKey is a stored API key: its hash, never the secret.
type APIKey struct {
	ID         string `gorm:"primaryKey"`
	SecretHash string
	Role       string
	AccountID  string
	Name       string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	RevokedAt  *time.Time
}

// APIKeys stores API keys.
type APIKeys struct{ db *DB }

// NewAPIKeys returns the repository over db.
func NewAPIKeys(db *DB) *APIKeys { return &APIKeys{db: db} }

// Create stores a new key.
func (r *APIKeys) Create(ctx context.Context, k APIKey) error {
	if err := r.db.Gorm.WithContext(ctx).Create(&k).Error; err != nil {
		return fmt.Errorf("store: create api key %s: %w", k.ID, err)
	}
	return nil
}

// Get returns a key, revoked or not, or ErrNotFound.
func (r *APIKeys) Get(ctx context.Context, id string) (APIKey, error) {
	return getByID[APIKey](ctx, r.db, "api key", id)
}

// Revoke marks a key revoked at now. Revoking twice keeps the first time;
// an unknown ID is ErrNotFound.
func (r *APIKeys) Revoke(ctx context.Context, id string, now time.Time) error {
	res := r.db.Gorm.WithContext(ctx).Model(&APIKey{}).Where("id = ? AND revoked_at IS NULL", id).
		Update("revoked_at", now.UTC())
	if res.Error != nil {
		return fmt.Errorf("store: revoke api key %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := r.Get(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// List returns every key, newest first.
func (r *APIKeys) List(ctx context.Context) ([]APIKey, error) {
	var out []APIKey
	if err := r.db.Gorm.WithContext(ctx).Order("created_at DESC, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: list api keys: %w", err)
	}
	return out, nil
}
