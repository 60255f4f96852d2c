// Package bureau is beianflow's view of the provincial Communications
// Administration (管局) as reached through the MIIT filing system: submitting
// a filing, the MIIT SMS verification (工信部短信核验) that follows, and the
// bureau's review (管局审核) that ends with a filing number (ICP备案号) or a
// rejection.
//
// [Gateway] is what the rest of the system calls. The bureau also pushes
// status changes to a [Listener]; pushes can be lost, so callers poll
// [Gateway.Status] as well and treat a push as a hint to look sooner.
//
// # Sandbox
//
// [Sandbox] implements Gateway for `make run` and the tests. It keeps its
// state in the sandbox_bureau_submissions table, so it survives restarts, and
// it schedules every outcome when a submission arrives, driven by an
// injectable clock and compressed by a time scale: the submission's own
// [Submission.SandboxTimeScale] when it carries one (a filing with its own
// scale, such as `make demo`'s), else [SandboxOptions.TimeScale]:
//
//   - With SMSRequired the submission starts in [StateSMSPending]; MIIT
//     sends the code two minutes later ([Status.SMSSentAt]), the sandbox
//     applicant verifies SMSDelay after submission, and review starts.
//     Without it the submission goes straight to [StateUnderReview].
//   - The review decides ReviewBusinessDays business days (Chinese calendar,
//     package calendar) after it starts: approved, with a filing number such
//     as 浙ICP备26012345号-1 (two-digit year of the decision, six digits
//     derived from the filing ID, always suffix -1).
//
// Testers script other outcomes by putting a marker into any website name of
// the application:
//
//   - [MarkerSMSTimeout] "（短信超时）": the applicant never verifies; 24 hours
//     after the code was sent the filing is returned ([StateSMSReturned], reason
//     [ReasonSMSTimeout]). Only on the filing's first submission, and only if
//     SMS verification is required; a resubmission verifies normally.
//   - [MarkerSMSUnreachable] "（短信未达）": the SMS never reaches the
//     applicant (a wrong number): every submission whose application
//     carries the marker is returned 24 hours after the code, as with
//     [MarkerSMSTimeout]. Removing the marker stands for correcting the
//     number.
//   - [MarkerReject] "（管局驳回）": the first submission of the filing that
//     reaches review is rejected ([StateRejected], reason
//     [ReasonWebsiteName]); the next one is approved. Combined with
//     [MarkerSMSTimeout] that is the second submission.
//   - [MarkerOverdue] "（管局超期）": the review never decides; the submission
//     stays under review on every attempt, for overdue-handling tests. It
//     overrides [MarkerReject].
//
// [Sandbox.Run] plays the bureau's push to a Listener. The sandbox reads the
// website names to find the markers and stores only what it derived from
// them; the application's personal data is never stored or logged.
//
// # Over HTTP
//
// [HTTPClient] is the Gateway that speaks the gateway protocol of
// docs/protocol.md, with retries and idempotency keys; [NewSandboxServer]
// serves that protocol over a Sandbox, so `make run` crosses real HTTP.
package bureau

