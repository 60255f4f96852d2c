package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
)

// BureauStatus is the bureau's view of a submission, as the workflow needs
// it.
type BureauStatus struct {
	// SMSSentAt is when MIIT sent the verification code; nil until then.
	SMSSentAt    *time.Time      `json:"sms_sent_at,omitempty"`
	SMSVerified  bool            `json:"sms_verified"`
	SMSReturned  bool            `json:"sms_returned"`
	Decided      bool            `json:"decided"`
	Approved     bool            `json:"approved"`
	FilingNumber string          `json:"filing_number,omitempty"`
	Reasons      []filing.Reason `json:"reasons,omitempty"`
}

// BureauStatus asks the bureau about a submission: the pull half of the
// bureau's results, for pushes that were lost.
func (a *Activities) BureauStatus(ctx context.Context, receiptID string) (BureauStatus, error) {
	st, err := a.Bureau.Status(ctx, receiptID)
	if err != nil {
		return BureauStatus{}, fmt.Errorf("bureau status of %s: %w", receiptID, err)
	}
	return FromBureau(st), nil
}

// ErrTypeUndecided marks an AwaitBureauDecision attempt that found the
// review still open: retried by Temporal at the poll interval, without an
// event per attempt in the filing's history.
const ErrTypeUndecided = "BureauUndecided"

// AwaitBureauDecision asks the bureau about a submission under review and
// returns its status once the bureau has decided. Until then each attempt
// fails with ErrTypeUndecided and the activity's retry policy, one attempt
// per poll interval, asks again: however many days the review takes, the
// filing's history holds the activity's three events, and the pending
// activity shows operators the attempts made and the last answer.
func (a *Activities) AwaitBureauDecision(ctx context.Context, receiptID string) (BureauStatus, error) {
	st, err := a.BureauStatus(ctx, receiptID)
	if err != nil {
		return st, err
	}
	if !st.Decided {
		// Benign: the SDK logs it at debug level and leaves it out of the
		// failure metrics, as it is how the poll says "not yet".
		return st, temporal.NewApplicationErrorWithOptions("the bureau has not decided on "+receiptID+" yet", ErrTypeUndecided,
			temporal.ApplicationErrorOptions{Category: temporal.ApplicationErrorCategoryBenign})
	}
	return st, nil
}

// FromBureau maps the gateway's status to the workflow's view.
func FromBureau(st bureau.Status) BureauStatus {
	out := BureauStatus{
		SMSReturned:  st.State == bureau.StateSMSReturned,
		SMSVerified:  st.State == bureau.StateUnderReview || st.State == bureau.StateApproved || st.State == bureau.StateRejected,
		Decided:      st.State == bureau.StateApproved || st.State == bureau.StateRejected,
		Approved:     st.State == bureau.StateApproved,
		FilingNumber: st.FilingNumber,
	}
	if !st.SMSSentAt.IsZero() {
		sent := st.SMSSentAt.UTC()
		out.SMSSentAt = &sent
	}
	for _, r := range st.Reasons {
		out.Reasons = append(out.Reasons, filing.Reason{Code: r.Code, Message: r.Message})
	}
	return out
}
