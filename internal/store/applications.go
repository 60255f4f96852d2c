package store

import (
	"github.com/beianflow/beianflow/filing"

	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Revision kinds.
const (
	KindApplication    = "application"
	KindMailingAddress = "mailing_address"
)

// ApplicationRevision is one immutable version of an applicant's data.
type ApplicationRevision struct {
	ID        string `gorm:"primaryKey"`
	FilingID  string
	Kind      string
	Body      string
	Digest    string
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

// Applications stores applicants' data outside Temporal.
type Applications struct{ db *DB }

// NewApplications returns the repository over db.
func NewApplications(db *DB) *Applications { return &Applications{db: db} }

// ErrDigestMismatch means a stored revision does not hold what its reference
// promised.
var ErrDigestMismatch = errors.New("revision digest mismatch")

// Save stores v (marshalled to JSON) as a new revision and returns it. The
// digest lets a reader prove it got exactly what the workflow referenced.
func (r *Applications) Save(ctx context.Context, filingID filing.ID, kind string, v any) (ApplicationRevision, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return ApplicationRevision{}, fmt.Errorf("store: encode %s of filing %s: %w", kind, filingID, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return ApplicationRevision{}, fmt.Errorf("store: revision ID: %w", err)
	}
	sum := sha256.Sum256(body)
	rev := ApplicationRevision{
		ID: id.String(), FilingID: string(filingID), Kind: kind, Body: string(body),
		Digest: hex.EncodeToString(sum[:]), CreatedAt: time.Now().UTC(),
	}
	if err := r.db.Gorm.WithContext(ctx).Create(&rev).Error; err != nil {
		return ApplicationRevision{}, fmt.Errorf("store: save %s of filing %s: %w", kind, filingID, err)
	}
	return rev, nil
}

// Load reads a revision of the filing into v, checking kind and, when
// given, the digest.
func (r *Applications) Load(ctx context.Context, filingID filing.ID, revisionID, kind, digest string, v any) error {
	var rev ApplicationRevision
	err := r.db.Gorm.WithContext(ctx).Where("id = ? AND filing_id = ? AND kind = ?", revisionID, filingID, kind).Take(&rev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("store: %s revision %s of filing %s: %w", kind, revisionID, filingID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: load %s revision %s: %w", kind, revisionID, err)
	}
	if digest != "" && rev.Digest != digest {
		return fmt.Errorf("store: %s revision %s: %w", kind, revisionID, ErrDigestMismatch)
	}
	if err := json.Unmarshal([]byte(rev.Body), v); err != nil {
		return fmt.Errorf("store: decode %s revision %s: %w", kind, revisionID, err)
	}
	return nil
}

// Latest returns the newest revision of a kind for the filing.
func (r *Applications) Latest(ctx context.Context, filingID filing.ID, kind string) (ApplicationRevision, error) {
	var rev ApplicationRevision
	err := r.db.Gorm.WithContext(ctx).Where("filing_id = ? AND kind = ?", filingID, kind).
		Order("created_at DESC, id DESC").Take(&rev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ApplicationRevision{}, ErrNotFound
	}
	if err != nil {
		return ApplicationRevision{}, fmt.Errorf("store: latest %s of filing %s: %w", kind, filingID, err)
	}
	return rev, nil
}

// Revisions lists the revisions of a kind for the filing, oldest first,
// without their bodies.
func (r *Applications) Revisions(ctx context.Context, filingID filing.ID, kind string) ([]ApplicationRevision, error) {
	var out []ApplicationRevision
	err := r.db.Gorm.WithContext(ctx).Select("id", "filing_id", "kind", "digest", "created_at").
		Where("filing_id = ? AND kind = ?", filingID, kind).Order("created_at, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: revisions of filing %s: %w", filingID, err)
	}
	return out, nil
}
