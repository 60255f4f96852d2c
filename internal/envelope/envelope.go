// Package envelope encrypts applicants' personal data at rest, in the
// database and in S3, without relying on the storage to do it.
//
// Each filing has a data key of its own (32 random bytes, AES-256-GCM),
// stored only wrapped by a key-encryption key: a local key from the
// environment or a file (the payload keys' format), or a KMS key. Rotating
// the key-encryption key re-wraps data keys and re-encrypts no data;
// destroying a filing's wrapped data key makes everything sealed with it
// unreadable at once, backups included (crypto-shredding).
//
// Records are sealed whole (Seal, Open); documents are sealed as a stream
// of authenticated chunks (Encrypt, Decrypt), so a large one never sits in
// memory and a truncated, reordered or altered one fails to decrypt.
package envelope

import (
	"context"
	"errors"
)

// ErrErased is returned for a filing whose data key was destroyed: its
// personal data is gone for good.
var ErrErased = errors.New("envelope: the filing's personal data was erased")

// ErrNoKey is returned by a Repository for a filing without a data key.
var ErrNoKey = errors.New("envelope: the filing has no data key")

// Wrapper wraps and unwraps data keys with a key-encryption key. The
// filing ID is bound to the wrapped key (AAD, or a KMS encryption
// context), so a wrapped key copied to another filing does not unwrap.
type Wrapper interface {
	// Wrap encrypts dek for the filing under the current key and names
	// the key used.
	Wrap(ctx context.Context, filingID string, dek []byte) (kekID string, wrapped []byte, err error)
	// Unwrap decrypts a data key wrapped under kekID.
	Unwrap(ctx context.Context, filingID, kekID string, wrapped []byte) ([]byte, error)
	// Current names the key Wrap uses now; a data key wrapped under
	// another is re-wrapped by a rotation.
	Current() string
}
