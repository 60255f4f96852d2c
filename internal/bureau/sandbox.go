package bureau

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/beianflow/beianflow/internal/partner"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/rules"
)

// SandboxOptions configures a Sandbox. Zero fields take their defaults.
type SandboxOptions struct {
	// Now is the clock; default time.Now. Tests pass a fake clock.
	Now func() time.Time
	// TimeScale compresses every sandbox delay: each is divided by it.
	// 1 (the default, also for zero, negative or NaN) is real time; 1440
	// lets one real minute stand for one day. A submission that carries
	// its own Submission.SandboxTimeScale is compressed by that instead.
	TimeScale float64
	// SMSDelay is how long after submission the sandbox applicant completes
	// SMS verification, before scaling; default 10 minutes.
	SMSDelay time.Duration
	// ReviewBusinessDays is how many business days the review takes before
	// scaling; default (also for zero or negative) 3.
	ReviewBusinessDays int
	// Logger receives the sandbox's log lines; default slog.Default().
	Logger *slog.Logger
}

// Sandbox is a Gateway that plays the bureau locally; see the package
// documentation for its behaviour and marker rules. It is safe for
// concurrent use, also by several processes over one database.
type Sandbox struct {
	base *partner.Sandbox[SubmissionRecord]
	opts SandboxOptions
}

var _ Gateway = (*Sandbox)(nil)

// names are how the sandbox bureau names itself and its submissions.
var names = partner.Names{Service: "bureau", Party: "gateway", Noun: "submission", Collection: "/submissions", Ref: "receipt_id"}

// NewSandbox returns a sandbox bureau over db, which must be migrated.
func NewSandbox(db *store.DB, opts SandboxOptions) *Sandbox {
	opts.SMSDelay, opts.ReviewBusinessDays = opts.smsDelay(), opts.reviewBusinessDays()
	return &Sandbox{base: partner.New[SubmissionRecord](names, db, opts.Now, opts.TimeScale, opts.Logger), opts: opts}
}

// SubmissionRecord is a row of sandbox_bureau_submissions: one submission
// and the outcome the sandbox scheduled for it on arrival. It holds no
// personal data. The time scale the schedule was compressed by (the
// submission's hint or SandboxOptions.TimeScale) needs no column: the row
// holds the scheduled instants themselves, so a restarted sandbox, whatever
// its options, keeps the course fixed on arrival.
type SubmissionRecord struct {
	IdempotencyKey string `gorm:"column:idempotency_key;primaryKey"`
	ReceiptID      string `gorm:"column:receipt_id"`
	FilingID       string `gorm:"column:filing_id"`
	// Attempt numbers the submissions of one filing from 1.
	Attempt     int       `gorm:"column:attempt"`
	Province    string    `gorm:"column:province"`
	FilingType  string    `gorm:"column:filing_type"`
	SMSRequired bool      `gorm:"column:sms_required"`
	SubmittedAt time.Time `gorm:"column:submitted_at"`
	// SMSSentAt is when MIIT sends the verification code, opening the
	// 24-hour window; nil without SMS.
	SMSSentAt *time.Time `gorm:"column:sms_sent_at"`
	// SMSVerifiedAt is when the applicant verifies; nil without SMS or when
	// the window is missed.
	SMSVerifiedAt *time.Time `gorm:"column:sms_verified_at"`
	// SMSReturnedAt is when the missed SMS window returns the filing; nil
	// unless MarkerSMSTimeout applied.
	SMSReturnedAt *time.Time `gorm:"column:sms_returned_at"`
	// Decision is StateApproved or StateRejected, taking effect at
	// DecidedAt; "" and nil when the review never decides or never starts.
	Decision  State      `gorm:"column:decision"`
	DecidedAt *time.Time `gorm:"column:decided_at"`
	// LastPushedState is the state last delivered to a Listener by Run.
	LastPushedState State `gorm:"column:last_pushed_state"`
}

// TableName tells GORM the table; it is created by store's migrations, not
// by GORM.
func (SubmissionRecord) TableName() string { return "sandbox_bureau_submissions" }

// maxSubmitTries bounds the scheduling loop in Submit; each extra try means
// another submission of the same filing took the attempt number first, so
// a handful covers any realistic race.
const maxSubmitTries = 5

