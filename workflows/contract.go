// Package workflows holds the filing workflow: deterministic code only. Every
// side effect runs in package activities. This file is the public contract
// that the API and tests use to talk to a running filing.
package workflows

import "time"

// FilingWorkflowName is the registered workflow type.
const FilingWorkflowName = "FilingWorkflow"

// WorkflowID is the Temporal workflow ID of a filing. It is derived from the
// opaque filing ID only, never from personal data, so it is safe to show in
// the Web UI, logs and metrics.
func WorkflowID(filingID string) string { return "filing-" + filingID }

// QueryState returns FilingState.
const QueryState = "state"

// Update names: every action of the applicant, a reviewer, the courier, the
// bureau or an app. Each has a validator that refuses it when it does not fit
// the filing's current stage.
const (
	UpdateVerifyProduct         = "verify_product"          // applicant: product verification (another 备案服务号 or instance)
	UpdateSaveApplication       = "save_application"        // applicant: subject and website information
	UpdateAttachMaterial        = "attach_material"         // applicant: an uploaded material
	UpdateSubmit                = "submit"                  // applicant: submit for initial review
	UpdateInitialReviewDecision = "initial_review_decision" // reviewer: 初审
	UpdateChoosePhotoPath       = "choose_photo_path"       // applicant: backdrop or provider app
	UpdateMailingAddress        = "mailing_address"         // applicant: where the backdrop goes
	UpdateShipmentDelivered     = "shipment_delivered"      // courier
	UpdateUploadPhoto           = "upload_photo"            // applicant
	UpdatePhotoReviewDecision   = "photo_review_decision"   // reviewer
	UpdateVerificationResult    = "verification_result"     // Shanghai bureau app or provider app
	UpdateSMSVerification       = "sms_verification"        // bureau: MIIT SMS verification outcome
	UpdateBureauDecision        = "bureau_decision"         // bureau: review outcome
	UpdateCancel                = "cancel"                  // applicant
)

// Stage is where a filing is in the process. Values are stable: they are
// stored in the read model and in search attributes.
type Stage string

// Stages, with the terms applicants and reviewers see in provider consoles.
const (
	StageProductVerification Stage = "product_verification" // 产品验证
	StageInformation         Stage = "information"          // 待完善备案信息 / 待修改
	StageInitialReview       Stage = "initial_review"       // 等待初审
	StagePhotoVerification   Stage = "photo_verification"   // 拍照核验
	StageBureauSubmission    Stage = "bureau_submission"    // 待提交管局
	StageSMSVerification     Stage = "sms_verification"     // 工信部短信核验
	StageBureauReview        Stage = "bureau_review"        // 待管局审核
	StageApproved            Stage = "approved"             // 已备案
	StageCancelled           Stage = "cancelled"            // 已取消
	StageExpired             Stage = "expired"              // 已过期 (45 idle days)
)

// Terminal reports whether the filing has ended in this stage.
func (s Stage) Terminal() bool {
	return s == StageApproved || s == StageCancelled || s == StageExpired
}

