package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// photoVerification verifies the website responsible person (拍照核验).
// Shanghai uses the Shanghai bureau's app; elsewhere a backdrop (幕布) is
// mailed, the applicant uploads a photo taken in front of it and a reviewer
// judges it; in the provinces where the provider app does document upload
// and face verification, the applicant may take that path instead.
func (f *flow) photoVerification(ctx workflow.Context) error {
	if err := f.enterStage(ctx, filing.StagePhotoVerification, ""); err != nil {
		return err
	}
	pr := f.provinceRules(ctx)
	if pr.PhotoVerificationMode() == rules.PhotoShanghaiBureauApp {
		f.state.PhotoMode = filing.PhotoShanghaiBureauApp
		return f.appVerification(ctx, "verification of the website responsible person in the Shanghai bureau app")
	}
	f.state.PhotoMode = filing.PhotoBackdrop
	what := "a mailing address for the backdrop (幕布)"
	if pr.MobileAppUploadAllowed() {
		what += ", or the choice of the provider app instead"
	}
	for {
		if _, err := f.wait(ctx, waitSpec{step: filing.StepAwaitingMailingAddress, on: filing.PartyApplicant, what: what, deadline: f.orderExpiry()},
			func() bool { return f.inbox.mailing.full() || f.inbox.photoPath.full() }); err != nil {
			return err
		}
		// Both may have come in one go; the app path wins, as the later
		// and more deliberate choice.
		if f.inbox.photoPath.full() {
			f.inbox.photoPath.drop()
			f.inbox.mailing.drop()
			f.state.PhotoMode = filing.PhotoProviderApp
			return f.appVerification(ctx, "document upload and face verification in the provider app")
		}
		err := f.shipBackdrop(ctx, f.inbox.mailing.take().AddressRevisionID)
		if reason, undeliverable := businessRejection(err, activities.ErrTypeUndeliverable); undeliverable {
			// The courier refuses the address: ask for another one.
			reason.Field = "mailing_address"
			f.state.Shipment = nil
			f.reject(ctx, "courier", []filing.Reason{reason})
			continue
		}
		if err != nil {
			return err
		}
		return f.photoReview(ctx)
	}
}

// shipBackdrop creates the shipment once (the activity is idempotent per
// filing) and waits for the courier's delivery event, asking the courier
// now and then because events get lost.
func (f *flow) shipBackdrop(ctx workflow.Context, addressRevision string) error {
	f.state.Shipment = &filing.ShipmentRef{AddressRevisionID: addressRevision}
	f.setWaiting(ctx, waitSpec{step: filing.StepShipping, on: filing.PartyProvider, what: "creating the backdrop shipment"})
	var tr activities.ShipmentTracking
	if err := workflow.ExecuteActivity(withActivity(ctx, "ship backdrop"), acts.ShipBackdrop,
		activities.ShipBackdropRequest{FilingID: f.in.FilingID, AddressRevisionID: addressRevision,
			TimeScale: f.sandboxTimeScale()}).Get(ctx, &tr); err != nil {
		return err
	}
	f.state.Shipment.TrackingNumber = tr.TrackingNumber
	f.state.Shipment.ShippedAt = ptr(tr.ShippedAt)
	f.notify("backdrop_shipped", map[string]string{"tracking_number": tr.TrackingNumber})

	for f.state.Shipment.DeliveredAt == nil {
		ev, pushed, err := receive(ctx, f, &f.inbox.delivered, waitSpec{
			step: filing.StepInTransit, on: filing.PartyCourier, what: "delivery of backdrop " + tr.TrackingNumber,
			timeout: f.scaled(f.in.Settings.CourierPollInterval), timerSummary: "ask the courier",
		})
		if err != nil {
			return err
		}
		if pushed {
			f.state.Shipment.DeliveredAt = ptr(ev.DeliveredAt)
			break
		}
		var now activities.ShipmentTracking
		if err := workflow.ExecuteActivity(withActivity(ctx, "track backdrop"), acts.TrackBackdrop,
			tr.TrackingNumber).Get(ctx, &now); err != nil {
			return err
		}
		if now.Delivered {
			f.state.Shipment.DeliveredAt = ptr(now.DeliveredAt)
		}
	}
	// A push that crossed the courier's answer says nothing new.
	f.inbox.delivered.drop()
	return nil
}

