package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// ErrTypeStageMismatch is the ApplicationError type of an update refused
// because it does not fit the filing's current stage; the API maps it to 409.
const ErrTypeStageMismatch = "StageMismatch"

// ErrTypeMaterialRejected is the ApplicationError type of an upload that
// failed verification (missing, other bytes than declared, wrong type, too
// small a photo); the API maps it to 422 with the reason.
const ErrTypeMaterialRejected = "MaterialRejected"

// ErrTypeInvalidAction is the ApplicationError type of an update whose
// content is wrong whatever the stage (e.g. a rejection without reasons); the
// API maps it to 422.
const ErrTypeInvalidAction = "InvalidAction"

func stageMismatch(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrTypeStageMismatch, nil)
}

func invalidAction(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrTypeInvalidAction, nil)
}

// expect refuses an action unless the filing is in stage and, when steps
// are given, in one of those steps.
func (f *filing) expect(action string, stage Stage, steps ...string) error {
	if f.ended != nil || f.state.Stage.Terminal() {
		return stageMismatch("%s refused: the filing has ended", action)
	}
	if f.state.Stage == stage && (len(steps) == 0 || slices.Contains(steps, f.state.Step)) {
		return nil
	}
	want := string(stage)
	if len(steps) > 0 {
		want += " (" + strings.Join(steps, " or ") + ")"
	}
	return stageMismatch("%s refused: the filing is in %s (%s), it is accepted in %s", action, f.state.Stage, f.state.Step, want)
}

// handler wraps an update body: it applies the action, writes it to the
// audit trail, restarts the order clock and acknowledges.
func handler[T any](f *filing, apply func(ctx workflow.Context, req T)) func(workflow.Context, T) (Ack, error) {
	return func(ctx workflow.Context, req T) (Ack, error) {
		stage := f.state.Stage
		apply(ctx, req)
		actor, detail, reasons := describe(f, req)
		f.audit(ctx, actor, workflow.GetCurrentUpdateInfo(ctx).Name, detail, reasons, stage, f.state.Stage)
		f.touch(ctx)
		return f.ack(), nil
	}
}

// describe names who acted and what, for the audit trail, without
// personal data: roles with opaque IDs, codes and references.
func describe(f *filing, req any) (actor, detail string, reasons []Reason) {
	applicant := "account:" + f.in.AccountID
	switch r := req.(type) {
	case DecisionRequest:
		detail = "rejected"
		if r.Approve {
			detail = "approved"
		}
		return "reviewer:" + r.Reviewer, detail, r.Reasons
	case AttachMaterialRequest:
		return applicant, r.Material.Kind + " " + r.Material.ObjectKey, nil
	case SaveApplicationRequest:
		return applicant, "revision " + r.Application.RevisionID, nil
	case VerifyProductRequest:
		return applicant, "", nil
	case MailingAddressRequest:
		return applicant, "address revision " + r.AddressRevisionID, nil
	case UploadPhotoRequest:
		return applicant, r.ObjectKey, nil
	case ChoosePhotoPathRequest:
		return applicant, string(r.Mode), nil
	case ShipmentDeliveredRequest:
		actor, detail = onBehalf(r.DeliveredBy, "courier", r.TrackingNumber)
		return actor, detail, nil
	case VerificationResultRequest:
		detail = "failed"
		if r.Passed {
			detail = "passed"
		}
		actor, detail = onBehalf(r.DeliveredBy, "verification_app", detail)
		return actor, detail, r.Reason
	case SMSVerificationRequest:
		actor, detail = onBehalf(r.DeliveredBy, "bureau", r.Outcome+" "+r.ReceiptID)
		return actor, detail, r.Reasons
	case BureauDecisionRequest:
		detail = "rejected " + r.ReceiptID
		if r.Approved {
			detail = "approved " + r.ReceiptID + " " + r.FilingNumber
		}
		actor, detail = onBehalf(r.DeliveredBy, "bureau", detail)
		return actor, detail, r.Reasons
	}
	return applicant, "", nil
}

