package support

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/beianflow/beianflow/filing"
	bfworker "github.com/beianflow/beianflow/worker"
)

// maxReplayErrorRunes bounds the replayer's error in an answer: it names
// commands, event IDs and types, never payloads.
const maxReplayErrorRunes = 2000

// ErrBadHistory means the uploaded JSON is not a workflow history.
var ErrBadHistory = errors.New("support: not a workflow history")

// replaySlots bounds concurrent replays: each runs the whole workflow code
// over the history on the API's CPU.
var replaySlots = make(chan struct{}, 2)

// ReplayFiling replays the filing's current history (latest run).
func (s *Service) ReplayFiling(ctx context.Context, filingID filing.ID) (*filing.ReplayResult, error) {
	d, err := s.Filings.Describe(ctx, filingID)
	if err != nil {
		return nil, err
	}
	runID := d.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	h, truncated, err := s.Filings.History(ctx, filingID, runID, maxWholeHistoryEvents)
	if err != nil {
		return nil, err
	}
	if truncated {
		return nil, fmt.Errorf("support: history of filing %s is too long to replay here", filingID)
	}
	res, err := s.Replay(ctx, h)
	if err != nil {
		return nil, err
	}
	res.FilingID, res.RunID = filingID, runID
	return res, nil
}

// ReplayJSON replays a history as exported by `temporal workflow show
// --output json` (or recorded in workflows/testdata/histories).
func (s *Service) ReplayJSON(ctx context.Context, js []byte) (*filing.ReplayResult, error) {
	h, err := client.HistoryFromJSON(bytes.NewReader(js), client.HistoryJSONOptions{})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadHistory, err)
	}
	if len(h.GetEvents()) == 0 || h.GetEvents()[0].GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED {
		return nil, fmt.Errorf("%w: it must start with a WorkflowExecutionStarted event", ErrBadHistory)
	}
	return s.Replay(ctx, h)
}

// Replay replays h against the workflow code of this build, with the
// payload codec, and reports whether it is deterministic. A history the
// replayer cannot even read (events without their attributes, which make
// the SDK panic) is ErrBadHistory.
func (s *Service) Replay(ctx context.Context, h *historypb.History) (res *filing.ReplayResult, err error) {
	select {
	case replaySlots <- struct{}{}:
		defer func() { <-replaySlots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: s.dataConverter()})
	if err != nil {
		return nil, fmt.Errorf("support: replayer: %w", err)
	}
	bfworker.RegisterWorkflows(r)
	res = &filing.ReplayResult{Events: len(h.GetEvents())}
	if first := h.GetEvents(); len(first) > 0 {
		if a := first[0].GetWorkflowExecutionStartedEventAttributes(); a != nil {
			res.WorkflowID = a.GetWorkflowId()
			res.FilingID = filingIDOf(a.GetWorkflowId())
		}
	}
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("%w: the replayer could not read it: %s", ErrBadHistory, truncate(fmt.Sprint(p), maxFailureRunes))
		}
	}()
	// The replayer logs what it finds at warn level; the answer says it.
	quiet := tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	if err := r.ReplayWorkflowHistory(quiet, h); err != nil {
		res.Error = truncate(err.Error(), maxReplayErrorRunes)
		return res, nil
	}
	res.Deterministic = true
	return res, nil
}
