package apikeys

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/beianflow/beianflow/internal/store"
)

// Roles a key may have.
var Roles = []string{"backend", "reviewer", "support"}

var accountPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)

// Issue mints and stores a key. A backend key needs the provider account
// it acts for; reviewer and support keys see every account and take none.
// The returned token is the only time the secret exists outside the caller.
func Issue(ctx context.Context, keys *store.APIKeys, role, account, name string, now time.Time) (Key, error) {
	switch role {
	case "backend":
		if !accountPattern.MatchString(account) {
			return Key{}, errors.New("a backend key needs --account: 1-64 letters, digits or _.:- starting with a letter or digit")
		}
	case "reviewer", "support":
		if account != "" {
			return Key{}, fmt.Errorf("a %s key sees every account; leave --account out", role)
		}
	default:
		return Key{}, fmt.Errorf("role must be one of %v", Roles)
	}
	k, err := New()
	if err != nil {
		return Key{}, err
	}
	err = keys.Create(ctx, store.APIKey{ID: k.ID, SecretHash: k.SecretHash, Role: role, AccountID: account,
		Name: name, CreatedAt: now.UTC()})
	if err != nil {
		return Key{}, err
	}
	return k, nil
}
