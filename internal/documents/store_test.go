package documents_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/testenv"
)

func TestBucketIsCreatedOnceAndReachable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := testenv.S3For(t, dir)

	s, err := documents.New(ctx, cfg)
	require.NoError(t, err)
	assert.Error(t, s.Ping(ctx), "the bucket does not exist yet")
	require.NoError(t, s.EnsureBucket(ctx))
	require.NoError(t, s.EnsureBucket(ctx), "a second start finds the bucket and is fine")
	require.NoError(t, s.Ping(ctx))
	info, err := os.Stat(filepath.Join(dir, "s3", cfg.Bucket))
	require.NoError(t, err, "versitygw keeps the bucket as a directory")
	assert.True(t, info.IsDir())
}

func TestWrongCredentialsAreRefused(t *testing.T) {
	ctx := context.Background()
	cfg := testenv.S3For(t, "")
	cfg.SecretAccessKey = "wrong"
	s, err := documents.New(ctx, cfg)
	require.NoError(t, err)
	assert.Error(t, s.EnsureBucket(ctx))
}

func TestUnreachableServerFailsPing(t *testing.T) {
	addr, err := testenv.FreeAddr()
	require.NoError(t, err)
	s, err := documents.New(context.Background(), documentsConfig("http://"+addr))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	assert.Error(t, s.Ping(ctx))
}

func documentsConfig(endpoint string) config.S3 {
	return config.S3{Endpoint: endpoint, Region: "us-east-1", Bucket: "b-test",
		AccessKeyID: "k", SecretAccessKey: "s", ForcePathStyle: true}
}
