package documents

import (
	"github.com/beianflow/beianflow/filing"

	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// UploadRequest declares a material the client is about to upload. Every
// field is bound into the presigned URL, so the client cannot upload other
// bytes, another type or another size than it declared.
type UploadRequest struct {
	FilingID   string              // the filing's ID, 1–64 ASCII letters, digits or hyphens
	MaterialID string              // the caller's ID of this material, same alphabet
	Kind       filing.MaterialKind // one of Kinds(), e.g. filing.MaterialVerificationForm
	// ContentType is the declared type, exactly one of the kind's
	// ContentTypes (lower case, no parameters).
	ContentType string
	Size        int64  // bytes, 1 to the kind's MaxSize
	SHA256      string // hex SHA-256 of the bytes, 64 characters
}

// Upload is a presigned PUT the client performs itself, so material bytes
// never pass through the API (the contract's filing.Upload).
type Upload = filing.Upload

// Reasons an UploadRequest is refused, for errors.Is; each comes wrapped in
// a *RequestError naming the field.
var (
	ErrInvalidID             = errors.New("invalid ID")
	ErrUnknownKind           = errors.New("unknown material kind")
	ErrContentTypeNotAllowed = errors.New("content type not allowed for the kind")
	ErrSizeOutOfRange        = errors.New("size out of range")
	ErrInvalidSHA256         = errors.New("invalid SHA-256")
)

// RequestError is a request refused before anything is signed or read: the
// input is wrong, and retrying it unchanged cannot help. The API answers it
// as a client error on Field.
type RequestError struct {
	// Field is the input at fault as the API names it: filing_id,
	// material_id, kind, content_type, size or sha256.
	Field string
	// Err is one of ErrInvalidID, ErrUnknownKind, ErrContentTypeNotAllowed,
	// ErrSizeOutOfRange and ErrInvalidSHA256.
	Err error
	// Message says in English what is accepted. It never repeats the input,
	// which may hold anything, personal data included.
	Message string
}

func (e *RequestError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrUnknownKind) and the like work.
func (e *RequestError) Unwrap() error { return e.Err }

// idPattern admits generated IDs (UUIDs, ULIDs) and keeps out what personal
// data usually looks like in a key: Chinese names, e-mail addresses, spaces
// and path separators.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// PresignUpload validates req and returns a presigned PUT for it, valid for
// the Store's upload expiry, with the object key the filing will reference
// once VerifyAndSeal accepted the upload. Keys are built from the two IDs only:
// keys show up in logs, workflow histories and bucket listings, so they must
// never carry a file name or anything else the applicant typed.
func (s *Store) PresignUpload(ctx context.Context, req UploadRequest) (Upload, error) {
	digest, err := req.validate()
	if err != nil {
		return Upload{}, fmt.Errorf("documents: presign: %w", err)
	}
	// The bytes land at the staging key; the filing references the key
	// VerifyAndSeal moves them to, sealed.
	key, staging := ObjectKey(req.FilingID, req.MaterialID), stagingKey(req.FilingID, req.MaterialID)
	in := &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &staging,
		ContentType:   aws.String(req.ContentType),
		ContentLength: aws.Int64(req.Size),
		// S3 recomputes this checksum over the body and refuses the PUT
		// when it differs, so the bytes stored are the bytes declared.
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(digest)),
	}
	if s.sse != "" {
		in.ServerSideEncryption = s.sse
		if s.kmsKeyID != "" {
			in.SSEKMSKeyId = aws.String(s.kmsKeyID)
		}
	}
	out, err := s.presign.PresignPutObject(ctx, in, s3.WithPresignExpires(s.uploadExpiry))
	if err != nil {
		return Upload{}, fmt.Errorf("documents: presign %s: %w", key, err)
	}
	expiresAt, err := presignedExpiry(out.URL)
	if err != nil {
		return Upload{}, fmt.Errorf("documents: presign %s: %w", key, err)
	}
	headers := make(map[string]string, len(out.SignedHeader))
	for name, values := range out.SignedHeader {
		// Host and Content-Length come from the URL and the body.
		if name = http.CanonicalHeaderKey(name); name != "Host" && name != "Content-Length" {
			headers[name] = strings.Join(values, ",")
		}
	}
	return Upload{URL: out.URL, Method: out.Method, Headers: headers, ObjectKey: key, ExpiresAt: expiresAt}, nil
}

// validate checks req against the kinds table and returns the decoded digest.
func (r UploadRequest) validate() ([]byte, error) {
	if !idPattern.MatchString(r.FilingID) {
		return nil, &RequestError{Field: "filing_id", Err: ErrInvalidID,
			Message: "must be 1 to 64 ASCII letters, digits or hyphens"}
	}
	if !idPattern.MatchString(r.MaterialID) {
		return nil, &RequestError{Field: "material_id", Err: ErrInvalidID,
			Message: "must be 1 to 64 ASCII letters, digits or hyphens"}
	}
	kind, ok := LookupKind(r.Kind)
	if !ok {
		return nil, unknownKind()
	}
	if !kind.Allows(r.ContentType) {
		return nil, &RequestError{Field: "content_type", Err: ErrContentTypeNotAllowed,
			Message: fmt.Sprintf("%s accepts %s", kind.Name, strings.Join(kind.ContentTypes, ", "))}
	}
	if r.Size <= 0 || r.Size > kind.MaxSize {
		return nil, &RequestError{Field: "size", Err: ErrSizeOutOfRange,
			Message: fmt.Sprintf("%s must be 1 to %d bytes", kind.Name, kind.MaxSize)}
	}
	digest, err := decodeSHA256(r.SHA256)
	if err != nil {
		return nil, err
	}
	return digest, nil
}

// unknownKind lists the kinds there are, so the caller can correct itself.
func unknownKind() *RequestError {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k.Name)
	}
	return &RequestError{Field: "kind", Err: ErrUnknownKind, Message: "must be one of " + strings.Join(names, ", ")}
}

// decodeSHA256 decodes a declared hex digest, upper or lower case.
func decodeSHA256(s string) ([]byte, error) {
	digest, err := hex.DecodeString(s)
	if err != nil || len(digest) != 32 {
		return nil, &RequestError{Field: "sha256", Err: ErrInvalidSHA256,
			Message: "must be the file's SHA-256 as 64 hexadecimal characters"}
	}
	return digest, nil
}

// presignedExpiry reads when a SigV4 presigned URL stops working: its
// signing instant plus its lifetime, both from the query, so the answer is
// what the server will enforce and not a guess from a local clock.
func presignedExpiry(presigned string) (time.Time, error) {
	u, err := url.Parse(presigned)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse presigned URL: %w", err)
	}
	q := u.Query()
	signed, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return time.Time{}, fmt.Errorf("presigned URL X-Amz-Date: %w", err)
	}
	seconds, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil {
		return time.Time{}, fmt.Errorf("presigned URL X-Amz-Expires: %w", err)
	}
	return signed.Add(time.Duration(seconds) * time.Second), nil
}
