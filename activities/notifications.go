package activities

import (
	"context"
	"errors"
	"fmt"
	"strconv"

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
	// Rejected is a rejection's reasons by code, for the event that
	// announces it (feed.Note).
	Rejected *filing.Rejected `json:"rejected,omitempty"`
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
	var out []outbox.Message
	for _, r := range reqs {
		params := map[string]string{"filing_id": string(filingID)}
		for k, v := range r.Params {
			params[k] = v
		}
		for i, person := range recipients(app, r.Event) {
			for _, to := range []struct {
				ch   notify.Channel
				addr string
			}{{notify.SMS, person.Mobile}, {notify.Email, person.Email}} {
				if to.addr == "" {
					continue
				}
				key := outbox.Key(string(filingID), r.Event, r.Seq, to.ch)
				if i > 0 {
					key += "/" + strconv.Itoa(i)
				}
				out = append(out, outbox.Message{
					DedupKey: key,
					Message:  notify.Message{FilingID: string(filingID), Event: r.Event, Channel: to.ch, To: to.addr, Lang: "zh", Params: params},
				})
			}
		}
	}
	if len(out) > 0 {
		if a.Sealer == nil {
			return nil, fmt.Errorf("recipients of filing %s: no data keys to seal them with", filingID)
		}
		if err := outbox.SealRecipients(ctx, a.Sealer, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recipients are the people told of event. The applicant's contact is the
// subject leader; but MIIT texts its verification code, for 新增网站, to
// each website's responsible person (domain brief §2.5, MIIT's 2018 table:
// 新增网站 → website admin), so the SMS notices go to them, once per
// distinct mobile number, as MIIT counts the same phone once.
func recipients(app filing.Application, event string) []filing.Person {
	leader := app.Subject.Leader
	if event != notify.EventSMSVerificationNeeded && event != notify.EventSMSVerificationReturned {
		return []filing.Person{leader}
	}
	var out []filing.Person
	seen := map[string]bool{}
	for i := range app.Websites {
		p := app.ResponsibleOf(i)
		if p.Mobile == "" || seen[p.Mobile] {
			continue
		}
		seen[p.Mobile] = true
		out = append(out, p)
	}
	if len(out) == 0 {
		return []filing.Person{leader}
	}
	return out
}
