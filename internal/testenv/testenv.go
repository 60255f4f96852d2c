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
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/beianflow/beianflow/config"
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
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s not found at %s: run `make tools` (or `make test`, which builds it) first", name, path)
	}
	return path, nil
}

// Temporal starts an in-memory Temporal dev server with the project's search
// attributes registered. Stop it with Stop.
func Temporal(ctx context.Context) (*testsuite.DevServer, error) {
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
	bin, err := tool("BEIANFLOW_VERSITYGW", "versitygw")
	if err != nil {
		return config.S3{}, nil, err
	}
	addr, err := FreeAddr()
	if err != nil {
		return config.S3{}, nil, err
	}
	root := filepath.Join(dir, "s3")
	if err := os.MkdirAll(root, 0o750); err != nil {
		return config.S3{}, nil, err
	}
	cfg = config.S3{
		Endpoint:        "http://" + addr,
		Region:          "us-east-1",
		Bucket:          "beianflow-test",
		AccessKeyID:     "test-access",
		SecretAccessKey: "test-secret-" + randomHex(8),
		ForcePathStyle:  true,
	}
	logFile, err := os.Create(filepath.Join(dir, "versitygw.log"))
	if err != nil {
		return config.S3{}, nil, err
	}
	cmd := exec.Command(bin, "--port", addr, "posix", root)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+cfg.AccessKeyID, "ROOT_SECRET_KEY="+cfg.SecretAccessKey)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return config.S3{}, nil, fmt.Errorf("start versitygw: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = logFile.Close(); close(exited) }()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	if err := WaitForTCP(ctx, addr, exited, 30*time.Second); err != nil {
		stop()
		return config.S3{}, nil, fmt.Errorf("versitygw did not start (log in %s): %w", logFile.Name(), err)
	}
	return cfg, stop, nil
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

// FreeAddr returns a loopback host:port that was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// quietLogger drops the Temporal SDK's client logs in tests.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, "temporal sdk:", msg, strings.TrimSpace(fmt.Sprint(kv...)))
}
