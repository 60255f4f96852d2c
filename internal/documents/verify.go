package documents

import (
	"github.com/beianflow/beianflow/filing"

	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG with image.DecodeConfig
	_ "image/png"  // registers PNG with image.DecodeConfig
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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

// Verdict is what VerifyAndSeal found. A bad upload is a Verdict with OK false, not
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

// VerifyAndSeal checks the upload of the document at key against what the
// applicant declared and the rules of kind, and moves it into place sealed:
// the upload exists, has the declared size and SHA-256, its bytes are the
// content type it was stored as, the kind accepts that type, and a photo is
// large enough. The upload is streamed once: through SHA-256, the type and
// image checks, and the filing's data key into the sealed object at key,
// so a large one never sits in memory. Then the clear upload is deleted,
// whatever the verdict; a refused document is deleted too.
//
// A verification retried after it moved the upload finds the sealed
// document and gives the same verdict. S3 failures are errors (retry
// later); an unknown kind or a malformed declaredSHA256 is a
// *RequestError (a caller's bug, not the applicant's).
func (s *Store) VerifyAndSeal(ctx context.Context, key string, kind filing.MaterialKind, declaredSize int64, declaredSHA256 string) (Verdict, error) {
	rules, ok := LookupKind(kind)
	if !ok {
		return Verdict{}, fmt.Errorf("documents: verify %s: %w", key, unknownKind())
	}
	declaredDigest, err := decodeSHA256(declaredSHA256)
	if err != nil {
		return Verdict{}, fmt.Errorf("documents: verify %s: %w", key, err)
	}
	if s.sealer == nil {
		return Verdict{}, fmt.Errorf("documents: verify %s: %w", key, errNoSealer)
	}
	notUploaded := reject(ReasonNotUploaded, "", 0,
		"Nothing was uploaded for this material. Upload the file with the presigned URL, then try again.")
	filingID, materialID, ok := parseKey(key)
	if !ok {
		return notUploaded, nil
	}
	digestHex := hex.EncodeToString(declaredDigest)
	staging := stagingKey(filingID, materialID)
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &staging})
	if isNotFound(err) {
		doc, done, err := s.sealedAlready(ctx, key, declaredSize, digestHex)
		switch {
		case err != nil:
			return Verdict{}, fmt.Errorf("documents: verify %s: %w", key, err)
		case done:
			return Verdict{OK: true, ContentType: doc.ContentType, Size: doc.Size}, nil
		}
		return notUploaded, nil
	}
	if err != nil {
		return Verdict{}, fmt.Errorf("documents: verify %s: %w", key, err)
	}
	defer func() { _ = out.Body.Close() }()
	// refuse deletes what was stored of a refused upload: the applicant
	// uploads again (to a new URL) anyway.
	refuse := func(v Verdict, sealed bool) (Verdict, error) {
		if sealed {
			if err := s.delete(ctx, key); err != nil {
				return Verdict{}, err
			}
		}
		if err := s.delete(ctx, staging); err != nil {
			return Verdict{}, err
		}
		return v, nil
	}

	size := aws.ToInt64(out.ContentLength)
	if size > rules.MaxSize {
		return refuse(reject(ReasonTooLarge, "", size, fmt.Sprintf(
			"The file is %d bytes; %s allows at most %d bytes. Upload a smaller file.", size, kind, rules.MaxSize)), false)
	}
	if size != declaredSize {
		return refuse(reject(ReasonSizeMismatch, "", size, fmt.Sprintf(
			"The uploaded file is %d bytes but %d were declared. Request a new upload with the file's real size.",
			size, declaredSize)), false)
	}

	raw := bufio.NewReaderSize(out.Body, 64<<10)
	head, err := raw.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return Verdict{}, fmt.Errorf("documents: verify %s: read: %w", key, err)
	}
	sniffed := Sniff(head)
	claimed := aws.ToString(out.ContentType)
	// Only a document that may pass is sealed while it is read; the
	// checksum, known at the end, decides whether it stays.
	seal := rules.Allows(claimed) && sniffed == claimed
	read, err := s.readThrough(ctx, raw, seal, key, Document{ContentType: sniffed, Size: size}, digestHex,
		rules.MinShortSide > 0 && seal)
	if err != nil {
		return Verdict{}, fmt.Errorf("documents: verify %s: %w", key, err)
	}

	if !bytes.Equal(read.digest, declaredDigest) {
		return refuse(reject(ReasonChecksumMismatch, sniffed, size,
			"The uploaded bytes do not match the declared SHA-256. Upload the very file whose checksum was declared."), seal)
	}
	if !rules.Allows(claimed) {
		return refuse(reject(ReasonTypeNotAllowed, sniffed, size, fmt.Sprintf(
			"%s accepts only these formats: %s. Upload the document in one of them.", kind, rules.formats())), seal)
	}
	if sniffed != claimed {
		return refuse(reject(ReasonTypeMismatch, sniffed, size, fmt.Sprintf(
			"The file was declared as %[1]s but its content is not %[1]s. Upload a real %[1]s file or declare the file's actual type.",
			typeLabels[claimed])), seal)
	}
	if rules.MinShortSide > 0 {
		if read.imgErr != nil {
			return refuse(reject(ReasonUnreadableImage, sniffed, size, fmt.Sprintf(
				"The image's header cannot be read. Upload an undamaged %s file.", typeLabels[sniffed])), seal)
		}
		short, long := min(read.img.Width, read.img.Height), max(read.img.Width, read.img.Height)
		if short < rules.MinShortSide || long < rules.MinLongSide {
			return refuse(reject(ReasonResolutionTooLow, sniffed, size, fmt.Sprintf(
				"The photo is %d×%d pixels; it needs at least %d×%d (portrait or landscape). Upload a larger photo.",
				read.img.Width, read.img.Height, rules.MinShortSide, rules.MinLongSide)), seal)
		}
	}
	if err := s.delete(ctx, staging); err != nil {
		return Verdict{}, fmt.Errorf("documents: verify %s: %w", key, err)
	}
	return Verdict{OK: true, ContentType: sniffed, Size: size}, nil
}

