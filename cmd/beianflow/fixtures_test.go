package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/store"
)

// What the tests of several commands share: calls to the API of a running
// system, and a migrated database.

// callAPI sends method url with key as the bearer token and, unless body
// is empty, body as JSON, and decodes the JSON answer into v.
func callAPI(method, url, key, body string, v any) (status int, err error) {
	var content io.Reader
	if body != "" {
		content = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, content)
	if err != nil {
		return 0, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	return res.StatusCode, json.NewDecoder(res.Body).Decode(v)
}

func getJSON(t *testing.T, url, key string) map[string]any {
	t.Helper()
	var m map[string]any
	_, err := callAPI(http.MethodGet, url, key, "", &m)
	require.NoError(t, err)
	return m
}

func waitForStage(t *testing.T, base, key, id, stage, source string) {
	t.Helper()
	var last map[string]any
	require.Eventually(t, func() bool {
		last = nil
		status, err := callAPI(http.MethodGet, base+"/v1/filings/"+id, key, "", &last)
		return err == nil && status == http.StatusOK && last["stage"] == stage && last["source"] == source
	}, 30*time.Second, 100*time.Millisecond, "filing %s never reached %s/%s; last: %v", id, stage, source, last)
}

// migratedDB is a new SQLite database at path, migrated.
func migratedDB(t *testing.T, path string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "", path)
	require.NoError(t, err)
	_, err = db.Migrate(ctx)
	require.NoError(t, err)
	return db
}
