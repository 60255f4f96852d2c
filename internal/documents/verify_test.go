package documents_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/testenv"
)

func pngOf(t *testing.T, width, height int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, width, height))))
	return buf.Bytes()
}

func jpegOf(t *testing.T, width, height int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, width, height)), nil))
	return buf.Bytes()
}

// uploadAndVerify goes the applicant's way: presign, PUT, then VerifyAndSeal.
func uploadAndVerify(t *testing.T, s *documents.Store, req documents.UploadRequest, body []byte) documents.Verdict {
	t.Helper()
	ctx := context.Background()
	up, err := s.PresignUpload(ctx, req)
	require.NoError(t, err)
	status, msg := put(t, up, up.Headers, body)
	require.Equal(t, http.StatusOK, status, msg)
	v, err := s.VerifyAndSeal(ctx, up.ObjectKey, req.Kind, req.Size, req.SHA256)
	require.NoError(t, err)
	return v
}

func TestPhotoBelowMinimumResolutionIsRejected(t *testing.T) {
	s := startStore(t)
	small := pngOf(t, 599, 800)
	v := uploadAndVerify(t, s, declare("f-1", "photo-1", filing.MaterialPhoto, filing.MediaTypePNG, small), small)
	assert.False(t, v.OK)
	assert.Equal(t, documents.ReasonResolutionTooLow, v.Reason)
	assert.Contains(t, v.Message, "599×800")

	// 600×800 is enough in either orientation, in either accepted format.
	for name, photo := range map[string][]byte{
		"portrait PNG":   pngOf(t, 600, 800),
		"landscape PNG":  pngOf(t, 800, 600),
		"portrait JPEG":  jpegOf(t, 600, 800),
		"landscape JPEG": jpegOf(t, 1024, 768),
	} {
		ct := filing.MediaTypePNG
		if photo[0] == 0xFF {
			ct = filing.MediaTypeJPEG
		}
		v := uploadAndVerify(t, s, declare("f-1", "photo-2", filing.MaterialPhoto, ct, photo), photo)
		assert.True(t, v.OK, "%s: %+v", name, v)
		assert.Equal(t, ct, v.ContentType, name)
	}

	landscapeTooShort := pngOf(t, 1200, 599)
	v = uploadAndVerify(t, s, declare("f-1", "photo-3", filing.MaterialPhoto, filing.MediaTypePNG, landscapeTooShort), landscapeTooShort)
	assert.Equal(t, documents.ReasonResolutionTooLow, v.Reason, "the shorter side must reach 600 whichever way round")
}

func TestPhotoWithABrokenHeaderIsUnreadable(t *testing.T) {
	s := startStore(t)
	broken := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	v := uploadAndVerify(t, s, declare("f-1", "photo-1", filing.MaterialPhoto, filing.MediaTypePNG, broken), broken)
	assert.False(t, v.OK)
	assert.Equal(t, documents.ReasonUnreadableImage, v.Reason)
}

func TestPDFDeclaredAsJPEGIsRejected(t *testing.T) {
	s := startStore(t)
	// The checksum matches, so S3 takes it; only the magic number tells.
	v := uploadAndVerify(t, s,
		declare("f-1", "m-1", filing.MaterialLeaderID, filing.MediaTypeJPEG, scannedForm), scannedForm)
	assert.False(t, v.OK)
	assert.Equal(t, documents.ReasonTypeMismatch, v.Reason)
	assert.Equal(t, filing.MediaTypePDF, v.ContentType, "the verdict says what the bytes really are")
}

func TestMissingUploadIsNotUploaded(t *testing.T) {
	s := startStore(t)
	req := declare("f-1", "m-1", filing.MaterialVerificationForm, filing.MediaTypePDF, scannedForm)
	up, err := s.PresignUpload(context.Background(), req)
	require.NoError(t, err)
	v, err := s.VerifyAndSeal(context.Background(), up.ObjectKey, req.Kind, req.Size, req.SHA256)
	require.NoError(t, err, "a missing upload is the applicant's to fix, not an error to retry")
	assert.Equal(t, documents.Verdict{Reason: documents.ReasonNotUploaded, Message: v.Message}, v)
	assert.NotEmpty(t, v.Message)
}

// Objects can reach the bucket without a presigned URL (tools, Put); Verify
// holds them to the same rules.
func TestObjectsStoredOutsidePresignedUploadsMeetTheSameRules(t *testing.T) {
	ctx := context.Background()
	s := startStore(t)
	store := func(key, contentType string, body []byte) {
		require.NoError(t, s.PutUpload(ctx, key, contentType, body))
	}

	store("filings/f-1/materials/form", filing.MediaTypePDF, scannedForm)
	req := declare("f-1", "form", filing.MaterialVerificationForm, filing.MediaTypePDF, scannedForm)
	v, err := s.VerifyAndSeal(ctx, "filings/f-1/materials/form", req.Kind, req.Size+1, req.SHA256)
	require.NoError(t, err)
	assert.Equal(t, documents.ReasonSizeMismatch, v.Reason)
	assert.Equal(t, req.Size, v.Size)

	store("filings/f-1/materials/photo-pdf", filing.MediaTypePDF, scannedForm)
	v, err = s.VerifyAndSeal(ctx, "filings/f-1/materials/photo-pdf", filing.MaterialPhoto, req.Size, req.SHA256)
	require.NoError(t, err)
	assert.Equal(t, documents.ReasonTypeNotAllowed, v.Reason, "a photo cannot be a PDF")
	assert.Contains(t, v.Message, "JPEG, PNG")

	huge := append(pngOf(t, 600, 800), make([]byte, documents.MaxPhotoSize)...)
	store("filings/f-1/materials/photo-huge", filing.MediaTypePNG, huge)
	big := declare("f-1", "photo-huge", filing.MaterialPhoto, filing.MediaTypePNG, huge)
	v, err = s.VerifyAndSeal(ctx, "filings/f-1/materials/photo-huge", big.Kind, big.Size, big.SHA256)
	require.NoError(t, err)
	assert.Equal(t, documents.ReasonTooLarge, v.Reason)
}

func TestVerifyFailsWhileS3IsDownSoCallersRetry(t *testing.T) {
	ctx := context.Background()
	testenv.NeedsServers(t)
	cfg, stop, err := testenv.S3(ctx, t.TempDir())
	require.NoError(t, err)
	s, err := documents.New(ctx, cfg)
	require.NoError(t, err)
	require.NoError(t, s.EnsureBucket(ctx))
	stop()
	req := declare("f-1", "m-1", filing.MaterialVerificationForm, filing.MediaTypePDF, scannedForm)
	_, err = s.VerifyAndSeal(ctx, "filings/f-1/materials/m-1", req.Kind, req.Size, req.SHA256)
	assert.Error(t, err)

	_, err = s.VerifyAndSeal(ctx, "filings/f-1/materials/m-1", "passport", req.Size, req.SHA256)
	assert.ErrorIs(t, err, documents.ErrUnknownKind, "a caller's bad kind is refused before S3 is asked")
}
