package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/beianflow/beianflow/filing"
)

// VerificationForm is a serial issued for one content of a filing's
// verification form.
type VerificationForm struct {
	Serial        string `gorm:"primaryKey"`
	FilingID      filing.ID
	ContentDigest string
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
}

// VerificationForms issues and looks up verification form serials.
type VerificationForms struct{ db *DB }

// NewVerificationForms returns the repository over db.
func NewVerificationForms(db *DB) *VerificationForms { return &VerificationForms{db: db} }

// Issue returns the serial of the filing's form with content digest,
// issuing serial for it at now when there is none yet. Concurrent issues
// of one content agree on one serial: the unique (filing, digest) pair
// lets exactly one insert in.
func (r *VerificationForms) Issue(ctx context.Context, id filing.ID, digest, serial string, now time.Time) (VerificationForm, error) {
	f := VerificationForm{Serial: serial, FilingID: id, ContentDigest: digest, CreatedAt: now.UTC()}
	g := r.db.Gorm.WithContext(ctx)
	if err := g.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "filing_id"}, {Name: "content_digest"}}, DoNothing: true}).
		Create(&f).Error; err != nil {
		return VerificationForm{}, fmt.Errorf("store: issue a verification form for filing %s: %w", id, err)
	}
	var got VerificationForm
	if err := g.Where("filing_id = ? AND content_digest = ?", id, digest).Take(&got).Error; err != nil {
		return VerificationForm{}, fmt.Errorf("store: verification form of filing %s: %w", id, err)
	}
	return got, nil
}

// Lookup finds the form a serial was issued for; ErrNotFound when none.
func (r *VerificationForms) Lookup(ctx context.Context, serial string) (VerificationForm, error) {
	var f VerificationForm
	err := r.db.Gorm.WithContext(ctx).Where("serial = ?", serial).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return VerificationForm{}, ErrNotFound
	}
	if err != nil {
		return VerificationForm{}, fmt.Errorf("store: verification form %s: %w", serial, err)
	}
	return f, nil
}
