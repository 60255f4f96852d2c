package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/rules"
)

// filing is the state of one FilingWorkflow run. Handlers, the main flow and
// the order clock share it; workflow code runs one coroutine at a time, so
// no locking is needed.
type filing struct {
	in    FilingInput
	state FilingState
	cal   *calendar.Calendar
	rules *rules.RuleSet

	// lastUpdate is when anyone last acted on the filing; the order
	// lifetime counts from here while the filing waits on the applicant.
	lastUpdate time.Time
	// ended is set when cancellation or expiry must stop the main flow.
	ended *StageChange

	// Inboxes: handlers record the latest action of each kind here and the
	// main flow consumes them. Each is cleared when consumed.
	productReq    *VerifyProductRequest
	submitted     bool
	decision      *DecisionRequest
	photoPath     *ChoosePhotoPathRequest
	mailing       *MailingAddressRequest
	delivered     *ShipmentDeliveredRequest
	photo         *UploadPhotoRequest
	verification  *VerificationResultRequest
	smsOutcome    *SMSVerificationRequest
	bureauOutcome *BureauDecisionRequest

	// pending notifications, awaited before the workflow ends (filings
	// started before the outbox).
	pending []workflow.Future
	// unsent notifications, enqueued with the next read-model write.
	outboxNotifications bool
	// readModelWaits: the read model is rewritten whenever the wait
	// changes, not only at stage changes; recorded is what it last got.
	readModelWaits bool
	recorded       waitKey
	notifySeq      int64
	unsent         []activities.NotifyRequest

	trail auditTrail

	// resets is the inbox of support resets; rewriteReadModel asks the
	// reset watcher to write the read model after one.
	resets           workflow.ReceiveChannel
	rewriteReadModel bool
}

// errEnded unwinds the main flow once the filing was cancelled or expired.
var errEnded = errors.New("filing ended")

// FilingWorkflow runs one ICP filing of type 新增网站 (subject's original
// filing at another provider) from product verification to the bureau's
// decision, through every rejection loop.
func FilingWorkflow(ctx workflow.Context, in FilingInput) (FilingState, error) {
	if in.Settings.TimeScale <= 0 {
		in.Settings = DefaultSettings()
	}
	f := &filing{
		in:    in,
		cal:   calendar.Default(),
		rules: rules.DefaultRuleSet(),
		state: FilingState{
			FilingID:        in.FilingID,
			AccountID:       in.AccountID,
			Province:        in.Province,
			FilingType:      in.FilingType,
			Domain:          in.Domain,
			RuleSetVersion:  in.RuleSetVersion,
			CalendarVersion: in.CalendarVersion,
			CreatedAt:       in.CreatedAt,
			Timeline:        []StageChange{},
		},
	}
	f.lastUpdate = workflow.Now(ctx)
	f.trail.enabled = workflow.GetVersion(ctx, auditTrailChange, workflow.DefaultVersion, 1) == 1
	f.outboxNotifications = workflow.GetVersion(ctx, outboxNotificationsChange, workflow.DefaultVersion, 1) == 1
	f.readModelWaits = workflow.GetVersion(ctx, readModelWaitsChange, workflow.DefaultVersion, 1) == 1
	if f.trail.enabled {
		workflow.Go(ctx, f.runAuditTrail)
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (FilingState, error) {
		return f.state, nil
	}); err != nil {
		return FilingState{}, fmt.Errorf("register state query: %w", err)
	}
	if err := f.registerUpdates(ctx); err != nil {
		return FilingState{}, err
	}
	workflow.Go(ctx, f.runOrderClock)
	workflow.Go(ctx, f.runResetWatcher)

	err := f.run(ctx)
	if errors.Is(err, errEnded) {
		err = f.finishEnded(ctx)
	}
	if ferr := f.flushNotifications(ctx); ferr != nil && err == nil {
		err = ferr
	}
	for _, p := range f.pending {
		_ = p.Get(ctx, nil) // a failed notification is logged by the SDK; it never fails the filing
	}
	// Updates accepted before this point must get their replies, and the
	// audit trail must be complete before the filing closes.
	if werr := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && f.auditWritten() }); werr != nil && err == nil {
		err = werr
	}
	return f.state, err
}

// run is the process: product verification once, then the loop of editing,
// reviews and bureau submission until the bureau approves.
func (f *filing) run(ctx workflow.Context) error {
	if err := f.verifyProduct(ctx); err != nil {
		return err
	}
	photoDone := false
	for {
		if err := f.collectInformation(ctx); err != nil {
			return err
		}
		approved, err := f.initialReview(ctx)
		if err != nil {
			return err
		}
		if !approved {
			continue
		}
		// A filing the bureau sent back keeps its approved photo: only the
		// application changes between bureau rounds.
		if !photoDone {
			if err := f.photoVerification(ctx); err != nil {
				return err
			}
			photoDone = true
		}
		approved, err = f.bureau(ctx)
		if err != nil {
			return err
		}
		if approved {
			return f.complete(ctx)
		}
	}
}

