package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// outboxNotificationsChange gates notifications travelling with the
// read-model write. Filings started before it send each notification
// through its own Notify activity.
const outboxNotificationsChange = "outbox-notifications"

// notify tells the applicant about an event by SMS and e-mail. The message
// goes into the outbox in the same transaction as the next read-model
// write: the stage change it announces, or the flush at the next wait. The
// activity finds the recipients itself, so no phone number or e-mail address
// enters the history; a slow or failing gateway never holds the filing back.
func (f *filing) notify(ctx workflow.Context, event string, params map[string]string) {
	req := activities.NotifyRequest{
		FilingID:   f.in.FilingID,
		Event:      event,
		RevisionID: revisionOf(f.state.Application),
		Params:     params,
	}
	if !f.outboxNotifications {
		f.pending = append(f.pending, workflow.ExecuteActivity(withNotification(ctx, event), acts.Notify, req))
		return
	}
	f.notifySeq++
	req.Seq = f.notifySeq
	f.unsent = append(f.unsent, req)
}

// flushNotifications writes notifications not yet handed to a read-model
// write. The row itself does not change (same revision), so this only
// enqueues.
func (f *filing) flushNotifications(ctx workflow.Context) error {
	if len(f.unsent) == 0 {
		return nil
	}
	return recordReadModel(ctx, f.state, f.takeUnsent())
}

// takeUnsent hands over the buffered notifications.
func (f *filing) takeUnsent() []activities.NotifyRequest {
	out := f.unsent
	f.unsent = nil
	return out
}

func revisionOf(a *ApplicationRef) string {
	if a == nil {
		return ""
	}
	return a.RevisionID
}
