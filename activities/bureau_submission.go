package activities

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/beianflow/beianflow/internal/faults"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/store"
)

// SubmitToBureauRequest references the approved application revision.
type SubmitToBureauRequest struct {
	FilingID              filing.ID   `json:"filing_id"`
	Province              string      `json:"province"`
	FilingType            filing.Type `json:"filing_type"`
	RevisionID            string      `json:"revision_id"`
	Round                 int         `json:"round"`
	SMSRequired           bool        `json:"sms_required"`
	ReviewMaxBusinessDays int         `json:"review_max_business_days"`
	// TimeScale is the filing's own time scale when it is not 1 (0
	// otherwise, and then left out, so a production filing's input is as
	// before): a hint for the sandbox bureau, which a real gateway never
	// sees (bureau.Submission.SandboxTimeScale).
	TimeScale float64 `json:"time_scale,omitempty"`
}

// BureauReceipt is the bureau's acknowledgement of a submission.
type BureauReceipt struct {
	ReceiptID   string    `json:"receipt_id"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// SubmitToBureau submits the application to the provincial bureau. The
// idempotency key is the filing and the submission round, so a retry of the
// same round never submits twice, while a resubmission after a returned SMS
// verification is a new submission.
func (a *Activities) SubmitToBureau(ctx context.Context, r SubmitToBureauRequest) (BureauReceipt, error) {
	var app filing.Application
	if err := a.Applications.Load(ctx, r.FilingID, r.RevisionID, store.KindApplication, "", &app); err != nil {
		return BureauReceipt{}, fmt.Errorf("submit filing %s: %w", r.FilingID, err)
	}
	rc, err := a.Bureau.Submit(ctx, bureau.Submission{
		IdempotencyKey:        string(r.FilingID) + "/submission/" + strconv.Itoa(r.Round),
		FilingID:              string(r.FilingID),
		Province:              r.Province,
		FilingType:            string(r.FilingType),
		SMSRequired:           r.SMSRequired,
		ReviewMaxBusinessDays: r.ReviewMaxBusinessDays,
		Application:           app,
		SandboxTimeScale:      r.TimeScale,
	})
	if err != nil {
		return BureauReceipt{}, fmt.Errorf("submit filing %s round %d: %w", r.FilingID, r.Round, err)
	}
	faults.Point(faults.AfterSubmission)
	return BureauReceipt{ReceiptID: rc.ReceiptID, SubmittedAt: rc.SubmittedAt}, nil
}
