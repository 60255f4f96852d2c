package servicenumbers

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// errNoFiling refuses a lifecycle call without a filing: an empty filing ID
// would match the filing_id of every bound number.
var errNoFiling = errors.New("filing ID is empty")

// canonical accepts a number as an applicant may type it: with spaces
// around or in lower case. Generated numbers are upper case.
func canonical(number string) string {
	return strings.ToUpper(strings.TrimSpace(number))
}

// Verify checks that a number can be used by a filing: it exists, is bound
// (not in use, not consumed) and its instance can still back a filing. It
// does not check the account: a number may be granted to another account.
func (r *Registry) Verify(ctx context.Context, number string) (ServiceNumber, error) {
	number = canonical(number)
	sn, err := r.verify(ctx, number)
	if err != nil {
		return ServiceNumber{}, fmt.Errorf("servicenumbers: verify %s: %w", number, err)
	}
	return sn, nil
}

func (r *Registry) verify(ctx context.Context, number string) (ServiceNumber, error) {
	sn, err := r.get(ctx, number)
	if err != nil {
		return ServiceNumber{}, err
	}
	switch sn.Status {
	case StatusInUse:
		return ServiceNumber{}, ErrInUse
	case StatusConsumed:
		return ServiceNumber{}, ErrConsumed
	}
	inst, err := r.instance(ctx, sn.InstanceID)
	if err != nil {
		return ServiceNumber{}, err
	}
	if err := eligible(inst); err != nil {
		return ServiceNumber{}, err
	}
	return sn, nil
}

// Bind marks a bound number in use by filingID for website. Binding it to
// the same website of the same filing again succeeds, so a retried call is
// harmless; of two filings (or two websites) racing for one number exactly
// one wins and the other gets ErrInUse. Bind does not look at the instance:
// call Verify first.
func (r *Registry) Bind(ctx context.Context, number, filingID, website string) (ServiceNumber, error) {
	number = canonical(number)
	sn, err := r.bind(ctx, number, filingID, website)
	if err != nil {
		return ServiceNumber{}, fmt.Errorf("servicenumbers: bind %s: %w", number, err)
	}
	return sn, nil
}

func (r *Registry) bind(ctx context.Context, number, filingID, website string) (ServiceNumber, error) {
	if filingID == "" {
		return ServiceNumber{}, errNoFiling
	}
	err := r.settle(ctx, number, "status = ?", []any{StatusBound},
		map[string]any{"status": StatusInUse, "filing_id": filingID, "website": website, "updated_at": now()},
		func(sn ServiceNumber) error {
			switch {
			case sn.Status == StatusConsumed:
				return ErrConsumed
			case sn.FilingID == filingID && sn.Website == website:
				return nil
			case sn.Status == StatusInUse:
				return ErrInUse
			}
			return errChanged // released between the update and the read
		})
	if err != nil {
		return ServiceNumber{}, err
	}
	return r.get(ctx, number)
}

// Consume marks the number consumed by the filing that holds it, when the
// filing is approved. Consuming it again succeeds; a number the filing does
// not hold is ErrWrongFiling.
func (r *Registry) Consume(ctx context.Context, number, filingID string) error {
	return r.settleHeld(ctx, "consume", number, filingID, map[string]any{"status": StatusConsumed},
		func(sn ServiceNumber) error {
			switch {
			case sn.FilingID != filingID:
				return ErrWrongFiling
			case sn.Status == StatusConsumed:
				return nil
			}
			return errChanged // released and bound again between the update and the read
		})
}

// Release returns a number the filing holds to bound, when the filing is
// cancelled or expires. It succeeds whenever the filing no longer holds the
// number afterwards, so a retried call is harmless: a number already
// released (or since taken by another filing) is left alone, and a consumed
// number stays consumed, because an approved filing spends its code even if
// it is cancelled later.
func (r *Registry) Release(ctx context.Context, number, filingID string) error {
	return r.settleHeld(ctx, "release", number, filingID, map[string]any{"status": StatusBound, "filing_id": "", "website": ""},
		func(sn ServiceNumber) error {
			if sn.Status == StatusInUse && sn.FilingID == filingID {
				return errChanged // released and bound again between the update and the read
			}
			return nil
		})
}

// settleHeld applies set to the number while filingID holds it (in use by
// it), and otherwise lets check judge the number as it is: the settling of
// Consume and Release. An empty filingID is refused: it would match numbers
// no filing holds.
func (r *Registry) settleHeld(ctx context.Context, verb, number, filingID string, set map[string]any, check func(ServiceNumber) error) error {
	number = canonical(number)
	err := errNoFiling
	if filingID != "" {
		set["updated_at"] = now()
		err = r.settle(ctx, number, "status = ? AND filing_id = ?", []any{StatusInUse, filingID}, set, check)
	}
	if err != nil {
		return fmt.Errorf("servicenumbers: %s %s: %w", verb, number, err)
	}
	return nil
}
