package support

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/converter"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/store"
)

// MaxHistoryEvents bounds the workflow events of a history view; a filing
// has a few hundred.
const MaxHistoryEvents = 5000

// maxWholeHistoryEvents bounds the histories read whole, to replay or to
// reset a filing; a filing has a few hundred events.
const maxWholeHistoryEvents = 1 << 20

// maxPayloadRunes bounds each decoded payload shown in a summary.
const maxPayloadRunes = 1000

// AuditTrail reads a filing's audit trail, oldest first.
func AuditTrail(ctx context.Context, db *store.DB, filingID filing.ID) ([]filing.AuditEntry, error) {
	events, err := store.NewEvents(db).List(ctx, filingID)
	if err != nil {
		return nil, err
	}
	out := make([]filing.AuditEntry, len(events))
	for i, e := range events {
		out[i] = filing.AuditEntry{Seq: e.Seq, At: e.At.UTC(), Actor: e.Actor, Action: e.Action,
			FromStage: filing.Stage(e.FromStage), ToStage: filing.Stage(e.ToStage), Detail: e.Detail,
			Reasons: []filing.Reason{}}
		_ = json.Unmarshal([]byte(e.Reasons), &out[i].Reasons)
	}
	return out, nil
}

// History returns the filing's audit trail and its workflow's history. A
// filing Temporal no longer holds still shows its audit trail; one neither
// knows is filings.ErrNotFound.
func (s *Service) History(ctx context.Context, filingID filing.ID) (*filing.HistoryReport, error) {
	rep := &filing.HistoryReport{FilingID: filingID, WorkflowID: filingID.WorkflowID(), Audit: []filing.AuditEntry{}, Events: []filing.HistoryEvent{}}
	_, rowErr := store.NewFilings(s.DB).Get(ctx, filingID)
	if rowErr != nil && !errors.Is(rowErr, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: read model: %w", ErrDatabase, rowErr)
	}
	trail, err := AuditTrail(ctx, s.DB, filingID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDatabase, err)
	}
	rep.Audit = append(rep.Audit, trail...)

	d, err := s.Filings.Describe(ctx, filingID)
	switch {
	case errors.Is(err, filings.ErrNotFound):
		if errors.Is(rowErr, store.ErrNotFound) {
			return nil, filings.ErrNotFound
		}
		return rep, nil
	case err != nil:
		return nil, err
	}
	info := d.GetWorkflowExecutionInfo()
	rep.RunID = info.GetExecution().GetRunId()
	rep.Status = strings.ToLower(info.GetStatus().String()) // e.g. Running, Completed

	h, truncated, err := s.Filings.History(ctx, filingID, rep.RunID, MaxHistoryEvents)
	if err != nil {
		return nil, err
	}
	rep.Truncated = truncated
	rep.UndecodablePayloads = s.decode(ctx, h)
	names := map[int64]string{} // scheduled event ID -> activity type
	for _, ev := range h.GetEvents() {
		rep.Events = append(rep.Events, filing.HistoryEvent{EventID: ev.GetEventId(), Time: ev.GetEventTime().AsTime().UTC(),
			Type: ev.GetEventType().String(), Summary: summarize(ev, names)})
	}
	return rep, nil
}

// decode decrypts every payload of h in place with the codec, leaving those
// it cannot decode as they are, and returns how many it could not.
func (s *Service) decode(ctx context.Context, h *historypb.History) int {
	if s.Codec == nil {
		return 0
	}
	failed := 0
	_ = proxy.VisitPayloads(ctx, h, proxy.VisitPayloadsOptions{
		// Search attributes are never encoded.
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			out, err := s.Codec.Decode(ps)
			if err != nil {
				failed += len(ps)
				return ps, nil
			}
			return out, nil
		},
	})
	return failed
}

