package filing

import "time"

// WorkflowName is the registered type of the filing workflow.
const WorkflowName = "FilingWorkflow"

// QueryState is the workflow query that answers the filing's State.
const QueryState = "state"

// Input starts a filing workflow. It carries no personal data: the
// application itself is stored outside Temporal and referenced by revision.
type Input struct {
	Identity
	CreatedAt time.Time `json:"created_at"`
	// SubjectKey is a keyed hash of the subject's identity (province,
	// certificate type and number), for the one-filing-per-subject rule.
	SubjectKey string   `json:"subject_key,omitempty"`
	Product    Product  `json:"product"`
	Settings   Settings `json:"settings"`
	// Continued is set only on a run that continues an earlier run of the
	// filing (continue-as-new, once the history grew long): where that run
	// stood. Callers never set it.
	Continued *Continued `json:"continued,omitempty"`
}

// Continued is what a filing's run hands the run that continues it: the
// state, and the counters that number what the filing writes, so that the
// new run goes on from where the old one stood without writing anything
// twice. A run continues as new only between rounds, as it goes back to the
// information stage, so the new run starts there.
type Continued struct {
	State State `json:"state"`
	// AuditSeq and NotificationSeq are the last audit entry's and the last
	// notification's numbers.
	AuditSeq        int64 `json:"audit_seq"`
	NotificationSeq int64 `json:"notification_seq"`
	// InstanceID backs the filing's 备案服务号.
	InstanceID string `json:"instance_id"`
	// LastUpdate is when anyone last acted on the filing (the order
	// lifetime counts from it).
	LastUpdate time.Time `json:"last_update"`
	// Runs counts the runs before this one.
	Runs int `json:"runs"`
}

// Identity is what a filing is, fixed at its start: its ID, whose it is,
// where and what it files, and the rules and calendar it was checked and
// scheduled with. The workflow's input, its state and its read-model row
// all carry it.
type Identity struct {
	FilingID   ID     `json:"filing_id"`
	AccountID  string `json:"account_id"`
	Province   string `json:"province"`
	FilingType Type   `json:"filing_type"`
	Domain     string `json:"domain"`
	// RuleSetVersion and CalendarVersion identify the province rules and the
	// holiday calendar the filing was checked and scheduled with.
	RuleSetVersion  string `json:"rule_set_version"`
	CalendarVersion string `json:"calendar_version"`
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
