package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/faults"
	"github.com/beianflow/beianflow/internal/servicenumbers"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/rules"
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
	// Website is the domain the number is for: the one the filing was
	// started for.
	Website string `json:"website"`
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
		sn, err = a.ServiceNumbers.GenerateAndBind(ctx, r.AccountID, r.InstanceID, string(r.FilingID), r.Website)
	} else {
		sn, err = a.ServiceNumbers.Verify(ctx, r.ServiceNumber)
		if err == nil || errors.Is(err, servicenumbers.ErrInUse) {
			sn, err = a.ServiceNumbers.Bind(ctx, r.ServiceNumber, string(r.FilingID), r.Website)
		}
	}
	if err != nil {
		return BoundServiceNumber{}, productError(err, "")
	}
	faults.Point(faults.AfterBind)
	return BoundServiceNumber{Number: sn.Number, InstanceID: sn.InstanceID}, nil
}

// productError turns the registry's business errors into non-retryable
// rejections the applicant can act on, about field where one is named;
// anything else is retried.
func productError(err error, field string) error {
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
			return rejectField(ErrTypeProductRejected, field, c.code, c.msg, nil)
		}
	}
	return fmt.Errorf("service number registry: %w", err)
}

// ServiceNumbersRequest names a filing's numbers, one per website.
type ServiceNumbersRequest struct {
	FilingID filing.ID `json:"filing_id"`
	Numbers  []string  `json:"numbers"`
}

// ConsumeServiceNumbers marks the numbers used for good after approval.
// Idempotent per number, so a retry after some of them went through is
// harmless.
func (a *Activities) ConsumeServiceNumbers(ctx context.Context, r ServiceNumbersRequest) error {
	for _, n := range r.Numbers {
		if err := a.ServiceNumbers.Consume(ctx, n, string(r.FilingID)); err != nil {
			return fmt.Errorf("consume service number of filing %s: %w", r.FilingID, err)
		}
	}
	return nil
}

// ReleaseServiceNumbers returns the numbers of a cancelled or expired
// filing to its instance; idempotent like ConsumeServiceNumbers.
func (a *Activities) ReleaseServiceNumbers(ctx context.Context, r ServiceNumbersRequest) error {
	for _, n := range r.Numbers {
		if err := a.ServiceNumbers.Release(ctx, n, string(r.FilingID)); err != nil {
			return fmt.Errorf("release service number of filing %s: %w", r.FilingID, err)
		}
	}
	return nil
}

// WebsiteNumbersRequest asks for a 备案服务号 for every website of a saved
// application.
type WebsiteNumbersRequest struct {
	FilingID   filing.ID `json:"filing_id"`
	AccountID  string    `json:"account_id"`
	InstanceID string    `json:"instance_id"`
	RevisionID string    `json:"revision_id"`
	Digest     string    `json:"digest"`
	// Held are the numbers the filing holds now, by website.
	Held []filing.WebsiteServiceNumber `json:"held,omitempty"`
}

// BindWebsiteNumbers gives every website of the application its own
// 备案服务号 (the seed ties one code to one website): a website that has
// one keeps it, a new one gets a number generated for the filing's
// instance, so the instance's quota counts websites; a website no longer in
// the application gives its number back. It returns the numbers in the
// application's order. Idempotent: a retry finds the numbers the filing
// holds. A website the instance cannot serve (quota exhausted, not owned)
// is a business rejection naming the website.
func (a *Activities) BindWebsiteNumbers(ctx context.Context, r WebsiteNumbersRequest) ([]filing.WebsiteServiceNumber, error) {
	var app filing.Application
	if err := a.Applications.Load(ctx, r.FilingID, r.RevisionID, store.KindApplication, r.Digest, &app); err != nil {
		return nil, fmt.Errorf("websites of filing %s: %w", r.FilingID, err)
	}
	held := map[string]string{}
	for _, h := range r.Held {
		held[h.Domain] = h.Number
	}
	out := make([]filing.WebsiteServiceNumber, 0, len(app.Websites))
	keep := map[string]bool{}
	for i, w := range app.Websites {
		d, err := rules.ParseDomain(w.Domain)
		if err != nil {
			return nil, reject(ErrTypeProductRejected, "domain_invalid", fmt.Sprintf("websites[%d].domain cannot be parsed", i), err)
		}
		keep[d.ASCII] = true
		if n, ok := held[d.ASCII]; ok {
			out = append(out, filing.WebsiteServiceNumber{Domain: d.ASCII, Number: n})
			continue
		}
		sn, err := a.ServiceNumbers.GenerateAndBind(ctx, r.AccountID, r.InstanceID, string(r.FilingID), d.ASCII)
		if err != nil {
			return nil, productError(err, fmt.Sprintf("websites[%d]", i))
		}
		out = append(out, filing.WebsiteServiceNumber{Domain: d.ASCII, Number: sn.Number})
	}
	for _, h := range r.Held {
		if !keep[h.Domain] {
			if err := a.ServiceNumbers.Release(ctx, h.Number, string(r.FilingID)); err != nil {
				return nil, fmt.Errorf("release the number of a removed website of filing %s: %w", r.FilingID, err)
			}
		}
	}
	return out, nil
}
