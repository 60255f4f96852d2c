package workflows_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every search-attribute upsert in the recorded histories changes
// something: each upsert is an event, and a wait published again with the
// same values (the bureau's review asks once per business day) used to
// write one each time.
func TestNoRecordedUpsertRepeatsASearchAttributesValue(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	type fields struct {
		IndexedFields map[string]json.RawMessage `json:"indexedFields"`
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			var h struct {
				Events []struct {
					EventID string `json:"eventId"`
					Started *struct {
						SearchAttributes fields `json:"searchAttributes"`
					} `json:"workflowExecutionStartedEventAttributes"`
					Upsert *struct {
						SearchAttributes fields `json:"searchAttributes"`
					} `json:"upsertWorkflowSearchAttributesEventAttributes"`
				} `json:"events"`
			}
			require.NoError(t, json.Unmarshal(raw, &h))
			have := map[string]string{}
			upserts := 0
			for _, e := range h.Events {
				switch {
				case e.Started != nil:
					for k, v := range e.Started.SearchAttributes.IndexedFields {
						have[k] = string(v)
					}
				case e.Upsert != nil:
					upserts++
					for k, v := range e.Upsert.SearchAttributes.IndexedFields {
						assert.NotEqual(t, have[k], string(v), "event %s upserts %s to the value it has", e.EventID, k)
						have[k] = string(v)
					}
				}
			}
			assert.Positive(t, upserts, "the filing publishes its stages and waits")
		})
	}
}
