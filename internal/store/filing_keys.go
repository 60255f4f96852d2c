package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/beianflow/beianflow/internal/envelope"
)

// filingKey is a row of filing_keys.
type filingKey struct {
	FilingID  string `gorm:"primaryKey"`
	KEKID     string `gorm:"column:kek_id"`
	Wrapped   *string
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	ErasedAt  *time.Time
}

// TableName is the table's name for gorm.
func (filingKey) TableName() string { return "filing_keys" }

// FilingKeys keeps the filings' wrapped data keys (envelope.Repository).
type FilingKeys struct{ db *DB }

var _ envelope.Repository = (*FilingKeys)(nil)

// NewFilingKeys returns the repository over db.
func NewFilingKeys(db *DB) *FilingKeys { return &FilingKeys{db: db} }

func (k filingKey) stored() (envelope.Stored, error) {
	s := envelope.Stored{FilingID: k.FilingID, KEKID: k.KEKID, CreatedAt: k.CreatedAt, Erased: k.ErasedAt != nil}
	if k.ErasedAt != nil {
		s.ErasedAt = *k.ErasedAt
	}
	if k.Wrapped != nil && !s.Erased {
		w, err := base64.StdEncoding.DecodeString(*k.Wrapped)
		if err != nil {
			return envelope.Stored{}, fmt.Errorf("store: wrapped key of filing %s: %w", k.FilingID, err)
		}
		s.Wrapped = w
	}
	return s, nil
}

// Get is the filing's key; envelope.ErrNoKey when it has none.
func (r *FilingKeys) Get(ctx context.Context, filingID string) (envelope.Stored, error) {
	var k filingKey
	err := r.db.Gorm.WithContext(ctx).Where("filing_id = ?", filingID).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return envelope.Stored{}, envelope.ErrNoKey
	}
	if err != nil {
		return envelope.Stored{}, fmt.Errorf("store: data key of filing %s: %w", filingID, err)
	}
	return k.stored()
}

// Insert adds the key unless the filing has one and returns the filing's
// key: the primary key lets exactly one of concurrent inserts in.
func (r *FilingKeys) Insert(ctx context.Context, s envelope.Stored) (envelope.Stored, error) {
	w := base64.StdEncoding.EncodeToString(s.Wrapped)
	row := filingKey{FilingID: s.FilingID, KEKID: s.KEKID, Wrapped: &w, CreatedAt: s.CreatedAt.UTC()}
	if err := r.db.Gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return envelope.Stored{}, fmt.Errorf("store: data key of filing %s: %w", s.FilingID, err)
	}
	return r.Get(ctx, s.FilingID)
}

// Rewrap replaces the wrapping of a live key still wrapped under oldKEK.
func (r *FilingKeys) Rewrap(ctx context.Context, filingID, oldKEK, newKEK string, wrapped []byte) error {
	w := base64.StdEncoding.EncodeToString(wrapped)
	err := r.db.Gorm.WithContext(ctx).Model(&filingKey{}).
		Where("filing_id = ? AND kek_id = ? AND erased_at IS NULL", filingID, oldKEK).
		Updates(map[string]any{"kek_id": newKEK, "wrapped": w}).Error
	if err != nil {
		return fmt.Errorf("store: re-wrap the data key of filing %s: %w", filingID, err)
	}
	return nil
}

// Erase destroys the wrapped key and records when; a filing without a key
// gets a row that records the erasure, so none is made for it later.
func (r *FilingKeys) Erase(ctx context.Context, filingID string, at time.Time) error {
	g := r.db.Gorm.WithContext(ctx)
	erase := func() (int64, error) {
		res := g.Model(&filingKey{}).Where("filing_id = ?", filingID).
			Updates(map[string]any{"wrapped": nil, "erased_at": gorm.Expr("COALESCE(erased_at, ?)", at.UTC())})
		return res.RowsAffected, res.Error
	}
	n, err := erase()
	if err == nil && n == 0 {
		erased := at.UTC()
		tomb := filingKey{FilingID: filingID, KEKID: "", CreatedAt: erased, ErasedAt: &erased}
		res := g.Clauses(clause.OnConflict{DoNothing: true}).Create(&tomb)
		if err = res.Error; err == nil && res.RowsAffected == 0 {
			// A key was made meanwhile: destroy it.
			_, err = erase()
		}
	}
	if err != nil {
		return fmt.Errorf("store: erase the data key of filing %s: %w", filingID, err)
	}
	return nil
}

// NotWrappedWith lists live keys wrapped under another key than kek.
func (r *FilingKeys) NotWrappedWith(ctx context.Context, kek, after string, limit int) ([]envelope.Stored, error) {
	var rows []filingKey
	err := r.db.Gorm.WithContext(ctx).Where("kek_id <> ? AND erased_at IS NULL AND filing_id > ?", kek, after).
		Order("filing_id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: keys to re-wrap: %w", err)
	}
	out := make([]envelope.Stored, len(rows))
	for i, k := range rows {
		if out[i], err = k.stored(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
