// Package feed keeps the events that tell provider backends what happened
// to their filings (filing.Event): derived from each read-model write and
// stored in the same transaction, so an event exists exactly when the
// change it announces does; listed in order for the event feed and
// delivered to webhook endpoints from there.
//
// Events carry references and codes only. Each has an ID derived from what
// announced it, so a retried write stores nothing twice, and a sequence
// number per filing without gaps.
package feed

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/beianflow/beianflow/filing"
)

// Note is a notification the workflow queued with a read-model write: the
// outbox's event name, its per-filing number, its parameters and, for a
// rejection, its reasons.
type Note struct {
	Event    string
	Seq      int64
	Params   map[string]string
	Rejected *filing.Rejected
}

// Draft is an event before it is stored: Append numbers it.
type Draft struct {
	// Key names what announced the event, unique per filing; the event's
	// ID is derived from it.
	Key        string
	Type       filing.EventType
	OccurredAt time.Time
	Data       any
}

// idSpace is the UUID namespace event IDs are derived in.
var idSpace = uuid.MustParse("6f0b7d0e-4c1f-5e0a-9a51-1c4c2b5d7e10")

// EventID is the ID of the event a filing's draft key names: the same key,
// the same ID, whichever attempt stores it.
func EventID(filingID filing.ID, key string) string {
	return "evt_" + uuid.NewSHA1(idSpace, []byte(string(filingID)+"\x00"+key)).String()
}

// noteTypes maps the outbox's notification events to event types; those
// not listed announce nothing a backend needs beyond the row's change.
var noteTypes = map[string]filing.EventType{
	"initial_review_approved":   filing.EventReviewApproved,
	"photo_review_approved":     filing.EventReviewApproved,
	"initial_review_rejected":   filing.EventRejected,
	"photo_review_rejected":     filing.EventRejected,
	"bureau_rejected":           filing.EventRejected,
	"sms_verification_returned": filing.EventRejected,
	"backdrop_shipped":          filing.EventBackdropShipped,
	"bureau_submitted":          filing.EventBureauSubmitted,
	"sms_verification_needed":   filing.EventSMSVerificationNeeded,
	"bureau_approved":           filing.EventApproved,
	"order_cancelled":           filing.EventCancelled,
	"order_expired":             filing.EventExpired,
	"filing_overdue":            filing.EventOverdue,
	"idle_reminder":             filing.EventIdleReminder,
}

// Derive lists the events a read-model write announces, in the order a
// backend should read them: the filing's creation, its move to another
// stage, what happened there (the notifications the workflow queued with
// the write: a rejection's reasons, an approval's filing number), and what
// it waits for now. prev is the row before the write (nil when there was none);
// applied says the write advanced the row (a retried or stale write
// changes nothing, and announces only its notifications, which dedupe).
func Derive(prev *filing.Row, next filing.Row, applied bool, notes []Note) []Draft {
	at := next.UpdatedAt.UTC()
	rev := strconv.FormatInt(next.Revision, 10)
	var out []Draft
	if applied && (prev == nil || prev.Revision == 0) {
		out = append(out, Draft{Key: "created", Type: filing.EventCreated, OccurredAt: at, Data: struct{}{}})
	}
	if applied && prev != nil && prev.Stage != "" && prev.Stage != next.Stage {
		out = append(out, Draft{Key: "row/" + rev + "/stage", Type: filing.EventStageChanged, OccurredAt: at,
			Data: filing.StageMove{From: prev.Stage, To: next.Stage}})
	}
	for _, n := range notes {
		typ, ok := noteTypes[n.Event]
		if !ok {
			continue
		}
		out = append(out, Draft{Key: "note/" + strconv.FormatInt(n.Seq, 10) + "/" + n.Event, Type: typ, OccurredAt: at, Data: noteData(typ, n)})
	}
	// A row written as a stage begins, before the stage has set its wait,
	// has no step and still names whoever the last wait was for: no wait
	// to announce.
	if applied && next.WaitingOn != filing.PartyNone && next.Step != filing.StepNone && !next.Stage.Terminal() {
		out = append(out, Draft{Key: "row/" + rev + "/waiting", Type: filing.EventWaiting, OccurredAt: at,
			Data: filing.Waiting{Stage: next.Stage, Step: next.Step, WaitingOn: next.WaitingOn, Since: utc(next.Since),
				Deadline: utc(next.Deadline), DeadlineBusinessDays: next.DeadlineBusinessDays}})
	}
	return out
}

// noteData is the data of the event a notification announces, from its
// parameters: only those named here, never anything personal.
func noteData(typ filing.EventType, n Note) any {
	switch typ {
	case filing.EventReviewApproved:
		if n.Event == "photo_review_approved" {
			return filing.ReviewDecision{Review: "photo"}
		}
		return filing.ReviewDecision{Review: "initial"}
	case filing.EventRejected:
		r := filing.Rejected{Reasons: []filing.ReasonRef{}}
		if n.Rejected != nil {
			r.By = n.Rejected.By
			r.Reasons = append(r.Reasons, n.Rejected.Reasons...)
		}
		return r
	case filing.EventApproved:
		return filing.Approved{FilingNumber: n.Params["filing_number"]}
	case filing.EventOverdue:
		days, _ := strconv.Atoi(n.Params["business_days"])
		return filing.Overdue{BusinessDays: days}
	case filing.EventIdleReminder:
		days, _ := strconv.Atoi(n.Params["idle_days"])
		return filing.Idle{IdleDays: days}
	}
	return struct{}{}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// marshal is a draft's data as stored.
func marshal(d Draft) (json.RawMessage, error) {
	if d.Data == nil {
		return json.RawMessage("{}"), nil
	}
	return json.Marshal(d.Data)
}