// wait is the single way the flow waits for someone: it publishes what it
// waits for, then blocks until cond holds, the optional timeout passes
// (ok == false), or the filing is cancelled or expires (errEnded).
func (f *filing) wait(ctx workflow.Context, w waitSpec, cond func() bool) (ok bool, err error) {
	if f.readModelWaits {
		f.setWaiting(ctx, w)
		if err := f.recordWait(ctx); err != nil {
			return false, err
		}
	} else {
		if err := f.flushNotifications(ctx); err != nil {
			return false, err
		}
		f.setWaiting(ctx, w)
	}
	full := func() bool { return f.ended != nil || cond() }
	if w.timeout > 0 {
		ok, err = workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout:      w.timeout,
			TimerOptions: workflow.TimerOptions{Summary: w.timerSummary},
		}, full)
	} else {
		ok, err = true, workflow.Await(ctx, full)
	}
	if err != nil {
		return false, err
	}
	if f.ended != nil {
		return false, errEnded
	}
	return ok, nil
}

// waitSpec describes a wait for the state, the Web UI and the timer.
type waitSpec struct {
	step         string
	on           Party
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

// setWaiting publishes a wait in the state, the search attributes and the
// Web UI's current details.
func (f *filing) setWaiting(ctx workflow.Context, w waitSpec) {
	now := workflow.Now(ctx)
	if f.state.Step != w.step || f.state.WaitingOn != w.on {
		f.state.Since = &now
	}
	f.state.Step, f.state.WaitingOn, f.state.WaitingFor = w.step, w.on, w.what
	f.state.Deadline, f.state.DeadlineBusinessDays, f.state.DeadlineEstimated = nil, 0, false
	updates := []temporal.SearchAttributeUpdate{AttrWaitingOn.ValueSet(string(w.on))}
	details := fmt.Sprintf("**%s** · waiting for the **%s**: %s", f.state.Stage, w.on, w.what)
	if w.deadline != nil {
		at := w.deadline.at
		f.state.Deadline = &at
		f.state.DeadlineBusinessDays = w.deadline.businessDays
		f.state.DeadlineEstimated = w.deadline.estimated
		updates = append(updates, AttrStageDeadline.ValueSet(at))
		details += fmt.Sprintf(" · due %s", at.In(calendar.China).Format("2006-01-02 15:04 MST"))
		if w.deadline.businessDays > 0 {
			details += fmt.Sprintf(" (%d business days)", w.deadline.businessDays)
		}
	} else {
		updates = append(updates, AttrStageDeadline.ValueUnset())
	}
	workflow.SetCurrentDetails(ctx, details)
	// A failed upsert only degrades the operators' filters; never fail the
	// filing for it.
	_ = workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

// enterStage records a stage change in the state, the timeline, the search
// attributes and the read model.
func (f *filing) enterStage(ctx workflow.Context, stage Stage, reason string) error {
	now := workflow.Now(ctx)
	f.audit(ctx, "system", "stage_changed", "", nil, f.state.Stage, stage)
	f.state.Stage, f.state.Step = stage, ""
	f.state.Revision++
	f.state.UpdatedAt = now
	f.state.Timeline = append(f.state.Timeline, StageChange{Stage: stage, At: now, Reason: reason})
	updates := []temporal.SearchAttributeUpdate{AttrStage.ValueSet(string(stage))}
	if stage.Terminal() {
		f.state.WaitingOn, f.state.WaitingFor, f.state.Deadline, f.state.Since = PartyNone, "", nil, nil
		f.state.DeadlineBusinessDays, f.state.DeadlineEstimated = 0, false
		updates = append(updates, AttrWaitingOn.ValueSet(""), AttrStageDeadline.ValueUnset())
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("Filing ended: **%s**.", stage))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		return fmt.Errorf("upsert search attributes: %w", err)
	}
	return recordReadModel(ctx, f.state, f.takeUnsent())
}

// touch records that someone acted: the order clock restarts.
func (f *filing) touch(ctx workflow.Context) {
	f.lastUpdate = workflow.Now(ctx)
	f.state.UpdatedAt = f.lastUpdate
}

// scaled compresses a real-world duration by the filing's time scale.
func (f *filing) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / f.in.Settings.TimeScale)
}

// compress maps a real-world instant after from onto the compressed
// timeline: from + (at - from) / scale.
func (f *filing) compress(from, at time.Time) time.Time {
	return from.Add(f.scaled(at.Sub(from)))
}

// businessDeadline is n business days after from on the holiday calendar,
// compressed by the time scale.
func (f *filing) businessDeadline(from time.Time, n int) deadline {
	at, estimated := f.cal.AddBusinessDays(from, n)
	return deadline{at: f.compress(from, at), businessDays: n, estimated: estimated}
}

// provinceRules are the province's rules in force now.
func (f *filing) provinceRules(ctx workflow.Context) rules.ProvinceRules {
	return f.rules.For(f.in.Province, workflow.Now(ctx))
}

// reject records why the filing goes back.
func (f *filing) reject(ctx workflow.Context, by string, reasons []Reason) {
	f.state.LastRejection = &Rejection{By: by, At: workflow.Now(ctx), Reasons: reasons}
	f.audit(ctx, by, "rejected", "", reasons, f.state.Stage, f.state.Stage)
}
