package telemetry_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/requestid"
	"github.com/beianflow/beianflow/internal/telemetry"
	"github.com/beianflow/beianflow/internal/testenv"
)

// TestSDKLoggersNameTheFilingAndTheRequestOfEachLine starts a workflow and
// sends it an update, each from a context carrying a request ID as the
// API's requests do, against a real Temporal server, and reads the lines
// the workflow and its activities log through the SDK's loggers: every
// one names the filing; those of the update's handler and of the
// activities it runs name the update's request, the filing's own flow
// names none; and the request IDs are encrypted in the history.
func TestSDKLoggersNameTheFilingAndTheRequestOfEachLine(t *testing.T) {
	testenv.NeedsServers(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := testenv.Temporal(ctx)
	require.NoError(t, err)
	defer func() { _ = srv.Stop() }()

	var out lockedBuffer
	keys, err := codec.ParseKeys(testenv.PayloadKeys)
	require.NoError(t, err)
	c, err := client.DialContext(ctx, client.Options{
		HostPort:           srv.FrontendHostPort(),
		Namespace:          "default",
		Logger:             tlog.NewStructuredLogger(slog.New(slog.NewJSONHandler(&out, nil))),
		ContextPropagators: []workflow.ContextPropagator{telemetry.RequestIDPropagator()},
		DataConverter:      codec.New(keys).DataConverter(),
	})
	require.NoError(t, err)
	defer c.Close()
	const queue = "sdk-loggers"
	w := worker.New(c, queue, worker.Options{Interceptors: []interceptor.WorkerInterceptor{telemetry.NewWorkerInterceptor()}})
	w.RegisterWorkflowWithOptions(loggedWorkflow, workflow.RegisterOptions{Name: "Logged"})
	w.RegisterActivity(note)
	w.RegisterActivity(flaky)
	w.RegisterActivity(notYet)
	require.NoError(t, w.Start())
	defer w.Stop()

	id := filing.ID("01a227a5-be39-7787-9814-9c07e6468f61")
	run, err := c.ExecuteWorkflow(requestid.With(ctx, "req-start"),
		client.StartWorkflowOptions{ID: id.WorkflowID(), TaskQueue: queue}, "Logged")
	require.NoError(t, err)
	h, err := c.UpdateWorkflow(requestid.With(ctx, "req-update"), client.UpdateWorkflowOptions{
		WorkflowID: id.WorkflowID(), UpdateName: "act", WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))
	require.NoError(t, run.Get(ctx, nil))

	lines := out.lines(t)
	seen := map[string]int{}
	for _, l := range lines {
		msg := l["msg"].(string)
		if _, ours := expected[msg]; !ours {
			continue
		}
		seen[msg]++
		assert.Equal(t, string(id), l["filing_id"], "%s: %v", msg, l)
		assert.Equal(t, expected[msg], l["request_id"], "%s: %v", msg, l)
	}
	for msg := range expected {
		assert.Positive(t, seen[msg], "no line %q among %v", msg, lines)
	}
	assert.Equal(t, 2, seen["activity attempt failed"], "both attempts of the flaky activity, and no warning for a poll's benign first attempt")

	// The request IDs travel in headers that the payload codec encrypts:
	// the start's, the update's and the activities'.
	var headers []string
	for _, e := range historyOf(t, c, id.WorkflowID()) {
		headers = append(headers, requestIDEncodings(e)...)
	}
	assert.GreaterOrEqual(t, len(headers), 3, "request ID headers in the history")
	for _, enc := range headers {
		assert.Equal(t, codec.Encoding, enc)
	}
}

// requestIDEncodings finds the request ID headers in v, an event as
// protojson renders it, and returns their payloads' encodings.
func requestIDEncodings(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if h, ok := v["header"].(map[string]any); ok {
			if fields, ok := h["fields"].(map[string]any); ok {
				if p, ok := fields["beianflow-request-id"].(map[string]any); ok {
					enc, _ := base64.StdEncoding.DecodeString(p["metadata"].(map[string]any)["encoding"].(string))
					out = append(out, string(enc))
				}
			}
		}
		for _, x := range v {
			out = append(out, requestIDEncodings(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, requestIDEncodings(x)...)
		}
	}
	return out
}

// expected maps the message of each line the test looks for to the
// request ID it must carry (nil: none).
var expected = map[string]any{
	"workflow started":         "req-start",
	"main flow":                nil,
	"main flow's activity ran": nil,
	"update handled":           "req-update",
	"update's activity ran":    "req-update",
	"activity attempt failed":  "req-update",
}

// loggedWorkflow logs from its main flow and its update handler, and runs
// activities from both.
func loggedWorkflow(ctx workflow.Context) error {
	ctx = withActivityOptions(ctx)
	done := false
	if err := workflow.SetUpdateHandler(ctx, "act", func(ctx workflow.Context) error {
		// An update's context derives from the workflow's root context.
		ctx = withActivityOptions(ctx)
		workflow.GetLogger(ctx).Info("update handled")
		if err := workflow.ExecuteActivity(ctx, note, "update's activity ran").Get(ctx, nil); err != nil {
			return err
		}
		_ = workflow.ExecuteActivity(ctx, flaky).Get(ctx, nil)
		if err := workflow.ExecuteActivity(ctx, notYet).Get(ctx, nil); err != nil {
			return err
		}
		done = true
		return nil
	}); err != nil {
		return err
	}
	workflow.GetLogger(ctx).Info("main flow")
	if err := workflow.ExecuteActivity(ctx, note, "main flow's activity ran").Get(ctx, nil); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return done })
}

func withActivityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 2, InitialInterval: 10 * time.Millisecond},
	})
}

func note(ctx context.Context, msg string) error {
	activity.GetLogger(ctx).Info(msg)
	return nil
}

func flaky(context.Context) error { return errors.New("the activity fails") }

// notYet polls by its retries, as the bureau's review does: its first
// attempt finds nothing yet, a benign failure.
func notYet(ctx context.Context) error {
	if activity.GetInfo(ctx).Attempt == 1 {
		return temporal.NewApplicationErrorWithOptions("not decided yet", "Undecided",
			temporal.ApplicationErrorOptions{Category: temporal.ApplicationErrorCategoryBenign})
	}
	return nil
}

// historyOf returns the workflow's events as protojson renders them.
func historyOf(t *testing.T, c client.Client, workflowID string) []any {
	t.Helper()
	var events []any
	it := c.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		b, err := protojson.Marshal(e)
		require.NoError(t, err)
		var m any
		require.NoError(t, json.Unmarshal(b, &m))
		events = append(events, m)
	}
	return events
}

// lockedBuffer collects the JSON log lines the SDK's goroutines write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines(t *testing.T) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(b.buf.String()) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		out = append(out, m)
	}
	return out
}
