package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
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

// PersonalDataRead is one read of a filing's personal data outside the
// workflow: who read which document of it, and when.
type PersonalDataRead struct {
	ID       string `gorm:"primaryKey"`
	FilingID filing.ID
	Actor    string
	What     string
	At       time.Time
}

// PersonalDataReads is the append-only record of reads of personal data.
type PersonalDataReads struct{ db *DB }

// NewPersonalDataReads returns the repository over db.
func NewPersonalDataReads(db *DB) *PersonalDataReads { return &PersonalDataReads{db: db} }

// Record appends reads by actor at one instant, one per what, in one
// insert.
func (r *PersonalDataReads) Record(ctx context.Context, id filing.ID, actor string, at time.Time, whats ...string) error {
	if len(whats) == 0 {
		return nil
	}
	reads := make([]PersonalDataRead, len(whats))
	for i, what := range whats {
		reads[i] = PersonalDataRead{ID: uuid.Must(uuid.NewV7()).String(), FilingID: id, Actor: actor, What: what, At: at.UTC()}
	}
	if err := r.db.Gorm.WithContext(ctx).Create(&reads).Error; err != nil {
		return fmt.Errorf("store: record reads of filing %s: %w", id, err)
	}
	return nil
}

// List returns a filing's reads, oldest first.
func (r *PersonalDataReads) List(ctx context.Context, id filing.ID) ([]PersonalDataRead, error) {
	var out []PersonalDataRead
	if err := r.db.Gorm.WithContext(ctx).Where("filing_id = ?", id).Order("at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: reads of filing %s: %w", id, err)
	}
	return out, nil
}