import (
	"context"
	"errors"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// Submission is one submission of a filing to the provincial bureau.
type Submission struct {
	// IdempotencyKey identifies the submission: a call repeated with the
	// same key (an activity retry) returns the original receipt and never
	// submits twice. A resubmission after a return or rejection needs a new
	// key.
	IdempotencyKey string
	// FilingID is beianflow's filing ID.
	FilingID string
	// Province is an ISO 3166-2:CN code without "CN-", e.g. "ZJ".
	Province string
	// FilingType is the filing type (filing.Type as a string).
	FilingType string
	// SMSRequired says MIIT SMS verification (工信部短信核验) is needed
	// before review.
	SMSRequired bool
	// ReviewMaxBusinessDays is the province's legal review limit (20,
	// Zhejiang 30); the sandbox ignores it, a real gateway may send it.
	ReviewMaxBusinessDays int
	// Application is the full application. It is personal data: never log
	// it.
	Application filing.Application
	// SandboxTimeScale is the filing's own time scale, a hint for the
	// sandbox: when positive, the sandbox compresses this submission's
	// delays (SMS, review) by it instead of SandboxOptions.TimeScale; 0 is
	// no hint. It is honoured only by the sandbox; real partners never see
	// it (the clients send it only when it is set and not 1).
	SandboxTimeScale float64
}

// Receipt acknowledges a submission.
type Receipt struct {
	// ReceiptID identifies the submission at the bureau; pass it to
	// Gateway.Status.
	ReceiptID string
	// SubmittedAt is when the bureau accepted the submission.
	SubmittedAt time.Time
}

// State is where a submission stands at the bureau.
type State string

// States of a submission. sms_returned, approved and rejected are final.
const (
	// StateSMSPending waits for the applicant's SMS verification.
	StateSMSPending State = "sms_pending"
	// StateSMSReturned means the 24-hour SMS window was missed or five
	// attempts failed; the filing went back to the provider.
	StateSMSReturned State = "sms_returned"
	// StateUnderReview is the bureau's review.
	StateUnderReview State = "under_review"
	// StateApproved means a filing number was issued.
	StateApproved State = "approved"
	// StateRejected means the bureau refused the filing with reasons.
	StateRejected State = "rejected"
)

// Final reports whether no further change can follow s for this
// submission; what comes next is a new submission.
func (s State) Final() bool {
	return s == StateSMSReturned || s == StateApproved || s == StateRejected
}

// Reason is why the bureau returned or rejected a submission. Message must
// not contain personal data.
type Reason struct {
	// Code is stable for programs, e.g. ReasonWebsiteName.
	Code string
	// Message is for people.
	Message string
}

// Reason codes the sandbox produces; a real gateway maps the bureau's
// reasons onto codes like these.
const (
	// ReasonSMSTimeout: the SMS verification window passed.
	ReasonSMSTimeout = "sms_timeout"
	// ReasonWebsiteName: the website name does not meet the bureau's rules.
	ReasonWebsiteName = "website_name"
)

// Status is the state of one submission.
type Status struct {
	// ReceiptID and FilingID identify the submission.
	ReceiptID string
	FilingID  string
	// State is where the submission stands now.
	State State
	// SMSSentAt is when MIIT sent the verification code, from which the
	// applicant has 24 hours; zero until sent, and without SMS.
	SMSSentAt time.Time
	// SMSAttemptsFailed counts wrong SMS code entries; the sandbox's
	// applicant never mistypes, so it is 0 there.
	SMSAttemptsFailed int
	// FilingNumber is set when approved, e.g. 浙ICP备26012345号-1.
	FilingNumber string
	// Reasons is set when rejected or returned.
	Reasons []Reason
	// UpdatedAt is when the submission entered State.
	UpdatedAt time.Time
}

// Gateway submits filings to the provincial bureau and reads their status.
// Implementations must be safe for concurrent use.
type Gateway interface {
	// Submit submits s, or returns the receipt of the earlier submission
	// with s.IdempotencyKey. It fails with ErrInvalidSubmission or
	// ErrIdempotencyKeyReused for requests no retry can fix; other errors
	// are transient.
	Submit(ctx context.Context, s Submission) (Receipt, error)
	// Status returns the current status of a submission, or
	// ErrUnknownReceipt.
	Status(ctx context.Context, receiptID string) (Status, error)
}

// Listener receives the bureau's pushed status changes. A push may be lost
// or repeated, so implementations must be idempotent and callers must poll
// too.
type Listener interface {
	// BureauStatusChanged is told the new status; an error makes the
	// bureau push it again later.
	BureauStatusChanged(ctx context.Context, st Status) error
}

var (
	// ErrUnknownReceipt is returned by Status for a receipt the bureau does
	// not know. Retrying does not help.
	ErrUnknownReceipt = errors.New("bureau: unknown receipt")
	// ErrInvalidSubmission is returned by Submit for a submission the
	// bureau cannot accept as sent (missing key or filing ID, unknown
	// province). Retrying does not help.
	ErrInvalidSubmission = errors.New("bureau: invalid submission")
	// ErrIdempotencyKeyReused is returned by Submit when the key already
	// identifies a submission of another filing: returning that receipt
	// would mix two filings up. Retrying does not help.
	ErrIdempotencyKeyReused = errors.New("bureau: idempotency key already used for another filing")
)
