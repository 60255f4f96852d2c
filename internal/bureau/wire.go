package bureau

import (
	"encoding/json"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// The JSON forms of the gateway protocol (docs/protocol.md). They are kept
// apart from the Go types so that renaming a field in Go never changes what
// goes over the wire, and so that the idempotency key travels only in its
// header.

// submissionBody is the body of POST /submissions.
type submissionBody struct {
	FilingID              string             `json:"filing_id"`
	Province              string             `json:"province"`
	FilingType            string             `json:"filing_type"`
	SMSRequired           bool               `json:"sms_required"`
	ReviewMaxBusinessDays int                `json:"review_max_business_days,omitzero"`
	Application           filing.Application `json:"application"`
}

func toSubmissionBody(s Submission) submissionBody {
	return submissionBody{
		FilingID:              s.FilingID,
		Province:              s.Province,
		FilingType:            s.FilingType,
		SMSRequired:           s.SMSRequired,
		ReviewMaxBusinessDays: s.ReviewMaxBusinessDays,
		Application:           s.Application,
	}
}

func (b submissionBody) submission(key string) Submission {
	return Submission{
		IdempotencyKey:        key,
		FilingID:              b.FilingID,
		Province:              b.Province,
		FilingType:            b.FilingType,
		SMSRequired:           b.SMSRequired,
		ReviewMaxBusinessDays: b.ReviewMaxBusinessDays,
		Application:           b.Application,
	}
}

// receiptBody answers POST /submissions.
type receiptBody struct {
	ReceiptID   string    `json:"receipt_id"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// statusBody is a Status on the wire: the answer to GET
// /submissions/{receipt_id} and the body of the bureau's webhook.
type statusBody struct {
	ReceiptID         string       `json:"receipt_id"`
	FilingID          string       `json:"filing_id"`
	State             State        `json:"state"`
	SMSSentAt         time.Time    `json:"sms_sent_at,omitzero"`
	SMSAttemptsFailed int          `json:"sms_attempts_failed"`
	FilingNumber      string       `json:"filing_number,omitzero"`
	Reasons           []reasonBody `json:"reasons,omitzero"`
	UpdatedAt         time.Time    `json:"updated_at"`
}

type reasonBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// MarshalJSON encodes the status in the protocol's form, for the GET
// answer and the webhook body.
func (st Status) MarshalJSON() ([]byte, error) {
	b := statusBody{
		ReceiptID: st.ReceiptID, FilingID: st.FilingID, State: st.State, SMSSentAt: st.SMSSentAt,
		SMSAttemptsFailed: st.SMSAttemptsFailed, FilingNumber: st.FilingNumber, UpdatedAt: st.UpdatedAt,
	}
	for _, r := range st.Reasons {
		b.Reasons = append(b.Reasons, reasonBody(r))
	}
	return json.Marshal(b)
}

// UnmarshalJSON decodes the protocol's form. Unknown fields are ignored so
// that the bureau may add some; checking that the required ones are there
// is the receiver's job.
func (st *Status) UnmarshalJSON(data []byte) error {
	var b statusBody
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	*st = Status{
		ReceiptID: b.ReceiptID, FilingID: b.FilingID, State: b.State, SMSSentAt: b.SMSSentAt.UTC(),
		SMSAttemptsFailed: b.SMSAttemptsFailed, FilingNumber: b.FilingNumber, UpdatedAt: b.UpdatedAt,
	}
	if b.SMSSentAt.IsZero() {
		st.SMSSentAt = time.Time{}
	}
	for _, r := range b.Reasons {
		st.Reasons = append(st.Reasons, Reason(r))
	}
	return nil
}

// Error codes of the protocol beyond the ones every partner answers
// (partner.Code…).
const (
	codeInvalidSubmission = "invalid_submission"
	codeUnknownReceipt    = "unknown_receipt"
)
