package workflows

import (
	"strings"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
)

// notifications are the applicant's notifications not yet handed to a
// commit, numbered per filing so a retried write enqueues none
// twice.
type notifications struct {
	seq    int64
	unsent []activities.NotifyRequest
}

// take hands over the buffered notifications.
func (n *notifications) take() []activities.NotifyRequest {
	out := n.unsent
	n.unsent = nil
	return out
}

// notify tells the applicant about an event by SMS and e-mail. The message
// goes into the outbox in the same transaction as the next commit: that of
// the change it announces, or of the wait it arrives in. The
// activity finds the recipients itself, so no phone number or e-mail address
// enters the history; a slow or failing gateway never holds the filing back.
//
// A rejection's notification carries its reason codes (never their free
// text), for the event that announces it to the provider's backend.
func (f *flow) notify(event string, params map[string]string) {
	f.outbox.seq++
	req := activities.NotifyRequest{
		FilingID:   f.in.FilingID,
		Event:      event,
		RevisionID: revisionOf(f.state.Application),
		Params:     params,
		Seq:        f.outbox.seq,
	}
	if strings.HasSuffix(event, "_rejected") || event == "sms_verification_returned" {
		req.Rejected = rejectedOf(f.state.LastRejection)
	}
	f.outbox.unsent = append(f.outbox.unsent, req)
}

// rejectedOf is a rejection by its codes, as an event tells it.
func rejectedOf(r *filing.Rejection) *filing.Rejected {
	if r == nil {
		return nil
	}
	out := &filing.Rejected{By: r.By, Reasons: make([]filing.ReasonRef, len(r.Reasons))}
	for i, reason := range r.Reasons {
		out.Reasons[i] = filing.ReasonRef{Field: reason.Field, Code: reason.Code}
	}
	return out
}

func revisionOf(a *filing.ApplicationRef) string {
	if a == nil {
		return ""
	}
	return a.RevisionID
}
