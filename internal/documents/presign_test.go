package documents_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/documents"
	"github.com/beianflow/beianflow/internal/testenv"
)

// scannedForm stands in for a scanned 真实性核验单: only its magic number
// matters to the checks.
var scannedForm = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// startStore runs a versitygw server for the test and returns a Store on
// its bucket, sealing with data keys kept in a database of its own.
func startStore(t *testing.T, opts ...documents.Option) *documents.Store {
	t.Helper()
	ctx := context.Background()
	cfg := testenv.S3For(t, "")
	opts = append([]documents.Option{documents.WithSealer(testenv.Keys(t, testenv.SQLiteDB(t)))}, opts...)
	s, err := documents.New(ctx, cfg, opts...)
	require.NoError(t, err)
	require.NoError(t, s.EnsureBucket(ctx))
	return s
}

// declare describes body as the applicant's client would.
func declare(filingID, materialID string, kind filing.MaterialKind, contentType string, body []byte) documents.UploadRequest {
	sum := sha256.Sum256(body)
	return documents.UploadRequest{FilingID: filingID, MaterialID: materialID, Kind: kind,
		ContentType: contentType, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])}
}

// put performs the presigned upload as a client would: the returned method,
// URL and headers, nothing else. It returns the status and S3's error body.
func put(t *testing.T, up filing.Upload, headers map[string]string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(up.Method, up.URL, bytes.NewReader(body))
	require.NoError(t, err)
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	msg, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(msg)
}

func TestApplicantUploadsAScannedFormThroughThePresignedURL(t *testing.T) {
	ctx := context.Background()
	s := startStore(t)
	req := declare("f-0001", "m-0001", filing.MaterialVerificationForm, filing.MediaTypePDF, scannedForm)
	before := time.Now()
	up, err := s.PresignUpload(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, http.MethodPut, up.Method)
	assert.Equal(t, "filings/f-0001/materials/m-0001", up.ObjectKey)
	assert.Equal(t, filing.MediaTypePDF, up.Headers["Content-Type"])
	assert.NotEmpty(t, up.Headers["X-Amz-Checksum-Sha256"], "the declared SHA-256 is bound into the URL")
	assert.WithinDuration(t, before.Add(documents.DefaultUploadExpiry), up.ExpiresAt, 2*time.Second)

	status, msg := put(t, up, up.Headers, scannedForm)
	require.Equal(t, http.StatusOK, status, msg)

	v, err := s.VerifyAndSeal(ctx, up.ObjectKey, req.Kind, req.Size, req.SHA256)
	require.NoError(t, err)
	assert.Equal(t, documents.Verdict{OK: true, ContentType: filing.MediaTypePDF, Size: req.Size}, v)
}

func TestUploadWithOtherBytesThanDeclaredIsRejected(t *testing.T) {
	ctx := context.Background()
	s := startStore(t)
	req := declare("f-0001", "m-0001", filing.MaterialVerificationForm, filing.MediaTypePDF, scannedForm)
	up, err := s.PresignUpload(ctx, req)
	require.NoError(t, err)

	// versitygw v1.8.0 verifies the signed x-amz-checksum-sha256 header: other
	// bytes of the declared size are refused with 400 BadDigest and nothing is
	// stored. So S3 rejects them, before VerifyAndSeal ever runs.
	tampered := bytes.Clone(scannedForm)
	tampered[len(tampered)-2] = 'X'
	status, msg := put(t, up, up.Headers, tampered)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, msg, "BadDigest")
	v, err := s.VerifyAndSeal(ctx, up.ObjectKey, req.Kind, req.Size, req.SHA256)
	require.NoError(t, err)
	assert.Equal(t, documents.ReasonNotUploaded, v.Reason, "the refused bytes are not stored")

	// Content-Length is signed: a longer body breaks the signature.
	status, msg = put(t, up, up.Headers, append(bytes.Clone(scannedForm), '\n'))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, msg, "SignatureDoesNotMatch")

	// Leaving out the checksum or changing the type breaks it too.
	for name, headers := range map[string]map[string]string{
		"without the checksum header": {"Content-Type": filing.MediaTypePDF},
		"as another content type": {"Content-Type": filing.MediaTypePNG,
			"X-Amz-Checksum-Sha256": up.Headers["X-Amz-Checksum-Sha256"]},
	} {
		status, msg = put(t, up, headers, scannedForm)
		assert.Equal(t, http.StatusForbidden, status, name)
		assert.Contains(t, msg, "SignatureDoesNotMatch", name)
	}

	// Bytes that reached the bucket some other way are still caught by
	// VerifyAndSeal, which hashes the stored object itself.
	require.NoError(t, s.PutUpload(ctx, up.ObjectKey, filing.MediaTypePDF, tampered))
	v, err = s.VerifyAndSeal(ctx, up.ObjectKey, req.Kind, req.Size, req.SHA256)
	require.NoError(t, err)
	assert.False(t, v.OK)
	assert.Equal(t, documents.ReasonChecksumMismatch, v.Reason)
}

