package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/filing"
)

// inbox holds the latest accepted action of one kind until the flow takes
// it. Validators accept an action only in the stage and step that wait for
// it, so an inbox fills only while the flow waits on it and never holds a
// stale action when a new wait begins.
type inbox[T any] struct{ v *T }

func (b *inbox[T]) put(v T)    { b.v = &v }
func (b *inbox[T]) full() bool { return b.v != nil }

// take empties the inbox and returns what it held.
func (b *inbox[T]) take() T {
	v := *b.v
	b.v = nil
	return v
}

// drop empties the inbox.
func (b *inbox[T]) drop() { b.v = nil }

// inboxes are the actions the flow waits for, one inbox per kind.
type inboxes struct {
	product       inbox[filing.VerifyProductRequest]
	submit        inbox[filing.SubmitRequest]
	decision      inbox[filing.DecisionRequest] // initial and photo review
	photoPath     inbox[filing.ChoosePhotoPathRequest]
	mailing       inbox[filing.MailingAddressRequest]
	delivered     inbox[filing.ShipmentDeliveredRequest]
	photo         inbox[filing.UploadPhotoRequest]
	verification  inbox[filing.VerificationResultRequest]
	smsOutcome    inbox[filing.SMSVerificationRequest]
	bureauOutcome inbox[filing.BureauDecisionRequest]
}

// receive waits for the next action in box while publishing w: ok is false
// when w's timeout passed first, and the error is errEnded when the filing
// was cancelled or expired meanwhile.
func receive[T any](ctx workflow.Context, f *flow, box *inbox[T], w waitSpec) (v T, ok bool, err error) {
	ok, err = f.wait(ctx, w, box.full)
	if err != nil || !ok {
		return v, ok, err
	}
	return box.take(), true, nil
}

// waitSpec describes a wait for the state, the Web UI and the timer.
type waitSpec struct {
	step         filing.Step
	on           filing.Party
	what         string
	deadline     *deadline // shown to callers; nil for open-ended waits
	timeout      time.Duration
	timerSummary string
}

// deadline is an instant, with its size in business days when it is a
// business-day deadline.
type deadline struct {
	at           time.Time
	businessDays int
	estimated    bool
}

// wait is the single way the flow waits: it publishes what it waits for,
// commits, then blocks until cond holds, the optional timeout passes (ok ==
// false), or the filing is cancelled or expires (errEnded). Changes made
// meanwhile by actions that do not end the wait (an attached material, a
// reminder) are committed as they come, without restarting the timer.
func (f *flow) wait(ctx workflow.Context, w waitSpec, cond func() bool) (ok bool, err error) {
	f.setWaiting(ctx, w)
	full := func() bool { return f.ended != nil || cond() }
	if full() {
		// Already there (an answer the flow polled, an action that came in
		// meanwhile): nothing to publish, time or commit; the step that
		// follows commits.
		if f.ended != nil {
			return false, errEnded
		}
		return true, nil
	}
	var timer workflow.Future
	if w.timeout > 0 {
		tctx, cancel := workflow.WithCancel(ctx)
		// A timer that is not cancelled fires later all the same and costs
		// a workflow task; cancelled in the workflow task that started it,
		// it never reaches the history at all.
		defer cancel()
		timer = workflow.NewTimerWithOptions(tctx, w.timeout, workflow.TimerOptions{Summary: w.timerSummary})
	}
	timedOut := func() bool { return timer != nil && timer.IsReady() }
	for {
		if err := f.commit(ctx); err != nil {
			return false, err
		}
		if full() || timedOut() {
			break
		}
		if err := workflow.Await(ctx, func() bool { return full() || timedOut() || f.uncommitted(ctx) }); err != nil {
			return false, err
		}
		if full() {
			// Committed by the step that follows, with what it changes.
			break
		}
	}
	if f.ended != nil {
		return false, errEnded
	}
	if !full() {
		workflow.GetLogger(ctx).Info("wait timed out", "stage", f.state.Stage, "step", w.step, "waiting_on", w.on)
		return false, nil
	}
	return true, nil
}

// setWaiting describes a wait in the state and the Web UI's current
// details; the next commit publishes it.
func (f *flow) setWaiting(ctx workflow.Context, w waitSpec) {
	now := workflow.Now(ctx)
	if f.state.Step != w.step || f.state.WaitingOn != w.on {
		f.state.Since = &now
	}
	f.state.Step, f.state.WaitingOn, f.state.WaitingFor = w.step, w.on, w.what
	f.state.Deadline, f.state.DeadlineBusinessDays, f.state.DeadlineEstimated = nil, 0, false
	details := fmt.Sprintf("**%s** · waiting for the **%s**: %s", f.state.Stage, w.on, w.what)
	if w.deadline != nil {
		at := w.deadline.at
		f.state.Deadline = &at
		f.state.DeadlineBusinessDays = w.deadline.businessDays
		f.state.DeadlineEstimated = w.deadline.estimated
		details += fmt.Sprintf(" · due %s", at.In(calendar.China).Format("2006-01-02 15:04 MST"))
		if w.deadline.businessDays > 0 {
			details += fmt.Sprintf(" (%d business days)", w.deadline.businessDays)
		}
	}
	workflow.SetCurrentDetails(ctx, details)
	logWait := []any{"stage", f.state.Stage, "step", w.step, "waiting_on", w.on}
	if f.state.Deadline != nil {
		logWait = append(logWait, "deadline", f.state.Deadline.Format(time.RFC3339))
	}
	workflow.GetLogger(ctx).Info("waiting", logWait...)
}
