package documents

import (
	"github.com/beianflow/beianflow/filing"

	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG with image.DecodeConfig
	_ "image/png"  // registers PNG with image.DecodeConfig
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Reasons of a Verdict that is not OK; stable codes for programs.
const (
	ReasonNotUploaded      = "not_uploaded"
	ReasonSizeMismatch     = "size_mismatch"
	ReasonChecksumMismatch = "checksum_mismatch"
	ReasonTypeMismatch     = "type_mismatch"
	ReasonTypeNotAllowed   = "type_not_allowed"
	ReasonTooLarge         = "too_large"
	ReasonResolutionTooLow = "resolution_too_low"
	ReasonUnreadableImage  = "unreadable_image"
)

// Verdict is what Verify found. A bad upload is a Verdict with OK false, not
// an error: the applicant must upload again, and retrying cannot help.
type Verdict struct {
	OK bool
	// Reason is one of the Reason… codes when OK is false.
	Reason string
	// Message tells the applicant in English what to do. It holds sizes,
	// types and pixel counts, never anything read from the document.
	Message string
	// ContentType is the type the bytes were recognised as by their magic
	// number; empty when they are none of PDF, JPEG and PNG or were not read.
	ContentType string
	// Size is the stored object's size in bytes (zero when not uploaded).
	Size int64
}

// magics recognise the accepted content types by their first bytes.
var magics = []struct {
	contentType string
	prefix      []byte
}{
	{filing.MediaTypePDF, []byte("%PDF-")},
	{filing.MediaTypeJPEG, []byte{0xFF, 0xD8, 0xFF}},
	{filing.MediaTypePNG, []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}},
}

// sniffLen is the longest magic number.
const sniffLen = 8

// Verify checks the object at key against what the applicant declared and
// the rules of kind: it exists, has the declared size and SHA-256, its bytes
// are the content type it was stored as, the kind accepts that type, and a
// photo is large enough. The object is streamed once through SHA-256; only
// its first bytes and an image's header are looked at, so a large upload
// never sits in memory.
//
// S3 failures are errors (retry later); an unknown kind or a malformed
// declaredSHA256 is a *RequestError (a caller's bug, not the applicant's).
func (s *Store) Verify(ctx context.Context, key string, kind filing.MaterialKind, declaredSize int64, declaredSHA256 string) (Verdict, error) {
	rules, ok := LookupKind(kind)
	if !ok {
		return Verdict{}, fmt.Errorf("documents: verify %s: %w", key, unknownKind())
	}
	declaredDigest, err := decodeSHA256(declaredSHA256)
	if err != nil {
		return Verdict{}, fmt.Errorf("documents: verify %s: %w", key, err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	var noKey *types.NoSuchKey
	var notFound *types.NotFound
	if errors.As(err, &noKey) || errors.As(err, &notFound) {
		return reject(ReasonNotUploaded, "", 0,
			"Nothing was uploaded for this material. Upload the file with the presigned URL, then try again."), nil
	}
	if err != nil {
		return Verdict{}, fmt.Errorf("documents: verify %s: %w", key, err)
	}
	defer func() { _ = out.Body.Close() }()

	size := aws.ToInt64(out.ContentLength)
	if size > rules.MaxSize {
		return reject(ReasonTooLarge, "", size, fmt.Sprintf(
			"The file is %d bytes; %s allows at most %d bytes. Upload a smaller file.", size, kind, rules.MaxSize)), nil
	}
	if size != declaredSize {
		return reject(ReasonSizeMismatch, "", size, fmt.Sprintf(
			"The uploaded file is %d bytes but %d were declared. Request a new upload with the file's real size.",
			size, declaredSize)), nil
	}

	// The tee hashes every byte as bufio pulls it from S3, so peeking at the
	// magic number and decoding an image header cost no second read.
	hash := sha256.New()
	body := bufio.NewReader(io.TeeReader(out.Body, hash))
	head, err := body.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return Verdict{}, fmt.Errorf("documents: verify %s: read: %w", key, err)
	}
	sniffed := Sniff(head)
	claimed := aws.ToString(out.ContentType)
	var img image.Config
	var imgErr error
	checkImage := rules.MinShortSide > 0 && sniffed == claimed && rules.Allows(sniffed)
	if checkImage {
		img, _, imgErr = image.DecodeConfig(body)
	}
	// A body cut short ends in io.ErrUnexpectedEOF: an infrastructure
	// failure to retry, not a bad upload.
	if _, err := io.Copy(io.Discard, body); err != nil {
		return Verdict{}, fmt.Errorf("documents: verify %s: read: %w", key, err)
	}

	if !bytes.Equal(hash.Sum(nil), declaredDigest) {
		return reject(ReasonChecksumMismatch, sniffed, size,
			"The uploaded bytes do not match the declared SHA-256. Upload the very file whose checksum was declared."), nil
	}
	if !rules.Allows(claimed) {
		return reject(ReasonTypeNotAllowed, sniffed, size, fmt.Sprintf(
			"%s accepts only these formats: %s. Upload the document in one of them.", kind, rules.formats())), nil
	}
	if sniffed != claimed {
		return reject(ReasonTypeMismatch, sniffed, size, fmt.Sprintf(
			"The file was declared as %[1]s but its content is not %[1]s. Upload a real %[1]s file or declare the file's actual type.",
			typeLabels[claimed])), nil
	}
	if checkImage {
		if imgErr != nil {
			return reject(ReasonUnreadableImage, sniffed, size, fmt.Sprintf(
				"The image's header cannot be read. Upload an undamaged %s file.", typeLabels[sniffed])), nil
		}
		short, long := min(img.Width, img.Height), max(img.Width, img.Height)
		if short < rules.MinShortSide || long < rules.MinLongSide {
			return reject(ReasonResolutionTooLow, sniffed, size, fmt.Sprintf(
				"The photo is %d×%d pixels; it needs at least %d×%d (portrait or landscape). Upload a larger photo.",
				img.Width, img.Height, rules.MinShortSide, rules.MinLongSide)), nil
		}
	}
	return Verdict{OK: true, ContentType: sniffed, Size: size}, nil
}

// Sniff names the content type whose magic number head starts with: what
// a stored document is, whatever its uploader declared; "" for none of the
// kinds accepted.
func Sniff(head []byte) string {
	for _, m := range magics {
		if bytes.HasPrefix(head, m.prefix) {
			return m.contentType
		}
	}
	return ""
}

// reject is a Verdict that is not OK.
func reject(reason, contentType string, size int64, message string) Verdict {
	return Verdict{Reason: reason, Message: message, ContentType: contentType, Size: size}
}
