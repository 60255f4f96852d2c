package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/notify"
	"github.com/beianflow/beianflow/store"
)

// NotifyRequest names an event of a filing; the recipients are looked up
// here so their phone numbers and e-mail addresses stay out of histories.
type NotifyRequest struct {
	FilingID   string            `json:"filing_id"`
	Event      string            `json:"event"`
	RevisionID string            `json:"revision_id,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
}

// Notify sends the event to the subject's leader by SMS and e-mail. Before
// an application is saved there is nobody to tell, which is not an error.
func (a *Activities) Notify(ctx context.Context, r NotifyRequest) error {
	var app filing.Application
	err := errNoRecipient
	if r.RevisionID != "" {
		err = a.Applications.Load(ctx, r.FilingID, r.RevisionID, store.KindApplication, "", &app)
	} else if rev, lerr := a.Applications.Latest(ctx, r.FilingID, store.KindApplication); lerr == nil {
		err = a.Applications.Load(ctx, r.FilingID, rev.ID, store.KindApplication, rev.Digest, &app)
	}
	if errors.Is(err, errNoRecipient) || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("notify %s of filing %s: %w", r.Event, r.FilingID, err)
	}
	params := map[string]string{"filing_id": r.FilingID}
	for k, v := range r.Params {
		params[k] = v
	}
	leader := app.Subject.Leader
	for _, m := range []notify.Message{
		{FilingID: r.FilingID, Event: r.Event, Channel: notify.SMS, To: leader.Mobile, Lang: "zh", Params: params},
		{FilingID: r.FilingID, Event: r.Event, Channel: notify.Email, To: leader.Email, Lang: "zh", Params: params},
	} {
		if m.To == "" {
			continue
		}
		if err := a.Notifier.Send(ctx, m); err != nil {
			return fmt.Errorf("notify %s of filing %s by %s: %w", r.Event, r.FilingID, m.Channel, err)
		}
	}
	return nil
}

var errNoRecipient = errors.New("no application saved yet")
