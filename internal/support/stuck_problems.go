package support

import (
	"context"
	"errors"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/workflows"
)

// What makes one filing stuck: a failing workflow task or activity, read
// from Temporal's description of it, or a wait past its deadline.

// problems describes one filing and lists what is wrong with it.
func (s *Service) problems(ctx context.Context, filingID filing.ID, minAttempts int) ([]filing.StuckFiling, error) {
	d, err := s.Filings.Describe(ctx, filingID)
	if errors.Is(err, filings.ErrNotFound) {
		return nil, nil // gone between listing and describing
	}
	if err != nil {
		return nil, err
	}
	if d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return nil, nil // ended meanwhile
	}
	var out []filing.StuckFiling
	if wt := d.GetPendingWorkflowTask(); wt != nil && wt.GetAttempt() > 1 {
		it := filing.StuckFiling{Reason: filing.StuckWorkflowTaskFailing, Details: filing.StuckDetails{Attempt: wt.GetAttempt()}}
		f, err := s.lastWorkflowTaskFailure(ctx, filingID, d.GetWorkflowExecutionInfo().GetExecution().GetRunId())
		switch {
		case err != nil:
			it.Details.LastFailure = "(the history could not be read: " + truncate(err.Error(), 200) + ")"
		case f != nil:
			it.Details.Cause, it.Details.LastFailure, it.Details.LastFailureAt = f.cause, f.message, f.at
		}
		out = append(out, it)
	}
	for _, a := range d.GetPendingActivities() {
		if int(a.GetAttempt()) < minAttempts && !a.GetPaused() {
			continue
		}
		if polling(a) {
			continue
		}
		det := filing.StuckDetails{
			ActivityID: a.GetActivityId(), ActivityType: a.GetActivityType().GetName(), Attempt: a.GetAttempt(),
			MaximumAttempts: a.GetMaximumAttempts(), Paused: a.GetPaused(), State: activityState(a.GetState()),
			NextAttemptAt: timeOf(a.GetNextAttemptScheduleTime()), LastFailureAt: timeOf(a.GetLastAttemptCompleteTime()),
		}
		if f := a.GetLastFailure(); f != nil {
			det.LastFailure = truncate(f.GetMessage(), maxFailureRunes)
			det.LastFailureType = f.GetApplicationFailureInfo().GetType()
		}
		out = append(out, filing.StuckFiling{Reason: filing.StuckActivityFailing, Details: det})
	}
	if len(out) == 0 {
		return nil, nil
	}
	stage, waitingOn := searchAttribute(d, workflows.AttrStage.GetName()), searchAttribute(d, workflows.AttrWaitingOn.GetName())
	row, rerr := store.NewFilings(s.DB).Get(ctx, filingID)
	for i := range out {
		it := &out[i]
		it.FilingID, it.WorkflowID = filingID, filingID.WorkflowID()
		it.Stage, it.WaitingOn = filing.Stage(stage), filing.Party(waitingOn)
		if rerr == nil {
			if it.Stage == "" {
				it.Stage, it.WaitingOn = filing.Stage(row.Stage), filing.Party(row.WaitingOn)
			}
			// No step: the read model records waits, not the steps
			// activities run in, so its step would be the last wait's.
			it.UpdatedAt = utc(&row.UpdatedAt)
		}
		it.NextStep = advice(*it)
	}
	return out, nil
}

