// Package standardwebhooks signs and verifies webhooks the way the Standard
// Webhooks specification (https://www.standardwebhooks.com/, version 1.0.0)
// describes for symmetric keys: an HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<body>", sent as "v1,<base64>" in the
// webhook-signature header. Customers can then verify our filing events
// with any Standard Webhooks library instead of code of ours.
//
// Secrets are shown to customers as "whsec_" and the standard base64 of
// 24 to 64 random bytes ([NewSecret], [ParseSecret]). During a secret
// rotation a message carries one signature per secret ([Headers]), and a
// receiver accepts it if any signature matches any of its secrets
// ([Verify]), so neither side has to switch at the same instant.
package standardwebhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of a Standard Webhooks request, named as the specification
// spells them (http.Header canonicalises them; HTTP names are
// case-insensitive).
const (
	// HeaderID is the message's unique ID, the same for every retry, which
	// receivers use as an idempotency key.
	HeaderID = "webhook-id"
	// HeaderTimestamp is when this attempt was made, in Unix seconds.
	HeaderTimestamp = "webhook-timestamp"
	// HeaderSignature is a space-separated list of "<version>,<signature>".
	HeaderSignature = "webhook-signature"
)

// SecretPrefix marks a serialised symmetric secret, so that it is told
// apart from the asymmetric "whsk_"/"whpk_" keys at a glance.
const SecretPrefix = "whsec_"

// Bounds of a secret's length in bytes, from the specification: at least
// 192 bits so it cannot be guessed, at most 512 (the HMAC-SHA256 block).
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// newSecretBytes is the length NewSecret draws: 256 bits, the size of
// the HMAC-SHA256 output.
const newSecretBytes = 32

// DefaultTolerance is how far a message's timestamp may be from the
// receiver's clock, either way, when no tolerance is given: the
// reference libraries' five minutes.
const DefaultTolerance = 5 * time.Minute

// signatureVersion identifies a symmetric (HMAC-SHA256) signature; "v1a"
// is the asymmetric ed25519 one, which this package does not produce.
const signatureVersion = "v1"

// ErrInvalidSecret is wrapped by ParseSecret for a secret that is not
// base64 or has the wrong length.
var ErrInvalidSecret = errors.New("standardwebhooks: invalid secret")

// Why Verify refused a message.
var (
	// ErrMissingHeaders: webhook-id, webhook-timestamp or webhook-signature
	// is absent or empty.
	ErrMissingHeaders = errors.New("standardwebhooks: missing required headers")
	// ErrBadTimestamp: webhook-timestamp is not Unix seconds, or is
	// outside the tolerance (then ErrTimestampTooOld or ErrTimestampTooNew
	// is wrapped as well).
	ErrBadTimestamp = errors.New("standardwebhooks: bad timestamp")
	// ErrTimestampTooOld: the message was signed longer than the tolerance
	// ago; it may be a replay. It wraps ErrBadTimestamp.
	ErrTimestampTooOld = fmt.Errorf("%w: too old", ErrBadTimestamp)
	// ErrTimestampTooNew: the message claims to be signed further than the
	// tolerance in the future; a clock is wrong. It wraps ErrBadTimestamp.
	ErrTimestampTooNew = fmt.Errorf("%w: too new", ErrBadTimestamp)
	// ErrNoMatchingSignature: no v1 signature in webhook-signature matches
	// any of the secrets (or there were no usable secrets).
	ErrNoMatchingSignature = errors.New("standardwebhooks: no matching signature")
)

