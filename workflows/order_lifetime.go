package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/filing"
)

// Durations of the order lifetime (before time scaling).
const (
	// OrderLifetime: a filing waiting on the applicant before bureau
	// submission is cancelled after this long without an update.
	OrderLifetime = 45 * 24 * time.Hour
	// FirstReminderAfter and SecondReminderAfter are the idle times at
	// which the applicant is reminded.
	FirstReminderAfter  = 30 * 24 * time.Hour
	SecondReminderAfter = 40 * 24 * time.Hour
)

// orderClockRunning reports whether the 45-day order lifetime counts: only
// before bureau submission and while the filing waits on the applicant (a
// filing waiting on our reviewers must not expire because of them).
func (f *flow) orderClockRunning() bool {
	return f.ended == nil && !f.state.Stage.Terminal() && !f.state.Stage.SubmittedToBureau() &&
		f.state.WaitingOn == filing.PartyApplicant
}

// orderExpiry is the deadline shown while waiting on the applicant.
func (f *flow) orderExpiry() *deadline {
	return &deadline{at: f.lastUpdate.Add(f.scaled(OrderLifetime))}
}

// runOrderClock reminds the applicant at 30 and 40 idle days and expires the
// filing at 45. Any update restarts the count.
func (f *flow) runOrderClock(ctx workflow.Context) {
	marks := []struct {
		after time.Duration
		event string
	}{
		{FirstReminderAfter, "idle_reminder"},
		{SecondReminderAfter, "idle_reminder"},
		{OrderLifetime, ""},
	}
	for {
		if err := workflow.Await(ctx, func() bool { return f.orderClockRunning() || f.state.Stage.Terminal() }); err != nil {
			return
		}
		if f.state.Stage.Terminal() || f.ended != nil {
			return
		}
		since := f.lastUpdate
		for _, m := range marks {
			at := since.Add(f.scaled(m.after))
			wait := at.Sub(workflow.Now(ctx))
			if wait > 0 {
				changed, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
					Timeout:      wait,
					TimerOptions: workflow.TimerOptions{Summary: "order lifetime: " + m.after.String() + " idle"},
				}, func() bool { return f.lastUpdate != since || !f.orderClockRunning() })
				if err != nil {
					return
				}
				if changed {
					break // activity or a change of party: start over
				}
			}
			if m.event != "" {
				f.notify(m.event, map[string]string{"idle_days": strconv.Itoa(int(m.after / (24 * time.Hour)))})
				// The main flow sleeps in its wait; send the reminder now.
				if err := f.flushNotifications(ctx); err != nil {
					return
				}
				continue
			}
			f.ended = &filing.StageChange{Stage: filing.StageExpired, Reason: "no update for 45 days"}
			return
		}
	}
}
