package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/codec"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/store"
)

// Rotating the key-encryption key: a new key is appended, `keys rewrap`
// moves every data key under it, and the old key can then go.
func TestKeysRewrapMovesEveryDataKeyUnderTheNewKey(t *testing.T) {
	ctx := context.Background()
	s := newSandbox(t, buildBeianflow(t)).with("DATABASE_URL=")
	old, err := codec.NewKeyLine("k1")
	require.NoError(t, err)
	next, err := codec.NewKeyLine("k2")
	require.NoError(t, err)

	cfg, err := config.Load(func(k string) string {
		return map[string]string{"BEIANFLOW_DATA_DIR": s.dirs["data"], "BEIANFLOW_DATA_KEYS": old}[k]
	})
	require.NoError(t, err)
	db, err := store.Open(ctx, "", cfg.SQLitePath())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	_, err = db.Migrate(ctx)
	require.NoError(t, err)
	keys, err := app.OpenDataKeys(cfg, db, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	sealed, err := keys.Seal(ctx, "0190c5d2-7e7e-7000-8000-000000000001", "r", []byte("张伟"))
	require.NoError(t, err)

	rotated := s.with("BEIANFLOW_DATA_KEYS=" + old + "," + next)
	res := rotated.run(t, "keys", "rewrap")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, "re-wrapped 1 data keys")
	res = rotated.run(t, "keys", "rewrap")
	assert.Contains(t, res.stdout, "re-wrapped 0 data keys", "nothing left to move")

	cfg.DataKeys = next // k1 retired
	keys, err = app.OpenDataKeys(cfg, db, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	got, err := keys.Open(ctx, "0190c5d2-7e7e-7000-8000-000000000001", "r", sealed)
	require.NoError(t, err)
	assert.Equal(t, "张伟", string(got))
}
