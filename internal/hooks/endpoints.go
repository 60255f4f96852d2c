package hooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/safehttp"
	"github.com/beianflow/beianflow/internal/standardwebhooks"
	"github.com/beianflow/beianflow/internal/store"
)

// MaxEndpoints bounds the endpoints of one account.
const MaxEndpoints = 10

// DefaultPreviousValidFor is how long a rotated-out secret keeps signing,
// and MaxPreviousValidFor the longest a rotation may ask for.
const (
	DefaultPreviousValidFor = 24 * time.Hour
	MaxPreviousValidFor     = 7 * 24 * time.Hour
)

// Disabled reasons.
const (
	ReasonFailing   = "failing"
	ReasonByAccount = "by_account"
)

// Errors of the endpoint operations the API turns into client errors.
var (
	ErrNotFound      = errors.New("hooks: no such webhook endpoint")
	ErrTooMany       = fmt.Errorf("hooks: an account may have at most %d webhook endpoints", MaxEndpoints)
	ErrUnknownType   = errors.New("hooks: unknown event type")
	ErrBadURL        = errors.New("hooks: URL not accepted")
	ErrBadValidFor   = errors.New("hooks: previous_valid_for must be a duration from 0s to 168h")
	errNoSecretBoxes = errors.New("hooks: no key to seal endpoint secrets with")
)

// SecretBox seals endpoints' signing secrets at rest (envelope.Keys'
// WrapSecret and UnwrapSecret): a database dump must not let anyone sign
// webhooks as beianflow.
type SecretBox interface {
	WrapSecret(ctx context.Context, name string, secret []byte) (string, error)
	UnwrapSecret(ctx context.Context, name, wrapped string) ([]byte, error)
}

// Rewrapper re-wraps a sealed secret under the current key-encryption key
// (envelope.Keys.RewrapSecret).
type Rewrapper interface {
	RewrapSecret(ctx context.Context, name, wrapped string) (string, bool, error)
}

// RewrapSecrets wraps every endpoint's secrets again under the current
// key-encryption key where an older one wraps them (a rotation of the
// key-encryption keys, `beianflow keys rewrap`), and returns how many
// endpoints it changed. Safe to repeat.
func RewrapSecrets(ctx context.Context, db *store.DB, keys Rewrapper) (int, error) {
	var recs []endpointRecord
	if err := db.Gorm.WithContext(ctx).Select("id", "secret", "previous_secret").Find(&recs).Error; err != nil {
		return 0, fmt.Errorf("hooks: read endpoint secrets: %w", err)
	}
	changed := 0
	for _, r := range recs {
		set := map[string]any{}
		for col, sealed := range map[string]string{"secret": r.Secret, "previous_secret": r.PreviousSecret} {
			if sealed == "" {
				continue
			}
			again, did, err := keys.RewrapSecret(ctx, secretName(r.ID), sealed)
			if err != nil {
				return changed, fmt.Errorf("hooks: re-wrap the secret of %s: %w", r.ID, err)
			}
			if did {
				set[col] = again
			}
		}
		if len(set) == 0 {
			continue
		}
		// Only if the secret is still the one re-wrapped: a rotation
		// meanwhile wrapped its own under the current key already.
		res := db.Gorm.WithContext(ctx).Model(&endpointRecord{}).
			Where("id = ? AND secret = ? AND previous_secret = ?", r.ID, r.Secret, r.PreviousSecret).Updates(set)
		if res.Error != nil {
			return changed, fmt.Errorf("hooks: re-wrap the secret of %s: %w", r.ID, res.Error)
		}
		changed += int(res.RowsAffected)
	}
	return changed, nil
}

// endpointRecord is a row of webhook_endpoints.
type endpointRecord struct {
	ID                  string `gorm:"primaryKey"`
	AccountID           string
	URL                 string
	EventTypes          string // JSON array; [] is every type
	Secret              string // sealed
	PreviousSecret      string // sealed; "" without a rotation in progress
	PreviousUntil       *time.Time
	Status              string
	DisabledReason      string
	DisabledAt          *time.Time
	FailingSince        *time.Time
	ConsecutiveFailures int
	CreatedAt           time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt           time.Time `gorm:"autoUpdateTime:false"`
}

// TableName is the table GORM reads and writes.
func (endpointRecord) TableName() string { return "webhook_endpoints" }

// Endpoints are the accounts' webhook endpoints.
type Endpoints struct {
	DB      *store.DB
	Secrets SecretBox
	// URLs says which URLs are accepted (safehttp.CheckURL): https and
	// public addresses only, unless development allows more.
	URLs safehttp.Options
	Now  func() time.Time
}

