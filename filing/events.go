package filing

import (
	"encoding/json"
	"time"
)

// EventsVersion is the version of the event types and their data below.
// A change that a receiver could misread gets a new version; adding an
// event type or a data field does not.
const EventsVersion = "1"

// EventType names what happened to a filing. Receivers should ignore
// types they do not know: new ones are added without a new version.
type EventType string

// The event types of version 1.
const (
	// EventCreated: the filing's workflow started (data: none).
	EventCreated EventType = "filing.created"
	// EventStageChanged: the filing moved to another stage (StageMove).
	EventStageChanged EventType = "filing.stage_changed"
	// EventWaiting: the filing now waits for someone, for what and until
	// when (Waiting). A backend acts on those with waiting_on "applicant".
	EventWaiting EventType = "filing.waiting"
	// EventReviewApproved: the provider's initial or photo review passed
	// (ReviewDecision, without reasons).
	EventReviewApproved EventType = "filing.review_approved"
	// EventRejected: someone sent the filing back, with the catalogue's
	// reason codes (Rejected).
	EventRejected EventType = "filing.rejected"
	// EventBackdropShipped: the verification backdrop was handed to the
	// courier (data: none).
	EventBackdropShipped EventType = "filing.backdrop_shipped"
	// EventBureauSubmitted: the filing went to the provincial bureau
	// (data: none).
	EventBureauSubmitted EventType = "filing.bureau_submitted"
	// EventSMSVerificationNeeded: MIIT sent its verification SMS; the
	// applicant must answer within 24 hours (data: none).
	EventSMSVerificationNeeded EventType = "filing.sms_verification_needed"
	// EventApproved: the bureau approved; the filing number (Approved).
	EventApproved EventType = "filing.approved"
	// EventCancelled: the filing was cancelled (data: none).
	EventCancelled EventType = "filing.cancelled"
	// EventExpired: the filing expired unattended (data: none).
	EventExpired EventType = "filing.expired"
	// EventOverdue: the bureau is past its legal review limit (Overdue).
	EventOverdue EventType = "filing.overdue"
	// EventIdleReminder: the applicant has not acted for a while (Idle).
	EventIdleReminder EventType = "filing.idle_reminder"
)

// EventTypes are the event types there are, in a stable order.
func EventTypes() []EventType {
	return []EventType{EventCreated, EventStageChanged, EventWaiting, EventReviewApproved, EventRejected,
		EventBackdropShipped, EventBureauSubmitted, EventSMSVerificationNeeded, EventApproved, EventCancelled,
		EventExpired, EventOverdue, EventIdleReminder}
}

// Event is one thing that happened to a filing, as the event feed lists it
// and webhooks deliver it. It carries references and codes only, never
// personal data: read the filing for more.
type Event struct {
	// ID identifies the event; a receiver deduplicates by it (a webhook
	// may arrive more than once).
	ID string `json:"id"`
	// Type is what happened; Version the version of Type's data.
	Type    EventType `json:"type"`
	Version string    `json:"version"`
	// FilingID and AccountID say whose filing.
	FilingID  ID     `json:"filing_id"`
	AccountID string `json:"account_id"`
	// Sequence numbers the filing's events from 1, without gaps: a
	// receiver that saw n knows whether n+1 is missing.
	Sequence int64 `json:"sequence"`
	// OccurredAt is when it happened, as the workflow saw it.
	OccurredAt time.Time `json:"occurred_at"`
	// Data is the type's own data (StageMove, Waiting, ...); {} for the
	// types without.
	Data json.RawMessage `json:"data"`
}

// StageMove is the data of filing.stage_changed.
type StageMove struct {
	From Stage `json:"from"`
	To   Stage `json:"to"`
}

// Waiting is the data of filing.waiting: in which stage and step the
// filing waits, for whom, since when and until when (deadline null for a
// wait without one).
type Waiting struct {
	Stage                Stage      `json:"stage"`
	Step                 Step       `json:"step"`
	WaitingOn            Party      `json:"waiting_on"`
	Since                *time.Time `json:"since"`
	Deadline             *time.Time `json:"deadline"`
	DeadlineBusinessDays int        `json:"deadline_business_days,omitempty"`
}

// ReviewDecision is the data of filing.review_approved: which review.
type ReviewDecision struct {
	// Review is "initial" or "photo".
	Review string `json:"review"`
}

// Rejected is the data of filing.rejected: who sent it back and why, by
// the catalogue's codes (GET /v1/review-reasons), without free text.
type Rejected struct {
	// By is reviewer, photo_reviewer, bureau, sms, product_verification,
	// courier, verification_app or automated_checks.
	By      string      `json:"by"`
	Reasons []ReasonRef `json:"reasons"`
}

// ReasonRef is a rejection reason by code and the field it points at.
type ReasonRef struct {
	Field string `json:"field,omitempty"`
	Code  string `json:"code"`
}

// Approved is the data of filing.approved.
type Approved struct {
	FilingNumber string `json:"filing_number"`
}

// Overdue is the data of filing.overdue: the bureau's legal limit in
// business days, now passed.
type Overdue struct {
	BusinessDays int `json:"business_days"`
}

// Idle is the data of filing.idle_reminder: days without the applicant
// acting.
type Idle struct {
	IdleDays int `json:"idle_days"`
}

// EventPage is one page of the event feed (GET /v1/events and
// GET /v1/filings/{id}/events), oldest first. NextCursor, given back as
// ?after=, continues after the last event; it is present on every page,
// the last included, so a backend polls with it for what comes next.
type EventPage struct {
	Events     []Event `json:"events"`
	NextCursor string  `json:"next_cursor"`
}
