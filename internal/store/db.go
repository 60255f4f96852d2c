// Package store owns beianflow's relational state: connecting to PostgreSQL
// (or the embedded SQLite file used by `make run`), applying the versioned
// schema migrations, and the filings read model.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL dialect of an open database; the migrations are
// rewritten for it where DDL differs (see Migrations).
type Dialect string

// Supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is an open database with its dialect.
type DB struct {
	Gorm    *gorm.DB
	Dialect Dialect
}

// Open connects to PostgreSQL when databaseURL is set, otherwise to the
// SQLite file at sqlitePath (created with its directory if missing). It pings
// the database so a wrong URL fails at start, not on the first request.
func Open(ctx context.Context, databaseURL, sqlitePath string) (*DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Discard, // queries carry personal data; never log them
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var (
		g       *gorm.DB
		err     error
		dialect Dialect
	)
	if databaseURL != "" {
		dialect = Postgres
		g, err = gorm.Open(postgres.Open(databaseURL), cfg)
	} else {
		dialect = SQLite
		if err := os.MkdirAll(filepath.Dir(sqlitePath), 0o750); err != nil {
			return nil, fmt.Errorf("store: create directory for %s: %w", sqlitePath, err)
		}
		// WAL lets the API read while the worker writes; busy_timeout makes a
		// writer wait for the lock instead of failing at once.
		dsn := "file:" + sqlitePath + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"
		g, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if dialect == SQLite {
		// SQLite has one writer; a single connection avoids SQLITE_BUSY storms.
		sqlDB.SetMaxOpenConns(1)
	} else {
		sqlDB.SetMaxOpenConns(20)
		// Go keeps 2 idle connections by default: under concurrent load
		// every other statement then opened a new PostgreSQL connection
		// (the load benchmark's p99 went from 4x the bare Temporal start
		// to about 1.3x with this).
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", dialect, err)
	}
	return &DB{Gorm: g, Dialect: dialect}, nil
}

// Ping reports whether the database answers, for readiness checks.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// getByID reads the row of type T whose id column is id, or ErrNotFound;
// what names the row in the error. Repositories share it so that a missing
// row is ErrNotFound everywhere, never GORM's own error.
func getByID[T any](ctx context.Context, db *DB, what, id string) (T, error) {
	var row, none T
	err := db.Gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return none, ErrNotFound
	}
	if err != nil {
		return none, fmt.Errorf("store: get %s %s: %w", what, id, err)
	}
	return row, nil
}