func (e *Endpoints) now() time.Time {
	if e.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return e.Now().UTC().Truncate(time.Microsecond)
}

// secretName binds a sealed secret to its endpoint.
func secretName(id string) string { return "webhook endpoint " + id }

// Create registers an endpoint of the account and returns it with its new
// secret, shown this once.
func (e *Endpoints) Create(ctx context.Context, accountID string, req filing.WebhookEndpointRequest) (filing.WebhookEndpointSecret, error) {
	if err := e.checkURL(req.URL); err != nil {
		return filing.WebhookEndpointSecret{}, err
	}
	types, err := checkTypes(req.EventTypes)
	if err != nil {
		return filing.WebhookEndpointSecret{}, err
	}
	id := "we_" + uuid.Must(uuid.NewV7()).String()
	secret, sealed, err := e.newSecret(ctx, id)
	if err != nil {
		return filing.WebhookEndpointSecret{}, err
	}
	now := e.now()
	rec := endpointRecord{ID: id, AccountID: accountID, URL: req.URL, EventTypes: types, Secret: sealed,
		Status: filing.WebhookEnabled, CreatedAt: now, UpdatedAt: now}
	err = e.DB.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&endpointRecord{}).Where("account_id = ?", accountID).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxEndpoints {
			return ErrTooMany
		}
		return tx.Create(&rec).Error
	})
	if err != nil {
		return filing.WebhookEndpointSecret{}, fmt.Errorf("hooks: create endpoint: %w", err)
	}
	return filing.WebhookEndpointSecret{WebhookEndpoint: rec.contract(), Secret: secret}, nil
}

// newSecret makes a signing secret and its sealed form.
func (e *Endpoints) newSecret(ctx context.Context, id string) (string, string, error) {
	if e.Secrets == nil {
		return "", "", errNoSecretBoxes
	}
	secret, err := standardwebhooks.NewSecret()
	if err != nil {
		return "", "", err
	}
	raw, err := standardwebhooks.ParseSecret(secret)
	if err != nil {
		return "", "", err
	}
	sealed, err := e.Secrets.WrapSecret(ctx, secretName(id), raw)
	if err != nil {
		return "", "", fmt.Errorf("hooks: seal the secret of %s: %w", id, err)
	}
	return secret, sealed, nil
}

// List is the account's endpoints, oldest first.
func (e *Endpoints) List(ctx context.Context, accountID string) ([]filing.WebhookEndpoint, error) {
	var recs []endpointRecord
	if err := e.DB.Gorm.WithContext(ctx).Where("account_id = ?", accountID).Order("created_at, id").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("hooks: list endpoints: %w", err)
	}
	out := make([]filing.WebhookEndpoint, len(recs))
	for i, r := range recs {
		out[i] = r.contract()
	}
	return out, nil
}

// Get is one endpoint of the account (accountID "" for any account).
func (e *Endpoints) Get(ctx context.Context, accountID, id string) (filing.WebhookEndpoint, error) {
	rec, err := e.get(e.DB.Gorm.WithContext(ctx), accountID, id)
	if err != nil {
		return filing.WebhookEndpoint{}, err
	}
	return rec.contract(), nil
}

func (e *Endpoints) get(tx *gorm.DB, accountID, id string) (endpointRecord, error) {
	q := tx.Where("id = ?", id)
	if accountID != "" {
		q = q.Where("account_id = ?", accountID)
	}
	var rec endpointRecord
	res := q.Limit(1).Find(&rec)
	if res.Error != nil {
		return rec, fmt.Errorf("hooks: read endpoint %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return rec, ErrNotFound
	}
	return rec, nil
}

// Update changes an endpoint of the account. Enabling it clears its
// failures; its waiting deliveries go out, oldest first.
func (e *Endpoints) Update(ctx context.Context, accountID, id string, p filing.WebhookEndpointPatch) (filing.WebhookEndpoint, error) {
	set := map[string]any{"updated_at": e.now()}
	if p.URL != nil {
		if err := e.checkURL(*p.URL); err != nil {
			return filing.WebhookEndpoint{}, err
		}
		set["url"] = *p.URL
	}
	if p.EventTypes != nil {
		types, err := checkTypes(*p.EventTypes)
		if err != nil {
			return filing.WebhookEndpoint{}, err
		}
		set["event_types"] = types
	}
	if p.Enabled != nil {
		if *p.Enabled {
			set["status"], set["disabled_reason"], set["disabled_at"] = filing.WebhookEnabled, "", nil
			set["failing_since"], set["consecutive_failures"] = nil, 0
		} else {
			set["status"], set["disabled_reason"], set["disabled_at"] = filing.WebhookDisabled, ReasonByAccount, e.now()
		}
	}
	var rec endpointRecord
	err := e.DB.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := e.get(tx, accountID, id); err != nil {
			return err
		}
		if err := tx.Model(&endpointRecord{}).Where("id = ?", id).Updates(set).Error; err != nil {
			return err
		}
		var err error
		rec, err = e.get(tx, accountID, id)
		return err
	})
	if err != nil {
		return filing.WebhookEndpoint{}, fmt.Errorf("hooks: update endpoint %s: %w", id, err)
	}
	return rec.contract(), nil
}

