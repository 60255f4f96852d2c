package envelope

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/beianflow/beianflow/internal/codec"
)

// LocalKEK wraps data keys with AES-256-GCM keys held by the process
// ("id:base64" entries, the last current, as the payload keys are given).
// For production, a KMS keeps the key-encryption key out of the process.
type LocalKEK struct {
	ring *codec.Keyring
}

// NewLocalKEK wraps with the keys of ring.
func NewLocalKEK(ring *codec.Keyring) *LocalKEK { return &LocalKEK{ring: ring} }

// wrapAAD binds a wrapped data key to its filing and to this use.
func wrapAAD(filingID string) []byte { return []byte("beianflow data key v1\x00" + filingID) }

// Current is the ID of the key new data keys are wrapped with.
func (l *LocalKEK) Current() string { return "local:" + l.ring.CurrentID() }

// Wrap encrypts dek under the current key: nonce || ciphertext.
func (l *LocalKEK) Wrap(_ context.Context, filingID string, dek []byte) (string, []byte, error) {
	id, aead := l.ring.Current()
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(dek)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", nil, fmt.Errorf("envelope: nonce: %w", err)
	}
	return "local:" + id, aead.Seal(nonce, nonce, dek, wrapAAD(filingID)), nil
}

// Unwrap decrypts a data key wrapped by Wrap under kekID.
func (l *LocalKEK) Unwrap(_ context.Context, filingID, kekID string, wrapped []byte) ([]byte, error) {
	id, ok := strings.CutPrefix(kekID, "local:")
	if !ok {
		return nil, fmt.Errorf("envelope: key %q is not a local key", kekID)
	}
	aead, ok := l.ring.Lookup(id)
	if !ok {
		return nil, fmt.Errorf("envelope: key-encryption key %q is not configured (keep old keys until every data key is re-wrapped)", id)
	}
	n := aead.NonceSize()
	if len(wrapped) < n+aead.Overhead() {
		return nil, fmt.Errorf("envelope: wrapped key of filing %s is truncated", filingID)
	}
	dek, err := aead.Open(nil, wrapped[:n], wrapped[n:], wrapAAD(filingID))
	if err != nil {
		return nil, fmt.Errorf("envelope: unwrap the data key of filing %s: %w", filingID, err)
	}
	return dek, nil
}

// Owns says whether kekID names one of the local keys, so a Chain sends
// it here to unwrap.
func (l *LocalKEK) Owns(kekID string) bool {
	id, ok := strings.CutPrefix(kekID, "local:")
	if !ok {
		return false
	}
	_, ok = l.ring.Lookup(id)
	return ok
}
