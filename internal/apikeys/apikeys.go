// Package apikeys mints and parses the API keys callers present as
// `Authorization: Bearer bfk_<id>_<secret>`. The ID is public (it appears in
// logs and the key list); the secret is shown once and only its SHA-256 is
// stored.
package apikeys

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
)

// Prefix marks beianflow keys, so a leaked one is recognisable by secret
// scanners and never confused with another system's token.
const Prefix = "bfk_"

const (
	idBytes     = 8
	secretBytes = 32
)

// Key is a freshly minted key: Token is what the caller presents.
type Key struct {
	ID         string
	Token      string
	SecretHash string
}

// New mints a key with a random ID and secret.
func New() (Key, error) {
	id, err := randomHex(idBytes)
	if err != nil {
		return Key{}, err
	}
	secret, err := randomHex(secretBytes)
	if err != nil {
		return Key{}, err
	}
	return Key{ID: id, Token: Prefix + id + "_" + secret, SecretHash: Hash(secret)}, nil
}

// Parse splits a presented token into its ID and secret. ok is false for
// anything that is not shaped like a key, so garbage never reaches the
// database.
func Parse(token string) (id, secret string, ok bool) {
	rest, found := strings.CutPrefix(token, Prefix)
	if !found {
		return "", "", false
	}
	id, secret, found = strings.Cut(rest, "_")
	if !found || !isHex(id, idBytes) || !isHex(secret, secretBytes) {
		return "", "", false
	}
	return id, secret, true
}

// Hash is what is stored of a secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Matches compares a presented secret with a stored hash in constant time.
func Matches(secret, storedHash string) bool {
	return subtle.ConstantTimeCompare([]byte(Hash(secret)), []byte(storedHash)) == 1
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("apikeys: random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func isHex(s string, n int) bool {
	if len(s) != 2*n {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
