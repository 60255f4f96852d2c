package envelope

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KMSAPI is what AWSKMS needs of a KMS client. *kms.Client has it, pointed
// at AWS or, with its BaseEndpoint, at anything speaking KMS's protocol
// (internal/kmssandbox in tests and development).
type KMSAPI interface {
	Encrypt(ctx context.Context, params *kms.EncryptInput, optFns ...func(*kms.Options)) (*kms.EncryptOutput, error)
	Decrypt(ctx context.Context, params *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// awsKMSPrefix starts the ID of a key-encryption key kept in AWS KMS.
const awsKMSPrefix = "aws-kms:"

// AWSKMS wraps data keys with a symmetric key of AWS KMS: the
// key-encryption key never leaves KMS, each unwrap is a Decrypt call that
// KMS authorises by its key policy and records in CloudTrail, and
// disabling the key stops every process reading personal data at once.
//
// Its key-encryption key IDs are "aws-kms:" and the key's ARN or alias as
// configured. A key ARN is the safer choice: a data key is unwrapped with
// the key its ID names, so re-pointing an alias at another KMS key would
// leave the data keys wrapped before unreadable. KMS's own rotation of a
// key's material keeps the key, and needs nothing here.
type AWSKMS struct {
	client KMSAPI
	keyID  string
}

// NewAWSKMS wraps with the KMS key keyID (a key ARN, key ID or alias)
// through client.
func NewAWSKMS(client KMSAPI, keyID string) *AWSKMS { return &AWSKMS{client: client, keyID: keyID} }

// Current is the ID of the KMS key new data keys are wrapped with.
func (a *AWSKMS) Current() string { return awsKMSPrefix + a.keyID }

// Owns says whether kekID names a KMS key. Any does: Unwrap asks KMS with
// the key the ID names, so a data key wrapped under a KMS key used before
// still unwraps while that key stays enabled and the client may use it.
func (a *AWSKMS) Owns(kekID string) bool { return strings.HasPrefix(kekID, awsKMSPrefix) }

// encryptionContext binds a wrapped data key to its filing and to this use
// of the KMS key, as the AAD does for a local key: KMS refuses to decrypt
// it under another context. CloudTrail logs the context in clear, which is
// why it holds the filing ID and never anything personal.
func encryptionContext(filingID string) map[string]string {
	return map[string]string{"beianflow": "data key v1", "filing_id": filingID}
}

// Wrap has KMS encrypt dek for the filing under the current key.
func (a *AWSKMS) Wrap(ctx context.Context, filingID string, dek []byte) (string, []byte, error) {
	if len(dek) != 32 {
		return "", nil, fmt.Errorf("envelope: a data key has 32 bytes, not %d", len(dek))
	}
	out, err := a.client.Encrypt(ctx, &kms.EncryptInput{
		KeyId:               &a.keyID,
		Plaintext:           dek,
		EncryptionContext:   encryptionContext(filingID),
		EncryptionAlgorithm: types.EncryptionAlgorithmSpecSymmetricDefault,
	})
	if err != nil {
		return "", nil, fmt.Errorf("envelope: KMS key %s: %w", a.keyID, err)
	}
	if len(out.CiphertextBlob) == 0 {
		return "", nil, fmt.Errorf("envelope: KMS key %s answered Encrypt without a ciphertext", a.keyID)
	}
	return a.Current(), out.CiphertextBlob, nil
}

// Unwrap has KMS decrypt a data key wrapped by Wrap under kekID. It names
// the key to KMS, which then refuses a data key wrapped under any other.
func (a *AWSKMS) Unwrap(ctx context.Context, filingID, kekID string, wrapped []byte) ([]byte, error) {
	keyID, ok := strings.CutPrefix(kekID, awsKMSPrefix)
	if !ok || keyID == "" {
		return nil, fmt.Errorf("envelope: key %q is not a KMS key", kekID)
	}
	if len(wrapped) == 0 {
		return nil, fmt.Errorf("envelope: wrapped key of filing %s is empty", filingID)
	}
	out, err := a.client.Decrypt(ctx, &kms.DecryptInput{
		CiphertextBlob:      wrapped,
		KeyId:               &keyID,
		EncryptionContext:   encryptionContext(filingID),
		EncryptionAlgorithm: types.EncryptionAlgorithmSpecSymmetricDefault,
	})
	if err != nil {
		// The SDK's error names the operation, the status and KMS's
		// exception; nothing of the key is in it.
		return nil, fmt.Errorf("envelope: unwrap the data key of filing %s with KMS key %s: %w", filingID, keyID, err)
	}
	if len(out.Plaintext) != 32 {
		clear(out.Plaintext)
		return nil, fmt.Errorf("envelope: KMS key %s unwrapped %d bytes for filing %s, not a data key of 32", keyID, len(out.Plaintext), filingID)
	}
	return out.Plaintext, nil
}

// OwningWrapper is a Wrapper that says which key-encryption keys it
// unwraps, so that a Chain knows where to send a wrapped data key.
// LocalKEK, AWSKMS and Chain are.
type OwningWrapper interface {
	Wrapper
	// Owns says whether this wrapper unwraps data keys wrapped under
	// kekID.
	Owns(kekID string) bool
}

// Chain wraps with its current wrapper and unwraps each data key with the
// first of its wrappers that owns the key it is wrapped under. It moves a
// deployment from one kind of key-encryption key to another (a local key
// to KMS): configured with the new one current and the old one after it,
// it keeps reading the data keys wrapped under the old one while
// Keys.Rewrap re-wraps them under the new, and once that is done the old
// one can be dropped. The wrappers are asked in order, so an older AWSKMS
// after a current one is never used: the current one unwraps under every
// KMS key its client may use.
type Chain struct {
	current OwningWrapper
	all     []OwningWrapper
}

// NewChain wraps with current, and unwraps with it or older.
func NewChain(current OwningWrapper, older ...OwningWrapper) *Chain {
	return &Chain{current: current, all: append([]OwningWrapper{current}, older...)}
}

// Current is the current wrapper's key.
func (c *Chain) Current() string { return c.current.Current() }

// Owns says whether one of the chain's wrappers owns kekID.
func (c *Chain) Owns(kekID string) bool { return c.owner(kekID) != nil }

func (c *Chain) owner(kekID string) OwningWrapper {
	for _, w := range c.all {
		if w.Owns(kekID) {
			return w
		}
	}
	return nil
}

// Wrap wraps dek with the current wrapper.
func (c *Chain) Wrap(ctx context.Context, filingID string, dek []byte) (string, []byte, error) {
	return c.current.Wrap(ctx, filingID, dek)
}

// Unwrap unwraps with the wrapper that owns kekID.
func (c *Chain) Unwrap(ctx context.Context, filingID, kekID string, wrapped []byte) ([]byte, error) {
	w := c.owner(kekID)
	if w == nil {
		return nil, fmt.Errorf("envelope: key-encryption key %q of filing %s is not configured (keep old keys until every data key is re-wrapped)", kekID, filingID)
	}
	return w.Unwrap(ctx, filingID, kekID, wrapped)
}
