package integration

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/proxy"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"

	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/testenv"
)

// recordHistory saves the filing's event history, as the real server wrote
// it, to workflows/testdata/histories/<name>.json when
// BEIANFLOW_RECORD_HISTORIES=1 (`make record-histories`). The replay test in
// package workflows replays every saved history against the current code, so
// a change that breaks running filings fails `make test`.
func recordHistory(t testing.TB, filingID, name string) {
	t.Helper()
	if os.Getenv("BEIANFLOW_RECORD_HISTORIES") != "1" {
		return
	}
	// Wait for the end: a finished run proves more than one cut mid-flight.
	require.NoError(t, sys.temporal.GetWorkflow(context.Background(), filing.ID(filingID).WorkflowID(), "").
		Get(context.Background(), nil))
	writeHistory(t, filingID, name)
}

// recordHistoryInFlight records a filing that does not end by itself (for
// example one waiting on an overdue bureau).
func recordHistoryInFlight(t testing.TB, filingID, name string) {
	t.Helper()
	if os.Getenv("BEIANFLOW_RECORD_HISTORIES") == "1" {
		writeHistory(t, filingID, name)
	}
}

func writeHistory(t testing.TB, filingID, name string) {
	t.Helper()
	h := historyOf(t, filingID)
	data, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	require.NoError(t, err)
	path := filepath.Join(testenv.RepoRoot(), "workflows", "testdata", "histories", name+".json")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, append(data, '\n'), 0o644))
	t.Logf("recorded %d events to %s", len(h.Events), path)
}

// rawHistory returns the filing's history as the server stores it, with
// every payload decoded to text, for scanning.
func rawHistory(t testing.TB, filingID string) string {
	t.Helper()
	return prototext.Format(historyOf(t, filingID))
}

// decodedHistory is rawHistory with every payload decrypted by the
// system's codec, as the codec server shows it to operators.
func decodedHistory(t testing.TB, filingID string) string {
	t.Helper()
	h := historyOf(t, filingID)
	decode(t, h)
	return prototext.Format(h)
}

// decode decrypts every payload of h in place with the system's codec.
func decode(t testing.TB, h *historypb.History) {
	t.Helper()
	require.NoError(t, proxy.VisitPayloads(context.Background(), h, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return sys.app.Codec.Decode(p)
		},
	}))
}

// historyOf reads a filing's history straight from the Temporal server.
func historyOf(t testing.TB, filingID string) *historypb.History {
	t.Helper()
	iter := sys.temporal.GetWorkflowHistory(context.Background(), filing.ID(filingID).WorkflowID(), "",
		false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	// (Formatted as proto text, not protojson, which base64-encodes
	// payload bytes: the text shows them as they are.)
	return &h
}

// clearHistory is an exported history with every payload decrypted by the
// system's codec.
func clearHistory(t testing.TB, js []byte) []byte {
	t.Helper()
	var h historypb.History
	require.NoError(t, protojson.Unmarshal(js, &h))
	decode(t, &h)
	out, err := protojson.Marshal(&h)
	require.NoError(t, err)
	require.NotContains(t, string(out), base64.StdEncoding.EncodeToString([]byte(codec.Encoding)), "every payload is clear")
	return out
}
