package app

import (
	"context"
	"log/slog"

	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/store"
)

// Migrate applies the pending migrations of cfg's database and returns
// their versions. It needs the database alone, not Temporal nor S3, so a
// deployment runs it as a job before the API and workers roll out; the
// database is retried until ctx ends, as Open does.
func Migrate(ctx context.Context, cfg config.Config, log *slog.Logger) ([]int, error) {
	db, err := retry(ctx, log, "database", func() (*store.DB, error) {
		return store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	})
	if err != nil {
		return nil, err
	}
	defer func() { _ = db.Close() }()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	if applied == nil {
		applied = []int{} // logged as [], not null: nothing was pending
	}
	log.Info("database migrated", "migrations_applied", applied)
	return applied, nil
}
