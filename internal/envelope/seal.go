package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// sealVersion starts every sealed record: AES-256-GCM, 12-byte nonce.
const sealVersion = 1

var errSealed = errors.New("envelope: not a record sealed by this system, or altered")

// seal encrypts a record with a data key: version || nonce || ciphertext.
// aad binds it to its place (filing, kind, revision), so a sealed record
// moved elsewhere does not open.
func seal(dek, aad, plaintext []byte) ([]byte, error) {
	aead, err := gcm(dek)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("envelope: nonce: %w", err)
	}
	// The nonce is out[1:]: random, read just above.
	return aead.Seal(out, out[1:], plaintext, aad), nil //nolint:gosec // G407: a random nonce, not a fixed one
}

// open decrypts what seal sealed with the same data key and aad.
func open(dek, aad, sealed []byte) ([]byte, error) {
	aead, err := gcm(dek)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(sealed) < 1+n+aead.Overhead() || sealed[0] != sealVersion {
		return nil, errSealed
	}
	plain, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], aad)
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("envelope: data key: %w", err)
	}
	return cipher.NewGCM(block)
}