// photoReview loops until a reviewer approves an uploaded photo.
func (f *flow) photoReview(ctx workflow.Context) error {
	for {
		photo, _, err := receive(ctx, f, &f.inbox.photo, waitSpec{
			step: filing.StepAwaitingPhoto, on: filing.PartyApplicant,
			what: "the photo of the website responsible person in front of the backdrop", deadline: f.orderExpiry(),
		})
		if err != nil {
			return err
		}
		f.state.PhotoKey = photo.ObjectKey
		f.state.PhotoRounds++
		d, _, err := receive(ctx, f, &f.inbox.decision, waitSpec{
			step: filing.StepPhotoReview, on: filing.PartyReviewer, what: "the photo review decision",
			deadline: f.businessDeadline(workflow.Now(ctx), ReviewBusinessDays),
		})
		if err != nil {
			return err
		}
		if d.Approve {
			f.notify("photo_review_approved", nil)
			return nil
		}
		f.reject(ctx, "photo_reviewer", d.Reasons)
		f.notify("photo_review_rejected", nil)
	}
}

// appVerification waits for the app's verification result; a failed
// verification may be retried by the applicant in the app.
func (f *flow) appVerification(ctx workflow.Context, what string) error {
	for {
		v, _, err := receive(ctx, f, &f.inbox.verification, waitSpec{
			step: filing.StepAwaitingAppVerification, on: filing.PartyApplicant, what: what, deadline: f.orderExpiry(),
		})
		if err != nil {
			return err
		}
		if v.Passed {
			return nil
		}
		f.reject(ctx, "verification_app", v.Reason)
	}
}

func (f *flow) validateChoosePhotoPath(ctx workflow.Context, r filing.ChoosePhotoPathRequest) error {
	if err := f.expect("choosing the photo path", filing.StagePhotoVerification, filing.StepAwaitingMailingAddress); err != nil {
		return err
	}
	if r.Mode != filing.PhotoProviderApp {
		return invalidAction("only %q can be chosen; send a mailing address for the backdrop", filing.PhotoProviderApp)
	}
	if !f.provinceRules(ctx).MobileAppUploadAllowed() {
		return invalidAction("the provider app path is not available in %s", f.in.Province)
	}
	return nil
}

func (f *flow) validateMailingAddress(_ workflow.Context, r filing.MailingAddressRequest) error {
	if r.AddressRevisionID == "" {
		return invalidAction("address revision is required")
	}
	return f.expect("mailing address", filing.StagePhotoVerification, filing.StepAwaitingMailingAddress)
}

// onShipmentDelivered takes the first delivery event; a repeated one (push
// after poll) changes nothing.
func (f *flow) onShipmentDelivered(_ workflow.Context, r filing.ShipmentDeliveredRequest) error {
	if f.state.Shipment.DeliveredAt == nil {
		f.inbox.delivered.put(r)
	}
	return nil
}

func (f *flow) validateShipmentDelivered(_ workflow.Context, r filing.ShipmentDeliveredRequest) error {
	s := f.state.Shipment
	if s == nil || s.TrackingNumber == "" {
		return stageMismatch("no backdrop has been shipped for this filing")
	}
	if r.TrackingNumber != s.TrackingNumber {
		return invalidAction("tracking number %s is not this filing's shipment", r.TrackingNumber)
	}
	return nil // a repeated delivery event is harmless
}

func (f *flow) onUploadPhoto(ctx workflow.Context, r filing.UploadPhotoRequest) error {
	if err := f.verifyUpload(ctx, filing.UploadPhoto.Name, filing.MaterialPhoto, r.ObjectKey, r.Size, r.SHA256); err != nil {
		return err
	}
	// The flow may have moved on while the photo was checked, e.g. to the
	// review of a photo uploaded at the same time.
	if err := f.validateUploadPhoto(ctx, r); err != nil {
		return err
	}
	f.inbox.photo.put(r)
	return nil
}

func (f *flow) validateUploadPhoto(_ workflow.Context, r filing.UploadPhotoRequest) error {
	if r.ObjectKey == "" || r.Size <= 0 || len(r.SHA256) != 64 {
		return invalidAction("object key, size and SHA-256 are required")
	}
	return f.expect("uploading the photo", filing.StagePhotoVerification, filing.StepAwaitingPhoto)
}

func (f *flow) validatePhotoReviewDecision(_ workflow.Context, r filing.DecisionRequest) error {
	if err := validDecision(r); err != nil {
		return err
	}
	return f.expect("photo review decision", filing.StagePhotoVerification, filing.StepPhotoReview)
}

func (f *flow) validateVerificationResult(_ workflow.Context, _ filing.VerificationResultRequest) error {
	return f.expect("app verification result", filing.StagePhotoVerification, filing.StepAwaitingAppVerification)
}

func ptr[T any](v T) *T { return &v }
