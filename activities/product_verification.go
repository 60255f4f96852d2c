package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/faults"
	"github.com/beianflow/beianflow/internal/servicenumbers"
)

// ErrTypeProductRejected marks a product that cannot be used for the filing.
const ErrTypeProductRejected = "ProductRejected"

// BindServiceNumberRequest names the product: an instance (a 备案服务号 is
// generated for it) or an existing 备案服务号.
type BindServiceNumberRequest struct {
	FilingID      filing.ID `json:"filing_id"`
	AccountID     string    `json:"account_id"`
	InstanceID    string    `json:"instance_id,omitempty"`
	ServiceNumber string    `json:"service_number,omitempty"`
}

// BoundServiceNumber is the number now in use by the filing.
type BoundServiceNumber struct {
	Number     string `json:"number"`
	InstanceID string `json:"instance_id"`
}

// BindServiceNumber verifies the product and binds its 备案服务号 to the
// filing. Both paths are idempotent per filing: a retry after a crash finds
// the number this filing already holds (for an instance, generation and
// binding are one transaction, so a retry never spends quota twice).
func (a *Activities) BindServiceNumber(ctx context.Context, r BindServiceNumberRequest) (BoundServiceNumber, error) {
	var (
		sn  servicenumbers.ServiceNumber
		err error
	)
	if r.InstanceID != "" {
		sn, err = a.ServiceNumbers.GenerateAndBind(ctx, r.AccountID, r.InstanceID, string(r.FilingID))
	} else {
		sn, err = a.ServiceNumbers.Verify(ctx, r.ServiceNumber)
		if err == nil || errors.Is(err, servicenumbers.ErrInUse) {
			sn, err = a.ServiceNumbers.Bind(ctx, r.ServiceNumber, string(r.FilingID))
		}
	}
	if err != nil {
		return BoundServiceNumber{}, productError(err)
	}
	faults.Point(faults.AfterBind)
	return BoundServiceNumber{Number: sn.Number, InstanceID: sn.InstanceID}, nil
}

// productError turns the registry's business errors into non-retryable
// rejections the applicant can act on; anything else is retried.
func productError(err error) error {
	for _, c := range []struct {
		err  error
		code string
		msg  string
	}{
		{servicenumbers.ErrNotFound, "service_number_not_found", "the 备案服务号 does not exist"},
		{servicenumbers.ErrInstanceNotFound, "instance_not_found", "the instance does not exist"},
		{servicenumbers.ErrNotOwner, "instance_not_owned", "the instance does not belong to this account"},
		{servicenumbers.ErrNotMainland, "instance_not_mainland", "the instance is not in a mainland China region"},
		{servicenumbers.ErrNotSubscription, "instance_not_subscription", "the instance is not a subscription of at least three months"},
		{servicenumbers.ErrNotRunning, "instance_not_running", "the instance is not running"},
		{servicenumbers.ErrQuotaExhausted, "service_number_quota_exhausted", "the instance has no 备案服务号 quota left"},
		{servicenumbers.ErrInUse, "service_number_in_use", "the 备案服务号 is used by another filing"},
		{servicenumbers.ErrConsumed, "service_number_consumed", "the 备案服务号 was already used by a successful filing"},
		{servicenumbers.ErrWrongFiling, "service_number_in_use", "the 备案服务号 is used by another filing"},
	} {
		if errors.Is(err, c.err) {
			return reject(ErrTypeProductRejected, c.code, c.msg, nil)
		}
	}
	return fmt.Errorf("service number registry: %w", err)
}

// ServiceNumberRequest names a filing's number.
type ServiceNumberRequest struct {
	FilingID filing.ID `json:"filing_id"`
	Number   string    `json:"number"`
}

// ConsumeServiceNumber marks the number used for good after approval.
func (a *Activities) ConsumeServiceNumber(ctx context.Context, r ServiceNumberRequest) error {
	if err := a.ServiceNumbers.Consume(ctx, r.Number, string(r.FilingID)); err != nil {
		return fmt.Errorf("consume service number of filing %s: %w", r.FilingID, err)
	}
	return nil
}

// ReleaseServiceNumber returns the number of a cancelled or expired filing
// to its instance.
func (a *Activities) ReleaseServiceNumber(ctx context.Context, r ServiceNumberRequest) error {
	if err := a.ServiceNumbers.Release(ctx, r.Number, string(r.FilingID)); err != nil {
		return fmt.Errorf("release service number of filing %s: %w", r.FilingID, err)
	}
	return nil
}
