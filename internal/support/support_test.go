package support

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/beianflow/beianflow/activities"
	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/testenv"
)

const fid = "01927c3e-5f0a-7b21-9c4d-8e2f1a3b5c7d"

func payloads(t *testing.T, vs ...any) *commonpb.Payloads {
	t.Helper()
	ps, err := converter.GetDefaultDataConverter().ToPayloads(vs...)
	require.NoError(t, err)
	return ps
}

func TestFilingIDOfAcceptsOnlyFilingWorkflows(t *testing.T) {
	assert.Equal(t, filing.ID(fid), filingIDOf("filing-"+fid))
	assert.Empty(t, filingIDOf(fid))
	assert.Empty(t, filingIDOf("filing-not-a-uuid"))
	assert.Empty(t, filingIDOf("other-"+fid))
}

func TestTruncateCutsRunesNotBytes(t *testing.T) {
	assert.Equal(t, "管局", truncate(" 管局 ", 2))
	assert.Equal(t, "管局…", truncate("管局审核", 2))
	assert.Len(t, []rune(truncate(strings.Repeat("x", 1000), maxFailureRunes)), maxFailureRunes+1)
}

func TestCursorsAreOpaqueButChecked(t *testing.T) {
	b, err := decodeCursor("")
	assert.NoError(t, err)
	assert.Nil(t, b)
	for _, bad := range []string{"!!", "a b", strings.Repeat("A", 6000)} {
		_, err := decodeCursor(bad)
		assert.ErrorIs(t, err, ErrBadCursor, bad)
	}
	_, err = decodeCursor("AQIDBAUGBwgJ")
	assert.ErrorIs(t, err, ErrBadCursor, "no valid checksum")
	c := encodeCursor([]byte{1, 2, 3})
	b, err = decodeCursor(c)
	assert.NoError(t, err)
	assert.Equal(t, []byte{1, 2, 3}, b)
	_, err = decodeCursor(c[:len(c)-1])
	assert.ErrorIs(t, err, ErrBadCursor, "truncated")
}

func TestTheFailureOfTheCurrentSeriesOfWorkflowTasksIsFound(t *testing.T) {
	at := timestamppb.New(time.Date(2026, 11, 5, 1, 0, 0, 0, time.UTC))
	failed := &historypb.HistoryEvent{EventId: 30, EventTime: at, EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
		Attributes: &historypb.HistoryEvent_WorkflowTaskFailedEventAttributes{WorkflowTaskFailedEventAttributes: &historypb.WorkflowTaskFailedEventAttributes{
			Cause:   enumspb.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR,
			Failure: &failurepb.Failure{Message: "[TMPRL1100] nondeterministic workflow " + strings.Repeat("x", 500)},
		}}}
	timedOut := &historypb.HistoryEvent{EventId: 30, EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
		Attributes: &historypb.HistoryEvent_WorkflowTaskTimedOutEventAttributes{WorkflowTaskTimedOutEventAttributes: &historypb.WorkflowTaskTimedOutEventAttributes{}}}
	completed := &historypb.HistoryEvent{EventId: 20, EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		Attributes: &historypb.HistoryEvent_WorkflowTaskCompletedEventAttributes{WorkflowTaskCompletedEventAttributes: &historypb.WorkflowTaskCompletedEventAttributes{}}}
	signaled := &historypb.HistoryEvent{EventId: 27, EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionSignaledEventAttributes{WorkflowExecutionSignaledEventAttributes: &historypb.WorkflowExecutionSignaledEventAttributes{}}}

	f := wftFailureIn([]*historypb.HistoryEvent{failed, signaled, completed})
	require.NotNil(t, f)
	assert.Equal(t, "NonDeterministicError", f.cause)
	assert.True(t, strings.HasPrefix(f.message, "[TMPRL1100]"))
	assert.Len(t, []rune(f.message), maxFailureRunes+1)
	assert.Equal(t, at.AsTime(), *f.at)

	f = wftFailureIn([]*historypb.HistoryEvent{timedOut, signaled, completed})
	require.NotNil(t, f)
	assert.True(t, f.timedOut)
	assert.Empty(t, f.cause)

	// A failure before a later completion is over.
	assert.Nil(t, wftFailureIn([]*historypb.HistoryEvent{completed, failed}))
	assert.Nil(t, wftFailureIn(nil))
}

