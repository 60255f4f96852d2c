package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// historyCost is what a filing's history costs a Temporal server: its
// events (state transitions), its workflow tasks, and the bytes of payload
// data it carries (encrypted, as stored).
type historyCost struct {
	Events, WorkflowTasks, PayloadBytes int
	ByType                              map[string]int
}

func (c historyCost) String() string {
	types := make([]string, 0, len(c.ByType))
	for t := range c.ByType {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool { return c.ByType[types[i]] > c.ByType[types[j]] })
	var b strings.Builder
	fmt.Fprintf(&b, "%d events, %d workflow tasks, %d bytes of payload data:", c.Events, c.WorkflowTasks, c.PayloadBytes)
	for _, t := range types {
		fmt.Fprintf(&b, " %d %s,", c.ByType[t], strings.ToLower(strings.TrimPrefix(t, "EVENT_TYPE_")))
	}
	return strings.TrimSuffix(b.String(), ",")
}

// measureHistory reads the workflow's whole history from the server.
func measureHistory(t *testing.T, hostPort, namespace, workflowID string) historyCost {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: hostPort, Namespace: namespace, Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	require.NoError(t, err)
	defer c.Close()
	cost := historyCost{ByType: map[string]int{}}
	var events []*historypb.HistoryEvent
	it := c.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		cost.add(e)
		events = append(events, e)
	}
	// To see where the events go: BEIANFLOW_HISTORY_DUMP=<file> writes the
	// history as `temporal workflow show -o json` would.
	if path := os.Getenv("BEIANFLOW_HISTORY_DUMP"); path != "" {
		raw, err := protojson.Marshal(&historypb.History{Events: events})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, raw, 0o600))
	}
	return cost
}

func (c *historyCost) add(e *historypb.HistoryEvent) {
	c.Events++
	c.ByType[e.GetEventType().String()]++
	if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
		c.WorkflowTasks++
	}
	c.PayloadBytes += payloadBytes(e.ProtoReflect())
}

// payloadBytes sums the data of every Payload in m, however deep.
func payloadBytes(m protoreflect.Message) int {
	if p, ok := m.Interface().(*commonpb.Payload); ok {
		return len(p.GetData())
	}
	n := 0
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := range l.Len() {
				n += payloadBytes(l.Get(i).Message())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				n += payloadBytes(mv.Message())
				return true
			})
		case fd.Message() != nil && !fd.IsList() && !fd.IsMap():
			n += payloadBytes(v.Message())
		}
		return true
	})
	return n
}

func TestPayloadBytesCountsEveryPayloadOnceHoweverDeep(t *testing.T) {
	p := func(s string) *commonpb.Payload {
		return &commonpb.Payload{Data: []byte(s), Metadata: map[string][]byte{"encoding": []byte("x")}}
	}
	e := &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{
			WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
				Input:  &commonpb.Payloads{Payloads: []*commonpb.Payload{p("1234"), p("56")}},
				Header: &commonpb.Header{Fields: map[string]*commonpb.Payload{"h": p("789")}},
				Memo:   &commonpb.Memo{Fields: map[string]*commonpb.Payload{"m": p("0")}},
			},
		},
	}
	c := historyCost{ByType: map[string]int{}}
	c.add(proto.Clone(e).(*historypb.HistoryEvent))
	require.Equal(t, 10, c.PayloadBytes)
	require.Equal(t, 1, c.Events)
}
