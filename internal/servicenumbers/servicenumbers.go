// Package servicenumbers is the registry of 备案服务号: the codes that tie a
// filing to a cloud instance of the provider (product verification).
//
// A number is generated for an instance of the account (bound), taken by a
// filing in progress (in_use) and spent for good when that filing is approved
// (consumed). A cancelled or expired filing returns its number to bound: only
// a successful filing consumes a code. An instance has a quota of numbers,
// and every number ever generated counts against it, consumed ones included,
// so rows are never deleted.
//
// Every state change is one conditional UPDATE, so concurrent callers (two
// filings offering the same number, retried activities) cannot both win.
// The exported Err values are business outcomes that retrying cannot change;
// any other error is transient (database, inventory) and worth a retry.
package servicenumbers

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/beianflow/beianflow/internal/instances"
	"github.com/beianflow/beianflow/internal/store"
)

// Status is where a number is in its lifecycle.
type Status string

// Statuses.
const (
	// StatusBound: generated for an instance and free to use.
	StatusBound Status = "bound"
	// StatusInUse: held by a filing in progress.
	StatusInUse Status = "in_use"
	// StatusConsumed: spent by an approved filing; never usable again.
	StatusConsumed Status = "consumed"
)

// ServiceNumber is a row of the registry.
type ServiceNumber struct {
	Number     string `gorm:"primaryKey"`
	InstanceID string
	// AccountID generated the number. A filing of another account may use
	// it (providers grant numbers across accounts), so it is not checked
	// when the number is used.
	AccountID string
	Status    Status
	// FilingID holds the number; empty exactly when it is bound.
	FilingID string
	// Website is the website (ASCII domain) of the filing the number
	// serves; empty exactly when FilingID is.
	Website   string
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

// Business outcomes. Callers report them to the applicant and do not retry.
var (
	ErrNotFound         = errors.New("service number not found")
	ErrInstanceNotFound = errors.New("instance not found")
	ErrNotOwner         = errors.New("instance belongs to another account")
	ErrNotMainland      = errors.New("instance is not in a mainland China region")
	ErrNotSubscription  = errors.New("instance is not on subscription (包年包月) billing")
	ErrNotRunning       = errors.New("instance is not running")
	ErrQuotaExhausted   = errors.New("instance has no service numbers left")
	ErrInUse            = errors.New("service number is in use by a filing")
	ErrConsumed         = errors.New("service number was consumed by an approved filing")
	ErrWrongFiling      = errors.New("service number is not held by this filing")
)

// table is the registry's table, created by store migration 0004.
const table = "service_numbers"

// Registry generates service numbers and moves them through their lifecycle.
// It is safe for concurrent use, also from several processes.
type Registry struct {
	db  *store.DB
	inv instances.Inventory
}

// New returns a registry over db (migrated) that checks instances in inv.
func New(db *store.DB, inv instances.Inventory) *Registry {
	return &Registry{db: db, inv: inv}
}

// rows starts a query on the registry's table.
func (r *Registry) rows(ctx context.Context) *gorm.DB {
	return r.db.Gorm.WithContext(ctx).Table(table)
}

// get reads one number, or ErrNotFound.
func (r *Registry) get(ctx context.Context, number string) (ServiceNumber, error) {
	var sn ServiceNumber
	err := r.rows(ctx).Where("number = ?", number).Take(&sn).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ServiceNumber{}, ErrNotFound
	}
	return sn, err
}

// now is the time stamped on rows, in UTC like the rest of the store.
func now() time.Time { return time.Now().UTC() }
