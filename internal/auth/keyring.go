package auth

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/store"
)

// KeyStore is where API keys are looked up: *store.APIKeys, or for a
// process that may start before its database is reachable (the codec
// server) anything that fails like a database that is down.
type KeyStore interface {
	Get(ctx context.Context, id string) (store.APIKey, error)
}

// keyring checks presented API keys. Keys found are cached for ttl so a
// request costs no database read; a revoked key stops working within ttl.
// Unknown IDs are not cached: a flood of garbage must not grow memory.
type keyring struct {
	keys KeyStore
	ttl  time.Duration
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	key     store.APIKey
	fetched time.Time
}

func newKeyring(keys KeyStore, ttl time.Duration, now func() time.Time) *keyring {
	return &keyring{keys: keys, ttl: ttl, now: now, cache: map[string]cachedKey{}}
}

var errBadKey = errors.New("unknown, revoked or malformed API key")

// principal authenticates a bearer token.
func (k *keyring) principal(ctx context.Context, token string) (Principal, error) {
	id, secret, ok := apikeys.Parse(token)
	if !ok {
		return Principal{}, errBadKey
	}
	key, err := k.lookup(ctx, id)
	if err != nil {
		return Principal{}, err
	}
	if key.RevokedAt != nil || !apikeys.Matches(secret, key.SecretHash) {
		return Principal{}, errBadKey
	}
	return Principal{KeyID: key.ID, Role: Role(key.Role), AccountID: key.AccountID}, nil
}

func (k *keyring) lookup(ctx context.Context, id string) (store.APIKey, error) {
	now := k.now()
	k.mu.Lock()
	c, ok := k.cache[id]
	k.mu.Unlock()
	if ok && now.Sub(c.fetched) < k.ttl {
		return c.key, nil
	}
	key, err := k.keys.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.APIKey{}, errBadKey
	}
	if err != nil {
		// The database is down: a key we knew stays good, so callers
		// can still reach what does not need the database (live state
		// from Temporal). A revocation cannot land during an outage
		// anyway.
		if ok {
			return c.key, nil
		}
		return store.APIKey{}, err
	}
	k.mu.Lock()
	if len(k.cache) > 10_000 { // keys are few; this only bounds the pathological case
		clear(k.cache)
	}
	k.cache[id] = cachedKey{key: key, fetched: now}
	k.mu.Unlock()
	return key, nil
}