// onBehalf names the actor of an outside event: the partner itself, or the
// support staff member who delivered it by hand, with the partner in the
// detail.
func onBehalf(deliveredBy, party, detail string) (actor, d string) {
	if deliveredBy == "" {
		return party, detail
	}
	return deliveredBy, "for the " + party + ": " + detail
}

// verifyMaterialsChange gates verification of uploads inside the update
// handlers: filings whose histories predate it accepted uploads unchecked.
const verifyMaterialsChange = "verify-materials"

// verified wraps handler: the upload is verified by an activity first, and
// a bad one fails the update with the reason, so the filing does not
// advance on it.
func verified[T any](f *filing, what func(T) (kind, key string, size int64, sha string), apply func(ctx workflow.Context, req T)) func(workflow.Context, T) (Ack, error) {
	inner := handler(f, apply)
	return func(ctx workflow.Context, req T) (Ack, error) {
		if workflow.GetVersion(ctx, verifyMaterialsChange, workflow.DefaultVersion, 1) == 1 {
			kind, key, size, sha := what(req)
			var v activities.MaterialVerdict
			if err := workflow.ExecuteActivity(withActivity(ctx, "verify upload "+kind), acts.VerifyMaterial,
				activities.VerifyMaterialRequest{FilingID: f.in.FilingID, ObjectKey: key, Kind: kind, Size: size, SHA256: sha}).Get(ctx, &v); err != nil {
				return Ack{}, err
			}
			if !v.OK {
				f.audit(ctx, "account:"+f.in.AccountID, workflow.GetCurrentUpdateInfo(ctx).Name, "rejected upload "+key,
					[]Reason{{Field: "object_key", Code: v.Reason, Message: v.Message}}, f.state.Stage, f.state.Stage)
				return Ack{}, temporal.NewNonRetryableApplicationError(v.Message, ErrTypeMaterialRejected, nil,
					Reason{Field: "object_key", Code: v.Reason, Message: v.Message})
			}
		}
		return inner(ctx, req)
	}
}

func (f *filing) ack() Ack {
	return Ack{Stage: f.state.Stage, Step: f.state.Step, Revision: f.state.Revision}
}

