package support

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/workflows"
)

// Errors of Reset.
var (
	// ErrStageNotReached: the filing has never been in the stage asked for.
	ErrStageNotReached = errors.New("support: the filing has not been in that stage")
	// ErrAtStageStart: the filing has done nothing since it entered the
	// stage; a reset would change nothing.
	ErrAtStageStart = errors.New("support: the filing is at the start of that stage already")
	// ErrNotResettable: the stage is not one a filing can be put back to.
	ErrNotResettable = errors.New("support: not a stage a filing can be reset to")
)

// numberingBlock separates the audit sequence numbers and read-model
// revisions of the runs a reset creates: the new run numbers from the next
// multiple above everything written before. The old run may still land a
// write it had in flight when it was reset; it lands below the block and
// never collides with the new run's.
const numberingBlock = 1_000_000

// ResetOrder asks to put a filing back to the start of a stage.
type ResetOrder struct {
	ToStage filing.Stage
	// Reason is the support staff's explanation; it goes to the audit
	// trail (our database), never into Temporal in clear.
	Reason string
	// Actor is who asks (support:<API key ID>).
	Actor string
	// RequestID makes a retried request reset once (Temporal deduplicates
	// on it); empty for a new random one.
	RequestID string
}

// Reset puts a filing back to where it last entered a stage: Temporal
// resets the workflow to the first workflow task after that entry, so the
// stage's work runs again on the current code. Outside calls are keyed by
// the filing's own numbering (one backdrop per filing, one submission per
// round), so a step that runs again gets the partner's earlier answer
// rather than a second shipment or submission.
//
// Temporal does not reapply updates: after the reset the applicant's later
// actions are sent again one by one, in order, and the validators keep
// those that fit; reviewers', partners' and cancellation decisions taken
// after the reset point are dropped and listed. The run learns who reset it
// and why from a ResetNotice signal (the one signal Temporal reapplies)
// before its first new workflow task, and writes that to the audit trail.
// Only a running filing can be reset.
func (s *Service) Reset(ctx context.Context, filingID filing.ID, req ResetOrder) (*filing.ResetResult, error) {
	if !slices.Contains(filing.ResettableStages(), req.ToStage) {
		return nil, ErrNotResettable
	}
	// Approved, cancelled or expired are business outcomes that a reset
	// must not undo (an approval has consumed its 备案服务号). A run that
	// failed or was terminated cannot take the notice that keeps the new
	// run's numbering apart (docs/operations.md).
	d, err := s.describeRunning(ctx, filingID)
	if err != nil {
		return nil, err
	}
	info := d.GetWorkflowExecutionInfo()
	exec := info.GetExecution()
	// Payloads stay as stored (encrypted): the reset point is found from
	// search attributes, which are never encoded, and actions are
	// redelivered with their payloads untouched.
	h, truncated, err := s.Filings.History(ctx, filingID, exec.GetRunId(), maxWholeHistoryEvents)
	if err != nil {
		return nil, err
	}
	if truncated {
		return nil, fmt.Errorf("support: history of filing %s is too long to reset here", filingID)
	}
	events := h.GetEvents()
	point, err := resetPoint(events, req.ToStage)
	if err != nil {
		return nil, err
	}
	redeliver, dropped := actionsAfter(events, point)

	auditBase, revisionBase, err := s.numberingBases(ctx, filingID)
	if err != nil {
		return nil, err
	}
	notice := filing.ResetNotice{Actor: req.Actor, FromRunID: exec.GetRunId(), ToStage: req.ToStage, EventID: point,
		Reason: req.Reason, AuditBase: auditBase, RevisionBase: revisionBase}
	input, err := s.dataConverter().ToPayloads(notice)
	if err != nil {
		return nil, fmt.Errorf("support: encode the reset notice: %w", err)
	}
	ns, err := s.namespace(ctx)
	if err != nil {
		return nil, err
	}
	if req.RequestID == "" {
		req.RequestID = uuid.NewString()
	}
	// The notice goes to the run being reset, after the reset point, so
	// that Temporal reapplies it to the new run (signals are reapplied,
	// updates are not).
	_, err = s.Filings.Temporal.WorkflowService().SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
		Namespace:         ns,
		WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: exec.GetWorkflowId(), RunId: exec.GetRunId()},
		SignalName:        filing.SignalSupportReset,
		Input:             input,
		Identity:          req.Actor,
		RequestId:         req.RequestID,
	})
	if isNotFound(err) {
		return nil, filings.ErrClosed // it ended meanwhile
	}
	if err != nil {
		return nil, fmt.Errorf("support: send the reset notice to filing %s: %w", filingID, err)
	}
	resp, err := s.Filings.Temporal.WorkflowService().ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:         ns,
		WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: exec.GetWorkflowId(), RunId: exec.GetRunId()},
		// Temporal keeps the reason in clear in the history: no free text.
		Reason:                    fmt.Sprintf("support reset to %s by %s (reason in the audit trail)", req.ToStage, req.Actor),
		WorkflowTaskFinishEventId: point,
		RequestId:                 req.RequestID,
		ResetReapplyExcludeTypes:  []enumspb.ResetReapplyExcludeType{enumspb.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE},
		Identity:                  req.Actor,
	})
	if isNotFound(err) {
		return nil, filings.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("support: reset filing %s to event %d: %w", filingID, point, err)
	}
	res := &filing.ResetResult{FilingID: filingID, ToStage: req.ToStage, EventID: point, RunID: resp.GetRunId(),
		Redelivered: []filing.ResetAction{}, Dropped: dropped}
	for _, a := range redeliver {
		kept, refusal, err := s.redeliver(ctx, ns, exec.GetWorkflowId(), resp.GetRunId(), req.Actor, a)
		if err != nil {
			// The reset has happened: answer what was done (so that a
			// retried request is not a second reset) and say which action
			// the applicant has to repeat.
			kept, refusal = false, "not redelivered ("+truncate(err.Error(), maxFailureRunes)+"); the applicant has to repeat it"
		}
		res.Redelivered = append(res.Redelivered, filing.ResetAction{Action: a.name, At: a.at, Kept: kept, Refusal: refusal})
	}
	return res, nil
}

