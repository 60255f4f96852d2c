package activities

import (
	"context"
	"fmt"
	"time"

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
