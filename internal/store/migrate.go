package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Each migration is written once, in PostgreSQL's DDL, as
// migrations/NNNN_name.sql; SQLite runs it with the column types rewritten
// (sqliteTypes). What one dialect alone needs goes into
// migrations/NNNN_name.<dialect>.sql, run after the shared file. Versions
// and names are those schema_migrations records, so databases migrated when
// each dialect had a directory of its own find nothing new to apply.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// dialects lists every supported dialect, to tell a dialect's own migration
// file from a shared one.
var dialects = []Dialect{Postgres, SQLite}

// sqliteTypes maps the PostgreSQL spellings the migrations use to SQLite's.
// The SQLite driver turns a column into time.Time by its declared type, which
// must read TIMESTAMP, and the other names keep the declared types SQLite
// databases have had from the start.
var sqliteTypes = []struct {
	pg     *regexp.Regexp
	sqlite string
}{
	{regexp.MustCompile(`\bTIMESTAMPTZ\b`), "TIMESTAMP"},
	{regexp.MustCompile(`\bBIGINT\b`), "INTEGER"},
	{regexp.MustCompile(`\bBYTEA\b`), "BLOB"},
	{regexp.MustCompile(`\bDEFAULT FALSE\b`), "DEFAULT 0"},
}

// Migration is one versioned schema change, as one dialect runs it.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// migrationFile is what a migration file's name says: NNNN_name.sql or
// NNNN_name.<dialect>.sql.
type migrationFile struct {
	version int
	name    string
	dialect Dialect // empty for a file every dialect runs
}

func parseMigrationName(file string) (migrationFile, error) {
	bad := fmt.Errorf("store: migration %s: name must be NNNN_description.sql or NNNN_description.<dialect>.sql", file)
	base := strings.TrimSuffix(file, ".sql")
	var f migrationFile
	if stem, suffix, ok := strings.Cut(base, "."); ok {
		if !slices.Contains(dialects, Dialect(suffix)) {
			return f, bad
		}
		base, f.dialect = stem, Dialect(suffix)
	}
	num, name, ok := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v <= 0 || name == "" {
		return f, bad
	}
	f.version, f.name = v, name
	return f, nil
}

// Migrations returns the migrations as dialect d runs them, in version
// order: each version's shared file (types rewritten for SQLite), then d's
// own file. Every dialect gets every version, so their schema_migrations
// agree even where a version has nothing for one of them.
func Migrations(d Dialect) ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	type parts struct{ shared, own string }
	byVersion := map[int]*Migration{}
	bodies := map[int]*parts{}
	for _, e := range entries {
		f, err := parseMigrationName(e.Name())
		if err != nil {
			return nil, err
		}
		m, seen := byVersion[f.version]
		if !seen {
			m = &Migration{Version: f.version, Name: f.name}
			byVersion[f.version], bodies[f.version] = m, &parts{}
		} else if m.Name != f.name {
			return nil, fmt.Errorf("store: duplicate migration version %d (%s and %s)", f.version, m.Name, f.name)
		}
		if f.dialect != "" && f.dialect != d {
			continue
		}
		body, err := fs.ReadFile(migrationFiles, path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", e.Name(), err)
		}
		if f.dialect == "" {
			bodies[f.version].shared = forDialect(d, string(body))
		} else {
			bodies[f.version].own = string(body)
		}
	}
	out := make([]Migration, 0, len(byVersion))
	for v, m := range byVersion {
		m.SQL = strings.TrimSpace(bodies[v].shared + "\n" + bodies[v].own)
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// forDialect rewrites a shared migration's PostgreSQL types for d.
func forDialect(d Dialect, sql string) string {
	if d != SQLite {
		return sql
	}
	for _, t := range sqliteTypes {
		sql = t.pg.ReplaceAllString(sql, t.sqlite)
	}
	return sql
}

// Migrate applies every pending migration in one transaction. The API and
// the worker both call it at start; on PostgreSQL an advisory lock makes the
// second caller wait and then find nothing to do, and DDL is transactional
// there, so a failing migration leaves the schema as it was.
func (db *DB) Migrate(ctx context.Context) (applied []int, err error) {
	migrations, err := Migrations(db.Dialect)
	if err != nil {
		return nil, err
	}
	err = db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if db.Dialect == Postgres {
			// Arbitrary constant: "beianflow" as a number; must never change.
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7249119)").Error; err != nil {
				return fmt.Errorf("lock migrations: %w", err)
			}
		}
		if err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TIMESTAMP NOT NULL)`).Error; err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var done []int
		if err := tx.Raw("SELECT version FROM schema_migrations").Scan(&done).Error; err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		have := make(map[int]bool, len(done))
		for _, v := range done {
			have[v] = true
		}
		for _, m := range migrations {
			if have[m.Version] {
				continue
			}
			if m.SQL != "" {
				if err := tx.Exec(m.SQL).Error; err != nil {
					return fmt.Errorf("apply migration %04d_%s: %w", m.Version, m.Name, err)
				}
			}
			if err := tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, time.Now().UTC()).Error; err != nil {
				return fmt.Errorf("record migration %04d: %w", m.Version, err)
			}
			applied = append(applied, m.Version)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: migrate %s: %w", db.Dialect, err)
	}
	return applied, nil
}
