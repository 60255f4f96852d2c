package envelope

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/beianflow/beianflow/filing"
)

// Stored is a filing's data key as the repository keeps it: wrapped, never
// in clear. Erased is set once the wrapped key is destroyed, at ErasedAt.
type Stored struct {
	FilingID  string
	KEKID     string
	Wrapped   []byte
	CreatedAt time.Time
	Erased    bool
	ErasedAt  time.Time
}

// Repository keeps the wrapped data keys (the filing_keys table).
type Repository interface {
	// Get is the filing's key; ErrNoKey when it has none.
	Get(ctx context.Context, filingID string) (Stored, error)
	// Insert adds the key unless the filing has one, and returns the one
	// the filing has now: of two processes creating it at once, both use
	// the one that won.
	Insert(ctx context.Context, s Stored) (Stored, error)
	// Rewrap replaces the wrapping of a key still wrapped under oldKEK.
	Rewrap(ctx context.Context, filingID, oldKEK, newKEK string, wrapped []byte) error
	// Erase destroys the wrapped key, keeping the row as the record that
	// the filing's data was erased (a filing without a key gets such a
	// row too, so none is ever made for it); erasing again keeps the first
	// time.
	Erase(ctx context.Context, filingID string, at time.Time) error
	// NotWrappedWith lists live keys wrapped under another key than kek,
	// by filing ID after the given one, at most limit.
	NotWrappedWith(ctx context.Context, kek, after string, limit int) ([]Stored, error)
}

// cacheTTL bounds how long an unwrapped data key stays in memory: reading
// a filing costs one unwrap per filing and request at most, and a key
// erased by another process is forgotten here within it.
const cacheTTL = time.Minute

// maxCached bounds the cache; reviewers and workers touch few filings at
// a time.
const maxCached = 10_000

// Keys seals and opens filings' personal data with their data keys.
type Keys struct {
	repo Repository
	wrap Wrapper
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	dek     []byte
	expires time.Time
}

// NewKeys returns the data keys kept in repo, wrapped by wrap.
func NewKeys(repo Repository, wrap Wrapper) *Keys {
	return &Keys{repo: repo, wrap: wrap, now: time.Now, cache: map[string]cachedKey{}}
}

// aad binds sealed data to its filing and purpose ("application revision
// <id>", "document <object key>"), so it cannot be moved between them.
func aad(id filing.ID, purpose string) []byte {
	return []byte("beianflow v1\x00" + string(id) + "\x00" + purpose)
}

// Seal encrypts a record of the filing, creating its data key on first use.
func (k *Keys) Seal(ctx context.Context, id filing.ID, purpose string, plaintext []byte) ([]byte, error) {
	dek, err := k.key(ctx, id, true)
	if err != nil {
		return nil, err
	}
	return seal(dek, aad(id, purpose), plaintext)
}

// Open decrypts a record Seal sealed for the same filing and purpose;
// ErrErased once the filing's data key is destroyed.
func (k *Keys) Open(ctx context.Context, id filing.ID, purpose string, sealed []byte) ([]byte, error) {
	dek, err := k.key(ctx, id, false)
	if err != nil {
		return nil, err
	}
	return open(dek, aad(id, purpose), sealed)
}

// Encrypt returns the sealed stream of a document of the filing (its size
// is EncryptedSize of the plaintext's), creating the data key on first use.
func (k *Keys) Encrypt(ctx context.Context, id filing.ID, purpose string, plaintext io.Reader) (io.Reader, error) {
	dek, err := k.key(ctx, id, true)
	if err != nil {
		return nil, err
	}
	return encrypt(dek, plaintext, aad(id, purpose))
}

// Decrypt returns the plaintext of a document Encrypt sealed.
func (k *Keys) Decrypt(ctx context.Context, id filing.ID, purpose string, sealed io.Reader) (io.Reader, error) {
	dek, err := k.key(ctx, id, false)
	if err != nil {
		return nil, err
	}
	return decrypt(dek, sealed, aad(id, purpose))
}

// WrapSecret wraps a secret that belongs to no filing (a webhook
// endpoint's signing key, 32 bytes) under the current key-encryption key,
// bound to name, and returns it in one string to store.
func (k *Keys) WrapSecret(ctx context.Context, name string, secret []byte) (string, error) {
	kek, wrapped, err := k.wrap.Wrap(ctx, secretAAD(name), secret)
	if err != nil {
		return "", err
	}
	return "w1." + base64.RawURLEncoding.EncodeToString([]byte(kek)) + "." + base64.RawURLEncoding.EncodeToString(wrapped), nil
}

// UnwrapSecret opens what WrapSecret returned for the same name.
func (k *Keys) UnwrapSecret(ctx context.Context, name, stored string) ([]byte, error) {
	parts := strings.Split(stored, ".")
	if len(parts) != 3 || parts[0] != "w1" {
		return nil, errors.New("envelope: not a wrapped secret")
	}
	kek, err1 := base64.RawURLEncoding.DecodeString(parts[1])
	wrapped, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return nil, errors.New("envelope: not a wrapped secret")
	}
	return k.wrap.Unwrap(ctx, secretAAD(name), string(kek), wrapped)
}

// RewrapSecret wraps a stored secret again under the current
// key-encryption key when another one wraps it, and reports whether it
// did; the secret itself does not change.
func (k *Keys) RewrapSecret(ctx context.Context, name, stored string) (string, bool, error) {
	parts := strings.Split(stored, ".")
	if len(parts) != 3 || parts[0] != "w1" {
		return "", false, errors.New("envelope: not a wrapped secret")
	}
	kek, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false, errors.New("envelope: not a wrapped secret")
	}
	if string(kek) == k.wrap.Current() {
		return stored, false, nil
	}
	secret, err := k.UnwrapSecret(ctx, name, stored)
	if err != nil {
		return "", false, err
	}
	again, err := k.WrapSecret(ctx, name, secret)
	clear(secret)
	return again, err == nil, err
}

