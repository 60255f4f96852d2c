package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

// photoVerification verifies every website responsible person (拍照核验)
// not yet verified: the seed photographs each one, and a person who
// replaced another after a rejection is verified anew while the others'
// verifications stand. Shanghai uses the Shanghai bureau's app; elsewhere a
// backdrop (幕布) is mailed once, each person uploads a photo taken in front
// of it and a reviewer judges it; in the provinces where the provider app
// does document upload and face verification, the applicant may take that
// path instead, and then every person verifies in the app.
func (f *flow) photoVerification(ctx workflow.Context) error {
	var pending []int
	for i, v := range f.state.Verifications {
		if !v.Verified() {
			pending = append(pending, i)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	if err := f.enterStage(ctx, filing.StagePhotoVerification, ""); err != nil {
		return err
	}
	if f.state.PhotoMode == "" {
		if err := f.choosePhotoPath(ctx); err != nil {
			return err
		}
	}
	for _, i := range pending {
		var err error
		if f.state.PhotoMode == filing.PhotoBackdrop {
			err = f.photoReview(ctx, i)
		} else {
			err = f.appVerification(ctx, i)
		}
		if err != nil {
			return err
		}
		f.state.Verifications[i].VerifiedAt = ptr(workflow.Now(ctx))
	}
	return nil
}

// listPersons lists the responsible persons of the submitted application
// (during the initial review, so the reviewer sees who is to be verified),
// keeping the verifications of those who were verified before.
func (f *flow) listPersons(ctx workflow.Context) error {
	var persons []filing.PersonVerification
	if err := workflow.ExecuteLocalActivity(withLocalStep(ctx, "responsible persons"), acts.ResponsiblePersons,
		activities.PersonsRequest{FilingID: f.in.FilingID, RevisionID: f.state.Application.RevisionID, Digest: f.state.Application.Digest},
	).Get(ctx, &persons); err != nil {
		return err
	}
	for i, p := range persons {
		if j := slices.IndexFunc(f.state.Verifications, func(v filing.PersonVerification) bool { return v.Person == p.Person }); j >= 0 {
			websites := p.Websites
			persons[i] = f.state.Verifications[j]
			persons[i].Websites = websites
		}
	}
	f.state.Verifications = persons
	return nil
}

// choosePhotoPath settles the filing's verification path, once: the
// Shanghai app where the bureau requires it, otherwise the backdrop,
// mailed to the address the applicant gives, or the provider app where the
// province allows it and the applicant prefers it.
func (f *flow) choosePhotoPath(ctx workflow.Context) error {
	pr := f.provinceRules(ctx)
	if pr.PhotoVerificationMode() == rules.PhotoShanghaiBureauApp {
		f.state.PhotoMode = filing.PhotoShanghaiBureauApp
		return nil
	}
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
			return nil
		}
		f.state.PhotoMode = filing.PhotoBackdrop
		err := f.shipBackdrop(ctx, f.inbox.mailing.take().AddressRevisionID)
		if reason, undeliverable := businessRejection(err, activities.ErrTypeUndeliverable); undeliverable {
			// The courier refuses the address: ask for another one.
			reason.Field = "mailing_address"
			f.state.Shipment, f.state.PhotoMode = nil, ""
			f.reject(ctx, "courier", []filing.Reason{reason})
			continue
		}
		return err
	}
}

// whom names person i for the waits: by their websites, as names are not
// for histories, and by count when there are several.
func (f *flow) whom(i int) string {
	s := "the responsible person of " + strings.Join(f.state.Verifications[i].Websites, ", ")
	if n := len(f.state.Verifications); n > 1 {
		s += fmt.Sprintf(" (person %d of %d)", i+1, n)
	}
	return s
}

// backdropUsualTransit is how long a backdrop usually takes to arrive: one
// to three days (domain brief, delivery times), so a delivery push is late
// after three.
const backdropUsualTransit = 3 * 24 * time.Hour

