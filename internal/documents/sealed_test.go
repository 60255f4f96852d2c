package documents_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/testenv"
)

// bucketOnDisk is a Store and the directory versitygw keeps its bucket in,
// to look at the stored bytes as a backup of the bucket would hold them.
type bucketOnDisk struct {
	*documents.Store
	dir string
}

func startSealedStore(t *testing.T) bucketOnDisk {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := testenv.S3For(t, dir)
	s, err := documents.New(ctx, cfg, documents.WithSealer(testenv.Keys(t, testenv.SQLiteDB(t))))
	require.NoError(t, err)
	require.NoError(t, s.EnsureBucket(ctx))
	return bucketOnDisk{Store: s, dir: filepath.Join(dir, "s3", cfg.Bucket)}
}

// stored is the object's bytes as the bucket holds them; nil when absent.
func (b bucketOnDisk) stored(t *testing.T, key string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(b.dir, filepath.FromSlash(key)))
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	return data
}

// aScan is a document whose bytes are easy to look for: a PDF naming its
// holder in clear text, as a scanned verification form's text layer does.
var aScan = []byte("%PDF-1.7\n% 主体负责人 张伟 110101199003078515 13800138000\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestAVerifiedUploadIsSealedIntoPlaceAndTheClearCopyDeleted(t *testing.T) {
	ctx := context.Background()
	b := startSealedStore(t)
	req := declare("f-1", "m-1", filing.MaterialVerificationForm, filing.MediaTypePDF, aScan)
	up, err := b.PresignUpload(ctx, req)
	require.NoError(t, err)
	status, msg := put(t, up, up.Headers, aScan)
	require.Equal(t, 200, status, msg)
	assert.Equal(t, aScan, b.stored(t, "uploads/f-1/m-1"), "the upload lands in clear at its staging key")
	assert.Nil(t, b.stored(t, up.ObjectKey), "and nowhere else")

	v, err := b.VerifyAndSeal(ctx, up.ObjectKey, req.Kind, req.Size, req.SHA256)
	require.NoError(t, err)
	require.True(t, v.OK, v.Message)

	assert.Nil(t, b.stored(t, "uploads/f-1/m-1"), "the clear upload is gone")
	sealed := b.stored(t, up.ObjectKey)
	require.NotNil(t, sealed)
	assert.False(t, bytes.Contains(sealed, []byte("110101199003078515")), "the bucket holds ciphertext")
	assert.False(t, bytes.Contains(sealed, []byte("%PDF")))

	body, doc, err := b.Open(ctx, up.ObjectKey)
	require.NoError(t, err)
	plain, err := io.ReadAll(body)
	require.NoError(t, body.Close())
	require.NoError(t, err)
	assert.Equal(t, aScan, plain)
	assert.Equal(t, documents.Document{ContentType: filing.MediaTypePDF, Size: int64(len(aScan))}, doc)

	// The activity is retried after it moved the upload: same verdict.
	again, err := b.VerifyAndSeal(ctx, up.ObjectKey, req.Kind, req.Size, req.SHA256)
	require.NoError(t, err)
	assert.True(t, again.OK)
	assert.Equal(t, filing.MediaTypePDF, again.ContentType)
	// But a different declaration of the same key is not that document.
	other := declare("f-1", "m-1", req.Kind, filing.MediaTypePDF, append([]byte{}, scannedForm...))
	v, err = b.VerifyAndSeal(ctx, up.ObjectKey, other.Kind, other.Size, other.SHA256)
	require.NoError(t, err)
	assert.Equal(t, documents.ReasonNotUploaded, v.Reason)
}

func TestARefusedUploadLeavesNothingBehind(t *testing.T) {
	ctx := context.Background()
	b := startSealedStore(t)
	declared := declare("f-1", "m-1", filing.MaterialVerificationForm, filing.MediaTypePDF, aScan)
	tampered := bytes.Replace(aScan, []byte("张伟"), []byte("李娜"), 1)
	require.Len(t, tampered, len(aScan))
	require.NoError(t, b.PutUpload(ctx, "filings/f-1/materials/m-1", filing.MediaTypePDF, tampered))

	v, err := b.VerifyAndSeal(ctx, "filings/f-1/materials/m-1", declared.Kind, declared.Size, declared.SHA256)
	require.NoError(t, err)
	assert.Equal(t, documents.ReasonChecksumMismatch, v.Reason)
	assert.Nil(t, b.stored(t, "uploads/f-1/m-1"), "the refused upload is deleted")
	assert.Nil(t, b.stored(t, "filings/f-1/materials/m-1"), "and what was sealed of it while it was read")
}

func TestASealedDocumentMovedToAnotherKeyDoesNotOpen(t *testing.T) {
	ctx := context.Background()
	b := startSealedStore(t)
	req := declare("f-1", "m-1", filing.MaterialPhoto, filing.MediaTypePNG, pngOf(t, 600, 800))
	require.NoError(t, b.PutUpload(ctx, "filings/f-1/materials/m-1", filing.MediaTypePNG, pngOf(t, 600, 800)))
	v, err := b.VerifyAndSeal(ctx, "filings/f-1/materials/m-1", req.Kind, req.Size, req.SHA256)
	require.NoError(t, err)
	require.True(t, v.OK, v.Message)

	// Copy the object, metadata and all, under another material's key.
	src := filepath.Join(b.dir, "filings", "f-1", "materials", "m-1")
	dst := filepath.Join(b.dir, "filings", "f-1", "materials", "m-2")
	require.NoError(t, os.WriteFile(dst, b.stored(t, "filings/f-1/materials/m-1"), 0o600))
	copyXattrs(t, src, dst)
	_, _, err = b.Get(ctx, "filings/f-1/materials/m-2", documents.MaxDocumentSize)
	assert.Error(t, err, "the ciphertext is bound to its key")
	_, _, err = b.Get(ctx, "filings/f-1/materials/m-1", documents.MaxDocumentSize)
	assert.NoError(t, err)
}

func TestAbandonedUploadsAreSweptAfterTheirLifetime(t *testing.T) {
	ctx := context.Background()
	b := startSealedStore(t)
	require.NoError(t, b.PutUpload(ctx, "filings/f-1/materials/m-old", filing.MediaTypePDF, aScan))
	old := time.Now().Add(-documents.UploadLifetime - time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(b.dir, "uploads", "f-1", "m-old"), old, old))
	require.NoError(t, b.PutUpload(ctx, "filings/f-1/materials/m-new", filing.MediaTypePDF, aScan))

	n, err := b.SweepUploads(ctx, time.Now().Add(-documents.UploadLifetime))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Nil(t, b.stored(t, "uploads/f-1/m-old"))
	assert.NotNil(t, b.stored(t, "uploads/f-1/m-new"), "an upload still within its lifetime stays")
}

// copyXattrs copies the extended attributes versitygw keeps an object's
// metadata in.
func copyXattrs(t *testing.T, src, dst string) {
	t.Helper()
	size, err := syscall.Listxattr(src, nil)
	require.NoError(t, err)
	names := make([]byte, size)
	_, err = syscall.Listxattr(src, names)
	require.NoError(t, err)
	for _, name := range strings.Split(strings.TrimRight(string(names), "\x00"), "\x00") {
		n, err := syscall.Getxattr(src, name, nil)
		require.NoError(t, err)
		value := make([]byte, n)
		_, err = syscall.Getxattr(src, name, value)
		require.NoError(t, err)
		require.NoError(t, syscall.Setxattr(dst, name, value, 0))
	}
}
