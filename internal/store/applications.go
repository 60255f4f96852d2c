package store

import (
	"github.com/beianflow/beianflow/filing"

	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// Sealer encrypts and decrypts a filing's records with the filing's own
// data key (envelope.Keys).
type Sealer interface {
	Seal(ctx context.Context, id filing.ID, purpose string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, id filing.ID, purpose string, sealed []byte) ([]byte, error)
}

// Applications stores applicants' data outside Temporal, each revision
// sealed with its filing's data key: the database holds no personal data
// in clear.
type Applications struct {
	db     *DB
	sealer Sealer
}

// NewApplications returns the repository over db, sealing with sealer. A
// nil sealer saves and reads nothing: personal data is never stored in
// clear for want of a key.
func NewApplications(db *DB, sealer Sealer) *Applications {
	if sealer == nil {
		sealer = noSealer{}
	}
	return &Applications{db: db, sealer: sealer}
}

// sealedPrefix marks a sealed body (base64 of envelope's record format).
const sealedPrefix = "sealed:v1:"

// revisionPurpose binds a sealed body to its revision and kind.
func revisionPurpose(kind, revisionID string) string { return kind + " revision " + revisionID }

// noSealer refuses: a repository built without keys.
type noSealer struct{}

var errNoSealer = errors.New("store: no data keys configured (BEIANFLOW_DATA_KEYS); personal data is not stored in clear")

// Seal refuses.
func (noSealer) Seal(context.Context, filing.ID, string, []byte) ([]byte, error) {
	return nil, errNoSealer
}

// Open refuses.
func (noSealer) Open(context.Context, filing.ID, string, []byte) ([]byte, error) {
	return nil, errNoSealer
}

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
	sealed, err := r.sealer.Seal(ctx, filingID, revisionPurpose(kind, id.String()), body)
	if err != nil {
		return ApplicationRevision{}, fmt.Errorf("store: seal %s of filing %s: %w", kind, filingID, err)
	}
	rev := ApplicationRevision{
		ID: id.String(), FilingID: string(filingID), Kind: kind, Body: sealedPrefix + base64.StdEncoding.EncodeToString(sealed),
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
	body, err := r.open(ctx, filingID, rev)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("store: decode %s revision %s: %w", kind, revisionID, err)
	}
	return nil
}

// open decrypts a revision's body. Bodies saved before revisions were
// sealed are read as they are (development databases only: no release
// stored any).
func (r *Applications) open(ctx context.Context, filingID filing.ID, rev ApplicationRevision) ([]byte, error) {
	b64, ok := strings.CutPrefix(rev.Body, sealedPrefix)
	if !ok {
		return []byte(rev.Body), nil
	}
	sealed, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("store: %s revision %s: %w", rev.Kind, rev.ID, err)
	}
	body, err := r.sealer.Open(ctx, filingID, revisionPurpose(rev.Kind, rev.ID), sealed)
	if err != nil {
		return nil, fmt.Errorf("store: open %s revision %s: %w", rev.Kind, rev.ID, err)
	}
	return body, nil
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
