package testenv

import (
	"context"
	"crypto/rand"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/beianflow/beianflow/internal/store"
)

// DBOption adjusts how a test database is opened.
type DBOption int

// Unmigrated leaves the schema empty, for tests of the migrations.
const Unmigrated DBOption = 1

// OpenDB connects to url (PostgreSQL) or path (SQLite), closes it when the
// test ends and applies the migrations unless told not to. Opening the same
// database twice gives two connection pools, as two workers have.
func OpenDB(t testing.TB, url, path string, opts ...DBOption) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url, path)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	for _, o := range opts {
		if o == Unmigrated {
			return db
		}
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db
}

// PostgresURL creates a fresh PostgreSQL schema of the test's own (see
// Postgres), dropped when the test ends, and returns the URL that uses it:
// for tests that open the database several times, as several processes do.
func PostgresURL(t testing.TB) string {
	t.Helper()
	NeedsServers(t)
	url, drop, err := Postgres(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	return url
}

// PostgresDB opens a fresh PostgreSQL schema of the test's own (see
// PostgresURL).
func PostgresDB(t testing.TB, opts ...DBOption) *store.DB {
	t.Helper()
	return OpenDB(t, PostgresURL(t), "", opts...)
}

// SQLiteDB opens a fresh SQLite file in the test's temporary directory.
func SQLiteDB(t testing.TB, opts ...DBOption) *store.DB {
	t.Helper()
	return OpenDB(t, "", filepath.Join(t.TempDir(), "sub", "beianflow.db"), opts...)
}

// ForEachDB runs fn as a subtest against a fresh, migrated PostgreSQL
// schema and a fresh SQLite file: storage code must behave the same on
// both dialects. The unit tier (-short) runs the SQLite half only. opts
// apply to both databases (Unmigrated, for tests of the migrations).
func ForEachDB(t *testing.T, fn func(t *testing.T, db *store.DB), opts ...DBOption) {
	t.Helper()
	dbs := []*store.DB{SQLiteDB(t, opts...)}
	if !testing.Short() {
		dbs = append([]*store.DB{PostgresDB(t, opts...)}, dbs...)
	}
	for _, db := range dbs {
		t.Run(string(db.Dialect), func(t *testing.T) { fn(t, db) })
	}
}

// AdminURL is the tests' PostgreSQL server (DATABASE_URL, else
// DefaultDatabaseURL) as a user who may create databases: its postgres
// database, without the test schema's search_path. Topologies of a test's
// own create their databases there.
func AdminURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		base = DefaultDatabaseURL
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	u.Path = "/postgres"
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String()
}

// RandomDigits are n random decimal digits: names of a run's databases
// and companies.
func RandomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic(err)
		}
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}
