package main

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/bureau"
	"github.com/beianflow/beianflow/internal/courier"
	"github.com/beianflow/beianflow/rules"
)

// Stand-ins: the sandbox courier and bureau act on their own at the
// filing's time scale; should one be later than that scale lets it be, the
// demo delivers its event as support, through the documented hand-delivery
// endpoints, and says so.

// standIn delivers an outside party's event as support once the sandbox
// world has had the delay expected at the filing's time scale (expected,
// from when the wait is first seen) and the grace without delivering it
// itself; a wait with a deadline (the SMS window) keeps at least half its
// time.
func (d *demo) standIn(name, what, endpoint string, expected func(time.Time) time.Duration, deadline *time.Time, deliver func() error) error {
	if d.done[name] {
		return nil
	}
	due, ok := d.standInAt[name]
	if !ok {
		grace := expected(time.Now()) + d.opts.Grace
		if deadline != nil {
			grace = max(min(grace, time.Until(*deadline)/2), 0)
		}
		due = time.Now().Add(grace)
		d.standInAt[name] = due
		d.waitedFrom[name] = time.Now()
	}
	if time.Now().Before(due) {
		return nil
	}
	d.done[name] = true
	d.say(fmt.Sprintf("%s after %s, later than the filing's time scale lets it be; support delivers the event by hand: POST …/%s",
		what, time.Since(d.waitedFrom[name]).Round(100*time.Millisecond), endpoint))
	if err := deliver(); err != nil && !movedOn(err) {
		return fmt.Errorf("demo: deliver %s: %w", name, err)
	}
	return nil
}

// The sandbox world's delays, from now, as the sandboxes schedule them at
// the filing's time scale (which they follow).

// deliveryDelay is how long the sandbox courier takes to deliver a
// backdrop ordered at now.
func (d *demo) deliveryDelay(now time.Time) time.Duration {
	_, delivered := courier.SandboxOptions{DeliveryDays: d.opts.DeliveryDays}.Schedule(now, d.opts.TimeScale)
	return delivered.Sub(now)
}

// smsDelay is how long the sandbox applicant takes to verify by SMS.
func (d *demo) smsDelay(now time.Time) time.Duration {
	return bureau.SandboxOptions{}.SMSVerifiedAt(now, d.opts.TimeScale).Sub(now)
}

// reviewDelay is how long the sandbox bureau's review takes from now.
func (d *demo) reviewDelay(now time.Time) time.Duration {
	return bureau.SandboxOptions{ReviewBusinessDays: d.opts.ReviewBusinessDays}.DecidedAt(now, d.opts.TimeScale).Sub(now)
}

// demoFilingNumber forms the number the sandbox bureau would issue
// (<省简称>ICP备<yy><6 digits>号-1, the digits hashed from the filing ID).
func demoFilingNumber(province string, filingID filing.ID, at time.Time) string {
	p, _ := rules.LookupProvince(province)
	h := fnv.New64a()
	_, _ = h.Write([]byte(filingID))
	return fmt.Sprintf("%sICP备%02d%06d号-1", p.Abbrev, at.In(calendar.China).Year()%100, h.Sum64()%1_000_000)
}
