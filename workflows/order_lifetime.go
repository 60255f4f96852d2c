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

// orderClockOver reports whether the order lifetime can no longer count:
// the filing went to the bureau or ended.
func (f *flow) orderClockOver() bool {
	return f.ended != nil || f.state.Stage.Terminal() || f.state.Stage.SubmittedToBureau()
}

// orderMark is an idle time at which the order clock acts: a reminder, or
// (with no event) expiry.
type orderMark struct {
	after time.Duration
	event string
}

var orderMarks = []orderMark{
	{FirstReminderAfter, "idle_reminder"},
	{SecondReminderAfter, "idle_reminder"},
	{OrderLifetime, ""},
}

// runOrderClock reminds the applicant at 30 and 40 idle days and expires the
// filing at 45. Any update restarts the count.
//
// One timer at a time, and not one per update: an update moves the next
// mark later, so the running timer fires early at worst, and the clock then
// sets one for the mark as it stands. A filing that keeps moving costs one
// timer per 30 days, not one per action. The timer is cancelled once the
// clock is over.
func (f *flow) runOrderClock(ctx workflow.Context) {
	var (
		timer  workflow.Future
		cancel workflow.CancelFunc
		firing time.Time // when timer fires
		since  time.Time // the idle time counts from here
		next   int       // the next mark for since
	)
	defer func() {
		if cancel != nil {
			cancel()
		}
	}()
	for {
		if err := workflow.Await(ctx, func() bool { return f.orderClockRunning() || f.orderClockOver() }); err != nil {
			return
		}
		if f.orderClockOver() {
			return
		}
		if !f.lastUpdate.Equal(since) {
			since, next = f.lastUpdate, 0
		}
		m := orderMarks[next]
		at := since.Add(f.scaled(m.after))
		if !workflow.Now(ctx).Before(at) {
			if m.event == "" {
				f.ended = &filing.StageChange{Stage: filing.StageExpired, Reason: "no update for 45 days"}
				return
			}
			// The main flow, asleep in its wait, commits it.
			f.notify(m.event, map[string]string{"idle_days": strconv.Itoa(int(m.after / (24 * time.Hour)))})
			next++
			continue
		}
		if timer != nil && timer.IsReady() {
			timer = nil
		}
		if timer == nil || firing.After(at) {
			if cancel != nil {
				cancel()
			}
			var tctx workflow.Context
			tctx, cancel = workflow.WithCancel(ctx)
			firing = at
			timer = workflow.NewTimerWithOptions(tctx, at.Sub(workflow.Now(ctx)),
				workflow.TimerOptions{Summary: "order lifetime: " + m.after.String() + " idle"})
		}
		if err := workflow.Await(ctx, func() bool {
			return timer.IsReady() || !f.lastUpdate.Equal(since) || !f.orderClockRunning()
		}); err != nil {
			return
		}
	}
}
