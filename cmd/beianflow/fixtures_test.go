package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// What the tests of several commands share: the system `make run` starts,
// calls to its API, a migrated database, a buffer for a server's logs and a
// listener that catches connections.

// devConfig is what `make run` uses, on free ports and a temporary data
// directory so the test cannot collide with a running system.
func devConfig(t *testing.T, dataDir string) config.Config {
	t.Helper()
	cfg, err := config.Load(os.Getenv)
	require.NoError(t, err)
	cfg.DatabaseURL = "" // embedded SQLite, as on a fresh machine
	cfg.DataDir = dataDir
	cfg.Dev.TemporalCLI = toolPath("BEIANFLOW_TEMPORAL_CLI", "temporal")
	cfg.Dev.VersityGW = toolPath("BEIANFLOW_VERSITYGW", "versitygw")
	addrs := make([]string, 5)
	for i := range addrs {
		addrs[i], err = testenv.FreeAddr()
		require.NoError(t, err)
	}
	cfg.HTTPAddr, cfg.TemporalAddress, cfg.Dev.S3ListenAddr, cfg.Sandbox.Addr = addrs[0], addrs[1], addrs[2], addrs[4]
	_, uiPort, _ := net.SplitHostPort(addrs[3])
	fmt.Sscan(uiPort, &cfg.Dev.TemporalUI)
	return cfg
}

func toolPath(envVar, name string) string {
	if p := os.Getenv(envVar); p != "" {
		return p
	}
	return filepath.Join(testenv.RepoRoot(), "bin", name)
}

// startDev runs `beianflow dev` in-process (its children are real
// processes) and waits until the API says every dependency is ready.
func startDev(t *testing.T, cfg config.Config, logs *syncBuffer) (stop func() error) {
	t.Helper()
	return startDevAttempt(t, cfg, logs, 2)
}

// startDevAttempt starts `beianflow dev`, once more if the Temporal dev
// server lost a race for one of the internal ports it picks at random
// (it closes a free port and binds it later; parallel test packages start
// servers too). Any other failure fails the test at once.
func startDevAttempt(t *testing.T, cfg config.Config, logs *syncBuffer, attempts int) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runDev(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil))) }()
	base := "http://" + cfg.HTTPAddr
	deadline := time.Now().Add(90 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			cancel()
			if attempts > 1 && err != nil && strings.Contains(err.Error(), "address already in use") {
				t.Logf("the Temporal dev server lost a port race; starting again: %v", err)
				return startDevAttempt(t, cfg, logs, attempts-1)
			}
			t.Fatalf("beianflow dev exited before it was ready: %v\nlogs:\n%s", err, logs)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("beianflow dev not ready after 90s\nlogs:\n%s", logs)
		}
	}
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(60 * time.Second):
			return fmt.Errorf("beianflow dev did not stop within 60s")
		}
	}
}

// callAPI sends method url, with key as the bearer token and body as JSON
// unless they are empty, and decodes the JSON answer into v.
func callAPI(method, url, key, body string, v any) (status int, err error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
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

// syncBuffer collects a server's logs while it runs.
type syncBuffer = testenv.LogBuffer

// connTrap listens where the databases, Temporal, S3 and the API would be,
// and counts every connection, which it closes at once: a command that
// dials one fails, and the test knows.
type connTrap struct {
	addr  string
	count atomic.Int64
}

func newConnTrap(t *testing.T) *connTrap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	trap := &connTrap{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			trap.count.Add(1)
			_ = c.Close()
		}
	}()
	return trap
}