func (f *filing) registerUpdates(ctx workflow.Context) error {
	type registration struct {
		name      string
		handler   any
		validator any
	}
	regs := []registration{
		{UpdateVerifyProduct,
			handler(f, func(_ workflow.Context, r VerifyProductRequest) { f.productReq = &r }),
			func(_ workflow.Context, r VerifyProductRequest) error {
				if (r.Product.InstanceID == "") == (r.Product.ServiceNumber == "") {
					return invalidAction("give exactly one of instance_id and service_number")
				}
				return f.expect("product verification", StageProductVerification, "awaiting_product")
			}},
		{UpdateSaveApplication,
			handler(f, func(ctx workflow.Context, r SaveApplicationRequest) {
				a := r.Application
				a.SavedAt = workflow.Now(ctx)
				f.state.Application = &a
			}),
			func(_ workflow.Context, r SaveApplicationRequest) error {
				if r.Application.RevisionID == "" || r.Application.Digest == "" {
					return invalidAction("application revision and digest are required")
				}
				return f.expect("saving the application", StageInformation)
			}},
		{UpdateAttachMaterial,
			verified(f, func(r AttachMaterialRequest) (string, string, int64, string) {
				return r.Material.Kind, r.Material.ObjectKey, r.Material.Size, r.Material.SHA256
			}, func(ctx workflow.Context, r AttachMaterialRequest) {
				m := r.Material
				m.AttachedAt = workflow.Now(ctx)
				// A new upload of a kind replaces the previous one, except
				// pre-approvals, of which there may be several.
				if m.Kind != MaterialPreApproval {
					f.state.Materials = slices.DeleteFunc(f.state.Materials, func(x MaterialRef) bool { return x.Kind == m.Kind })
				}
				f.state.Materials = append(f.state.Materials, m)
			}),
			func(_ workflow.Context, r AttachMaterialRequest) error {
				if !validMaterialKind(r.Material.Kind) || r.Material.ObjectKey == "" {
					return invalidAction("unknown material kind %q or missing object key", r.Material.Kind)
				}
				if r.Material.Size <= 0 || len(r.Material.SHA256) != 64 {
					return invalidAction("declare the material's size and SHA-256")
				}
				return f.expect("attaching a material", StageInformation)
			}},
		{UpdateSubmit,
			handler(f, func(_ workflow.Context, _ SubmitRequest) { f.submitted = true }),
			func(_ workflow.Context, _ SubmitRequest) error {
				if err := f.expect("submitting", StageInformation, "editing"); err != nil {
					return err
				}
				if f.state.Application == nil {
					return invalidAction("save the application before submitting")
				}
				if !slices.ContainsFunc(f.state.Materials, func(m MaterialRef) bool { return m.Kind == MaterialVerificationForm }) {
					return invalidAction("attach the authenticity verification form (真实性核验单) before submitting")
				}
				return nil
			}},
		{UpdateInitialReviewDecision,
			handler(f, func(_ workflow.Context, r DecisionRequest) { f.decision = &r }),
			func(_ workflow.Context, r DecisionRequest) error {
				if err := validDecision(r); err != nil {
					return err
				}
				return f.expect("initial review decision", StageInitialReview, "awaiting_reviewer")
			}},
		{UpdateChoosePhotoPath,
			handler(f, func(_ workflow.Context, r ChoosePhotoPathRequest) { f.photoPath = &r }),
			func(ctx workflow.Context, r ChoosePhotoPathRequest) error {
				if err := f.expect("choosing the photo path", StagePhotoVerification, "awaiting_mailing_address"); err != nil {
					return err
				}
				if r.Mode != PhotoProviderApp {
					return invalidAction("only %q can be chosen; send a mailing address for the backdrop", PhotoProviderApp)
				}
				if !f.provinceRules(ctx).MobileAppUploadAllowed() {
					return invalidAction("the provider app path is not available in %s", f.in.Province)
				}
				return nil
			}},
		{UpdateMailingAddress,
			handler(f, func(_ workflow.Context, r MailingAddressRequest) { f.mailing = &r }),
			func(_ workflow.Context, r MailingAddressRequest) error {
				if r.AddressRevisionID == "" {
					return invalidAction("address revision is required")
				}
				return f.expect("mailing address", StagePhotoVerification, "awaiting_mailing_address")
			}},
		{UpdateShipmentDelivered,
			handler(f, func(_ workflow.Context, r ShipmentDeliveredRequest) {
				if f.state.Shipment.DeliveredAt == nil {
					f.delivered = &r
				}
			}),
			func(_ workflow.Context, r ShipmentDeliveredRequest) error {
				s := f.state.Shipment
				if s == nil || s.TrackingNumber == "" {
					return stageMismatch("no backdrop has been shipped for this filing")
				}
				if r.TrackingNumber != s.TrackingNumber {
					return invalidAction("tracking number %s is not this filing's shipment", r.TrackingNumber)
				}
				return nil // a repeated delivery event is harmless
			}},
		{UpdateUploadPhoto,
			verified(f, func(r UploadPhotoRequest) (string, string, int64, string) {
				return "photo", r.ObjectKey, r.Size, r.SHA256
			}, func(_ workflow.Context, r UploadPhotoRequest) { f.photo = &r }),
			func(_ workflow.Context, r UploadPhotoRequest) error {
				if r.ObjectKey == "" || r.Size <= 0 || len(r.SHA256) != 64 {
					return invalidAction("object key, size and SHA-256 are required")
				}
				return f.expect("uploading the photo", StagePhotoVerification, "awaiting_photo")
			}},
		{UpdatePhotoReviewDecision,
			handler(f, func(_ workflow.Context, r DecisionRequest) { f.decision = &r }),
			func(_ workflow.Context, r DecisionRequest) error {
				if err := validDecision(r); err != nil {
					return err
				}
				return f.expect("photo review decision", StagePhotoVerification, "photo_review")
			}},
		{UpdateVerificationResult,
			handler(f, func(_ workflow.Context, r VerificationResultRequest) { f.verification = &r }),
			func(_ workflow.Context, _ VerificationResultRequest) error {
				return f.expect("app verification result", StagePhotoVerification, "awaiting_app_verification")
			}},
		{UpdateSMSVerification,
			handler(f, func(_ workflow.Context, r SMSVerificationRequest) {
				if f.state.Stage == StageSMSVerification {
					f.smsOutcome = &r
				}
			}),
			func(_ workflow.Context, r SMSVerificationRequest) error {
				if r.Outcome != SMSVerified && r.Outcome != SMSReturned {
					return invalidAction("outcome must be %q or %q", SMSVerified, SMSReturned)
				}
				if err := f.expectReceipt(r.ReceiptID); err != nil {
					return err
				}
				// The same outcome reported again after the flow moved on
				// (push after poll) is harmless.
				if f.state.Stage == StageBureauReview && r.Outcome == SMSVerified {
					return nil
				}
				return f.expect("SMS verification outcome", StageSMSVerification)
			}},
		{UpdateBureauDecision,
			handler(f, func(_ workflow.Context, r BureauDecisionRequest) {
				if f.state.Stage == StageBureauReview || f.state.Stage == StageSMSVerification {
					f.bureauOutcome = &r
				}
			}),
			func(_ workflow.Context, r BureauDecisionRequest) error {
				if r.Approved && r.FilingNumber == "" {
					return invalidAction("an approval carries the filing number")
				}
				if !r.Approved && len(r.Reasons) == 0 {
					return invalidAction("a rejection carries its reasons")
				}
				if err := f.expectReceipt(r.ReceiptID); err != nil {
					return err
				}
				if f.state.Stage == StageSMSVerification {
					return nil
				}
				return f.expect("bureau decision", StageBureauReview)
			}},
		{UpdateCancel,
			func(ctx workflow.Context, r CancelRequest) (Ack, error) {
				if f.ended == nil {
					f.ended = &StageChange{Stage: StageCancelled, Reason: r.Reason}
					f.audit(ctx, "account:"+f.in.AccountID, UpdateCancel, r.Reason, nil, f.state.Stage, f.state.Stage)
				}
				// Reply once the cancellation is recorded, so the caller sees
				// the final stage.
				if err := workflow.Await(ctx, func() bool { return f.state.Stage.Terminal() }); err != nil {
					return Ack{}, err
				}
				return f.ack(), nil
			},
			func(_ workflow.Context, _ CancelRequest) error {
				if f.ended != nil && f.ended.Stage == StageCancelled {
					return nil // already being cancelled: harmless
				}
				if f.state.Stage.Terminal() || f.ended != nil {
					return stageMismatch("cancel refused: the filing has ended (stage %s)", f.state.Stage)
				}
				if f.state.Stage.SubmittedToBureau() {
					return stageMismatch("cancel refused: the filing is with the bureau (stage %s)", f.state.Stage)
				}
				return nil
			}},
	}
	for _, r := range regs {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, r.name, r.handler,
			workflow.UpdateHandlerOptions{Validator: r.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", r.name, err)
		}
	}
	return nil
}

// expectReceipt refuses a bureau event about another submission.
func (f *filing) expectReceipt(receipt string) error {
	if f.state.Bureau == nil || f.state.Bureau.ReceiptID == "" {
		return stageMismatch("the filing has not been submitted to the bureau")
	}
	if receipt != f.state.Bureau.ReceiptID {
		return stageMismatch("receipt %s is not the filing's current submission", receipt)
	}
	return nil
}

func validDecision(r DecisionRequest) error {
	if r.Reviewer == "" {
		return invalidAction("the reviewer's staff ID is required")
	}
	if !r.Approve && len(r.Reasons) == 0 {
		return invalidAction("a rejection needs at least one reason")
	}
	for _, reason := range r.Reasons {
		if reason.Code == "" {
			return invalidAction("every reason needs a code")
		}
	}
	return nil
}

func validMaterialKind(k string) bool {
	switch k {
	case MaterialVerificationForm, MaterialSubjectCertificate, MaterialLeaderID, MaterialResponsibleID,
		MaterialDomainCertificate, MaterialPreApproval:
		return true
	}
	return false
}
