// Package instances is the cloud's instance inventory as seen by the filing
// flow: whether an instance exists, who owns it, and whether it may back an
// ICP filing (mainland region, subscription billing, running).
//
// The inventory belongs to the outside world (the provider's compute API),
// so this package holds only the Inventory interface and a deterministic
// Sandbox for `make run` and tests; see NewSandbox for its rules.
package instances

import (
	"context"
	"errors"
)

// Instance is what the filing flow needs to know about one cloud instance.
type Instance struct {
	ID string
	// AccountID owns the instance. The sandbox leaves it empty for
	// instances nobody registered, meaning any account may use them.
	AccountID string
	Region    string
	// Mainland is true for mainland China regions: only they can back an
	// ICP filing.
	Mainland bool
	// Subscription is true for 包年包月 billing of at least three months;
	// pay-as-you-go instances cannot back a filing.
	Subscription bool
	Running      bool
	// ServiceNumberQuota is how many 备案服务号 may ever be generated for
	// the instance (5 for an ordinary instance, 1 for Marketplace products).
	ServiceNumberQuota int
}

// Inventory looks instances up.
type Inventory interface {
	// Instance returns the instance with the given ID, or an error wrapping
	// ErrNotFound when there is none.
	Instance(ctx context.Context, id string) (Instance, error)
}

// ErrNotFound reports an instance that does not exist (or was released).
var ErrNotFound = errors.New("instance not found")

// DefaultServiceNumberQuota is the number of 备案服务号 per ordinary ECS
// instance (Alibaba's documented quota).
const DefaultServiceNumberQuota = 5