func TestPresignRefusesUnknownKindOversizeAndBadChecksum(t *testing.T) {
	s, err := documents.New(context.Background(), documentsConfig("http://127.0.0.1:1"))
	require.NoError(t, err)
	valid := declare("f-1", "m-1", filing.MaterialPhoto, filing.MediaTypeJPEG, []byte{0xFF, 0xD8, 0xFF})
	cases := map[string]struct {
		change func(*documents.UploadRequest)
		field  string
		err    error
	}{
		"unknown kind":                 {func(r *documents.UploadRequest) { r.Kind = "passport" }, "kind", documents.ErrUnknownKind},
		"PDF for a photo":              {func(r *documents.UploadRequest) { r.ContentType = filing.MediaTypePDF }, "content_type", documents.ErrContentTypeNotAllowed},
		"content type with parameters": {func(r *documents.UploadRequest) { r.ContentType = "image/jpeg; q=1" }, "content_type", documents.ErrContentTypeNotAllowed},
		"empty file":                   {func(r *documents.UploadRequest) { r.Size = 0 }, "size", documents.ErrSizeOutOfRange},
		"photo over 5 MiB":             {func(r *documents.UploadRequest) { r.Size = documents.MaxPhotoSize + 1 }, "size", documents.ErrSizeOutOfRange},
		"form over 10 MiB": {func(r *documents.UploadRequest) {
			r.Kind, r.ContentType, r.Size = filing.MaterialVerificationForm, filing.MediaTypePDF, documents.MaxDocumentSize+1
		}, "size", documents.ErrSizeOutOfRange},
		"checksum too short": {func(r *documents.UploadRequest) { r.SHA256 = r.SHA256[:62] }, "sha256", documents.ErrInvalidSHA256},
		"checksum not hex":   {func(r *documents.UploadRequest) { r.SHA256 = strings.Repeat("g", 64) }, "sha256", documents.ErrInvalidSHA256},
		"checksum in base64": {func(r *documents.UploadRequest) { r.SHA256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }, "sha256", documents.ErrInvalidSHA256},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			req := valid
			c.change(&req)
			_, err := s.PresignUpload(context.Background(), req)
			require.ErrorIs(t, err, c.err)
			var reqErr *documents.RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, c.field, reqErr.Field)
		})
	}
	_, err = s.PresignUpload(context.Background(), valid)
	assert.NoError(t, err, "the unchanged request is fine; presigning needs no server")
	atLimit := valid
	atLimit.Size = documents.MaxPhotoSize
	_, err = s.PresignUpload(context.Background(), atLimit)
	assert.NoError(t, err, "the limit itself is allowed")
}

func TestPresignedURLExpires(t *testing.T) {
	ctx := context.Background()
	s := startStore(t, documents.WithUploadExpiry(time.Second))
	req := declare("f-1", "m-1", filing.MaterialVerificationForm, filing.MediaTypePDF, scannedForm)
	up, err := s.PresignUpload(ctx, req)
	require.NoError(t, err)
	u, err := url.Parse(up.URL)
	require.NoError(t, err)
	assert.Equal(t, "1", u.Query().Get("X-Amz-Expires"))

	// versitygw v1.8.0 enforces the expiry: 403 AccessDenied "Request has
	// expired". Expiry is counted in whole seconds from X-Amz-Date, so wait 2 s.
	time.Sleep(time.Until(up.ExpiresAt) + time.Second)
	status, msg := put(t, up, up.Headers, scannedForm)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, msg, "Request has expired")
	v, err := s.VerifyAndSeal(ctx, up.ObjectKey, req.Kind, req.Size, req.SHA256)
	require.NoError(t, err)
	assert.Equal(t, documents.ReasonNotUploaded, v.Reason)
}

