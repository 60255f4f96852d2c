package filing

import "time"

// The support tooling's bodies and answers (GET /v1/support/…, POST
// /v1/support/…), what `beianflow ctl` shows.

// AuditEntry is one event of a filing's audit trail.
type AuditEntry struct {
	// Seq numbers the filing's events from 1, without gaps within a run;
	// after a support reset the new run numbers from the next multiple of
	// 1,000,000 (the entries of the old run stay, below it).
	Seq int64     `json:"seq"`
	At  time.Time `json:"at"`
	// Actor is a role and an opaque ID, never a name.
	Actor     string   `json:"actor"`
	Action    string   `json:"action"`
	FromStage Stage    `json:"from_stage,omitempty"`
	ToStage   Stage    `json:"to_stage,omitempty"`
	Detail    string   `json:"detail,omitempty"`
	Reasons   []Reason `json:"reasons"`
}

// StuckReason is why a filing is listed as stuck.
type StuckReason string

// Reasons a filing is listed as stuck.
const (
	// StuckWorkflowTaskFailing: the worker cannot run the filing's
	// workflow code (a panic, or non-determinism after a deploy); the
	// filing does not move until the code is fixed or rolled back.
	StuckWorkflowTaskFailing StuckReason = "workflow_task_failing"
	// StuckActivityFailing: a side effect keeps failing and Temporal keeps
	// retrying it with backoff.
	StuckActivityFailing StuckReason = "activity_failing"
	// StuckDeadlinePassed: the deadline of the filing's current wait has
	// passed (read model) and it is still waiting.
	StuckDeadlinePassed StuckReason = "deadline_passed"
)

// StuckReport is the answer of a scan for stuck filings.
type StuckReport struct {
	Items []StuckFiling `json:"items"`
	// Scanned is how many open filings were described in Temporal, newest
	// first; OpenFilings how many are open in all (when Temporal could
	// count them).
	Scanned     int    `json:"scanned"`
	OpenFilings *int64 `json:"open_filings,omitempty"`
	// NextCursor continues the scan with the next open filings; empty when
	// every open filing was described.
	NextCursor string `json:"next_cursor,omitempty"`
	// Truncated says that more stuck filings were found than the limit.
	Truncated bool      `json:"truncated"`
	CheckedAt time.Time `json:"checked_at"`
}

// StuckFiling is one reason one filing is stuck. A filing may be listed
// once per reason.
type StuckFiling struct {
	FilingID   ID          `json:"filing_id"`
	WorkflowID string      `json:"workflow_id"`
	Reason     StuckReason `json:"reason"`
	// Stage and WaitingOn are live (search attributes); Step is the read
	// model's and only given for deadline_passed.
	Stage     Stage        `json:"stage,omitempty"`
	Step      Step         `json:"step,omitempty"`
	WaitingOn Party        `json:"waiting_on,omitempty"`
	Deadline  *time.Time   `json:"deadline,omitempty"`
	UpdatedAt *time.Time   `json:"updated_at,omitempty"`
	Details   StuckDetails `json:"details"`
	// NextStep says what support should do about it.
	NextStep string `json:"next_step"`
}

// StuckDetails are the specifics of a StuckFiling's reason.
type StuckDetails struct {
	// Activity (activity_failing).
	ActivityID      string `json:"activity_id,omitempty"`
	ActivityType    string `json:"activity_type,omitempty"`
	MaximumAttempts int32  `json:"maximum_attempts,omitempty"`
	Paused          bool   `json:"paused,omitempty"`
	// State of the activity: scheduled (waiting for its next attempt or
	// a worker) or started (an attempt is running).
	State         string     `json:"state,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	// Attempt of the activity or the workflow task now pending.
	Attempt int32 `json:"attempt,omitempty"`
	// Cause of a failing workflow task, e.g. NonDeterministicError or
	// WorkflowWorkerUnhandledFailure (a panic); empty when the history
	// does not record it.
	Cause string `json:"cause,omitempty"`
	// LastFailure is the message of the last failure (at most 300
	// characters), LastFailureType its application error type, if any.
	LastFailure     string     `json:"last_failure,omitempty"`
	LastFailureType string     `json:"last_failure_type,omitempty"`
	LastFailureAt   *time.Time `json:"last_failure_at,omitempty"`
	// OverdueSeconds is how long ago the deadline passed (deadline_passed).
	OverdueSeconds int64 `json:"overdue_seconds,omitempty"`
}

// HistoryReport is a filing's audit trail and its workflow's event history,
// side by side, with every payload decoded.
type HistoryReport struct {
	FilingID   ID     `json:"filing_id"`
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id,omitempty"`
	// Status of the workflow run (running, completed, failed, ...); empty
	// when Temporal no longer holds it (retention), in which case only the
	// audit trail is shown.
	Status string         `json:"status,omitempty"`
	Audit  []AuditEntry   `json:"audit"`
	Events []HistoryEvent `json:"events"`
	// Truncated: the history has more events than are shown; the first
	// ones are.
	Truncated bool `json:"truncated"`
	// UndecodablePayloads counts payloads encrypted with a key the server
	// does not hold; they are shown as such.
	UndecodablePayloads int `json:"undecodable_payloads,omitempty"`
}