// summarize describes one event in a line; names remembers activity types
// by their scheduled event, for the events that only reference it.
func summarize(ev *historypb.HistoryEvent, names map[int64]string) string {
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	activity := func(scheduled int64) string {
		if n := names[scheduled]; n != "" {
			return n
		}
		return fmt.Sprintf("activity of event %d", scheduled)
	}
	switch {
	case ev.GetWorkflowExecutionStartedEventAttributes() != nil:
		a := ev.GetWorkflowExecutionStartedEventAttributes()
		add("%s on task queue %s, input %s", a.GetWorkflowType().GetName(), a.GetTaskQueue().GetName(), payloadsText(a.GetInput()))
	case ev.GetWorkflowExecutionCompletedEventAttributes() != nil:
		add("result %s", payloadsText(ev.GetWorkflowExecutionCompletedEventAttributes().GetResult()))
	case ev.GetWorkflowExecutionFailedEventAttributes() != nil:
		add("failed: %s", truncate(ev.GetWorkflowExecutionFailedEventAttributes().GetFailure().GetMessage(), maxFailureRunes))
	case ev.GetWorkflowExecutionTerminatedEventAttributes() != nil:
		a := ev.GetWorkflowExecutionTerminatedEventAttributes()
		add("terminated by %s: %s", orDefault(a.GetIdentity(), "?"), truncate(a.GetReason(), maxFailureRunes))
	case ev.GetWorkflowExecutionCanceledEventAttributes() != nil:
		add("cancelled")
	case ev.GetWorkflowExecutionContinuedAsNewEventAttributes() != nil:
		add("continued as new run %s", ev.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId())
	case ev.GetWorkflowTaskScheduledEventAttributes() != nil:
		if n := ev.GetWorkflowTaskScheduledEventAttributes().GetAttempt(); n > 1 {
			add("attempt %d", n)
		}
	case ev.GetWorkflowTaskStartedEventAttributes() != nil:
		add("by %s", ev.GetWorkflowTaskStartedEventAttributes().GetIdentity())
	case ev.GetWorkflowTaskFailedEventAttributes() != nil:
		a := ev.GetWorkflowTaskFailedEventAttributes()
		add("%s: %s", a.GetCause(), truncate(a.GetFailure().GetMessage(), maxFailureRunes))
	case ev.GetWorkflowTaskTimedOutEventAttributes() != nil:
		add("%s", ev.GetWorkflowTaskTimedOutEventAttributes().GetTimeoutType())
	case ev.GetActivityTaskScheduledEventAttributes() != nil:
		a := ev.GetActivityTaskScheduledEventAttributes()
		names[ev.GetEventId()] = a.GetActivityType().GetName()
		add("%s (activity %s), input %s", a.GetActivityType().GetName(), a.GetActivityId(), payloadsText(a.GetInput()))
	case ev.GetActivityTaskStartedEventAttributes() != nil:
		a := ev.GetActivityTaskStartedEventAttributes()
		add("%s attempt %d", activity(a.GetScheduledEventId()), a.GetAttempt())
		if f := a.GetLastFailure(); f != nil {
			add("after: %s", truncate(f.GetMessage(), maxFailureRunes))
		}
	case ev.GetActivityTaskCompletedEventAttributes() != nil:
		a := ev.GetActivityTaskCompletedEventAttributes()
		add("%s result %s", activity(a.GetScheduledEventId()), payloadsText(a.GetResult()))
	case ev.GetActivityTaskFailedEventAttributes() != nil:
		a := ev.GetActivityTaskFailedEventAttributes()
		add("%s failed (%s): %s", activity(a.GetScheduledEventId()), a.GetRetryState(), truncate(a.GetFailure().GetMessage(), maxFailureRunes))
	case ev.GetActivityTaskTimedOutEventAttributes() != nil:
		a := ev.GetActivityTaskTimedOutEventAttributes()
		add("%s timed out (%s)", activity(a.GetScheduledEventId()), a.GetRetryState())
	case ev.GetActivityTaskCancelRequestedEventAttributes() != nil:
		add("%s cancel requested", activity(ev.GetActivityTaskCancelRequestedEventAttributes().GetScheduledEventId()))
	case ev.GetActivityTaskCanceledEventAttributes() != nil:
		add("%s cancelled", activity(ev.GetActivityTaskCanceledEventAttributes().GetScheduledEventId()))
	case ev.GetTimerStartedEventAttributes() != nil:
		a := ev.GetTimerStartedEventAttributes()
		add("timer %s for %s", a.GetTimerId(), a.GetStartToFireTimeout().AsDuration())
	case ev.GetTimerFiredEventAttributes() != nil:
		add("timer %s fired", ev.GetTimerFiredEventAttributes().GetTimerId())
	case ev.GetTimerCanceledEventAttributes() != nil:
		add("timer %s cancelled", ev.GetTimerCanceledEventAttributes().GetTimerId())
	case ev.GetMarkerRecordedEventAttributes() != nil:
		a := ev.GetMarkerRecordedEventAttributes()
		add("%s", a.GetMarkerName())
		for _, k := range slices.Sorted(mapKeys(a.GetDetails())) {
			add("%s=%s", k, payloadsText(a.GetDetails()[k]))
		}
		if f := a.GetFailure(); f != nil {
			add("failed: %s", truncate(f.GetMessage(), maxFailureRunes))
		}
	case ev.GetWorkflowExecutionSignaledEventAttributes() != nil:
		a := ev.GetWorkflowExecutionSignaledEventAttributes()
		add("signal %s %s", a.GetSignalName(), payloadsText(a.GetInput()))
	case ev.GetUpsertWorkflowSearchAttributesEventAttributes() != nil:
		fields := ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields()
		for _, k := range slices.Sorted(mapKeys(fields)) {
			add("%s=%s", k, payloadText(fields[k]))
		}
	case ev.GetWorkflowExecutionUpdateAdmittedEventAttributes() != nil:
		in := ev.GetWorkflowExecutionUpdateAdmittedEventAttributes().GetRequest().GetInput()
		add("update %s admitted, args %s", in.GetName(), payloadsText(in.GetArgs()))
	case ev.GetWorkflowExecutionUpdateAcceptedEventAttributes() != nil:
		a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes()
		in := a.GetAcceptedRequest().GetInput()
		add("update %s (%s) accepted, args %s", in.GetName(), a.GetProtocolInstanceId(), payloadsText(in.GetArgs()))
	case ev.GetWorkflowExecutionUpdateRejectedEventAttributes() != nil:
		a := ev.GetWorkflowExecutionUpdateRejectedEventAttributes()
		add("update %s rejected: %s", a.GetRejectedRequest().GetInput().GetName(), truncate(a.GetFailure().GetMessage(), maxFailureRunes))
	case ev.GetWorkflowExecutionUpdateCompletedEventAttributes() != nil:
		a := ev.GetWorkflowExecutionUpdateCompletedEventAttributes()
		if f := a.GetOutcome().GetFailure(); f != nil {
			add("update %s failed: %s", a.GetMeta().GetUpdateId(), truncate(f.GetMessage(), maxFailureRunes))
		} else {
			add("update %s completed, result %s", a.GetMeta().GetUpdateId(), payloadsText(a.GetOutcome().GetSuccess()))
		}
	}
	if sum := ev.GetUserMetadata().GetSummary(); sum != nil {
		var text string
		if converter.GetDefaultDataConverter().FromPayload(sum, &text) == nil && text != "" {
			parts = append([]string{"«" + truncate(text, 200) + "»"}, parts...)
		}
	}
	return strings.Join(parts, " ")
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// payloadsText renders decoded payloads, comma-separated.
func payloadsText(ps *commonpb.Payloads) string {
	if ps == nil || len(ps.GetPayloads()) == 0 {
		return "(none)"
	}
	out := make([]string, len(ps.GetPayloads()))
	for i, p := range ps.GetPayloads() {
		out[i] = payloadText(p)
	}
	return strings.Join(out, ", ")
}

// payloadText renders one payload: JSON as it is, others by kind and size.
func payloadText(p *commonpb.Payload) string {
	enc := string(p.GetMetadata()[converter.MetadataEncoding])
	switch enc {
	case converter.MetadataEncodingNil:
		return "null"
	case converter.MetadataEncodingJSON, converter.MetadataEncodingProtoJSON:
		return truncate(string(p.GetData()), maxPayloadRunes)
	case codec.Encoding:
		return fmt.Sprintf("<encrypted with key %q, not held by this API>", p.GetMetadata()[codec.MetadataKeyID])
	}
	return fmt.Sprintf("<%d bytes %s>", len(p.GetData()), orDefault(enc, "unknown encoding"))
}