// secretAAD keeps a secret's binding apart from any filing ID.
func secretAAD(name string) string { return "secret\x00" + name }

// Erase destroys the filing's data key: everything sealed with it, in the
// database, in S3 and in every backup of either, is unreadable from now
// on. Erasing twice, or a filing that never had a key, is no error.
func (k *Keys) Erase(ctx context.Context, id filing.ID) error {
	k.forget(string(id))
	if err := k.repo.Erase(ctx, string(id), k.now()); err != nil {
		return fmt.Errorf("envelope: erase the data key of filing %s: %w", id, err)
	}
	return nil
}

// ErasedAt says whether and when the filing's personal data was erased.
func (k *Keys) ErasedAt(ctx context.Context, id filing.ID) (time.Time, bool, error) {
	s, err := k.repo.Get(ctx, string(id))
	switch {
	case errors.Is(err, ErrNoKey):
		return time.Time{}, false, nil
	case err != nil:
		return time.Time{}, false, fmt.Errorf("envelope: data key of filing %s: %w", id, err)
	}
	return s.ErasedAt, s.Erased, nil
}

// Rewrap re-wraps every data key not wrapped under the current
// key-encryption key, batch by batch, and returns how many it re-wrapped.
// No data is re-encrypted; once it returns, the old key-encryption keys
// may be retired.
func (k *Keys) Rewrap(ctx context.Context) (int, error) {
	current, after, done := k.wrap.Current(), "", 0
	for {
		batch, err := k.repo.NotWrappedWith(ctx, current, after, 500)
		if err != nil {
			return done, fmt.Errorf("envelope: list keys to re-wrap: %w", err)
		}
		if len(batch) == 0 {
			return done, nil
		}
		for _, s := range batch {
			after = s.FilingID
			dek, err := k.wrap.Unwrap(ctx, s.FilingID, s.KEKID, s.Wrapped)
			if err != nil {
				return done, err
			}
			kek, wrapped, err := k.wrap.Wrap(ctx, s.FilingID, dek)
			clear(dek)
			if err != nil {
				return done, fmt.Errorf("envelope: re-wrap the data key of filing %s: %w", s.FilingID, err)
			}
			if err := k.repo.Rewrap(ctx, s.FilingID, s.KEKID, kek, wrapped); err != nil {
				return done, fmt.Errorf("envelope: store the re-wrapped key of filing %s: %w", s.FilingID, err)
			}
			done++
		}
	}
}

// key is the filing's data key, unwrapped at most once per cacheTTL;
// create makes one for a filing without.
func (k *Keys) key(ctx context.Context, id filing.ID, create bool) ([]byte, error) {
	now := k.now()
	k.mu.Lock()
	if c, ok := k.cache[string(id)]; ok && now.Before(c.expires) {
		k.mu.Unlock()
		return c.dek, nil
	}
	k.mu.Unlock()

	s, err := k.repo.Get(ctx, string(id))
	switch {
	case errors.Is(err, ErrNoKey) && create:
		var dek []byte
		if s, dek, err = k.create(ctx, id); err != nil {
			return nil, err
		}
		if dek != nil {
			k.remember(string(id), dek, now)
			return dek, nil
		}
	case errors.Is(err, ErrNoKey):
		return nil, fmt.Errorf("envelope: filing %s: %w", id, ErrNoKey)
	case err != nil:
		return nil, fmt.Errorf("envelope: data key of filing %s: %w", id, err)
	}
	if s.Erased {
		return nil, fmt.Errorf("envelope: filing %s: %w", id, ErrErased)
	}
	dek, err := k.wrap.Unwrap(ctx, string(id), s.KEKID, s.Wrapped)
	if err != nil {
		return nil, err
	}
	k.remember(string(id), dek, now)
	return dek, nil
}

// create makes the filing's data key. It returns the key in clear when
// the one stored is the one it made, and only the stored one when another
// process stored its own first.
func (k *Keys) create(ctx context.Context, id filing.ID) (Stored, []byte, error) {
	dek := make([]byte, 32)
	if _, err := rand.Read(dek); err != nil {
		return Stored{}, nil, fmt.Errorf("envelope: new data key: %w", err)
	}
	kek, wrapped, err := k.wrap.Wrap(ctx, string(id), dek)
	if err != nil {
		return Stored{}, nil, fmt.Errorf("envelope: wrap the data key of filing %s: %w", id, err)
	}
	s, err := k.repo.Insert(ctx, Stored{FilingID: string(id), KEKID: kek, Wrapped: wrapped, CreatedAt: k.now().UTC()})
	if err != nil {
		return Stored{}, nil, fmt.Errorf("envelope: store the data key of filing %s: %w", id, err)
	}
	if s.KEKID != kek || !bytes.Equal(s.Wrapped, wrapped) {
		return s, nil, nil
	}
	return s, dek, nil
}

func (k *Keys) remember(id string, dek []byte, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.cache) >= maxCached {
		for fid, c := range k.cache {
			if !now.Before(c.expires) {
				delete(k.cache, fid)
			}
		}
		if len(k.cache) >= maxCached {
			for fid := range k.cache { // evict an arbitrary one: a miss costs one unwrap
				delete(k.cache, fid)
				break
			}
		}
	}
	k.cache[id] = cachedKey{dek: dek, expires: now.Add(cacheTTL)}
}

func (k *Keys) forget(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	// Not cleared: a request may still be sealing with it.
	delete(k.cache, id)
}
