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

// Query, update and signal names of FilingWorkflow.
const (
	// QueryState returns FilingState.
	QueryState = "state"
	// UpdateCancel cancels a filing that has not reached the bureau.
	UpdateCancel = "cancel"
)

// Stage is where a filing is in the process. Values are stable: they are
// stored in the read model and in search attributes.
type Stage string

// Stages. The Chinese terms are what applicants and reviewers see in
// provider consoles.
const (
	// StageDraft: 待完善备案信息, the applicant is completing the application.
	StageDraft Stage = "draft"
	// StageCancelled: 已取消, cancelled by the applicant before bureau submission.
	StageCancelled Stage = "cancelled"
	// StageExpired: 已过期, no update for the order lifetime (45 days).
	StageExpired Stage = "expired"
)

// Terminal reports whether the filing has ended in this stage.
func (s Stage) Terminal() bool { return s == StageCancelled || s == StageExpired }

// Party is who a filing waits for.
type Party string

// Parties a filing can wait on.
const (
	PartyNone      Party = ""
	PartyApplicant Party = "applicant"
)

// FilingInput starts a filing. It carries no personal data: the application
// itself is stored outside Temporal and referenced by ID.
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
}

// FilingState is what the state query returns.
type FilingState struct {
	FilingID        string        `json:"filing_id"`
	AccountID       string        `json:"account_id"`
	Province        string        `json:"province"`
	FilingType      string        `json:"filing_type"`
	Domain          string        `json:"domain"`
	RuleSetVersion  string        `json:"rule_set_version"`
	CalendarVersion string        `json:"calendar_version"`
	Stage           Stage         `json:"stage"`
	WaitingOn       Party         `json:"waiting_on"`
	Deadline        *time.Time    `json:"deadline,omitempty"`
	Revision        int64         `json:"revision"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	Timeline        []StageChange `json:"timeline"`
}

// StageChange is one entry of a filing's timeline.
type StageChange struct {
	Stage  Stage     `json:"stage"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// CancelRequest is the argument of UpdateCancel.
type CancelRequest struct {
	// Reason is a free-text reason from a fixed vocabulary chosen by the
	// caller (e.g. "user_request"); it must not contain personal data.
	Reason string `json:"reason"`
}

// OrderLifetime is how long a filing not yet submitted to the bureau may go
// without an update before it is cancelled (Alibaba's 45-day order clean-up).
const OrderLifetime = 45 * 24 * time.Hour