// HistoryEvent is one workflow history event, summarised in a line.
type HistoryEvent struct {
	EventID int64     `json:"event_id"`
	Time    time.Time `json:"time"`
	// Type is Temporal's event type, e.g. ActivityTaskScheduled.
	Type string `json:"type"`
	// Summary says what happened, with decoded inputs and results.
	Summary string `json:"summary,omitempty"`
}

// RetryResult says which activities a support retry made run again.
type RetryResult struct {
	FilingID ID                `json:"filing_id"`
	Retried  []RetriedActivity `json:"retried"`
}

// RetriedActivity is one activity reset to run now.
type RetriedActivity struct {
	ActivityID   string `json:"activity_id"`
	ActivityType string `json:"activity_type"`
	// AttemptBefore is the attempt it was on; it runs again as attempt 1.
	AttemptBefore int32  `json:"attempt_before"`
	LastFailure   string `json:"last_failure,omitempty"`
}

// ResetRequest is the body of a support reset (POST
// /v1/support/filings/{id}/reset).
type ResetRequest struct {
	// ToStage is the stage to put the filing back to; one of
	// ResettableStages.
	ToStage Stage `json:"to_stage"`
	// Reason says why, for the audit trail: one line, at most 500
	// characters, a ticket reference and never personal data.
	Reason string `json:"reason"`
}

// ResettableStages lists the stages a filing can be put back to.
func ResettableStages() []Stage {
	return []Stage{
		StageProductVerification, StageInformation, StageInitialReview, StagePhotoVerification,
		StageBureauSubmission, StageSMSVerification, StageBureauReview,
	}
}

// EraseRequest is support's request to erase an ended filing's personal
// data (POST /v1/support/filings/{id}/erase).
type EraseRequest struct {
	// Reason is a snake_case code (e.g. "subject_request"), never free
	// text: it goes to the audit trail.
	Reason string `json:"reason"`
}

// ErasureResult says what an erasure did.
type ErasureResult struct {
	FilingID ID        `json:"filing_id"`
	ErasedAt time.Time `json:"erased_at"`
	// DocumentsDeleted counts the objects this request deleted from S3.
	DocumentsDeleted int `json:"documents_deleted"`
	// AlreadyErased says the filing had been erased before; nothing new
	// was recorded.
	AlreadyErased bool `json:"already_erased"`
}

// ResetResult says what a support reset did.
type ResetResult struct {
	FilingID ID    `json:"filing_id"`
	ToStage  Stage `json:"to_stage"`
	// EventID is the workflow task the new run starts again from: the
	// first one after the filing last entered the stage.
	EventID int64 `json:"event_id"`
	// RunID is the new run; the old one is terminated by Temporal.
	RunID string `json:"run_id"`
	// Redelivered are the applicant's actions after the reset point, sent
	// again in their original order; each is kept if it still fits.
	Redelivered []ResetAction `json:"redelivered"`
	// Dropped are the decisions of others (reviewers, the courier, the
	// bureau, the verification apps) and cancellations after the reset
	// point: they were taken on what is now redone, so they are not repeated.
	Dropped []ResetAction `json:"dropped"`
}

// ResetAction is one action that followed the reset point.
type ResetAction struct {
	Action string    `json:"action"`
	At     time.Time `json:"at"`
	// Kept reports whether a redelivered action was accepted again;
	// Refusal says why not.
	Kept    bool   `json:"kept"`
	Refusal string `json:"refusal,omitempty"`
}

// ReplayResult says whether a history replays against the server's
// workflow code.
type ReplayResult struct {
	// Deterministic: the code makes the same decisions the history
	// recorded, so a worker of this build can carry the filing on.
	Deterministic bool `json:"deterministic"`
	// Error is the replayer's error when it does not.
	Error string `json:"error,omitempty"`
	// Events is how many history events were replayed.
	Events     int    `json:"events"`
	FilingID   ID     `json:"filing_id,omitempty"`
	WorkflowID string `json:"workflow_id,omitempty"`
	RunID      string `json:"run_id,omitempty"`
}
