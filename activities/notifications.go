package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
)

// NotifyRequest names an event of a filing; the recipients are looked up
// here so their phone numbers and e-mail addresses stay out of histories.
type NotifyRequest struct {
	FilingID   filing.ID         `json:"filing_id"`
	Event      string            `json:"event"`
	RevisionID string            `json:"revision_id,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	// Seq numbers the filing's notifications; with the event and channel it
	// makes the outbox key, so a retried write enqueues nothing twice.
	Seq int64 `json:"seq,omitempty"`
}

// messages resolves the recipients of notifications into outbox messages.
// Before an application is saved there is nobody to tell, which is not an
// error.
func (a *Activities) messages(ctx context.Context, filingID filing.ID, reqs []NotifyRequest) ([]outbox.Message, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	var app filing.Application
	rev, err := a.Applications.Latest(ctx, filingID, store.KindApplication)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err == nil {
		err = a.Applications.Load(ctx, filingID, rev.ID, store.KindApplication, rev.Digest, &app)
	}
	if err != nil {
		return nil, fmt.Errorf("recipients of filing %s: %w", filingID, err)
	}
	leader := app.Subject.Leader
	var out []outbox.Message
	for _, r := range reqs {
		params := map[string]string{"filing_id": string(filingID)}
		for k, v := range r.Params {
			params[k] = v
		}
		for _, to := range []struct {
			ch   notify.Channel
			addr string
		}{{notify.SMS, leader.Mobile}, {notify.Email, leader.Email}} {
			if to.addr == "" {
				continue
			}
			out = append(out, outbox.Message{
				DedupKey: outbox.Key(string(filingID), r.Event, r.Seq, to.ch),
				Message:  notify.Message{FilingID: string(filingID), Event: r.Event, Channel: to.ch, To: to.addr, Lang: "zh", Params: params},
			})
		}
	}
	return out, nil
}
