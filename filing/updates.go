package filing

// Update is an action on a running filing: a Temporal workflow update, named
// Name, whose argument is a Req. Declaring each update once with its request
// type lets callers send it with a checked type (filings.Act, the API) and
// the workflow register it under the same name.
type Update[Req Request] struct {
	Name string
}

// String returns the update's name.
func (u Update[Req]) String() string { return u.Name }

// The updates: every action of the applicant, a reviewer, the courier, the
// bureau or an app. Each has a validator that refuses it when it does not
// fit the filing's current stage.
var (
	// VerifyProduct: applicant, another 备案服务号 or instance after a failed
	// product verification.
	VerifyProduct = Update[VerifyProductRequest]{"verify_product"}
	// SaveApplication: applicant, subject and website information.
	SaveApplication = Update[SaveApplicationRequest]{"save_application"}
	// AttachMaterials: applicant, uploaded materials, one or several at
	// once.
	AttachMaterials = Update[AttachMaterialsRequest]{"attach_materials"}
	// Submit: applicant, submit for initial review.
	Submit = Update[SubmitRequest]{"submit"}
	// InitialReviewDecision: reviewer, 初审.
	InitialReviewDecision = Update[DecisionRequest]{"initial_review_decision"}
	// ChoosePhotoPath: applicant, backdrop or provider app.
	ChoosePhotoPath = Update[ChoosePhotoPathRequest]{"choose_photo_path"}
	// SetMailingAddress: applicant, where the backdrop goes.
	SetMailingAddress = Update[MailingAddressRequest]{"mailing_address"}
	// ShipmentDelivered: courier, the backdrop arrived.
	ShipmentDelivered = Update[ShipmentDeliveredRequest]{"shipment_delivered"}
	// UploadPhoto: applicant, the verification photo.
	UploadPhoto = Update[UploadPhotoRequest]{"upload_photo"}
	// PhotoReviewDecision: reviewer, the photo review.
	PhotoReviewDecision = Update[DecisionRequest]{"photo_review_decision"}
	// VerificationResult: Shanghai bureau app or provider app.
	VerificationResult = Update[VerificationResultRequest]{"verification_result"}
	// SMSVerification: bureau, MIIT SMS verification outcome.
	SMSVerification = Update[SMSVerificationRequest]{"sms_verification"}
	// BureauDecision: bureau, review outcome.
	BureauDecision = Update[BureauDecisionRequest]{"bureau_decision"}
	// Cancel: applicant, before bureau submission.
	Cancel = Update[CancelRequest]{"cancel"}
)

// ApplicantUpdates names the applicant's own actions: after a support
// reset they are delivered again, while the decisions of reviewers,
// partners and apps, and cancellations, are not (they were taken on what
// the reset redoes).
func ApplicantUpdates() []string {
	return []string{
		VerifyProduct.Name, SaveApplication.Name, AttachMaterials.Name, Submit.Name,
		ChoosePhotoPath.Name, SetMailingAddress.Name, UploadPhoto.Name,
	}
}

// Ack is every update's reply: where the filing stands after the action.
// It is small on purpose: replies are stored in the history, so callers read
// the full state with the state query.
type Ack struct {
	Stage    Stage `json:"stage"`
	Step     Step  `json:"step,omitempty"`
	Revision int64 `json:"revision"`
}

// Application error types with which the workflow refuses an update; the
// API maps them to its error codes.
const (
	// ErrTypeStageMismatch: the update does not fit the filing's current
	// stage (409 stage_conflict).
	ErrTypeStageMismatch = "StageMismatch"
	// ErrTypeMaterialRejected: an upload failed verification (missing,
	// other bytes than declared, wrong type, too small a photo); 422
	// material_rejected with the reason as the error's Reason detail.
	ErrTypeMaterialRejected = "MaterialRejected"
	// ErrTypeInvalidAction: the update's content is wrong whatever the
	// stage, e.g. a rejection without reasons (422 invalid_action).
	ErrTypeInvalidAction = "InvalidAction"
)

// SignalSupportReset carries a ResetNotice into the run a support reset
// creates. It is sent to the run being reset just before the reset, after
// the reset point, and Temporal reapplies it to the new run before that
// run's first new workflow task. (Temporal's post-reset signal operation
// would say this directly, but the server we pin refuses it.)
const SignalSupportReset = "support_reset"

// ResetNotice tells a filing that support staff reset it to an earlier
// point. It carries the numbering the new run continues from: the old run
// went on past the reset point and its audit entries and read-model
// revisions are already written, so the new run must number above them.
type ResetNotice struct {
	// Actor is who reset the filing (support:<API key ID>).
	Actor string `json:"actor"`
	// FromRunID is the run being reset. That run receives the notice too,
	// and ignores it: it is for the run the reset creates.
	FromRunID string `json:"from_run_id"`
	// ToStage is the stage the filing was put back to.
	ToStage Stage `json:"to_stage"`
	// EventID is the workflow-history event the run was reset to.
	EventID int64 `json:"event_id"`
	// Reason is the support staff's explanation, for the audit trail.
	Reason string `json:"reason"`
	// AuditBase and RevisionBase are at least the highest audit sequence
	// number and read-model revision written by any earlier run.
	AuditBase    int64 `json:"audit_base"`
	RevisionBase int64 `json:"revision_base"`
}
