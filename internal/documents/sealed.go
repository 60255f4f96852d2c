package documents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/envelope"
)

// Where documents lie. An applicant's upload lands, as sent and in clear,
// at its staging key under uploadsPrefix; verifying it re-encrypts it with
// the filing's data key to the object key the filing references (under
// "filings/<id>/") and deletes the upload. The bytes' integrity is S3's
// own check of the presigned SHA-256, and a clear upload lingers only
// until it is verified, or for UploadLifetime when it never is.
//
//	uploads/<filing>/<material>           the upload, clear, short-lived
//	filings/<filing>/materials/<material> the document, sealed
const uploadsPrefix = "uploads/"

// UploadLifetime is how long an upload that is never verified stays in the
// bucket before SweepUploads deletes it: an applicant attaches what they
// uploaded within minutes; a day covers an interrupted session.
const UploadLifetime = 24 * time.Hour

// sealedContentType is what S3 is told a sealed document is: only
// beianflow can tell more.
const sealedContentType = "application/octet-stream"

// Metadata of a sealed object (x-amz-meta-…): what the plaintext is, so a
// verification retried after the upload was moved finds its verdict, and a
// reader knows the type without decrypting first. None of it is personal.
const (
	metaSealed      = "beianflow-sealed" // "v1": the envelope stream format
	metaContentType = "beianflow-content-type"
	metaSize        = "beianflow-size"
	metaSHA256      = "beianflow-sha256"
)

// Sealer encrypts and decrypts documents with their filing's data key
// (envelope.Keys). purpose binds the ciphertext to its object key, so a
// sealed document copied to another key or filing does not decrypt.
type Sealer interface {
	Encrypt(ctx context.Context, id filing.ID, purpose string, plaintext io.Reader) (io.Reader, error)
	Decrypt(ctx context.Context, id filing.ID, purpose string, sealed io.Reader) (io.Reader, error)
}

// WithSealer seals every verified document with its filing's data key.
// A Store without one verifies nothing and reads nothing: it would store
// ID scans in clear.
func WithSealer(s Sealer) Option {
	return func(st *Store) error {
		st.sealer = s
		return nil
	}
}

// errNoSealer is a Store built without WithSealer asked for a document.
var errNoSealer = errors.New("no data keys to seal documents with")

// ErrNotSealed is a document in the bucket that beianflow did not seal:
// put there by hand, or by a version before documents were sealed.
var ErrNotSealed = errors.New("documents: object is not a sealed document")

// ObjectKey is where the document of a filing's material is kept.
func ObjectKey(filingID, materialID string) string {
	return "filings/" + filingID + "/materials/" + materialID
}

// parseKey splits a document's object key into its filing and material.
func parseKey(key string) (filingID, materialID string, ok bool) {
	rest, ok := strings.CutPrefix(key, "filings/")
	if !ok {
		return "", "", false
	}
	filingID, materialID, ok = strings.Cut(rest, "/materials/")
	if !ok || !idPattern.MatchString(filingID) || !idPattern.MatchString(materialID) {
		return "", "", false
	}
	return filingID, materialID, true
}

// stagingKey is where the upload of the document at key lands.
func stagingKey(filingID, materialID string) string {
	return uploadsPrefix + filingID + "/" + materialID
}

// purpose binds a document's ciphertext to its object key.
func purpose(key string) string { return "document " + key }

// Document describes a sealed document's plaintext.
type Document struct {
	// ContentType is what the bytes are, as verified: a PDF, JPEG or PNG.
	ContentType string
	// Size is the plaintext's length in bytes.
	Size int64
}

// Open streams the plaintext of the sealed document at key. The reader
// fails if the ciphertext was cut or altered; its error, not io.EOF, ends
// it then, so a caller that copies it somewhere must check. Close it.
// An erased filing's document fails with envelope.ErrErased (or is gone).
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, Document, error) {
	filingID, _, ok := parseKey(key)
	if !ok {
		return nil, Document{}, fmt.Errorf("documents: open %s: not a document's key", key)
	}
	if s.sealer == nil {
		return nil, Document{}, fmt.Errorf("documents: open %s: %w", key, errNoSealer)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return nil, Document{}, fmt.Errorf("documents: open %s: %w", key, err)
	}
	doc, err := sealedDocument(out.Metadata)
	if err != nil {
		_ = out.Body.Close()
		return nil, Document{}, fmt.Errorf("documents: open %s: %w", key, err)
	}
	plain, err := s.sealer.Decrypt(ctx, filing.ID(filingID), purpose(key), out.Body)
	if err != nil {
		_ = out.Body.Close()
		return nil, Document{}, fmt.Errorf("documents: open %s: %w", key, err)
	}
	return readCloser{Reader: plain, Closer: out.Body}, doc, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// sealedDocument reads a sealed object's metadata.
func sealedDocument(meta map[string]string) (Document, error) {
	if meta[metaSealed] != "v1" {
		return Document{}, ErrNotSealed
	}
	size, err := strconv.ParseInt(meta[metaSize], 10, 64)
	if err != nil {
		return Document{}, fmt.Errorf("%w: bad size metadata", ErrNotSealed)
	}
	return Document{ContentType: meta[metaContentType], Size: size}, nil
}

// Get reads the plaintext of the sealed document at key, at most limit
// bytes, with its content type. The document was verified first, so its
// size is known to be in bounds; the limit guards against a bug.
func (s *Store) Get(ctx context.Context, key string, limit int64) ([]byte, string, error) {
	body, doc, err := s.Open(ctx, key)
	if err != nil {
		return nil, "", err
	}
	defer func() { _ = body.Close() }()
	if doc.Size > limit {
		return nil, "", fmt.Errorf("documents: get %s: larger than %d bytes", key, limit)
	}
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, "", fmt.Errorf("documents: get %s: %w", key, err)
	}
	if int64(len(b)) != doc.Size {
		return nil, "", fmt.Errorf("documents: get %s: %d bytes where %d were sealed", key, len(b), doc.Size)
	}
	return b, doc.ContentType, nil
}

