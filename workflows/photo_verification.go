package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/rules"
)

// photoVerification verifies the website responsible person (拍照核验).
// Shanghai uses the Shanghai bureau's app; elsewhere a backdrop (幕布) is
// mailed, the applicant uploads a photo taken in front of it and a reviewer
// judges it; in the provinces where the provider app does document upload
// and face verification, the applicant may take that path instead.
func (f *filing) photoVerification(ctx workflow.Context) error {
	if err := f.enterStage(ctx, StagePhotoVerification, ""); err != nil {
		return err
	}
	pr := f.provinceRules(ctx)
	if pr.PhotoVerificationMode() == rules.PhotoShanghaiBureauApp {
		f.state.PhotoMode = PhotoShanghaiBureauApp
		return f.appVerification(ctx, "verification of the website responsible person in the Shanghai bureau app")
	}
	f.state.PhotoMode = PhotoBackdrop
	what := "a mailing address for the backdrop (幕布)"
	if pr.MobileAppUploadAllowed() {
		what += ", or the choice of the provider app instead"
	}
	for {
		f.mailing, f.photoPath = nil, nil
		if _, err := f.wait(ctx, waitSpec{step: "awaiting_mailing_address", on: PartyApplicant, what: what, deadline: f.orderExpiry()},
			func() bool { return f.mailing != nil || f.photoPath != nil }); err != nil {
			return err
		}
		if f.photoPath != nil && f.photoPath.Mode == PhotoProviderApp {
			f.state.PhotoMode = PhotoProviderApp
			f.photoPath = nil
			return f.appVerification(ctx, "document upload and face verification in the provider app")
		}
		err := f.shipBackdrop(ctx)
		if reason, undeliverable := businessRejection(err, activities.ErrTypeUndeliverable); undeliverable {
			// The courier refuses the address: ask for another one.
			reason.Field = "mailing_address"
			f.state.Shipment = nil
			f.reject(ctx, "courier", []Reason{reason})
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
func (f *filing) shipBackdrop(ctx workflow.Context) error {
	addressRevision := f.mailing.AddressRevisionID
	f.mailing = nil
	f.state.Shipment = &ShipmentRef{AddressRevisionID: addressRevision}
	f.setWaiting(ctx, waitSpec{step: "shipping", on: PartyProvider, what: "creating the backdrop shipment"})
	var tr activities.ShipmentTracking
	if err := workflow.ExecuteActivity(withActivity(ctx, "ship backdrop"), acts.ShipBackdrop,
		activities.ShipBackdropRequest{FilingID: f.in.FilingID, AddressRevisionID: addressRevision,
			TimeScale: f.sandboxTimeScale()}).Get(ctx, &tr); err != nil {
		return err
	}
	f.state.Shipment.TrackingNumber = tr.TrackingNumber
	f.state.Shipment.ShippedAt = ptr(tr.ShippedAt)
	f.notify(ctx, "backdrop_shipped", map[string]string{"tracking_number": tr.TrackingNumber})

	for f.state.Shipment.DeliveredAt == nil {
		ok, err := f.wait(ctx, waitSpec{
			step: "in_transit", on: PartyCourier, what: "delivery of backdrop " + tr.TrackingNumber,
			timeout: f.scaled(f.in.Settings.CourierPollInterval), timerSummary: "ask the courier",
		}, func() bool { return f.delivered != nil })
		if err != nil {
			return err
		}
		if ok {
			f.state.Shipment.DeliveredAt = ptr(f.delivered.DeliveredAt)
			f.delivered = nil
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
	return nil
}

// photoReview loops until a reviewer approves an uploaded photo.
func (f *filing) photoReview(ctx workflow.Context) error {
	for {
		f.photo = nil
		if _, err := f.wait(ctx, waitSpec{
			step: "awaiting_photo", on: PartyApplicant,
			what: "the photo of the website responsible person in front of the backdrop", deadline: f.orderExpiry(),
		}, func() bool { return f.photo != nil }); err != nil {
			return err
		}
		f.state.PhotoKey, f.photo = f.photo.ObjectKey, nil
		f.state.PhotoRounds++
		f.decision = nil
		if _, err := f.wait(ctx, waitSpec{
			step: "photo_review", on: PartyReviewer, what: "the photo review decision",
			deadline: ptr(f.businessDeadline(workflow.Now(ctx), ReviewBusinessDays)),
		}, func() bool { return f.decision != nil }); err != nil {
			return err
		}
		d := f.decision
		f.decision = nil
		if d.Approve {
			f.notify(ctx, "photo_review_approved", nil)
			return nil
		}
		f.reject(ctx, "photo_reviewer", d.Reasons)
		f.notify(ctx, "photo_review_rejected", nil)
	}
}

// appVerification waits for the app's verification result; a failed
// verification may be retried by the applicant in the app.
func (f *filing) appVerification(ctx workflow.Context, what string) error {
	for {
		f.verification = nil
		if _, err := f.wait(ctx, waitSpec{step: "awaiting_app_verification", on: PartyApplicant, what: what, deadline: f.orderExpiry()},
			func() bool { return f.verification != nil }); err != nil {
			return err
		}
		v := f.verification
		f.verification = nil
		if v.Passed {
			return nil
		}
		f.reject(ctx, "verification_app", v.Reason)
	}
}
