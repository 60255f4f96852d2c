package servicenumbers

import (
	"context"
	"errors"

	"github.com/beianflow/beianflow/internal/instances"
)

// instance looks an instance up, turning "no such instance" into the
// registry's own business error.
func (r *Registry) instance(ctx context.Context, id string) (instances.Instance, error) {
	inst, err := r.inv.Instance(ctx, id)
	if errors.Is(err, instances.ErrNotFound) {
		return instances.Instance{}, ErrInstanceNotFound
	}
	return inst, err
}

// eligible says why an instance cannot back an ICP filing, if it cannot.
func eligible(inst instances.Instance) error {
	switch {
	case !inst.Mainland:
		return ErrNotMainland
	case !inst.Subscription:
		return ErrNotSubscription
	case !inst.Running:
		return ErrNotRunning
	}
	return nil
}