func TestKeysNeverCarryPersonalData(t *testing.T) {
	s, err := documents.New(context.Background(), documentsConfig("http://127.0.0.1:1"))
	require.NoError(t, err)
	req := declare("0190f3c2-7d1e-7b6a-9f00-4c2d1e8a9b10", "leader-id-front", filing.MaterialLeaderID,
		filing.MediaTypeJPEG, []byte{0xFF, 0xD8, 0xFF})
	up, err := s.PresignUpload(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "filings/0190f3c2-7d1e-7b6a-9f00-4c2d1e8a9b10/materials/leader-id-front", up.ObjectKey,
		"the key is the two IDs and nothing else: no kind, type, checksum or file name")
	u, err := url.Parse(up.URL)
	require.NoError(t, err)
	assert.Equal(t, "/"+s.Bucket()+"/uploads/0190f3c2-7d1e-7b6a-9f00-4c2d1e8a9b10/leader-id-front", u.Path,
		"the upload lands at its staging key, to be sealed into up.ObjectKey")

	for name, id := range map[string]string{
		"a Chinese name":        "张三",
		"an e-mail address":     "zhangsan@example.com",
		"a name with a space":   "Zhang San",
		"a file name":           "身份证.jpg",
		"a path":                "../f-2",
		"an ID number too long": strings.Repeat("1", 65),
		"nothing":               "",
	} {
		for _, field := range []string{"filing_id", "material_id"} {
			bad := req
			if field == "filing_id" {
				bad.FilingID = id
			} else {
				bad.MaterialID = id
			}
			_, err := s.PresignUpload(context.Background(), bad)
			require.ErrorIs(t, err, documents.ErrInvalidID, "%s as %s", name, field)
			if id != "" {
				assert.NotContains(t, err.Error(), id, "the refusal does not repeat the input")
			}
		}
	}
}

func TestEncryptionAtRestIsSignedIntoTheUpload(t *testing.T) {
	// versitygw may not implement SSE, so this checks the signed request only.
	req := declare("f-1", "m-1", filing.MaterialLeaderID, filing.MediaTypePNG, []byte("\x89PNG\r\n\x1a\n"))
	presign := func(opts ...documents.Option) (filing.Upload, string) {
		s, err := documents.New(context.Background(), documentsConfig("http://127.0.0.1:1"), opts...)
		require.NoError(t, err)
		up, err := s.PresignUpload(context.Background(), req)
		require.NoError(t, err)
		u, err := url.Parse(up.URL)
		require.NoError(t, err)
		return up, u.Query().Get("X-Amz-SignedHeaders")
	}

	up, signed := presign()
	assert.NotContains(t, signed, "x-amz-server-side-encryption", "off by default")
	assert.NotContains(t, up.Headers, "X-Amz-Server-Side-Encryption")

	up, signed = presign(documents.WithSSE(documents.SSEKMS, "kms-key-1"))
	assert.Contains(t, strings.Split(signed, ";"), "x-amz-server-side-encryption")
	assert.Contains(t, strings.Split(signed, ";"), "x-amz-server-side-encryption-aws-kms-key-id")
	assert.Equal(t, "aws:kms", up.Headers["X-Amz-Server-Side-Encryption"])
	assert.Equal(t, "kms-key-1", up.Headers["X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"])

	up, signed = presign(documents.WithSSE(documents.SSEAES256, ""))
	assert.Contains(t, strings.Split(signed, ";"), "x-amz-server-side-encryption")
	assert.Equal(t, "AES256", up.Headers["X-Amz-Server-Side-Encryption"])
	assert.NotContains(t, up.Headers, "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id")
}

func TestMisconfiguredUploadOptionsStopTheStart(t *testing.T) {
	for name, opt := range map[string]documents.Option{
		"a mode not offered (DSSE)": documents.WithSSE("aws:kms:dsse", ""),
		"a KMS key with AES256":     documents.WithSSE(documents.SSEAES256, "kms-key-1"),
		"expiry under a second":     documents.WithUploadExpiry(500 * time.Millisecond),
		"expiry beyond seven days":  documents.WithUploadExpiry(8 * 24 * time.Hour),
	} {
		_, err := documents.New(context.Background(), documentsConfig("http://127.0.0.1:1"), opt)
		assert.Error(t, err, name)
	}
}