// overdue lists open filings whose current wait is past its deadline, most
// overdue first. Candidates come from the read model (indexed by deadline);
// each is checked against the workflow's live search attributes, because the
// read model records waits, not the steps in between (a filing submitting
// to the bureau still shows the submission window's deadline there).
func (s *Service) overdue(ctx context.Context, now time.Time, limit int) ([]filing.StuckFiling, error) {
	yes := true
	rows, _, err := store.NewFilings(s.DB).List(ctx, store.ListQuery{
		Overdue: &yes, Now: now, Limit: min(limit, store.MaxListLimit),
		Sort: store.Sort{Field: store.SortDeadline},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: overdue filings: %w", ErrDatabase, err)
	}
	byID := make(map[filing.ID]filing.Row, len(rows))
	ids := make([]filing.ID, 0, len(rows))
	for _, f := range rows {
		r := f.Row(now)
		byID[r.FilingID] = r
		ids = append(ids, r.FilingID)
	}
	return eachFiling(ctx, ids, func(ctx context.Context, id filing.ID) ([]filing.StuckFiling, error) {
		d, err := s.Filings.Describe(ctx, id)
		if errors.Is(err, filings.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return nil, nil
		}
		deadline := searchAttributeTime(d, workflows.AttrStageDeadline.GetName())
		if deadline == nil || !deadline.Before(now) {
			return nil, nil // the read model is behind: the filing waits for something else now
		}
		r := byID[id]
		it := filing.StuckFiling{
			FilingID: id, WorkflowID: id.WorkflowID(), Reason: filing.StuckDeadlinePassed,
			Stage:     filing.Stage(orDefault(searchAttribute(d, workflows.AttrStage.GetName()), string(r.Stage))),
			WaitingOn: filing.Party(orDefault(searchAttribute(d, workflows.AttrWaitingOn.GetName()), string(r.WaitingOn))),
			Deadline:  deadline, UpdatedAt: utc(&r.UpdatedAt),
			Details: filing.StuckDetails{OverdueSeconds: int64(now.Sub(*deadline) / time.Second)},
		}
		if r.Stage == it.Stage && r.WaitingOn == it.WaitingOn {
			it.Step = r.Step
		}
		it.NextStep = advice(it)
		return []filing.StuckFiling{it}, nil
	})
}

// wftFailure is the last failed workflow task of a run.
type wftFailure struct {
	cause, message string
	at             *time.Time
	// timedOut: the series began with a timed-out task, so the failures
	// after it are transient and not in the history.
	timedOut bool
}

// lastWorkflowTaskFailure reads the run's history backwards for its last
// WorkflowTaskFailed event. Temporal writes the first failure of a series
// and keeps later attempts transient, so the event is near the end.
func (s *Service) lastWorkflowTaskFailure(ctx context.Context, filingID filing.ID, runID string) (*wftFailure, error) {
	ns, err := s.namespace(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := s.Filings.Temporal.WorkflowService().GetWorkflowExecutionHistoryReverse(ctx,
		&workflowservice.GetWorkflowExecutionHistoryReverseRequest{
			Namespace:       ns,
			Execution:       &commonpb.WorkflowExecution{WorkflowId: filingID.WorkflowID(), RunId: runID},
			MaximumPageSize: 100,
		})
	if err != nil {
		return nil, err
	}
	return wftFailureIn(resp.GetHistory().GetEvents()), nil
}

// wftFailureIn finds, in events newest first, how the current series of
// failing workflow tasks began: nil when the newest workflow task event is a
// completion (or none is in events).
func wftFailureIn(newestFirst []*historypb.HistoryEvent) *wftFailure {
	for _, ev := range newestFirst {
		switch {
		case ev.GetWorkflowTaskFailedEventAttributes() != nil:
			a := ev.GetWorkflowTaskFailedEventAttributes()
			return &wftFailure{cause: a.GetCause().String(), message: truncate(a.GetFailure().GetMessage(), maxFailureRunes),
				at: timeOf(ev.GetEventTime())}
		case ev.GetWorkflowTaskTimedOutEventAttributes() != nil:
			return &wftFailure{timedOut: true, at: timeOf(ev.GetEventTime())}
		case ev.GetWorkflowTaskCompletedEventAttributes() != nil:
			return nil
		}
	}
	return nil
}

func activityState(s enumspb.PendingActivityState) string {
	switch s {
	case enumspb.PENDING_ACTIVITY_STATE_SCHEDULED:
		return "scheduled"
	case enumspb.PENDING_ACTIVITY_STATE_STARTED:
		return "started"
	case enumspb.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED:
		return "cancel_requested"
	case enumspb.PENDING_ACTIVITY_STATE_PAUSED:
		return "paused"
	case enumspb.PENDING_ACTIVITY_STATE_PAUSE_REQUESTED:
		return "pause_requested"
	}
	return ""
}

// searchAttribute reads a keyword search attribute of a described
// workflow; search attributes are never encrypted.
func searchAttribute(d *workflowservice.DescribeWorkflowExecutionResponse, name string) string {
	p := d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()[name]
	if p == nil {
		return ""
	}
	var v string
	if converter.GetDefaultDataConverter().FromPayload(p, &v) != nil {
		return ""
	}
	return v
}

// searchAttributeTime reads a datetime search attribute, nil when unset.
func searchAttributeTime(d *workflowservice.DescribeWorkflowExecutionResponse, name string) *time.Time {
	p := d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()[name]
	if p == nil {
		return nil
	}
	var v time.Time
	if converter.GetDefaultDataConverter().FromPayload(p, &v) != nil || v.IsZero() {
		return nil
	}
	return utc(&v)
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// polling reports an activity whose attempts are polls (the bureau asked
// once a day until it decides) and whose last attempt found no news: it
// waits, it does not fail. A poll that fails otherwise (the gateway is
// down) is listed.
func polling(a *workflowpb.PendingActivityInfo) bool {
	return !a.GetPaused() && a.GetLastFailure().GetApplicationFailureInfo().GetType() == activities.ErrTypeUndecided
}