// resetPoint is the first workflow task that finished after the filing
// last entered stage (the search-attribute upsert of that entry). Starting
// again there keeps the entry and what brought the filing into the stage,
// and redoes everything after.
func resetPoint(events []*historypb.HistoryEvent, stage filing.Stage) (int64, error) {
	entered := int64(-1)
	for _, e := range events {
		if e.GetEventType() != enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES {
			continue
		}
		p := e.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields()[workflows.AttrStage.GetName()]
		if p == nil {
			continue
		}
		var v string
		if err := converter.GetDefaultDataConverter().FromPayload(p, &v); err == nil && v == string(stage) {
			entered = e.GetEventId()
		}
	}
	if entered < 0 {
		return 0, ErrStageNotReached
	}
	for _, e := range events {
		if e.GetEventId() <= entered {
			continue
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
			enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
			return e.GetEventId(), nil
		}
	}
	return 0, ErrAtStageStart
}

// laterAction is an accepted update after the reset point.
type laterAction struct {
	name, id string
	at       time.Time
	input    *commonpb.Payloads
	header   *commonpb.Header
}

// actionsAfter splits the updates accepted after the reset point into the
// applicant's (redelivered) and everyone else's (dropped).
func actionsAfter(events []*historypb.HistoryEvent, point int64) (redeliver []laterAction, dropped []filing.ResetAction) {
	dropped = []filing.ResetAction{}
	for _, e := range events {
		if e.GetEventId() <= point || e.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED {
			continue
		}
		r := e.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest()
		a := laterAction{name: r.GetInput().GetName(), id: r.GetMeta().GetUpdateId(), at: e.GetEventTime().AsTime().UTC(),
			input: r.GetInput().GetArgs(), header: r.GetInput().GetHeader()}
		if slices.Contains(filing.ApplicantUpdates(), a.name) {
			redeliver = append(redeliver, a)
		} else {
			dropped = append(dropped, filing.ResetAction{Action: a.name, At: a.at})
		}
	}
	return redeliver, dropped
}

// numberingBases are the blocks the new run numbers its audit entries and
// read-model revisions from.
func (s *Service) numberingBases(ctx context.Context, filingID filing.ID) (audit, revision int64, err error) {
	maxSeq, err := store.NewEvents(s.DB).MaxSeq(ctx, filingID)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %w", ErrDatabase, err)
	}
	var rev int64
	f, err := store.NewFilings(s.DB).Get(ctx, filingID)
	switch {
	case err == nil:
		rev = f.Revision
	case !errors.Is(err, store.ErrNotFound):
		return 0, 0, fmt.Errorf("%w: %w", ErrDatabase, err)
	}
	next := func(n int64) int64 { return (n/numberingBlock + 1) * numberingBlock }
	return next(maxSeq), next(rev), nil
}

// dataConverter encodes like the workers decode: JSON, then the payload
// codec.
func (s *Service) dataConverter() converter.DataConverter {
	if s.Codec == nil {
		return converter.GetDefaultDataConverter()
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), s.Codec)
}

// redeliverTimeout bounds one redelivered action (a material is verified
// against S3 before it is accepted).
const redeliverTimeout = time.Minute

// redeliver sends one of the applicant's later actions to the new run with
// its original update ID and payload, and waits for the outcome.
func (s *Service) redeliver(ctx context.Context, ns, workflowID, runID, identity string, a laterAction) (kept bool, refusal string, err error) {
	ctx, cancel := context.WithTimeout(ctx, redeliverTimeout)
	defer cancel()
	exec := &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: runID}
	meta := &updatepb.Meta{UpdateId: a.id, Identity: identity}
	wait := &updatepb.WaitPolicy{LifecycleStage: enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED}
	resp, err := s.Filings.Temporal.WorkflowService().UpdateWorkflowExecution(ctx, &workflowservice.UpdateWorkflowExecutionRequest{
		Namespace:         ns,
		WorkflowExecution: exec,
		WaitPolicy:        wait,
		Request:           &updatepb.Request{Meta: meta, Input: &updatepb.Input{Name: a.name, Args: a.input, Header: a.header}},
	})
	if err != nil {
		return false, "", err
	}
	outcome := resp.GetOutcome()
	// The server answers before completion when its long poll ends; ask
	// again until the outcome is there.
	for outcome == nil {
		p, err := s.Filings.Temporal.WorkflowService().PollWorkflowExecutionUpdate(ctx, &workflowservice.PollWorkflowExecutionUpdateRequest{
			Namespace: ns, UpdateRef: &updatepb.UpdateRef{WorkflowExecution: exec, UpdateId: a.id}, Identity: identity, WaitPolicy: wait,
		})
		if err != nil {
			return false, "", err
		}
		outcome = p.GetOutcome()
	}
	if f := outcome.GetFailure(); f != nil {
		return false, truncate(f.GetMessage(), maxFailureRunes), nil
	}
	return true, "", nil
}
