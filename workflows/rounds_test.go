package workflows_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/beianflow/beianflow/workflows"
)

// maxRoundEvents bounds what one round of a rejection loop (back to editing,
// through the reviews and maybe the bureau, and back again) adds to a
// filing's history: a filing sent back ten times grows by ten rounds, each
// at most this. A round sent back by the initial review costs 31 to 49
// events in the recorded histories; one that went all the way to the bureau
// costs 120 to 155, about what a filing's whole happy path does. Past
// Temporal's suggestion the filing continues as new between rounds
// (continue_as_new.go).
const maxRoundEvents = 170

// Every rejection loop in the recorded histories costs the history a
// bounded amount per round.
func TestEveryRejectionRoundCostsTheHistoryABoundedAmount(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	looped := 0
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f, err := os.Open(file)
			require.NoError(t, err)
			defer f.Close()
			h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
			require.NoError(t, err)
			// A round begins where the filing (re-)enters the information
			// stage, as its search attributes say.
			var starts []int
			for i, e := range h.GetEvents() {
				stage := e.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields()[workflows.AttrStage.GetName()]
				if stage != nil && string(stage.GetData()) == `"information"` {
					starts = append(starts, i)
				}
			}
			if len(starts) < 2 {
				return // no rejection loop
			}
			looped++
			var rounds []int
			for i := 1; i < len(starts); i++ {
				rounds = append(rounds, starts[i]-starts[i-1])
			}
			t.Logf("%d rounds: %v events", len(rounds), rounds)
			for i, n := range rounds {
				assert.LessOrEqual(t, n, maxRoundEvents, "round %d", i+1)
			}
		})
	}
	assert.Positive(t, looped, "some recorded filings loop")
}
