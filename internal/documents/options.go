package documents

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// DefaultUploadExpiry is how long a presigned upload URL stays valid unless
// WithUploadExpiry says otherwise: long enough to upload a 10 MiB scan on a
// slow line, short enough that a leaked URL is soon useless.
const DefaultUploadExpiry = 15 * time.Minute

// maxPresignExpiry is the longest lifetime SigV4 allows a presigned URL.
const maxPresignExpiry = 7 * 24 * time.Hour

// Option adjusts a Store built by New.
type Option func(*Store) error

// WithUploadExpiry sets how long presigned upload URLs stay valid. SigV4
// counts expiry in whole seconds, so d must be at least a second (and at most
// the seven days SigV4 allows).
func WithUploadExpiry(d time.Duration) Option {
	return func(s *Store) error {
		if d < time.Second || d > maxPresignExpiry {
			return fmt.Errorf("upload expiry %s is outside 1s–168h", d)
		}
		s.uploadExpiry = d
		return nil
	}
}

// Server-side encryption modes accepted by WithSSE; they are S3's own values
// of the x-amz-server-side-encryption header.
const (
	SSEAES256 = string(types.ServerSideEncryptionAes256) // S3-managed keys (SSE-S3)
	SSEKMS    = string(types.ServerSideEncryptionAwsKms) // KMS keys (SSE-KMS)
)

// WithSSE makes every presigned upload ask S3 to encrypt the object at rest:
// mode SSEAES256, or SSEKMS with kmsKeyID naming the key (empty uses the
// account's AWS-managed key). The header is signed, so a client that drops
// it is refused rather than storing an unencrypted ID scan. Off by default
// because S3-compatible servers (versitygw among them) may not support it.
func WithSSE(mode, kmsKeyID string) Option {
	return func(s *Store) error {
		switch {
		case mode == SSEAES256 && kmsKeyID != "":
			return errors.New("server-side encryption AES256 takes no KMS key ID")
		case mode != SSEAES256 && mode != SSEKMS:
			return fmt.Errorf("server-side encryption mode %q is neither %s nor %s", mode, SSEAES256, SSEKMS)
		}
		s.sse = types.ServerSideEncryption(mode)
		s.kmsKeyID = kmsKeyID
		return nil
	}
}
