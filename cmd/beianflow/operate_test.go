package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/notify"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestConfigCommandPrintsTheDocumentedTable(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run([]string{"config", "--markdown"}, &out, func(string) string { return "" }))
	for _, v := range config.Vars {
		assert.Contains(t, out.String(), "`"+v.Name+"`")
	}
}

func TestHealthcheckCommandFailsWhenNothingAnswers(t *testing.T) {
	addr, err := testenv.FreeAddr()
	require.NoError(t, err)
	assert.Error(t, run([]string{"healthcheck", "http://" + addr + "/readyz"}, io.Discard, os.Getenv))
	assert.Error(t, run([]string{"healthcheck"}, io.Discard, os.Getenv))
}

func TestOutboxCommandShowsFailedMessagesWithMaskedRecipients(t *testing.T) {
	dir := t.TempDir()
	db := migratedDB(t, filepath.Join(dir, "beianflow.db"))
	require.NoError(t, outbox.Enqueue(db.Gorm, outbox.Message{
		DedupKey: outbox.Key("f-1", "bureau_approved", 1, notify.SMS),
		Message:  notify.Message{FilingID: "f-1", Event: "bureau_approved", Channel: notify.SMS, To: "13800138000"},
	}))
	require.NoError(t, db.Gorm.Exec(`UPDATE outbox_messages SET status = 'failed', attempts = 10, last_error = 'sns OptedOut (HTTP 400, permanent)'`).Error)
	require.NoError(t, db.Close())

	var out bytes.Buffer
	require.NoError(t, run([]string{"outbox"}, &out, func(k string) string {
		if k == "BEIANFLOW_DATA_DIR" {
			return dir
		}
		return ""
	}))
	assert.Contains(t, out.String(), "failed 1")
	assert.Contains(t, out.String(), "f-1/bureau_approved/1/sms")
	assert.Contains(t, out.String(), "OptedOut")
	assert.NotContains(t, out.String(), "13800138000", "recipients are masked")
}