// SubmittedToBureau reports whether the filing is in the bureau's hands, where
// the applicant can no longer cancel and the order clock no longer runs.
func (s Stage) SubmittedToBureau() bool {
	return s == StageSMSVerification || s == StageBureauReview || s == StageApproved
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

// PhotoMode is how the website responsible person is verified.
type PhotoMode string

// Photo verification paths.
const (
	PhotoBackdrop          PhotoMode = "backdrop_photo"      // 幕布 mailed, photo uploaded, reviewed
	PhotoShanghaiBureauApp PhotoMode = "shanghai_bureau_app" // Shanghai Communications Administration app
	PhotoProviderApp       PhotoMode = "provider_app"        // provider app upload and face check
)

// Product is how the filing proves a cloud resource: an instance of the
// caller's account (a 备案服务号 is generated for it) or an existing 备案服务号.
type Product struct {
	InstanceID    string `json:"instance_id,omitempty"`
	ServiceNumber string `json:"service_number,omitempty"`
}

// Settings are per-filing parameters fixed at start, so a configuration change
// never alters the history of a running filing.
type Settings struct {
	// TimeScale compresses every timer and deadline: 1 is real time, 1440
	// runs a day in a minute (sandboxes and demos).
	TimeScale float64 `json:"time_scale"`
	// SubmissionWindowOpen and Close bound when filings go to the bureau on
	// a business day, as offsets from midnight China time.
	SubmissionWindowOpen  time.Duration `json:"submission_window_open"`
	SubmissionWindowClose time.Duration `json:"submission_window_close"`
	// BureauPollInterval is how often the bureau is asked for a result it
	// has not pushed (before time scaling).
	BureauPollInterval time.Duration `json:"bureau_poll_interval"`
	// CourierPollInterval is the same for backdrop deliveries.
	CourierPollInterval time.Duration `json:"courier_poll_interval"`
}

// DefaultSettings are the production settings.
func DefaultSettings() Settings {
	return Settings{
		TimeScale:             1,
		SubmissionWindowOpen:  9 * time.Hour,
		SubmissionWindowClose: 18 * time.Hour,
		BureauPollInterval:    24 * time.Hour,
		CourierPollInterval:   12 * time.Hour,
	}
}

// FilingInput starts a filing. It carries no personal data: the application
// itself is stored outside Temporal and referenced by revision.
type FilingInput struct {
	FilingID   string    `json:"filing_id"`
	AccountID  string    `json:"account_id"`
	Province   string    `json:"province"`
	FilingType string    `json:"filing_type"`
	Domain     string    `json:"domain"`
	CreatedAt  time.Time `json:"created_at"`
	// RuleSetVersion and CalendarVersion identify the province rules and the
	// holiday calendar the filing was checked and scheduled with.
	RuleSetVersion  string `json:"rule_set_version"`
	CalendarVersion string `json:"calendar_version"`
	// SubjectKey is a keyed hash of the subject's identity (province,
	// certificate type and number), for the one-filing-per-subject rule.
	SubjectKey string   `json:"subject_key,omitempty"`
	Product    Product  `json:"product"`
	Settings   Settings `json:"settings"`
}

// FilingState is what the state query returns.
type FilingState struct {
	FilingID        string `json:"filing_id"`
	AccountID       string `json:"account_id"`
	Province        string `json:"province"`
	FilingType      string `json:"filing_type"`
	Domain          string `json:"domain"`
	RuleSetVersion  string `json:"rule_set_version"`
	CalendarVersion string `json:"calendar_version"`

	Stage Stage `json:"stage"`
	// Step refines the stage, e.g. "awaiting_reviewer" in initial_review.
	Step      string `json:"step,omitempty"`
	WaitingOn Party  `json:"waiting_on"`
	// WaitingFor says in words what the filing waits for.
	WaitingFor string     `json:"waiting_for,omitempty"`
	Since      *time.Time `json:"since,omitempty"`
	// Deadline of the current wait, and its size in business days when it
	// is a business-day deadline.
	Deadline             *time.Time `json:"deadline,omitempty"`
	DeadlineBusinessDays int        `json:"deadline_business_days,omitempty"`
	DeadlineEstimated    bool       `json:"deadline_estimated,omitempty"`
	Overdue              bool       `json:"overdue,omitempty"`

	ServiceNumber string          `json:"service_number,omitempty"`
	Application   *ApplicationRef `json:"application,omitempty"`
	Materials     []MaterialRef   `json:"materials,omitempty"`
	PhotoMode     PhotoMode       `json:"photo_mode,omitempty"`
	Shipment      *ShipmentRef    `json:"shipment,omitempty"`
	PhotoKey      string          `json:"photo_key,omitempty"`
	Bureau        *BureauRef      `json:"bureau,omitempty"`

	InitialReviewRounds int `json:"initial_review_rounds"`
	PhotoRounds         int `json:"photo_rounds"`

	LastRejection *Rejection `json:"last_rejection,omitempty"`
	NextSteps     []string   `json:"next_steps,omitempty"`

	Revision  int64         `json:"revision"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	Timeline  []StageChange `json:"timeline"`
}

// ApplicationRef points at a stored revision of the application.
type ApplicationRef struct {
	RevisionID string    `json:"revision_id"`
	Digest     string    `json:"digest"`
	SavedAt    time.Time `json:"saved_at"`
}

// MaterialRef points at an uploaded material in the document store, with
// what the client declared about it (verified before it is accepted).
type MaterialRef struct {
	Kind       string    `json:"kind"`
	ObjectKey  string    `json:"object_key"`
	Size       int64     `json:"size,omitempty"`
	SHA256     string    `json:"sha256,omitempty"`
	AttachedAt time.Time `json:"attached_at"`
}

// ShipmentRef records the backdrop shipment.
type ShipmentRef struct {
	AddressRevisionID string     `json:"address_revision_id"`
	TrackingNumber    string     `json:"tracking_number,omitempty"`
	ShippedAt         *time.Time `json:"shipped_at,omitempty"`
	DeliveredAt       *time.Time `json:"delivered_at,omitempty"`
}

// BureauRef records the filing's submissions to the bureau.
type BureauRef struct {
	Submissions  int        `json:"submissions"`
	ReceiptID    string     `json:"receipt_id,omitempty"`
	SubmittedAt  *time.Time `json:"submitted_at,omitempty"`
	SMSRequired  bool       `json:"sms_required"`
	FilingNumber string     `json:"filing_number,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
}

// Rejection is the last decision that sent the filing back.
type Rejection struct {
	By      string    `json:"by"` // automated_checks, reviewer, photo_reviewer, bureau, sms
	At      time.Time `json:"at"`
	Reasons []Reason  `json:"reasons"`
}

// Reason is one rejection reason, per field where it applies. Messages come
// from reviewers and the bureau and must not repeat personal data.
type Reason struct {
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// Ack is every update's reply: where the filing stands after the action.
// It is small on purpose: replies are stored in the history, so callers read
// the full state with the state query.
type Ack struct {
	Stage    Stage  `json:"stage"`
	Step     string `json:"step,omitempty"`
	Revision int64  `json:"revision"`
}

// StageChange is one entry of a filing's timeline.
type StageChange struct {
	Stage  Stage     `json:"stage"`
	Step   string    `json:"step,omitempty"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// Requests of the updates.
type (
	// VerifyProductRequest replaces the product of a filing whose product
	// verification failed.
	VerifyProductRequest struct {
		Product Product `json:"product"`
	}
	// SaveApplicationRequest references an application revision the API has
	// validated and stored.
	SaveApplicationRequest struct {
		Application ApplicationRef `json:"application"`
	}
	// AttachMaterialRequest references an uploaded material.
	AttachMaterialRequest struct {
		Material MaterialRef `json:"material"`
	}
	// SubmitRequest submits the application for initial review.
	SubmitRequest struct{}
	// DecisionRequest is a reviewer's decision.
	DecisionRequest struct {
		Approve  bool     `json:"approve"`
		Reasons  []Reason `json:"reasons,omitempty"`
		Reviewer string   `json:"reviewer"` // staff ID, not a name
	}
	// ChoosePhotoPathRequest picks backdrop or provider app where allowed.
	ChoosePhotoPathRequest struct {
		Mode PhotoMode `json:"mode"`
	}
	// MailingAddressRequest references a stored mailing address revision.
	MailingAddressRequest struct {
		AddressRevisionID string `json:"address_revision_id"`
	}
	// ShipmentDeliveredRequest is the courier's delivery event.
	ShipmentDeliveredRequest struct {
		TrackingNumber string    `json:"tracking_number"`
		DeliveredAt    time.Time `json:"delivered_at"`
		// DeliveredBy is set by the API when support staff deliver the event
		// by hand (support:<API key ID>); empty when it came from the partner.
		DeliveredBy string `json:"delivered_by,omitempty"`
	}
	// UploadPhotoRequest references the uploaded verification photo.
	UploadPhotoRequest struct {
		ObjectKey string `json:"object_key"`
		Size      int64  `json:"size,omitempty"`
		SHA256    string `json:"sha256,omitempty"`
	}
	// VerificationResultRequest is the Shanghai bureau app's or the provider
	// app's verification outcome.
	VerificationResultRequest struct {
		Passed bool     `json:"passed"`
		Reason []Reason `json:"reasons,omitempty"`
		// DeliveredBy is set by the API when support staff deliver the event
		// by hand (support:<API key ID>); empty when it came from the partner.
		DeliveredBy string `json:"delivered_by,omitempty"`
	}
	// SMSVerificationRequest is the bureau's SMS verification outcome.
	SMSVerificationRequest struct {
		ReceiptID string `json:"receipt_id"`
		// Outcome: "verified", or "returned" (window missed or too many
		// failed attempts).
		Outcome string   `json:"outcome"`
		Reasons []Reason `json:"reasons,omitempty"`
		// DeliveredBy is set by the API when support staff deliver the event
		// by hand (support:<API key ID>); empty when it came from the partner.
		DeliveredBy string `json:"delivered_by,omitempty"`
	}
	// BureauDecisionRequest is the bureau's review outcome.
	BureauDecisionRequest struct {
		ReceiptID    string   `json:"receipt_id"`
		Approved     bool     `json:"approved"`
		FilingNumber string   `json:"filing_number,omitempty"`
		Reasons      []Reason `json:"reasons,omitempty"`
		// DeliveredBy is set by the API when support staff deliver the event
		// by hand (support:<API key ID>); empty when it came from the partner.
		DeliveredBy string `json:"delivered_by,omitempty"`
	}
	// CancelRequest cancels a filing before bureau submission.
	CancelRequest struct {
		// Reason is a snake_case code (e.g. "user_request"), never free
		// text, which could carry personal data into the history.
		Reason string `json:"reason"`
	}
)

// SMS verification outcomes.
const (
	SMSVerified = "verified"
	SMSReturned = "returned"
)

// Durations of the process (before time scaling).
const (
	// OrderLifetime: a filing waiting on the applicant before bureau
	// submission is cancelled after this long without an update.
	OrderLifetime = 45 * 24 * time.Hour
	// ReminderAfter are the idle times at which the applicant is reminded.
	FirstReminderAfter  = 30 * 24 * time.Hour
	SecondReminderAfter = 40 * 24 * time.Hour
	// SMSWindow is how long the applicant has for MIIT SMS verification.
	SMSWindow = 24 * time.Hour
	// ReviewBusinessDays is the provider's SLA for initial and photo review.
	ReviewBusinessDays = 1
)
