package servicenumbers

import (
	"context"
	"errors"
)

// errChanged tells settle that the row moved between its update and its read.
var errChanged = errors.New("service number changed concurrently; try again")

// settleAttempts bounds settle's retries. A retry needs another caller to
// move the number between two statements of this one; three in a row means
// heavy contention, which the caller's retry policy handles better.
const settleAttempts = 3

// settle moves a number with one conditional UPDATE (number = ? AND where),
// which the database applies atomically: of two conflicting callers exactly
// one matches the row. When the update matches nothing, settle reads the row
// and decide tells why: nil if the row already is where the caller wants it
// (a retried call), a business error if it cannot get there, or errChanged
// if it moved in between, in which case settle tries again.
func (r *Registry) settle(ctx context.Context, number, where string, args []any,
	set map[string]any, decide func(ServiceNumber) error) error {
	for range settleAttempts {
		res := r.rows(ctx).Where("number = ?", number).Where(where, args...).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			return nil
		}
		sn, err := r.get(ctx, number)
		if err != nil {
			return err
		}
		if err := decide(sn); !errors.Is(err, errChanged) {
			return err
		}
	}
	return errChanged
}
