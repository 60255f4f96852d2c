package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
)

// notify tells the applicant about an event by SMS and e-mail. It does not
// wait: a slow or failing gateway must not hold the filing back. The activity
// finds the recipients itself, so no phone number or e-mail address enters
// the history.
func (f *filing) notify(ctx workflow.Context, event string, params map[string]string) {
	fut := workflow.ExecuteActivity(withNotification(ctx, event), acts.Notify, activities.NotifyRequest{
		FilingID:   f.in.FilingID,
		Event:      event,
		RevisionID: revisionOf(f.state.Application),
		Params:     params,
	})
	f.pending = append(f.pending, fut)
}

func revisionOf(a *ApplicationRef) string {
	if a == nil {
		return ""
	}
	return a.RevisionID
}
