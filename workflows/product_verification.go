package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// verifyProduct proves the cloud resource the website will run on: an
// instance of the account, for which a 备案服务号 is generated and bound, or
// an existing 备案服务号, which must be usable. An unusable product keeps the
// filing here until the applicant offers another (the seed: "invalid code →
// stay").
func (f *filing) verifyProduct(ctx workflow.Context) error {
	if err := f.enterStage(ctx, StageProductVerification, ""); err != nil {
		return err
	}
	product := f.in.Product
	for {
		f.setWaiting(ctx, waitSpec{step: "verifying", on: PartyProvider, what: "verifying the product (备案服务号)"})
		var bound activities.BoundServiceNumber
		err := workflow.ExecuteActivity(withActivity(ctx, "bind 备案服务号"), acts.BindServiceNumber,
			activities.BindServiceNumberRequest{
				FilingID:      f.in.FilingID,
				AccountID:     f.in.AccountID,
				InstanceID:    product.InstanceID,
				ServiceNumber: product.ServiceNumber,
			}).Get(ctx, &bound)
		if err == nil {
			f.state.ServiceNumber = bound.Number
			return nil
		}
		reason, ok := businessRejection(err, activities.ErrTypeProductRejected)
		if !ok {
			return err
		}
		reason.Field = "product"
		f.reject(ctx, "product_verification", []Reason{reason})
		f.productReq = nil
		if _, err := f.wait(ctx, waitSpec{
			step: "awaiting_product", on: PartyApplicant,
			what: "another 备案服务号 or instance: " + reason.Message,
		}, func() bool { return f.productReq != nil }); err != nil {
			return err
		}
		product, f.productReq = f.productReq.Product, nil
	}
}

// businessRejection extracts the reason of a non-retryable business error
// of the given type that an activity returned.
func businessRejection(err error, errType string) (Reason, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != errType {
		return Reason{}, false
	}
	var r activities.Rejection
	if appErr.HasDetails() {
		_ = appErr.Details(&r)
	}
	if r.Code == "" {
		r.Code = "rejected"
	}
	return Reason{Code: r.Code, Message: r.Message}, true
}
