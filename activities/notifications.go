package activities

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/faults"
	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
)

// NotifyRequest names an event of a filing; the recipients are looked up
// here so their phone numbers and e-mail addresses stay out of histories.
type NotifyRequest struct {
	FilingID   string            `json:"filing_id"`
	Event      string            `json:"event"`
	RevisionID string            `json:"revision_id,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	// Seq numbers the filing's notifications; with the event and channel it
	// makes the outbox key, so a retried write enqueues nothing twice.
	Seq int64 `json:"seq,omitempty"`
}

// Notify enqueues the event for the subject's leader by SMS and e-mail in
// the outbox, from which the sender delivers it. It serves filings started
// before notifications travelled with the read-model write.
func (a *Activities) Notify(ctx context.Context, r NotifyRequest) error {
	msgs, err := a.messages(ctx, r.FilingID, []NotifyRequest{r})
	if err != nil {
		return err
	}
	if err := outbox.Enqueue(a.DB.Gorm.WithContext(ctx), msgs...); err != nil {
		return fmt.Errorf("notify %s of filing %s: %w", r.Event, r.FilingID, err)
	}
	faults.Point(faults.AfterNotify)
	return nil
}

// messages resolves the recipients of notifications into outbox messages.
// Before an application is saved there is nobody to tell, which is not an
// error.
func (a *Activities) messages(ctx context.Context, filingID string, reqs []NotifyRequest) ([]outbox.Message, error) {
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
		params := map[string]string{"filing_id": filingID}
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
			seq := r.Seq
			if seq == 0 {
				seq = legacySeq(r)
			}
			out = append(out, outbox.Message{
				DedupKey: outbox.Key(filingID, r.Event, seq, to.ch),
				Message:  notify.Message{FilingID: filingID, Event: r.Event, Channel: to.ch, To: to.addr, Lang: "zh", Params: params},
			})
		}
	}
	return out, nil
}

// legacySeq keys a notification of a filing started before notifications
// were numbered: the same event with the same parameters is the same
// message.
func legacySeq(r NotifyRequest) int64 {
	h := fnv.New64a()
	h.Write([]byte(r.Event))
	keys := make([]string, 0, len(r.Params))
	for k := range r.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h.Write([]byte(k + "=" + r.Params[k] + ";"))
	}
	return int64(h.Sum64() >> 1)
}