// Delete removes an endpoint of the account and its deliveries.
func (e *Endpoints) Delete(ctx context.Context, accountID, id string) error {
	err := e.DB.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := e.get(tx, accountID, id); err != nil {
			return err
		}
		if err := tx.Where("endpoint_id = ?", id).Delete(&deliveryRecord{}).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", id).Delete(&endpointRecord{}).Error
	})
	if err != nil {
		return fmt.Errorf("hooks: delete endpoint %s: %w", id, err)
	}
	return nil
}

// Rotate gives the endpoint a new secret, returned this once; the current
// one keeps signing beside it for previousFor, so a receiver can switch
// without losing a delivery.
func (e *Endpoints) Rotate(ctx context.Context, accountID, id string, previousFor time.Duration) (filing.WebhookEndpointSecret, error) {
	if previousFor < 0 || previousFor > MaxPreviousValidFor {
		return filing.WebhookEndpointSecret{}, ErrBadValidFor
	}
	secret, sealed, err := e.newSecret(ctx, id)
	if err != nil {
		return filing.WebhookEndpointSecret{}, err
	}
	var rec endpointRecord
	err = e.DB.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := e.get(tx, accountID, id)
		if err != nil {
			return err
		}
		now := e.now()
		set := map[string]any{"secret": sealed, "previous_secret": "", "previous_until": nil, "updated_at": now}
		if previousFor > 0 {
			until := now.Add(previousFor)
			set["previous_secret"], set["previous_until"] = cur.Secret, until
		}
		if err := tx.Model(&endpointRecord{}).Where("id = ?", id).Updates(set).Error; err != nil {
			return err
		}
		rec, err = e.get(tx, accountID, id)
		return err
	})
	if err != nil {
		return filing.WebhookEndpointSecret{}, fmt.Errorf("hooks: rotate the secret of %s: %w", id, err)
	}
	return filing.WebhookEndpointSecret{WebhookEndpoint: rec.contract(), Secret: secret}, nil
}

// checkURL refuses a URL deliveries may not go to.
func (e *Endpoints) checkURL(raw string) error {
	if _, err := safehttp.CheckURL(raw, e.URLs); err != nil {
		// safehttp's reasons name the rule broken, never the URL.
		return fmt.Errorf("%w: %s", ErrBadURL, strings.TrimPrefix(err.Error(), "safehttp: "))
	}
	return nil
}

// deliverable are the event types an endpoint may ask for.
func deliverable() []filing.EventType {
	return append(filing.EventTypes(), filing.EventWebhookEndpointDisabled)
}

// checkTypes validates and stores an endpoint's event types.
func checkTypes(types []filing.EventType) (string, error) {
	known := deliverable()
	out := make([]filing.EventType, 0, len(types))
	for _, t := range types {
		if !slices.Contains(known, t) {
			return "", fmt.Errorf("%w %q", ErrUnknownType, t)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// wants reports whether the endpoint takes events of type t.
func (r endpointRecord) wants(t filing.EventType) bool {
	var types []filing.EventType
	if err := json.Unmarshal([]byte(r.EventTypes), &types); err != nil || len(types) == 0 {
		return true
	}
	return slices.Contains(types, t)
}

// contract is the endpoint as the API shows it.
func (r endpointRecord) contract() filing.WebhookEndpoint {
	var types []filing.EventType
	_ = json.Unmarshal([]byte(r.EventTypes), &types)
	if types == nil {
		types = []filing.EventType{}
	}
	out := filing.WebhookEndpoint{ID: r.ID, URL: r.URL, EventTypes: types, Status: r.Status,
		DisabledReason: r.DisabledReason, DisabledAt: utc(r.DisabledAt), FailingSince: utc(r.FailingSince),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.PreviousSecret != "" {
		out.PreviousSecretUntil = utc(r.PreviousUntil)
	}
	return out
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
