package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// verifyProduct proves the cloud resource the website will run on: an
// instance of the account, for which a 备案服务号 is generated and bound, or
// an existing 备案服务号, which must be usable. An unusable product keeps the
// filing here until the applicant offers another (the seed: "invalid code →
// stay").
func (f *flow) verifyProduct(ctx workflow.Context) error {
	if err := f.enterStage(ctx, filing.StageProductVerification, ""); err != nil {
		return err
	}
	product := f.in.Product
	for {
		f.setWaiting(ctx, waitSpec{step: filing.StepVerifying, on: filing.PartyProvider, what: "verifying the product (备案服务号)"})
		var bound activities.BoundServiceNumber
		err := workflow.ExecuteLocalActivity(withLocalStep(ctx, "bind 备案服务号"), acts.BindServiceNumber,
			activities.BindServiceNumberRequest{
				FilingID:      f.in.FilingID,
				AccountID:     f.in.AccountID,
				InstanceID:    product.InstanceID,
				ServiceNumber: product.ServiceNumber,
				Website:       f.in.Domain,
			}).Get(ctx, &bound)
		if err == nil {
			f.state.ServiceNumber = bound.Number
			f.state.ServiceNumbers = []filing.WebsiteServiceNumber{{Domain: f.in.Domain, Number: bound.Number}}
			f.instanceID = bound.InstanceID
			return nil
		}
		reason, ok := businessRejection(err, activities.ErrTypeProductRejected)
		if !ok {
			return err
		}
		reason.Field = "product"
		f.reject(ctx, "product_verification", []filing.Reason{reason})
		req, _, err := receive(ctx, f, &f.inbox.product, waitSpec{
			step: filing.StepAwaitingProduct, on: filing.PartyApplicant,
			what: "another 备案服务号 or instance: " + reason.Message,
		})
		if err != nil {
			return err
		}
		product = req.Product
	}
}

// websiteNumbers gives every website of the submitted application its own
// 备案服务号, from the instance that backs the filing's first one: the
// seed ties a code to a website, and the instance's quota counts websites.
// When a website cannot have one (the quota is spent, the instance is not
// the account's), the filing goes back to editing with the reason on that
// website, and it reports false.
func (f *flow) websiteNumbers(ctx workflow.Context) (bool, error) {
	var numbers []filing.WebsiteServiceNumber
	err := workflow.ExecuteLocalActivity(withLocalStep(ctx, "备案服务号 per website"), acts.BindWebsiteNumbers,
		activities.WebsiteNumbersRequest{
			FilingID:   f.in.FilingID,
			AccountID:  f.in.AccountID,
			InstanceID: f.instanceID,
			RevisionID: f.state.Application.RevisionID,
			Digest:     f.state.Application.Digest,
			Held:       f.state.ServiceNumbers,
		}).Get(ctx, &numbers)
	if err == nil {
		f.state.ServiceNumbers = numbers
		return true, nil
	}
	reason, ok := businessRejection(err, activities.ErrTypeProductRejected)
	if !ok {
		return false, err
	}
	f.reject(ctx, "product_verification", []filing.Reason{reason})
	f.notify("initial_review_rejected", nil)
	return false, nil
}

// serviceNumbers are every number the filing holds: verifyProduct puts
// the first into ServiceNumbers with ServiceNumber.
func (f *flow) serviceNumbers() []string {
	var out []string
	for _, n := range f.state.ServiceNumbers {
		out = append(out, n.Number)
	}
	return out
}

func (f *flow) validateVerifyProduct(_ workflow.Context, r filing.VerifyProductRequest) error {
	if (r.Product.InstanceID == "") == (r.Product.ServiceNumber == "") {
		return invalidAction("give exactly one of instance_id and service_number")
	}
	return f.expect("product verification", filing.StageProductVerification, filing.StepAwaitingProduct)
}

// businessRejection extracts the reason of a non-retryable business error
// of the given type that an activity returned.
func businessRejection(err error, errType string) (filing.Reason, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != errType {
		return filing.Reason{}, false
	}
	var r filing.Reason
	if appErr.HasDetails() {
		_ = appErr.Details(&r)
	}
	if r.Code == "" {
		r.Code = "rejected"
	}
	return r, true
}
