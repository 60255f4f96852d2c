package registrar

import (
	"context"
	"errors"
	"fmt"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// ForRules asks l about every website domain of app that parses, for
// rules.CheckRegistrations: by registrable ASCII domain. A domain whose
// registry cannot be reached is left out and its error returned with the
// others' answers, so a dry run may check what it could and the automated
// checks may retry.
func ForRules(ctx context.Context, l Lookup, app filing.Application) (map[string]rules.DomainRegistration, error) {
	out := map[string]rules.DomainRegistration{}
	var errs []error
	for i, w := range app.Websites {
		d, err := rules.ParseDomain(w.Domain)
		if err != nil {
			continue
		}
		if _, done := out[d.Registrable]; done {
			continue
		}
		reg, err := l.Lookup(ctx, d.Registrable)
		switch {
		case errors.Is(err, ErrNotRegistered):
			out[d.Registrable] = rules.DomainRegistration{}
		case err != nil:
			errs = append(errs, fmt.Errorf("website %d: %w", i, err))
		default:
			out[d.Registrable] = rules.DomainRegistration{Registered: true, OnHold: reg.OnHold(), Expires: reg.Expires,
				RealNamePending: reg.RealName == RealNamePending, Registrant: reg.Registrant,
				Registrar: reg.Registrar.Name, RegistrarIANAID: reg.Registrar.IANAID}
		}
	}
	return out, errors.Join(errs...)
}
