package codecserver

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// oidcSigningAlgs are the signatures accepted: asymmetric ones only. "none"
// and the HMAC algorithms (which a token could use with the issuer's public
// key as the secret) are refused before any key is looked at.
var oidcSigningAlgs = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.EdDSA,
}

const (
	// oidcRetryInterval is how long after a failed discovery the codec
	// answers 503 at once instead of asking the identity provider again:
	// the Web UI sends dozens of decode requests in parallel, which must
	// not each wait for an IdP that is down.
	oidcRetryInterval = 5 * time.Second
	// oidcDiscoveryTimeout bounds one discovery.
	oidcDiscoveryTimeout = 10 * time.Second
	// oidcOperatorPrefix marks operators' rate limit buckets and log
	// identities; API key IDs are hex and never collide with it.
	oidcOperatorPrefix = "oidc:"
)

// oidcVerifier checks operators' access tokens. The identity provider is
// discovered on first use, not at start: an unreachable IdP must not stop
// the API, and a failed discovery is retried by a later request.
type oidcVerifier struct {
	cfg     OIDC
	path    []string // Claim split at dots, for nested claims
	allowed map[string]bool
	log     *slog.Logger
	now     func() time.Time

	// discovering admits one discovery at a time; requests that arrive
	// meanwhile wait for its outcome.
	discovering chan struct{}

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	failedAt time.Time // of the last failed discovery
	// accepted remembers verified tokens (by SHA-256, never the token)
	// until they expire: the Web UI sends the same token with every decode
	// request, and each is logged as accepted only once.
	accepted map[[sha256.Size]byte]acceptedToken
}

type acceptedToken struct {
	operator string
	expiry   time.Time
}

// newOIDCVerifier returns nil, after logging why, for an incomplete
// configuration: the codec then accepts API keys only, as without OIDC.
func newOIDCVerifier(cfg OIDC, log *slog.Logger, now func() time.Time) *oidcVerifier {
	if cfg.Claim == "" {
		cfg.Claim = "groups"
	}
	allowed := map[string]bool{}
	for _, a := range cfg.Allowed {
		if a = strings.TrimSpace(a); a != "" {
			allowed[a] = true
		}
	}
	if cfg.Issuer == "" || cfg.Audience == "" || len(allowed) == 0 {
		log.Error("codec: OIDC not enabled; it needs an issuer, an audience and at least one allowed claim value",
			"issuer", cfg.Issuer, "audience", cfg.Audience, "allowed", len(allowed))
		return nil
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: oidcDiscoveryTimeout}
	}
	return &oidcVerifier{cfg: cfg, path: strings.Split(cfg.Claim, "."), allowed: allowed, log: log, now: now,
		discovering: make(chan struct{}, 1), accepted: map[[sha256.Size]byte]acceptedToken{}}
}

// remembered returns the operator of a token verified before and not
// expired since.
func (v *oidcVerifier) remembered(sum [sha256.Size]byte) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	a, ok := v.accepted[sum]
	if !ok || !v.now().Before(a.expiry) {
		return "", false
	}
	return a.operator, true
}

// remember records a verified token and reports whether it is new.
func (v *oidcVerifier) remember(sum [sha256.Size]byte, operator string, expiry time.Time) bool {
	now := v.now()
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.accepted[sum]; ok {
		return false
	}
	if len(v.accepted) >= 1_000 {
		for k, a := range v.accepted {
			if !now.Before(a.expiry) {
				delete(v.accepted, k)
			}
		}
		if len(v.accepted) >= 10_000 { // operators are few; this only bounds the pathological case
			clear(v.accepted)
		}
	}
	v.accepted[sum] = acceptedToken{operator: operator, expiry: expiry}
	return true
}

// tokenVerifier returns the verifier, discovering the identity provider
// first if no discovery has succeeded yet. It returns nil and how long to
// wait while the identity provider cannot be reached.
func (v *oidcVerifier) tokenVerifier(ctx context.Context) (*oidc.IDTokenVerifier, time.Duration) {
	if tv, wait := v.current(); tv != nil || wait > 0 {
		return tv, wait
	}
	select {
	case v.discovering <- struct{}{}:
	case <-ctx.Done():
		return nil, time.Second
	}
	defer func() { <-v.discovering }()
	// Another request may have discovered, or failed to, while this one
	// waited.
	if tv, wait := v.current(); tv != nil || wait > 0 {
		return tv, wait
	}
	tv, err := v.discover(ctx)
	v.mu.Lock()
	defer v.mu.Unlock()
	if err != nil {
		v.failedAt = v.now()
		v.log.ErrorContext(ctx, "codec: OIDC discovery failed; operators' tokens are answered 503 until it succeeds",
			"issuer", v.cfg.Issuer, "err", err, "retry_in", oidcRetryInterval.String())
		return nil, oidcRetryInterval
	}
	v.verifier = tv
	v.log.InfoContext(ctx, "codec: OIDC identity provider discovered", "issuer", v.cfg.Issuer, "audience", v.cfg.Audience)
	return tv, 0
}

// current returns the verifier once discovered, or how long until the
// next discovery may be tried after a failed one.
func (v *oidcVerifier) current() (*oidc.IDTokenVerifier, time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, 0
	}
	if !v.failedAt.IsZero() {
		if wait := v.failedAt.Add(oidcRetryInterval).Sub(v.now()); wait > 0 {
			return nil, wait
		}
	}
	return nil, 0
}

// ready reports whether the identity provider has been discovered,
// discovering it if need be (readiness checks).
func (v *oidcVerifier) ready(ctx context.Context) error {
	if tv, _ := v.tokenVerifier(ctx); tv == nil {
		return errors.New("OIDC discovery of " + v.cfg.Issuer + " has not succeeded")
	}
	return nil
}

// discover fetches the discovery document (whose issuer must be exactly
// the configured one) and builds a verifier over the issuer's JWKS. The
// discovery outlives the request that started it, within its own timeout:
// a client that gives up must not spoil it for the others.
func (v *oidcVerifier) discover(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), oidcDiscoveryTimeout)
	defer cancel()
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, v.cfg.HTTPClient), v.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	var meta struct {
		JWKSURL string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURL == "" {
		return nil, errors.New("the discovery document has no jwks_uri")
	}
	keys := &keySet{remote: oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), v.cfg.HTTPClient), meta.JWKSURL)}
	return oidc.NewVerifier(v.cfg.Issuer, keys, &oidc.Config{
		ClientID:             v.cfg.Audience,
		SupportedSigningAlgs: oidcSigningAlgs,
		Now:                  v.now,
	}), nil
}

// keysUnreachableKey carries, in the context of a verification, the flag
// keySet sets when the issuer's JWKS could not be fetched.
type keysUnreachableKey struct{}

// keySet tells a token whose key could not be fetched (the identity
// provider is down: 503) from one whose signature does not verify (401).
// go-oidc's RemoteKeySet wraps exactly one error, the failure to fetch
// the key set; its other failures are plain messages, and the verifier
// flattens both into text. TestOperatorTokensAnswer503WhileTheIdPsKeysCannotBeFetched
// keeps this true.
type keySet struct {
	remote *oidc.RemoteKeySet
}

// VerifySignature checks jwt against the issuer's keys (oidc.KeySet).
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := k.remote.VerifySignature(ctx, jwt)
	if err != nil && errors.Unwrap(err) != nil {
		if flag, ok := ctx.Value(keysUnreachableKey{}).(*bool); ok {
			*flag = true
		}
	}
	return payload, err
}