// sealInto streams plaintext, sealed with the filing's data key, to the
// object at key. The ciphertext's length is known in advance, so S3 gets
// a plain PUT of known length; its payload is not hashed for the
// signature (it cannot be read twice), and the AEAD chunks are what
// detect an altered object.
func (s *Store) sealInto(ctx context.Context, key string, doc Document, sha256Hex string, plaintext io.Reader) error {
	filingID, _, _ := parseKey(key)
	sealed, err := s.sealer.Encrypt(ctx, filing.ID(filingID), purpose(key), plaintext)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.bucket, Key: &key, Body: sealed,
		ContentLength: aws.Int64(envelope.EncryptedSize(doc.Size)),
		ContentType:   aws.String(sealedContentType),
		Metadata: map[string]string{
			metaSealed: "v1", metaContentType: doc.ContentType,
			metaSize: strconv.FormatInt(doc.Size, 10), metaSHA256: sha256Hex,
		},
	}, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	if err != nil {
		return fmt.Errorf("put the sealed document: %w", err)
	}
	return nil
}

// sealedAlready reports whether the document at key is sealed with the
// given size and SHA-256: a verification retried after it moved the
// upload into place.
func (s *Store) sealedAlready(ctx context.Context, key string, size int64, sha256Hex string) (Document, bool, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	if isNotFound(err) {
		return Document{}, false, nil
	}
	if err != nil {
		return Document{}, false, fmt.Errorf("head %s: %w", key, err)
	}
	doc, err := sealedDocument(out.Metadata)
	if err != nil || doc.Size != size || !strings.EqualFold(out.Metadata[metaSHA256], sha256Hex) {
		return Document{}, false, nil
	}
	return doc, true, nil
}

// PutUpload stores body as the applicant's upload for the document at key
// would, unverified and in clear; tests and tools use it, the API hands
// out presigned URLs instead.
func (s *Store) PutUpload(ctx context.Context, key, contentType string, body []byte) error {
	filingID, materialID, ok := parseKey(key)
	if !ok {
		return fmt.Errorf("documents: put %s: not a document's key", key)
	}
	staging := stagingKey(filingID, materialID)
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.bucket, Key: &staging, ContentType: &contentType, Body: bytes.NewReader(body),
	})
	if err != nil {
		return fmt.Errorf("documents: put %s: %w", staging, err)
	}
	return nil
}

// DeleteFiling deletes every object of the filing, its documents and any
// upload not yet verified, and returns how many it deleted.
func (s *Store) DeleteFiling(ctx context.Context, id filing.ID) (int, error) {
	n := 0
	for _, prefix := range []string{"filings/" + string(id) + "/", uploadsPrefix + string(id) + "/"} {
		m, err := s.deletePrefix(ctx, prefix, time.Time{})
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// SweepUploads deletes the uploads last written before olderThan: those
// never verified (abandoned, or refused and not retried). Every worker may
// sweep; deleting is idempotent.
func (s *Store) SweepUploads(ctx context.Context, olderThan time.Time) (int, error) {
	return s.deletePrefix(ctx, uploadsPrefix, olderThan)
}

// deletePrefix deletes the objects under prefix, those last modified
// before olderThan when it is set. Objects are listed and deleted page by
// page; a missing object is no error, so a repeated call deletes what is
// left.
func (s *Store) deletePrefix(ctx context.Context, prefix string, olderThan time.Time) (int, error) {
	deleted := 0
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return deleted, fmt.Errorf("documents: list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			if !olderThan.IsZero() && o.LastModified != nil && !o.LastModified.Before(olderThan) {
				continue
			}
			if err := s.delete(ctx, aws.ToString(o.Key)); err != nil {
				return deleted, err
			}
			deleted++
		}
	}
	return deleted, nil
}

// delete deletes one object; a missing one is no error.
func (s *Store) delete(ctx context.Context, key string) error {
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key}); err != nil && !isNotFound(err) {
		return fmt.Errorf("documents: delete %s: %w", key, err)
	}
	return nil
}

// isNotFound reports whether err says the object is not there.
func isNotFound(err error) bool {
	var notFound *types.NotFound
	var noKey *types.NoSuchKey
	return errors.As(err, &notFound) || errors.As(err, &noKey)
}