func TestEventsAreSummarisedWithTheirDecodedPayloads(t *testing.T) {
	names := map[int64]string{}
	scheduled := &historypb.HistoryEvent{EventId: 5, EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		UserMetadata: &sdkpb.UserMetadata{Summary: payloads(t, "submit to bureau").GetPayloads()[0]},
		Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
			ActivityId: "5", ActivityType: &commonpb.ActivityType{Name: "SubmitToBureau"},
			Input: payloads(t, map[string]any{"filing_id": fid, "round": 1}),
		}}}
	assert.Equal(t, `«submit to bureau» SubmitToBureau (activity 5), input {"filing_id":"`+fid+`","round":1}`, summarize(scheduled, names))
	completed := &historypb.HistoryEvent{EventId: 7, EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
		Attributes: &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{
			ScheduledEventId: 5, Result: payloads(t, map[string]string{"receipt_id": "SBX-1"}),
		}}}
	assert.Equal(t, `SubmitToBureau result {"receipt_id":"SBX-1"}`, summarize(completed, names))
	started := &historypb.HistoryEvent{EventId: 6, EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
		Attributes: &historypb.HistoryEvent_ActivityTaskStartedEventAttributes{ActivityTaskStartedEventAttributes: &historypb.ActivityTaskStartedEventAttributes{
			ScheduledEventId: 99, Attempt: 3, LastFailure: &failurepb.Failure{Message: "bureau: 502"},
		}}}
	assert.Equal(t, "activity of event 99 attempt 3 after: bureau: 502", summarize(started, names))

	upsert := &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
		Attributes: &historypb.HistoryEvent_UpsertWorkflowSearchAttributesEventAttributes{UpsertWorkflowSearchAttributesEventAttributes: &historypb.UpsertWorkflowSearchAttributesEventAttributes{
			SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{
				"BeianWaitingOn": payloads(t, "provider").GetPayloads()[0], "BeianStage": payloads(t, "bureau_submission").GetPayloads()[0]}},
		}}}
	assert.Equal(t, `BeianStage="bureau_submission" BeianWaitingOn="provider"`, summarize(upsert, names))
}

func TestPayloadsTheAPICannotDecryptAreShownAsSuch(t *testing.T) {
	keys, err := codec.ParseKeys(testenv.PayloadKeys)
	require.NoError(t, err)
	c := codec.New(keys)
	enc, err := c.Encode(payloads(t, map[string]string{"domain": "yunqi-tech.com"}).GetPayloads())
	require.NoError(t, err)
	text := payloadText(enc[0])
	assert.Contains(t, text, "<encrypted with key")
	assert.NotContains(t, text, "yunqi")

	// With the codec, a history's payloads decode in place; without the
	// key they stay as they are and are counted.
	h := &historypb.History{Events: []*historypb.HistoryEvent{{EventId: 1, EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
			WorkflowType: &commonpb.WorkflowType{Name: "FilingWorkflow"}, Input: &commonpb.Payloads{Payloads: enc},
		}}}}}
	other, err := codec.ParseKeys("k9:" + strings.Repeat("A", 43) + "=")
	require.NoError(t, err)
	assert.Equal(t, 1, (&Service{Codec: codec.New(other)}).decode(t.Context(), h))
	assert.Equal(t, 0, (&Service{Codec: c}).decode(t.Context(), h))
	assert.Contains(t, summarize(h.Events[0], map[int64]string{}), `"domain":"yunqi-tech.com"`)
}

func TestAdviceNamesTheCommandToRun(t *testing.T) {
	it := filing.StuckFiling{FilingID: fid, WorkflowID: "filing-" + fid, Reason: filing.StuckActivityFailing,
		Details: filing.StuckDetails{ActivityType: "ShipBackdrop", Attempt: 4}}
	a := advice(it)
	assert.Contains(t, a, "courier")
	assert.Contains(t, a, "beianflow ctl retry "+fid)
	it.Details.Paused = true
	assert.Contains(t, advice(it), "paused")

	it = filing.StuckFiling{FilingID: fid, WorkflowID: "filing-" + fid, Reason: filing.StuckWorkflowTaskFailing,
		Details: filing.StuckDetails{Cause: "NonDeterministicError"}}
	assert.Contains(t, advice(it), "roll the worker back")
	assert.NotContains(t, advice(it), "worker's log")
	it.Details.Cause = ""
	assert.Contains(t, advice(it), "worker's log")

	for on, want := range map[filing.Party]string{"reviewer": "review queue", "bureau": "ctl signal " + fid + " bureau-decision",
		"applicant": "expired by itself", "provider": "workers poll", "": "ctl timeline"} {
		it := filing.StuckFiling{FilingID: fid, Reason: filing.StuckDeadlinePassed, WaitingOn: on}
		assert.Contains(t, advice(it), want, string(on))
	}
	assert.Contains(t, advice(filing.StuckFiling{FilingID: fid, Reason: filing.StuckDeadlinePassed, WaitingOn: "applicant", Step: "awaiting_sms"}), "bureau-sms")
}

// The bureau's review polls by failing until the bureau decides: an attempt
// that found no decision is waiting, not failing, and the stuck list leaves
// it out; one that failed otherwise (the gateway down) is listed, as is a
// paused one.
func TestAPollThatFoundNoNewsIsNotAFailingActivity(t *testing.T) {
	attempt := func(errType string, paused bool) *workflowpb.PendingActivityInfo {
		return &workflowpb.PendingActivityInfo{
			ActivityType: &commonpb.ActivityType{Name: "AwaitBureauDecision"}, Attempt: 9, Paused: paused,
			LastFailure: &failurepb.Failure{Message: "…", FailureInfo: &failurepb.Failure_ApplicationFailureInfo{
				ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{Type: errType}}},
		}
	}
	assert.True(t, polling(attempt(activities.ErrTypeUndecided, false)), "not decided yet")
	assert.False(t, polling(attempt("", false)), "the gateway failed")
	assert.False(t, polling(attempt(activities.ErrTypeUndecided, true)), "paused by an operator")
	assert.False(t, polling(&workflowpb.PendingActivityInfo{Attempt: 3}), "no failure recorded")
}
