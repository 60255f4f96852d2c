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
	"github.com/beianflow/beianflow/internal/kmssandbox"
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
	keys, err := app.OpenDataKeys(ctx, cfg, db, slog.New(slog.DiscardHandler))
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
	keys, err = app.OpenDataKeys(ctx, cfg, db, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	got, err := keys.Open(ctx, "0190c5d2-7e7e-7000-8000-000000000001", "r", sealed)
	require.NoError(t, err)
	assert.Equal(t, "张伟", string(got))
}

// Moving to KMS: the KMS key is configured beside the local one, `keys
// rewrap` moves every data key under KMS, and the local key can go.
func TestKeysRewrapMovesDataKeysFromALocalKeyToKMS(t *testing.T) {
	ctx := context.Background()
	kms := kmssandbox.New("cn-north-1", "1234abcd-12ab-34cd-56ef-1234567890ab")
	srv := kms.Start()
	t.Cleanup(srv.Close)
	arn := kms.ARN("1234abcd-12ab-34cd-56ef-1234567890ab")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	s := newSandbox(t, buildBeianflow(t)).with("DATABASE_URL=",
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	local, err := codec.NewKeyLine("k1")
	require.NoError(t, err)
	env := map[string]string{"BEIANFLOW_DATA_DIR": s.dirs["data"], "BEIANFLOW_DATA_KEYS": local}
	cfg, err := config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	db, err := store.Open(ctx, "", cfg.SQLitePath())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	_, err = db.Migrate(ctx)
	require.NoError(t, err)
	keys, err := app.OpenDataKeys(ctx, cfg, db, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	sealed, err := keys.Seal(ctx, "0190c5d2-7e7e-7000-8000-000000000002", "r", []byte("张伟"))
	require.NoError(t, err)
	assert.Zero(t, kms.Calls("Encrypt"), "a local key wraps it")

	both := s.with("BEIANFLOW_DATA_KEYS="+local, "BEIANFLOW_DATA_KEY_KMS_KEY_ID="+arn,
		"BEIANFLOW_DATA_KEY_KMS_REGION=cn-north-1", "BEIANFLOW_DATA_KEY_KMS_ENDPOINT="+srv.URL)
	res := both.run(t, "keys", "rewrap")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, "re-wrapped 1 data keys")
	assert.Equal(t, 1, kms.Calls("Encrypt"), "KMS wraps it now")

	// The local key retired: KMS alone opens what was sealed before.
	env = map[string]string{"BEIANFLOW_DATA_DIR": s.dirs["data"], "BEIANFLOW_DATA_KEY_KMS_KEY_ID": arn,
		"BEIANFLOW_DATA_KEY_KMS_REGION": "cn-north-1", "BEIANFLOW_DATA_KEY_KMS_ENDPOINT": srv.URL}
	cfg, err = config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	keys, err = app.OpenDataKeys(ctx, cfg, db, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	got, err := keys.Open(ctx, "0190c5d2-7e7e-7000-8000-000000000002", "r", sealed)
	require.NoError(t, err)
	assert.Equal(t, "张伟", string(got))
	assert.Equal(t, 1, kms.Calls("Decrypt"))

	// Disabling the KMS key stops every read at once.
	require.NoError(t, kms.Disable("1234abcd-12ab-34cd-56ef-1234567890ab"))
	keys, err = app.OpenDataKeys(ctx, cfg, db, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	_, err = keys.Open(ctx, "0190c5d2-7e7e-7000-8000-000000000002", "r", sealed)
	assert.ErrorContains(t, err, "DisabledException")
}
