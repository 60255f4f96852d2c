package bureau

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/partner"
	"github.com/beianflow/beianflow/rules"
)

// Markers that script the sandbox's outcome when found in any website name
// of the application; see the package documentation.
const (
	MarkerSMSTimeout     = "（短信超时）"
	MarkerSMSUnreachable = "（短信未达）"
	MarkerReject         = "（管局驳回）"
	MarkerOverdue        = "（管局超期）"
)

// smsWindow is MIIT's window for SMS verification, from the code's arrival
// (domain brief §2.5).
const smsWindow = 24 * time.Hour

// smsSendDelay is how long after submission MIIT sends the code: "usually
// within ~5 minutes" (domain brief §2.5); the sandbox takes two, so that
// its applicant (SMSDelay, 10 minutes by default) verifies after it.
const smsSendDelay = 2 * time.Minute

// Neutral reason messages: the real bureau's reasons may quote the
// application, ours must not, since they end up in histories and logs.
const (
	smsTimeoutMessage  = "短信核验未在24小时内完成，备案已退回接入商"
	websiteNameMessage = "网站名称不符合要求，请修改后重新提交"
)

// markers are the flags the sandbox keeps from an application.
type markers struct{ smsTimeout, smsUnreachable, reject, overdue bool }

func findMarkers(app filing.Application) markers {
	var m markers
	for _, w := range app.Websites {
		m.smsTimeout = m.smsTimeout || strings.Contains(w.Name, MarkerSMSTimeout)
		m.smsUnreachable = m.smsUnreachable || strings.Contains(w.Name, MarkerSMSUnreachable)
		m.reject = m.reject || strings.Contains(w.Name, MarkerReject)
		m.overdue = m.overdue || strings.Contains(w.Name, MarkerOverdue)
	}
	return m
}

// schedule decides, on arrival, when each step of the submission happens
// and how the review ends, every delay compressed by scale. Fixing the
// schedule in the row keeps a submission's course unchanged when the
// sandbox restarts with other options, as a real bureau's would be.
func (sb *Sandbox) schedule(s Submission, p rules.Province, m markers, earlier []SubmissionRecord, now time.Time, scale float64) SubmissionRecord {
	rec := SubmissionRecord{
		IdempotencyKey: s.IdempotencyKey,
		ReceiptID:      receiptID(s.IdempotencyKey),
		FilingID:       s.FilingID,
		Attempt:        1,
		Province:       p.Code,
		FilingType:     s.FilingType,
		SMSRequired:    s.SMSRequired,
		SubmittedAt:    now,
	}
	reachedReview := false
	for _, e := range earlier {
		rec.Attempt = max(rec.Attempt, e.Attempt+1)
		reachedReview = reachedReview || e.SMSReturnedAt == nil
	}
	reviewFrom := now
	if s.SMSRequired {
		sent := partner.Scaled(now, now.Add(smsSendDelay), scale)
		rec.SMSSentAt = ptr(sent)
		if m.smsTimeout && rec.Attempt == 1 || m.smsUnreachable {
			rec.SMSReturnedAt = ptr(partner.Scaled(now, now.Add(smsSendDelay+smsWindow), scale))
			return rec
		}
		reviewFrom = sb.opts.SMSVerifiedAt(now, scale)
		rec.SMSVerifiedAt = ptr(reviewFrom)
	}
	if m.overdue {
		return rec
	}
	rec.Decision = StateApproved
	if m.reject && !reachedReview {
		rec.Decision = StateRejected
	}
	rec.DecidedAt = ptr(sb.opts.DecidedAt(reviewFrom, scale))
	return rec
}

// SMSVerifiedAt is when the sandbox applicant completes SMS verification
// of a submission made at now, the delay compressed by scale. The sandbox
// schedules by it; `make demo` uses it to know how long the bureau should
// take.
func (o SandboxOptions) SMSVerifiedAt(now time.Time, scale float64) time.Time {
	return partner.Scaled(now, now.Add(o.smsDelay()), scale)
}

// DecidedAt is when the sandbox bureau decides a review that starts at
// from: ReviewBusinessDays later on the holiday calendar, compressed by
// scale.
func (o SandboxOptions) DecidedAt(from time.Time, scale float64) time.Time {
	// The flag for dates beyond the loaded holiday data is ignored: a
	// sandbox decision a few hours off is harmless.
	deadline, _ := calendar.Default().AddBusinessDays(from, o.reviewBusinessDays())
	return partner.Scaled(from, deadline, scale)
}

func (o SandboxOptions) smsDelay() time.Duration {
	if o.SMSDelay <= 0 {
		return 10 * time.Minute
	}
	return o.SMSDelay
}

func (o SandboxOptions) reviewBusinessDays() int {
	if o.ReviewBusinessDays <= 0 {
		return 3
	}
	return o.ReviewBusinessDays
}

// statusAt is the submission's status at now, read off its schedule.
func (r SubmissionRecord) statusAt(now time.Time) Status {
	st := Status{ReceiptID: r.ReceiptID, FilingID: r.FilingID, State: StateUnderReview, UpdatedAt: r.SubmittedAt}
	if r.SMSSentAt != nil && !now.Before(*r.SMSSentAt) {
		st.SMSSentAt = r.SMSSentAt.UTC()
	}
	switch {
	case r.SMSReturnedAt != nil && !now.Before(*r.SMSReturnedAt):
		st.State, st.UpdatedAt = StateSMSReturned, *r.SMSReturnedAt
		st.Reasons = []Reason{{Code: ReasonSMSTimeout, Message: smsTimeoutMessage}}
	case r.SMSReturnedAt != nil || (r.SMSVerifiedAt != nil && now.Before(*r.SMSVerifiedAt)):
		st.State = StateSMSPending
	case r.DecidedAt != nil && !now.Before(*r.DecidedAt):
		st.State, st.UpdatedAt = r.Decision, *r.DecidedAt
		if r.Decision == StateRejected {
			st.Reasons = []Reason{{Code: ReasonWebsiteName, Message: websiteNameMessage}}
		} else {
			st.FilingNumber = filingNumber(r.Province, r.FilingID, *r.DecidedAt)
		}
	case r.SMSVerifiedAt != nil:
		st.UpdatedAt = *r.SMSVerifiedAt
	}
	st.UpdatedAt = st.UpdatedAt.UTC()
	return st
}

// pending is what the push loop needs of the submission at now.
func (r SubmissionRecord) pending(now time.Time) partner.Pending[Status, State] {
	st := r.statusAt(now)
	return partner.Pending[Status, State]{Event: st, State: st.State, Pushed: r.LastPushedState, Key: r.IdempotencyKey, FilingID: r.FilingID, Ref: r.ReceiptID}
}

// filingNumber forms <省简称>ICP备<8 digits>号-1: the two-digit year of the
// decision (domain brief §2.7: a subject number starts with its year), then
// six digits hashed from the filing ID so a filing always gets the same
// number. The suffix is always -1: the sandbox knows nothing of the
// subject's earlier websites.
func filingNumber(province, filingID string, decidedAt time.Time) string {
	p, _ := rules.LookupProvince(province)
	h := fnv.New64a()
	_, _ = h.Write([]byte(filingID))
	return fmt.Sprintf("%sICP备%02d%06d号-1", p.Abbrev, decidedAt.In(calendar.China).Year()%100, h.Sum64()%1_000_000)
}

func ptr[T any](v T) *T { return &v }
