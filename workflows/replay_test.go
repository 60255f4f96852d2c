package workflows_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/testenv"

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
	// Histories of older code generations live in subdirectories and must
	// keep replaying: they stand for filings started before a change.
	var files []string
	err := filepath.WalkDir(filepath.Join("testdata", "histories"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return err
	})
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories: run `make record-histories`")
	// Histories recorded since payload encryption are encrypted with the
	// test keys; older ones are clear and pass through the codec.
	keys, err := codec.ParseKeys(testenv.PayloadKeys)
	require.NoError(t, err)
	for _, file := range files {
		t.Run(strings.TrimPrefix(file, filepath.Join("testdata", "histories")+string(filepath.Separator)), func(t *testing.T) {
			replayer, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter: codec.New(keys).DataConverter(),
			})
			require.NoError(t, err)
			bfworker.RegisterWorkflows(replayer)
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, file))
		})
	}
}
