package servicenumbers

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/beianflow/beianflow/internal/store"
)

// quotaLockSpace is the first key of the two-key PostgreSQL advisory locks
// that serialise generation per instance (the second is a hash of the
// instance ID). Two-key locks live apart from single-key ones such as the
// migration lock, so they cannot collide with it. Must never change.
const quotaLockSpace = 2002

// Generate creates a new number for an instance of the account. The instance
// must exist, belong to the account (an instance without an owner is anyone's)
// and be able to back a filing: mainland, subscription, running. Every number
// ever generated for the instance counts against its quota, and generation is
// serialised per instance, so concurrent calls cannot exceed it.
func (r *Registry) Generate(ctx context.Context, accountID, instanceID string) (ServiceNumber, error) {
	sn, err := r.generate(ctx, accountID, instanceID, "", "")
	if err != nil {
		return ServiceNumber{}, fmt.Errorf("servicenumbers: generate for instance %s: %w", instanceID, err)
	}
	return sn, nil
}

// GenerateAndBind is Generate for a website of a filing that names an
// instance instead of a number: the new number is in use by filingID for
// website from the start, in the same transaction, so no crash can leave a
// generated number unbound. Each website of a filing gets its own number.
// Retrying is harmless: when the filing already holds a number of the
// instance for the website, that one is returned and no quota is spent.
func (r *Registry) GenerateAndBind(ctx context.Context, accountID, instanceID, filingID, website string) (ServiceNumber, error) {
	var (
		sn  ServiceNumber
		err = errNoFiling
	)
	if filingID != "" {
		sn, err = r.generate(ctx, accountID, instanceID, filingID, website)
	}
	if err != nil {
		return ServiceNumber{}, fmt.Errorf("servicenumbers: generate for instance %s and bind to filing %s: %w",
			instanceID, filingID, err)
	}
	return sn, nil
}

// generate creates a number, bound when filingID is empty and in use by the
// filing otherwise.
func (r *Registry) generate(ctx context.Context, accountID, instanceID, filingID, website string) (ServiceNumber, error) {
	if accountID == "" {
		return ServiceNumber{}, errors.New("account ID is empty")
	}
	if filingID != "" {
		if sn, ok, err := held(r.rows(ctx), instanceID, filingID, website); ok || err != nil {
			return sn, err
		}
	}
	// Asked outside the transaction: the inventory is a remote call, and the
	// quota lock should be held only for the count and the insert.
	inst, err := r.instance(ctx, instanceID)
	if err != nil {
		return ServiceNumber{}, err
	}
	if inst.AccountID != "" && inst.AccountID != accountID {
		return ServiceNumber{}, ErrNotOwner
	}
	if err := eligible(inst); err != nil {
		return ServiceNumber{}, err
	}
	t := now()
	sn := ServiceNumber{Number: newNumber(), InstanceID: instanceID, AccountID: accountID,
		Status: StatusBound, CreatedAt: t, UpdatedAt: t}
	if filingID != "" {
		sn.Status, sn.FilingID, sn.Website = StatusInUse, filingID, website
	}
	err = r.db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// SQLite needs no lock: its transactions begin IMMEDIATE (see
		// store.Open), so writers are already serialised.
		if r.db.Dialect == store.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?, hashtext(?))", quotaLockSpace, instanceID).Error; err != nil {
				return fmt.Errorf("lock quota: %w", err)
			}
		}
		if filingID != "" {
			// Two attempts of one activity may run at once (a timed-out
			// attempt is not always dead); the second finds the first's.
			prev, ok, err := held(tx.Table(table), instanceID, filingID, website)
			if ok || err != nil {
				sn = prev
				return err
			}
		}
		var generated int64
		if err := tx.Table(table).Where("instance_id = ?", instanceID).Count(&generated).Error; err != nil {
			return fmt.Errorf("count numbers: %w", err)
		}
		if generated >= int64(inst.ServiceNumberQuota) {
			return ErrQuotaExhausted
		}
		return tx.Table(table).Create(&sn).Error
	})
	if err != nil {
		return ServiceNumber{}, err
	}
	return sn, nil
}

// held finds the number of the instance that the filing holds for the
// website, if any.
func held(q *gorm.DB, instanceID, filingID, website string) (ServiceNumber, bool, error) {
	var found []ServiceNumber
	err := q.Where("instance_id = ? AND filing_id = ? AND website = ? AND status = ?", instanceID, filingID, website, StatusInUse).
		Limit(1).Find(&found).Error
	if err != nil || len(found) == 0 {
		return ServiceNumber{}, false, err
	}
	return found[0], true, nil
}

// newNumber returns "BSN" and 13 random characters of the RFC 4648 base32
// alphabet (A–Z, 2–7): 65 bits, too many to guess a bound number of another
// account, and no 0/O or 1/I for applicants to mistype. The 16 characters
// satisfy the filing rules' format (10–32 letters and digits).
func newNumber() string {
	return "BSN" + rand.Text()[:13]
}
