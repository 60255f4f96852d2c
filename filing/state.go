package filing

import "time"

// State is a running filing's state, as the workflow's state query returns
// it. It holds references only: the application, addresses and photos are
// stored outside Temporal and named by revision or object key.
type State struct {
	Identity

	Stage Stage `json:"stage"`
	// Step refines the stage, e.g. StepAwaitingReviewer in initial_review.
	Step      Step  `json:"step,omitempty"`
	WaitingOn Party `json:"waiting_on"`
	// WaitingFor says in words what the filing waits for.
	WaitingFor string     `json:"waiting_for,omitempty"`
	Since      *time.Time `json:"since,omitempty"`
	// Deadline of the current wait, and its size in business days when it
	// is a business-day deadline.
	Deadline             *time.Time `json:"deadline,omitempty"`
	DeadlineBusinessDays int        `json:"deadline_business_days,omitempty"`
	DeadlineEstimated    bool       `json:"deadline_estimated,omitempty"`
	Overdue              bool       `json:"overdue,omitempty"`

	// ServiceNumber is the 备案服务号 of the website the filing was started
	// for; ServiceNumbers lists every website's, once the application with
	// all of them passed the automated checks.
	ServiceNumber  string                 `json:"service_number,omitempty"`
	ServiceNumbers []WebsiteServiceNumber `json:"service_numbers,omitempty"`
	Application    *ApplicationRef        `json:"application,omitempty"`
	Materials      []MaterialRef          `json:"materials,omitempty"`
	// PhotoMode is the filing's verification path; Shipment the backdrop,
	// mailed once for every person to be photographed in front of it.
	PhotoMode PhotoMode    `json:"photo_mode,omitempty"`
	Shipment  *ShipmentRef `json:"shipment,omitempty"`
	// Verifications are the websites' responsible persons, one each, and
	// how far each one's verification (拍照核验) got.
	Verifications []PersonVerification `json:"verifications,omitempty"`
	Bureau        *BureauRef           `json:"bureau,omitempty"`

	InitialReviewRounds int `json:"initial_review_rounds"`
	// ChecksRuleSetVersion is the rule set the last automated checks
	// applied; it differs from Identity.RuleSetVersion when the rules were
	// updated while the filing ran.
	ChecksRuleSetVersion string `json:"checks_rule_set_version,omitempty"`

	LastRejection *Rejection `json:"last_rejection,omitempty"`
	NextSteps     []string   `json:"next_steps,omitempty"`

	Revision  int64         `json:"revision"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	Timeline  []StageChange `json:"timeline"`
}

// Product is how a filing proves a cloud resource: an instance of the
// caller's account (a 备案服务号 is generated for it) or an existing
// 备案服务号. Exactly one field is set.
type Product struct {
	InstanceID    string `json:"instance_id,omitempty"`
	ServiceNumber string `json:"service_number,omitempty"`
}

// PhotoMode is how the website responsible person is verified.
type PhotoMode string

// Photo verification paths.
const (
	PhotoBackdrop          PhotoMode = "backdrop_photo"      // 幕布 mailed, photo uploaded, reviewed
	PhotoShanghaiBureauApp PhotoMode = "shanghai_bureau_app" // Shanghai Communications Administration app
	PhotoProviderApp       PhotoMode = "provider_app"        // provider app upload and face check
)

// PersonVerification is the verification of one website responsible
// person (网站负责人): the seed photographs every one of them, and a person
// who replaces another after a rejection is verified anew.
type PersonVerification struct {
	// Person identifies the person within this filing: a keyed hash of
	// their identity document and name, so neither ever reaches the
	// workflow's history.
	Person string `json:"person"`
	// Websites are the domains (ASCII) the person is responsible for.
	Websites []string `json:"websites"`
	// PhotoKey is the latest backdrop photo, Rounds how many were reviewed.
	PhotoKey string `json:"photo_key,omitempty"`
	Rounds   int    `json:"rounds"`
	// VerifiedAt is when the photo was approved or the app verification
	// passed.
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
}

// Verified says whether the person's verification is done.
func (v PersonVerification) Verified() bool { return v.VerifiedAt != nil }

// WebsiteServiceNumber is the 备案服务号 one website of the filing uses.
type WebsiteServiceNumber struct {
	Domain string `json:"domain"`
	Number string `json:"number"`
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
	Kind       MaterialKind `json:"kind"`
	ObjectKey  string       `json:"object_key"`
	Size       int64        `json:"size,omitempty"`
	SHA256     string       `json:"sha256,omitempty"`
	AttachedAt time.Time    `json:"attached_at"`
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
	Submissions int        `json:"submissions"`
	ReceiptID   string     `json:"receipt_id,omitempty"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	SMSRequired bool       `json:"sms_required"`
	// SMSSentAt is when MIIT sent the current submission's verification
	// code: the applicant's 24 hours run from here.
	SMSSentAt    *time.Time `json:"sms_sent_at,omitempty"`
	FilingNumber string     `json:"filing_number,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
}

// Rejection is the last decision that sent the filing back.
type Rejection struct {
	// By is who rejected: automated_checks, reviewer, photo_reviewer,
	// bureau, sms, product_verification, courier or verification_app.
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Reasons []Reason  `json:"reasons"`
}

// Reason is one rejection reason, per field where it applies. Messages come
// from reviewers and the bureau and must not repeat personal data.
type Reason struct {
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
	// Text is what the applicant is shown, in Chinese and English: the
	// rule's message for the automated checks' findings, the review-reason
	// catalogue's words for a reviewer's (Message is then the reviewer's
	// supplement). Hint says how to fix a reviewer's reason, and
	// CatalogueVersion names the catalogue. Absent for the bureau's.
	Text             *Message `json:"text,omitempty"`
	Hint             *Message `json:"hint,omitempty"`
	CatalogueVersion string   `json:"catalogue_version,omitempty"`
}

// StageChange is one entry of a filing's timeline.
type StageChange struct {
	Stage  Stage     `json:"stage"`
	Step   Step      `json:"step,omitempty"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// NextSteps are the applicant's duties once the filing is approved
// (State.NextSteps).
var NextSteps = []string{
	"resolve_domain_to_instance",     // enable DNS: the domain must resolve to the filed mainland instance
	"show_filing_number_in_footer",   // website number linked to beian.miit.gov.cn (Guangdong: the subject number)
	"public_security_filing_30_days", // 公安备案 within 30 days of the site opening
}