// NewSecret returns a fresh secret for an endpoint, serialised as
// "whsec_" and the base64 of 32 random bytes: the form shown to the
// customer and read back by ParseSecret.
func NewSecret() (string, error) {
	key := make([]byte, newSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("standardwebhooks: draw a secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// ParseSecret returns the key bytes of a serialised secret, with or
// without the "whsec_" prefix (the reference libraries accept both, and
// customers paste either). It refuses anything that is not standard,
// padded base64 or decodes to fewer than MinSecretBytes or more than
// MaxSecretBytes, wrapping ErrInvalidSecret. Errors never quote the
// secret.
func ParseSecret(s string) ([]byte, error) {
	key, err := base64.StdEncoding.Strict().DecodeString(strings.TrimPrefix(s, SecretPrefix))
	if err != nil {
		// base64.CorruptInputError names only an offset, never the input.
		return nil, fmt.Errorf("%w: not standard base64: %w", ErrInvalidSecret, err)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return nil, fmt.Errorf("%w: %d bytes, want %d to %d", ErrInvalidSecret, len(key), MinSecretBytes, MaxSecretBytes)
	}
	return key, nil
}

// Sign returns the "v1,<base64 HMAC-SHA256>" signature of a message with
// the given ID, sent at ts (truncated to Unix seconds, as the header
// carries it), and body, keyed with secret (from ParseSecret).
//
// msgID must not contain "." (the specification's rule): the signed
// content "<id>.<timestamp>.<body>" then splits one way only, so a
// captured message cannot be replayed under a different ID.
func Sign(secret []byte, msgID string, ts time.Time, body []byte) string {
	return signatureVersion + "," + sign(secret, msgID, strconv.FormatInt(ts.Unix(), 10), body)
}

// sign returns the base64 HMAC of a message. It takes the timestamp as
// text so that Verify checks exactly the header that was sent.
func sign(secret []byte, msgID, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(msgID + "." + ts + "."))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Headers returns the three Standard Webhooks headers of a message:
// webhook-id, webhook-timestamp (Unix seconds) and webhook-signature with
// one "v1,…" per secret, space-separated. Pass the new and the old
// secret during a rotation, so that receivers still holding either verify
// the message. The caller sets any other header (Content-Type) itself.
func Headers(secrets [][]byte, msgID string, ts time.Time, body []byte) http.Header {
	unix := strconv.FormatInt(ts.Unix(), 10)
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sigs = append(sigs, signatureVersion+","+sign(s, msgID, unix, body))
	}
	h := make(http.Header, 3)
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, unix)
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	return h
}

// Verifier verifies messages against a fixed set of secrets, e.g. an
// endpoint's current and previous one during a rotation.
type Verifier struct {
	// Secrets are the accepted keys (from ParseSecret); a message verifies
	// if it carries a v1 signature made with any of them. Empty keys are
	// skipped.
	Secrets [][]byte
	// Tolerance is how far the timestamp may be from now, either way;
	// default DefaultTolerance.
	Tolerance time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Verify checks a message's headers and already read body; see the
// package function Verify.
func (v Verifier) Verify(h http.Header, body []byte) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	return Verify(v.Secrets, h, body, now(), v.Tolerance)
}

// Verify checks a message's headers and already read body, exactly as
// received (re-encoding JSON changes the bytes and breaks the signature).
// It returns nil if some v1 signature in webhook-signature matches some
// secret and webhook-timestamp is within tolerance of now, either way
// (tolerance <= 0 means DefaultTolerance). Otherwise it returns an error
// wrapping ErrMissingHeaders, ErrBadTimestamp (ErrTimestampTooOld,
// ErrTimestampTooNew) or ErrNoMatchingSignature.
//
// Signatures of versions it does not know, such as the asymmetric "v1a",
// are ignored rather than refused, so a sender may add schemes without
// breaking receivers. Empty secrets are skipped: an HMAC with an empty key
// is one anybody can compute.
//
// The signature is checked before the timestamp's window, so a message
// reported as too old or too new is an authentic one: a clock problem or
// a replay, not a forgery.
func Verify(secrets [][]byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	msgID, ts := h.Get(HeaderID), h.Get(HeaderTimestamp)
	sigHeaders := h.Values(HeaderSignature)
	if msgID == "" || ts == "" || strings.TrimSpace(strings.Join(sigHeaders, "")) == "" {
		return fmt.Errorf("%w: need %s, %s and %s", ErrMissingHeaders, HeaderID, HeaderTimestamp, HeaderSignature)
	}
	// All digits: strconv.ParseInt alone would take "+1614265330", a text
	// no sender signs.
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || strings.Trim(ts, "0123456789") != "" {
		return fmt.Errorf("%w: %s is not Unix seconds", ErrBadTimestamp, HeaderTimestamp)
	}
	if !anyMatch(secrets, msgID, ts, body, sigHeaders) {
		return fmt.Errorf("%w: message %s", ErrNoMatchingSignature, msgID)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	sent := time.Unix(secs, 0)
	switch age := now.Sub(sent); {
	case age > tolerance:
		return fmt.Errorf("%w: message %s signed at %s, %s ago, tolerance %s", ErrTimestampTooOld, msgID, sent.UTC().Format(time.RFC3339), age.Truncate(time.Second), tolerance)
	case age < -tolerance:
		return fmt.Errorf("%w: message %s signed at %s, %s ahead, tolerance %s", ErrTimestampTooNew, msgID, sent.UTC().Format(time.RFC3339), (-age).Truncate(time.Second), tolerance)
	}
	return nil
}

// anyMatch reports whether any v1 signature in the header values matches
// the message under any non-empty secret. Comparisons are constant-time,
// and every pair is compared, so the time taken tells nothing about which
// signature came close.
func anyMatch(secrets [][]byte, msgID, ts string, body []byte, sigHeaders []string) bool {
	var given []string
	for _, hv := range sigHeaders {
		for _, vs := range strings.Fields(hv) {
			version, sig, ok := strings.Cut(vs, ",")
			if ok && version == signatureVersion && sig != "" {
				given = append(given, sig)
			}
		}
	}
	matched := false
	for _, secret := range secrets {
		if len(secret) == 0 {
			continue
		}
		want := []byte(sign(secret, msgID, ts, body))
		for _, sig := range given {
			if hmac.Equal([]byte(sig), want) {
				matched = true
			}
		}
	}
	return matched
}