// shipBackdrop creates the shipment once (the activity is idempotent per
// filing) and waits for the courier's delivery event, asking the courier
// now and then because events get lost.
func (f *flow) shipBackdrop(ctx workflow.Context, addressRevision string) error {
	f.state.Shipment = &filing.ShipmentRef{AddressRevisionID: addressRevision}
	f.setWaiting(ctx, waitSpec{step: filing.StepShipping, on: filing.PartyProvider, what: "creating the backdrop shipment"})
	var tr activities.ShipmentTracking
	if err := f.call(ctx, "ship backdrop", acts.ShipBackdrop,
		activities.ShipBackdropRequest{FilingID: f.in.FilingID, AddressRevisionID: addressRevision,
			TimeScale: f.sandboxTimeScale()}, &tr); err != nil {
		return err
	}
	f.state.Shipment.TrackingNumber = tr.TrackingNumber
	f.state.Shipment.ShippedAt = ptr(tr.ShippedAt)
	f.notify("backdrop_shipped", map[string]string{"tracking_number": tr.TrackingNumber})

	// The courier is asked only once its push is late: after the usual
	// transit, then at the poll interval.
	ask := f.scaled(backdropUsualTransit)
	for f.state.Shipment.DeliveredAt == nil {
		ev, pushed, err := receive(ctx, f, &f.inbox.delivered, waitSpec{
			step: filing.StepInTransit, on: filing.PartyCourier, what: "delivery of backdrop " + tr.TrackingNumber,
			timeout: ask, timerSummary: "ask the courier",
		})
		if err != nil {
			return err
		}
		if pushed {
			f.state.Shipment.DeliveredAt = ptr(ev.DeliveredAt)
			break
		}
		ask = f.scaled(f.in.Settings.CourierPollInterval)
		var now activities.ShipmentTracking
		if f.poll(ctx, "track backdrop", acts.TrackBackdrop, tr.TrackingNumber, &now) && now.Delivered {
			f.state.Shipment.DeliveredAt = ptr(now.DeliveredAt)
		}
	}
	// A push that crossed the courier's answer says nothing new.
	f.inbox.delivered.drop()
	return nil
}

// photoReview loops until a reviewer approves a photo of person i.
func (f *flow) photoReview(ctx workflow.Context, i int) error {
	f.verifying = i
	for {
		photo, _, err := receive(ctx, f, &f.inbox.photo, waitSpec{
			step: filing.StepAwaitingPhoto, on: filing.PartyApplicant,
			what: "the photo of " + f.whom(i) + " in front of the backdrop", deadline: f.orderExpiry(),
		})
		if err != nil {
			return err
		}
		v := &f.state.Verifications[i]
		v.PhotoKey = photo.ObjectKey
		v.Rounds++
		d, _, err := receive(ctx, f, &f.inbox.decision, waitSpec{
			step: filing.StepPhotoReview, on: filing.PartyReviewer, what: "the photo review decision on " + f.whom(i),
			deadline: f.businessDeadline(workflow.Now(ctx), ReviewBusinessDays),
		})
		if err != nil {
			return err
		}
		params := map[string]string{"websites": strings.Join(v.Websites, ",")}
		if d.Approve {
			f.notify("photo_review_approved", params)
			return nil
		}
		f.reject(ctx, "photo_reviewer", d.Reasons)
		f.notify("photo_review_rejected", params)
	}
}

// appVerification waits for the app's verification of person i; a failed
// verification may be retried by the applicant in the app.
func (f *flow) appVerification(ctx workflow.Context, i int) error {
	f.verifying = i
	what := "document upload and face verification of " + f.whom(i) + " in the provider app"
	if f.state.PhotoMode == filing.PhotoShanghaiBureauApp {
		what = "verification of " + f.whom(i) + " in the Shanghai bureau app"
	}
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

// forPerson refuses a request that names a person other than the one the
// filing verifies now.
func (f *flow) forPerson(person string) error {
	if person == "" || f.verifying >= len(f.state.Verifications) {
		return nil
	}
	if now := f.state.Verifications[f.verifying].Person; person != now {
		return invalidAction("person %s is not the one being verified now (%s)", person, now)
	}
	return nil
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

// onShipmentDelivered takes the first delivery event; one that crossed the
// courier's answer to a poll changes nothing.
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
	if s.DeliveredAt != nil {
		// A push after the poll that found it, or a repeated push:
		// refused, it costs the history nothing.
		return stageMismatch("the delivery of backdrop %s is already recorded", r.TrackingNumber)
	}
	return nil
}

func (f *flow) onUploadPhoto(ctx workflow.Context, r filing.UploadPhotoRequest) error {
	if err := f.verifyUploads(ctx, filing.UploadPhoto.Name, upload{kind: filing.MaterialPhoto, key: r.ObjectKey, size: r.Size, sha: r.SHA256}); err != nil {
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
	if err := f.expect("uploading the photo", filing.StagePhotoVerification, filing.StepAwaitingPhoto); err != nil {
		return err
	}
	return f.forPerson(r.Person)
}

func (f *flow) validatePhotoReviewDecision(_ workflow.Context, r filing.DecisionRequest) error {
	if err := validDecision(r); err != nil {
		return err
	}
	return f.expect("photo review decision", filing.StagePhotoVerification, filing.StepPhotoReview)
}

func (f *flow) validateVerificationResult(_ workflow.Context, r filing.VerificationResultRequest) error {
	if err := f.expect("app verification result", filing.StagePhotoVerification, filing.StepAwaitingAppVerification); err != nil {
		return err
	}
	return f.forPerson(r.Person)
}

func ptr[T any](v T) *T { return &v }
