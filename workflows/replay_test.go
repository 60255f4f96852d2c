package workflows_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	bfworker "github.com/beianflow/beianflow/worker"
)

// TestRecordedHistoriesReplay replays every history recorded from the real
// dev server (testdata/histories, written by the integration tests with
// BEIANFLOW_RECORD_HISTORIES=1) against the current workflow code. A change
// that would break filings already running fails here; see
// docs/versioning.md for how to make such a change safely.
func TestRecordedHistoriesReplay(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories: run `make record-histories`")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			bfworker.RegisterWorkflows(replayer)
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, file))
		})
	}
}
