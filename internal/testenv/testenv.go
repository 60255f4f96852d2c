// Package testenv starts the real services that integration tests run
// against: a Temporal dev server, a PostgreSQL schema of its own and a
// versitygw S3 server. A missing service is a failure whose message says how
// to start it; tests never skip silently.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/workflows"
)

// DefaultDatabaseURL is the machine's local PostgreSQL test database.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// RepoRoot is the repository root, found from this file's location so tests
// in any package resolve ./bin the same way.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// tool resolves a pinned tool: the Makefile exports its path, and a plain
// `go test` falls back to the stable link in ./bin.
func tool(envVar, name string) (string, error) {
	path := os.Getenv(envVar)
	if path == "" {
		path = filepath.Join(RepoRoot(), "bin", name)
	}
	if _, err := os.Stat(path); err != nil { //nolint:gosec // G703: the path of a pinned tool, from the Makefile
		return "", fmt.Errorf("%s not found at %s: run `make tools` (or `make test`, which builds it) first", name, path)
	}
	return path, nil
}

// Temporal starts an in-memory Temporal dev server with the project's search
// attributes registered. extraArgs go to `temporal server start-dev` (e.g.
// --dynamic-config-value). Stop it with Stop.
func Temporal(ctx context.Context, extraArgs ...string) (*testsuite.DevServer, error) {
	cli, err := tool("BEIANFLOW_TEMPORAL_CLI", "temporal")
	if err != nil {
		return nil, err
	}
	var attrs []temporal.SearchAttributeUpdate
	for _, k := range workflows.SearchAttributeKeys() {
		attrs = append(attrs, zeroValue(k))
	}
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:     cli,
		ClientOptions:    &client.Options{Namespace: "default", Logger: quietLogger{}},
		LogLevel:         "error",
		SearchAttributes: temporal.NewSearchAttributes(attrs...),
		Stdout:           io.Discard,
		Stderr:           io.Discard,
		ExtraArgs:        extraArgs,
	})
	if err != nil {
		return nil, fmt.Errorf("start Temporal dev server (%s): %w", cli, err)
	}
	return srv, nil
}

func zeroValue(k temporal.SearchAttributeKey) temporal.SearchAttributeUpdate {
	switch k := k.(type) {
	case temporal.SearchAttributeKeyString:
		return k.ValueSet("")
	case temporal.SearchAttributeKeyKeyword:
		return k.ValueSet("")
	case temporal.SearchAttributeKeyBool:
		return k.ValueSet(false)
	case temporal.SearchAttributeKeyTime:
		return k.ValueSet(time.Time{})
	case temporal.SearchAttributeKeyInt64:
		return k.ValueSet(0)
	case temporal.SearchAttributeKeyFloat64:
		return k.ValueSet(0)
	default:
		panic(fmt.Sprintf("testenv: search attribute %s has an unsupported type", k.GetName()))
	}
}

// Postgres creates a schema of its own in the PostgreSQL named by
// DATABASE_URL (default: the local test database) and returns a URL whose
// connections use it, so concurrent runs cannot collide. drop removes it.
func Postgres(ctx context.Context) (dbURL string, drop func(), err error) {
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		base = DefaultDatabaseURL
	}
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err == nil {
		err = admin.WithContext(ctx).Exec("SELECT 1").Error
	}
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL is not reachable at %s (%v); start it with "+
			"`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "+
			"or point DATABASE_URL at a server", redact(base), err)
	}
	schema := "bftest_" + randomHex(6)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		return "", nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop = func() {
		_ = admin.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE").Error
		if db, err := admin.DB(); err == nil {
			_ = db.Close()
		}
	}
	return u.String(), drop, nil
}

func redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "<unparseable DATABASE_URL>"
	}
	return u.Redacted()
}

