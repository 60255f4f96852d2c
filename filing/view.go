package filing

import "time"

// View is a filing as the API answers it (GET /v1/filings/{id} and every
// action): its State, plus its workflow ID and where the answer came from.
type View struct {
	State
	// WorkflowID is the Temporal workflow ID, for the Web UI.
	WorkflowID string `json:"workflow_id"`
	// Source says where the answer came from.
	Source Source `json:"source"`
	// BusinessDaysLeft counts the business days until the deadline, when
	// the deadline is a business-day one.
	BusinessDaysLeft *int `json:"business_days_left,omitempty"`
}

// Source is where a View came from.
type Source string

// Sources of a View.
const (
	// SourceWorkflow: live from the running workflow.
	SourceWorkflow Source = "workflow"
	// SourceWorkflowResult: the state an ended filing's workflow returned
	// (approved, cancelled, expired), with its filing number and timeline.
	SourceWorkflowResult Source = "workflow_result"
	// SourceReadModel: from the database, for a filing whose workflow ended
	// abnormally or is no longer held by Temporal, or while the workflow
	// service is unreachable; no timeline, no wait details beyond stage,
	// step and party.
	SourceReadModel Source = "read_model"
	// SourceRequest: the answer to creating a filing, built from the
	// request before the workflow ran.
	SourceRequest Source = "request"
)

// Row is a filing as the read model keeps it and listings show it: where it
// is and what it waits for, without the application, the materials or the
// timeline that only the filing's own View holds. The workflow writes it at
// every change of wait; it holds no personal data.
type Row struct {
	Identity
	Stage     Stage `json:"stage"`
	Step      Step  `json:"step"`
	WaitingOn Party `json:"waiting_on"`
	// Since and Deadline are null when the filing waits for nothing or
	// without a deadline.
	Since                *time.Time `json:"since"`
	Deadline             *time.Time `json:"deadline"`
	DeadlineBusinessDays int        `json:"deadline_business_days"`
	// Overdue is judged when the answer is made: open and past the
	// deadline of its current wait. The read model does not store it.
	Overdue    bool      `json:"overdue"`
	Closed     bool      `json:"closed"`
	Revision   int64     `json:"revision"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	WorkflowID string    `json:"workflow_id"`
}

// RowOf is the read-model row of a filing in state s: what the workflow
// records at every change of wait.
func RowOf(s State) Row {
	return Row{
		Identity: s.Identity, Stage: s.Stage, Step: s.Step, WaitingOn: s.WaitingOn,
		Since: s.Since, Deadline: s.Deadline, DeadlineBusinessDays: s.DeadlineBusinessDays,
		Closed: s.Stage.Terminal(), Revision: s.Revision, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		WorkflowID: s.FilingID.WorkflowID(),
	}
}

// ViewOf is the View of a filing known only by its read-model row: no
// timeline, no references, no wait description.
func ViewOf(r Row) View {
	return View{
		State: State{
			Identity: r.Identity, Stage: r.Stage, Step: r.Step, WaitingOn: r.WaitingOn, Since: r.Since, Deadline: r.Deadline,
			DeadlineBusinessDays: r.DeadlineBusinessDays, Revision: r.Revision,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
			// The read model keeps no timeline; the audit trail does.
			Timeline: []StageChange{},
		},
		WorkflowID: r.WorkflowID,
		Source:     SourceReadModel,
	}
}

// RowPage is one page of GET /v1/filings. NextCursor, given back as
// ?cursor=, fetches the next page with the same parameters; it is absent on
// the last page.
type RowPage struct {
	Items      []Row  `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Queue names a review queue.
type Queue string

// Review queues.
const (
	// QueueInitial holds filings awaiting initial review (初审).
	QueueInitial Queue = "initial"
	// QueuePhoto holds filings whose verification photo awaits review.
	QueuePhoto Queue = "photo"
)

// Queues lists the review queues.
func Queues() []Queue { return []Queue{QueueInitial, QueuePhoto} }

// Wait is the stage and step in which a filing of the queue waits for a
// reviewer: the queue lists the open filings in it. ok is false for a name
// that is no queue.
func (q Queue) Wait() (stage Stage, step Step, ok bool) {
	switch q {
	case QueueInitial:
		return StageInitialReview, StepAwaitingReviewer, true
	case QueuePhoto:
		return StagePhotoVerification, StepPhotoReview, true
	}
	return "", "", false
}

// QueuedRow is a filing in a review queue and how long it has waited.
type QueuedRow struct {
	Row
	// WaitedBusinessDays and WaitedHours measure the wait since the filing
	// joined the queue; the review SLA counts business days. Absent when
	// the start of the wait is unknown (it sorts last).
	WaitedBusinessDays *int `json:"waited_business_days,omitempty"`
	WaitedHours        *int `json:"waited_hours,omitempty"`
	// ClaimedBy is the reviewer ("role:key") working on the filing, until
	// ClaimExpiresAt; absent when nobody holds it.
	ClaimedBy      string     `json:"claimed_by,omitempty"`
	ClaimExpiresAt *time.Time `json:"claim_expires_at,omitempty"`
}

// ReviewClaim is a reviewer's hold on a filing in a review queue (POST
// /v1/filings/{id}/claim): no other reviewer may decide it until it
// expires or is released.
type ReviewClaim struct {
	FilingID  ID        `json:"filing_id"`
	Queue     Queue     `json:"queue"`
	ClaimedBy string    `json:"claimed_by"`
	ClaimedAt time.Time `json:"claimed_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// QueuePage is one page of a review queue.
type QueuePage struct {
	Queue      Queue       `json:"queue"`
	Items      []QueuedRow `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}