// Submit records the submission and schedules its outcome, or returns the
// receipt already recorded under s.IdempotencyKey.
func (sb *Sandbox) Submit(ctx context.Context, s Submission) (Receipt, error) {
	r, _, err := sb.submit(ctx, s)
	return r, err
}

// submit is Submit that also reports whether this call recorded the
// submission, so that the HTTP server can tell 201 from 200.
func (sb *Sandbox) submit(ctx context.Context, s Submission) (Receipt, bool, error) {
	province, err := validate(s)
	if err != nil {
		return Receipt{}, false, err
	}
	created := false
	// Only these flags leave the application; the rest of it is dropped here.
	m := findMarkers(s.Application)
	scale := sb.base.TimeScale(s.SandboxTimeScale)
	for try := 0; ; try++ {
		rec, err := sb.base.ByKey(ctx, s.IdempotencyKey)
		switch {
		case err == nil && rec.FilingID != s.FilingID:
			return Receipt{}, false, fmt.Errorf("bureau: submit filing %s: %w", s.FilingID, ErrIdempotencyKeyReused)
		case err == nil:
			return Receipt{ReceiptID: rec.ReceiptID, SubmittedAt: rec.SubmittedAt.UTC()}, created, nil
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return Receipt{}, false, fmt.Errorf("bureau: submit filing %s: %w", s.FilingID, err)
		case try == maxSubmitTries:
			return Receipt{}, false, fmt.Errorf("bureau: submit filing %s: concurrent submissions kept taking the attempt number", s.FilingID)
		}
		earlier, err := sb.Submissions(ctx, s.FilingID)
		if err != nil {
			return Receipt{}, false, err
		}
		rec = sb.schedule(s, province, m, earlier, sb.base.Now(), scale)
		// Nothing is written on any unique conflict, and the next turn
		// re-reads by key: a concurrent call with the same key won (return
		// its row), or one with another key took this attempt number
		// (schedule again).
		inserted, err := sb.base.Insert(ctx, &rec)
		if err != nil {
			return Receipt{}, false, fmt.Errorf("bureau: submit filing %s: %w", s.FilingID, err)
		}
		if inserted {
			created = true
			sb.base.Logger().InfoContext(ctx, "bureau sandbox: submission received",
				"filing_id", rec.FilingID, "receipt_id", rec.ReceiptID, "attempt", rec.Attempt,
				"province", rec.Province, "sms_required", rec.SMSRequired, "decision", rec.Decision,
				"time_scale", scale, "decides_at", rec.DecidedAt)
		}
	}
}

// Submissions returns the filing's submissions in attempt order, for tests
// and for scheduling resubmissions.
func (sb *Sandbox) Submissions(ctx context.Context, filingID string) ([]SubmissionRecord, error) {
	recs, err := sb.base.OfFiling(ctx, filingID, "attempt")
	if err != nil {
		return nil, fmt.Errorf("bureau: submissions of filing %s: %w", filingID, err)
	}
	return recs, nil
}

// Status computes the submission's state from its row and the clock, so a
// poll sees the truth even when a push was lost.
func (sb *Sandbox) Status(ctx context.Context, receiptID string) (Status, error) {
	rec, err := sb.base.ByRef(ctx, receiptID, ErrUnknownReceipt)
	if err != nil {
		return Status{}, fmt.Errorf("bureau: status of receipt %s: %w", receiptID, err)
	}
	return rec.statusAt(sb.base.Now()), nil
}

// validate refuses what a real gateway would refuse before submitting and
// returns the province, normalised.
// Errors name fields and codes only, never values from the application.
func validate(s Submission) (rules.Province, error) {
	switch {
	case s.IdempotencyKey == "":
		return rules.Province{}, fmt.Errorf("%w: idempotency key is required", ErrInvalidSubmission)
	case s.FilingID == "":
		return rules.Province{}, fmt.Errorf("%w: filing ID is required", ErrInvalidSubmission)
	}
	p, ok := rules.LookupProvince(s.Province)
	if !ok {
		return rules.Province{}, fmt.Errorf("%w: filing %s: unknown province %q", ErrInvalidSubmission, s.FilingID, s.Province)
	}
	return p, nil
}

// receiptID derives the receipt from the idempotency key, so concurrent
// calls with one key compute the same receipt.
func receiptID(key string) string {
	sum := sha256.Sum256([]byte("bureau-receipt:" + key))
	return "SBX-" + hex.EncodeToString(sum[:10])
}