// readResult is what one pass over an upload found.
type readResult struct {
	digest []byte
	img    image.Config
	imgErr error
}

// readThrough reads the upload to its end once: every byte through
// SHA-256 and, when seal is set, through the filing's data key into the
// sealed object at key; an image's header is decoded on the way when
// decodeImage is set. A body cut short is an error (ending in
// io.ErrUnexpectedEOF), an infrastructure failure to retry, and then
// nothing is stored: the sealed PUT has a known length and is aborted.
func (s *Store) readThrough(ctx context.Context, raw io.Reader, seal bool, key string, doc Document, digestHex string, decodeImage bool) (readResult, error) {
	hash := sha256.New()
	var sink io.Writer = hash
	var pw *io.PipeWriter
	var stored chan error
	if seal {
		pr, w := io.Pipe()
		pw, sink, stored = w, io.MultiWriter(hash, w), make(chan error, 1)
		go func() {
			err := s.sealInto(ctx, key, doc, digestHex, pr)
			// Unblocks the reading side if S3 gave up early.
			pr.CloseWithError(cmp.Or(err, io.ErrClosedPipe))
			stored <- err
		}()
	}
	var res readResult
	body := bufio.NewReader(io.TeeReader(raw, sink))
	if decodeImage {
		res.img, _, res.imgErr = image.DecodeConfig(body)
	}
	_, err := io.Copy(io.Discard, body)
	if seal {
		pw.CloseWithError(err) // nil closes it: the end of the document
		if serr := <-stored; err == nil && serr != nil {
			err = serr
		}
	}
	if err != nil {
		return readResult{}, fmt.Errorf("read: %w", err)
	}
	res.digest = hash.Sum(nil)
	return res, nil
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
