package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/filings"
	"github.com/beianflow/beianflow/internal/store"
)

// APIKeyStore is where API keys are looked up: *store.APIKeys, or for a
// process that may start before its database is reachable (the codec
// server) anything that fails like a database that is down.
type APIKeyStore interface {
	Get(ctx context.Context, id string) (store.APIKey, error)
}

// keyring checks presented API keys. Keys found are cached for ttl so a
// request costs no database read; a revoked key stops working within ttl.
// Unknown IDs are not cached: a flood of garbage must not grow memory.
type keyring struct {
	keys APIKeyStore
	ttl  time.Duration
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	key     store.APIKey
	fetched time.Time
}

func newKeyring(keys APIKeyStore, ttl time.Duration, now func() time.Time) *keyring {
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

// authenticate requires a valid API key on every request it wraps and
// records the caller for handlers, logs and rate limits.
func (s *server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, token, found := strings.Cut(h, " ")
		if !found || !strings.EqualFold(scheme, "Bearer") {
			return s.failedAuth(c, "send Authorization: Bearer <API key>")
		}
		p, err := s.keyring.principal(c.Request().Context(), strings.TrimSpace(token))
		if errors.Is(err, errBadKey) {
			return s.failedAuth(c, "the API key is unknown, revoked or malformed")
		}
		if err != nil {
			s.Log.ErrorContext(c.Request().Context(), "api key lookup", "err", err)
			return unavailable("the database")
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// failedAuth answers 401, or 429 once a client address keeps failing:
// guessing keys costs a database read each, and the per-key rate limit
// cannot apply to a caller without a key. The address is the connection's
// peer (X-Forwarded-For can be forged).
func (s *server) failedAuth(c echo.Context, msg string) error {
	if ok, wait := s.authFailures.take(c.RealIP()); !ok {
		return rateLimited(c, wait)
	}
	return unauthorized(c, msg)
}

func unauthorized(c echo.Context, msg string) *Error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="beianflow"`)
	return &Error{Status: http.StatusUnauthorized, Code: filing.CodeUnauthorized, Message: msg}
}

// allow lets only the given roles through.
func allow(roles ...Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := principalOf(c)
			for _, r := range roles {
				if p.Role == r {
					return next(c)
				}
			}
			return &Error{Status: http.StatusForbidden, Code: filing.CodeForbidden,
				Message: "this API key's role may not use this endpoint"}
		}
	}
}

// visible hides filings of other accounts from backend callers. It answers
// exactly as for a filing that does not exist, so a caller cannot probe for
// other accounts' filings.
func visible(c echo.Context, id filing.ID, account string) *Error {
	if principalOf(c).Sees(account) {
		return nil
	}
	return notFound(id)
}

// ownedFiling returns the filing ID of the path if the caller may see that
// filing. Backend callers are checked against the filing's account: the
// read model answers (its row is written before the workflow starts), and
// the workflow itself for filings whose row is not there.
func (s *server) ownedFiling(c echo.Context) (filing.ID, error) {
	id, perr := filingID(c)
	if perr != nil {
		return "", perr
	}
	p := principalOf(c)
	if p.Role != RoleBackend {
		return id, nil
	}
	ctx := c.Request().Context()
	f, err := s.filings.Get(ctx, id)
	switch {
	case err == nil:
		if verr := visible(c, id, f.AccountID); verr != nil {
			return "", verr
		}
		return id, nil
	case !errors.Is(err, store.ErrNotFound):
		// The database is down; the workflow knows its account too.
		s.Log.WarnContext(ctx, "read model unavailable; asking the workflow for the owner", "filing_id", id, "err", err)
	}
	dbDown := err != nil && !errors.Is(err, store.ErrNotFound)
	st, err := s.client.State(ctx, id)
	if err != nil {
		if dbDown && errors.Is(err, filings.ErrClosed) {
			return "", unavailable("the database") // a closed filing's owner is only in the read model
		}
		if errors.Is(err, filings.ErrNotFound) || errors.Is(err, filings.ErrClosed) {
			return "", notFound(id)
		}
		return "", temporalError(err)
	}
	if verr := visible(c, id, st.AccountID); verr != nil {
		return "", verr
	}
	return id, nil
}
