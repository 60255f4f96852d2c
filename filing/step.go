package filing

import "slices"

// Step refines a stage: what exactly the filing waits for within it. Values
// are stable like stages (read model, listings' step filter, reviewer
// queues); a step belongs to one stage, named in its comment.
type Step string

// Steps of the process.
const (
	// StepNone: the filing waits for nothing (it has ended, or is between
	// two waits).
	StepNone Step = ""

	StepVerifying       Step = "verifying"        // product_verification: binding the 备案服务号
	StepAwaitingProduct Step = "awaiting_product" // product_verification: the applicant offers another product

	StepEditing Step = "editing" // information: the applicant completes or corrects, then submits

	StepAutomatedChecks  Step = "automated_checks"  // initial_review: the rules run over the stored application
	StepAwaitingReviewer Step = "awaiting_reviewer" // initial_review: a reviewer's 初审 decision

	StepAwaitingMailingAddress  Step = "awaiting_mailing_address"  // photo_verification: where the backdrop goes (or the app path)
	StepShipping                Step = "shipping"                  // photo_verification: creating the backdrop shipment
	StepInTransit               Step = "in_transit"                // photo_verification: the courier delivers the backdrop
	StepAwaitingPhoto           Step = "awaiting_photo"            // photo_verification: the photo in front of the backdrop
	StepPhotoReview             Step = "photo_review"              // photo_verification: a reviewer judges the photo
	StepAwaitingAppVerification Step = "awaiting_app_verification" // photo_verification: the Shanghai bureau's or the provider's app

	StepAwaitingWindow Step = "awaiting_window" // bureau_submission: the next business-day submission window
	StepSubmitting     Step = "submitting"      // bureau_submission: submitting to the provincial bureau

	StepAwaitingSMS Step = "awaiting_sms" // sms_verification: MIIT's SMS verification within 24 hours

	StepAwaitingDecision Step = "awaiting_decision" // bureau_review: the bureau's review (管局审核)
	StepCompleting       Step = "completing"        // bureau_review: recording the approval
)

// Steps lists every step but StepNone, in process order.
func Steps() []Step {
	return []Step{
		StepVerifying, StepAwaitingProduct, StepEditing, StepAutomatedChecks, StepAwaitingReviewer,
		StepAwaitingMailingAddress, StepShipping, StepInTransit, StepAwaitingPhoto, StepPhotoReview,
		StepAwaitingAppVerification, StepAwaitingWindow, StepSubmitting, StepAwaitingSMS,
		StepAwaitingDecision, StepCompleting,
	}
}

// Valid reports whether s is one of the steps (StepNone is not).
func (s Step) Valid() bool {
	return slices.Contains(Steps(), s)
}

// Party is who a filing waits for.
type Party string

// Parties a filing can wait on.
const (
	PartyNone      Party = ""
	PartyApplicant Party = "applicant"
	PartyReviewer  Party = "reviewer"
	PartyCourier   Party = "courier"
	PartyBureau    Party = "bureau"
	PartyProvider  Party = "provider" // the system itself, e.g. the next submission window
)

// Parties lists every party but PartyNone.
func Parties() []Party {
	return []Party{PartyApplicant, PartyReviewer, PartyCourier, PartyBureau, PartyProvider}
}

// Valid reports whether p is one of the parties (PartyNone is not).
func (p Party) Valid() bool {
	return slices.Contains(Parties(), p)
}