// S3 starts a versitygw server on a free loopback port over a temporary
// directory and returns a configuration for it. stop ends the server.
func S3(ctx context.Context, dir string) (cfg config.S3, stop func(), err error) {
	srv, err := StartS3(ctx, dir)
	if err != nil {
		return config.S3{}, nil, err
	}
	return srv.Config, srv.Stop, nil
}

// S3For starts an S3 server over dir for t (a fresh directory when dir is
// empty), stopped when t ends, and returns its configuration. It needs
// servers (NeedsServers).
func S3For(t testing.TB, dir string) config.S3 {
	t.Helper()
	NeedsServers(t)
	if dir == "" {
		dir = t.TempDir()
	}
	cfg, stop, err := S3(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return cfg
}

// S3Server is a versitygw process that a test can stop and start again on
// the same port and directory, to simulate an outage.
type S3Server struct {
	Config config.S3
	bin    string
	addr   string
	root   string
	logDir string
	cmd    *exec.Cmd
	exited chan struct{}
}

// StartS3 starts a restartable versitygw server.
func StartS3(ctx context.Context, dir string) (*S3Server, error) {
	bin, err := tool("BEIANFLOW_VERSITYGW", "versitygw")
	if err != nil {
		return nil, err
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	root := filepath.Join(dir, "s3")
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, err
	}
	s := &S3Server{
		Config: config.S3{
			Endpoint:        "http://" + addr,
			Region:          "us-east-1",
			Bucket:          "beianflow-test",
			AccessKeyID:     "test-access",
			SecretAccessKey: "test-secret-" + randomHex(8),
			ForcePathStyle:  true,
		},
		bin: bin, addr: addr, root: root, logDir: dir,
	}
	return s, s.Start(ctx)
}

// Start (re)starts the server and waits until it accepts connections.
func (s *S3Server) Start(ctx context.Context) error {
	logFile, err := os.OpenFile(filepath.Join(s.logDir, "versitygw.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, "--port", s.addr, "posix", s.root)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.Config.AccessKeyID, "ROOT_SECRET_KEY="+s.Config.SecretAccessKey)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("start versitygw: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = logFile.Close(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	if err := WaitForTCP(ctx, s.addr, exited, 30*time.Second); err != nil {
		s.Stop()
		return fmt.Errorf("versitygw did not start (log in %s): %w", logFile.Name(), err)
	}
	return nil
}

// Dir is the directory the server keeps its buckets in, one directory
// each, an object a file (its metadata in extended attributes): what a
// backup of the store would hold.
func (s *S3Server) Dir() string { return s.root }

// Stop kills the server; Start brings it back with the same data.
func (s *S3Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// WaitForTCP waits until something accepts connections on addr, the process
// behind it exits (exited closes), or the timeout passes.
func WaitForTCP(ctx context.Context, addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listening on %s after %s: %w", addr, timeout, err)
		}
		select {
		case <-exited:
			return errors.New("the process exited")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// handedOut remembers every port FreeAddr returned in this process: the
// kernel may give a just-closed port to the next bind(0), and two parts of
// one test listening on the same port fail at start (seen in CI).
var handedOut = struct {
	sync.Mutex
	ports map[string]bool
}{ports: map[string]bool{}}

// FreeAddr returns a loopback host:port that was free a moment ago and that
// no earlier call in this process returned.
func FreeAddr() (string, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		if !handedOut.ports[addr] {
			handedOut.ports[addr] = true
			return addr, nil
		}
	}
	return "", errors.New("testenv: no fresh loopback port after 100 tries")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// quietLogger drops the Temporal SDK's client logs in tests.
type quietLogger struct{}

// Debug drops the message.
func (quietLogger) Debug(string, ...any) {}

// Info drops the message.
func (quietLogger) Info(string, ...any) {}

// Warn drops the message.
func (quietLogger) Warn(string, ...any) {}

// Error prints the message: a failing client says why.
func (quietLogger) Error(msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, "temporal sdk:", msg, strings.TrimSpace(fmt.Sprint(kv...)))
}
