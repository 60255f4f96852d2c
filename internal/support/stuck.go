package support

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/workflows"
)

// Bounds of a stuck scan.
const (
	DefaultStuckLimit  = 50
	MaxStuckLimit      = 200
	DefaultStuckScan   = 200
	MaxStuckScan       = 1000
	DefaultMinAttempts = 2
	// describeConcurrency bounds parallel DescribeWorkflowExecution calls.
	describeConcurrency = 8
)

// StuckQuery bounds the work of a scan.
type StuckQuery struct {
	// Limit is the most filings listed (1..MaxStuckLimit).
	Limit int
	// Scan is the most open filings described in Temporal (1..MaxStuckScan).
	Scan int
	// MinAttempts is the attempt from which a retrying activity is listed
	// (an activity on its second attempt has failed once).
	MinAttempts int
	// Cursor continues the scan of open filings where an earlier one
	// stopped (filing.StuckReport.NextCursor). Overdue filings come from the read
	// model in one query and are listed on the first page only.
	Cursor string
}

func (q *StuckQuery) normalize() {
	if q.Limit <= 0 {
		q.Limit = DefaultStuckLimit
	}
	q.Limit = min(q.Limit, MaxStuckLimit)
	if q.Scan <= 0 {
		q.Scan = DefaultStuckScan
	}
	q.Scan = min(q.Scan, MaxStuckScan)
	if q.MinAttempts <= 0 {
		q.MinAttempts = DefaultMinAttempts
	}
}

// openFilingsQuery selects the running filing workflows in visibility.
const openFilingsQuery = "WorkflowType = '" + filing.WorkflowName + "' AND ExecutionStatus = 'Running'"

// Stuck lists filings that need support: workflow tasks failing, activities
// failing again and again, and waits past their deadline. The work is
// bounded: at most q.Scan open filings are described (Temporal's visibility
// order, newest started first), continuing from q.Cursor; overdue filings
// are at most q.Limit candidates of the read model, each checked live.
func (s *Service) Stuck(ctx context.Context, q StuckQuery) (*filing.StuckReport, error) {
	q.normalize()
	now := s.now().UTC()
	rep := &filing.StuckReport{Items: []filing.StuckFiling{}, CheckedAt: now}

	token, err := decodeCursor(q.Cursor)
	if err != nil {
		return nil, err
	}
	var execs []*workflowservice.ListWorkflowExecutionsResponse
	for scanned := 0; scanned < q.Scan; {
		resp, err := s.Filings.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize: int32(min(q.Scan-scanned, 100)), NextPageToken: token, Query: openFilingsQuery})
		if err != nil {
			var bad *serviceerror.InvalidArgument
			if q.Cursor != "" && errors.As(err, &bad) {
				return nil, ErrBadCursor
			}
			return nil, fmt.Errorf("support: list open filings: %w", err)
		}
		execs = append(execs, resp)
		scanned += len(resp.Executions)
		token = resp.NextPageToken
		if len(token) == 0 || len(resp.Executions) == 0 {
			token = nil
			break
		}
	}
	if len(token) > 0 {
		rep.NextCursor = encodeCursor(token)
	}
	var ids []filing.ID
	for _, resp := range execs {
		for _, e := range resp.Executions {
			if id := filingIDOf(e.GetExecution().GetWorkflowId()); id != "" && len(ids) < q.Scan {
				ids = append(ids, id)
			}
		}
	}
	rep.Scanned = len(ids)
	if q.Cursor == "" {
		if n, err := s.Filings.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: openFilingsQuery}); err == nil {
			rep.OpenFilings = &n.Count
		}
	}

	found, err := s.describeAll(ctx, ids, q.MinAttempts)
	if err != nil {
		return nil, err
	}
	if q.Cursor == "" {
		overdue, err := s.overdue(ctx, now, q.Limit+1)
		if err != nil {
			return nil, err
		}
		found = append(found, overdue...)
	}
	rank := map[filing.StuckReason]int{filing.StuckWorkflowTaskFailing: 0, filing.StuckActivityFailing: 1, filing.StuckDeadlinePassed: 2}
	slices.SortStableFunc(found, func(a, b filing.StuckFiling) int {
		if c := cmp.Compare(rank[a.Reason], rank[b.Reason]); c != 0 {
			return c
		}
		if a.Reason == filing.StuckDeadlinePassed {
			return -cmp.Compare(a.Details.OverdueSeconds, b.Details.OverdueSeconds)
		}
		return -cmp.Compare(a.Details.Attempt, b.Details.Attempt)
	})
	if len(found) > q.Limit {
		found, rep.Truncated = found[:q.Limit], true
	}
	rep.Items = found
	return rep, nil
}

// A cursor is Temporal's page token behind a checksum: a mistyped or
// truncated cursor is refused here instead of reaching Temporal, which
// answers garbage tokens with an internal error.
const cursorSumBytes = 8

func encodeCursor(token []byte) string {
	sum := sha256.Sum256(token)
	return base64.RawURLEncoding.EncodeToString(append(sum[:cursorSumBytes:cursorSumBytes], token...))
}

func decodeCursor(c string) ([]byte, error) {
	if c == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) <= cursorSumBytes || len(b) > 4096 {
		return nil, ErrBadCursor
	}
	token := b[cursorSumBytes:]
	sum := sha256.Sum256(token)
	if !bytes.Equal(sum[:cursorSumBytes], b[:cursorSumBytes]) {
		return nil, ErrBadCursor
	}
	return token, nil
}

// eachFiling runs fn for each filing, a few at a time, and gathers what
// it returns; the first error stops the rest.
func eachFiling(ctx context.Context, ids []filing.ID, fn func(ctx context.Context, id filing.ID) ([]filing.StuckFiling, error)) ([]filing.StuckFiling, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		out   []filing.StuckFiling
		first error
		wg    sync.WaitGroup
	)
	next := make(chan filing.ID)
	for range min(describeConcurrency, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				items, err := fn(ctx, id)
				mu.Lock()
				if err != nil && first == nil {
					first = err
					cancel()
				}
				out = append(out, items...)
				mu.Unlock()
			}
		}()
	}
feed:
	for _, id := range ids {
		select {
		case next <- id:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, ctx.Err()
}

// describeAll describes each filing and returns the problems found.
func (s *Service) describeAll(ctx context.Context, ids []filing.ID, minAttempts int) ([]filing.StuckFiling, error) {
	return eachFiling(ctx, ids, func(ctx context.Context, id filing.ID) ([]filing.StuckFiling, error) {
		return s.problems(ctx, id, minAttempts)
	})
}

// problems describes one filing and lists what is wrong with it.
func (s *Service) problems(ctx context.Context, filingID filing.ID, minAttempts int) ([]filing.StuckFiling, error) {
	d, err := s.describe(ctx, filingID)
	if errors.Is(err, ErrNotFound) {
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
		d, err := s.describe(ctx, id)
		if errors.Is(err, ErrNotFound) {
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
