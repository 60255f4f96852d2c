package webhook

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Why Verify refused a request; Handler answers each with its own code.
var (
	// ErrBadSignature: a signature header is missing or malformed, or the
	// signature does not match.
	ErrBadSignature = errors.New("webhook: bad signature")
	// ErrStale: the signed timestamp is outside the window around now.
	ErrStale = errors.New("webhook: timestamp outside the accepted window")
	// ErrReplay: the delivery was already accepted.
	ErrReplay = errors.New("webhook: delivery already accepted")
)

// DefaultWindow is how far a delivery's timestamp may be from the
// receiver's clock when Verifier.Window is zero.
const DefaultWindow = 5 * time.Minute

// DeliveryStore remembers accepted deliveries, for replay detection.
type DeliveryStore interface {
	// Seen reports whether the delivery was accepted before.
	Seen(ctx context.Context, deliveryID string) (bool, error)
	// Mark records the delivery as accepted from source at the given time.
	// It reports false when the delivery was already recorded: insert-once.
	Mark(ctx context.Context, deliveryID, source string, at time.Time) (bool, error)
}

// Verifier checks a webhook request's signature, timestamp and delivery
// ID. Secret and Seen are required; a Verifier without them refuses every
// request with an error that is none of the typed ones.
type Verifier struct {
	// Secret is the HMAC key shared with the sender.
	Secret []byte
	// Window is how far the timestamp may be from now, either way; default
	// DefaultWindow. A captured request can be replayed only within it,
	// and only under a delivery ID that Seen does not know.
	Window time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Seen holds the accepted deliveries. It must keep them for at least
	// Window (see DBStore.Prune).
	Seen DeliveryStore
}

// Verify checks r with its already read body. It returns an error wrapping
// ErrBadSignature, ErrStale or ErrReplay for a request to refuse, any
// other error when the check itself failed (configuration, the store).
// The signature is checked first, so an unsigned request never reaches the
// store.
func (v *Verifier) Verify(r *http.Request, body []byte) error {
	if len(v.Secret) == 0 || v.Seen == nil {
		return errors.New("webhook: verifier needs a secret and a delivery store")
	}
	ts, id := r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderDelivery)
	if ts == "" || strings.Trim(ts, "0123456789") != "" || !deliveryIDPattern.MatchString(id) {
		return fmt.Errorf("%w: missing or malformed %s or %s header", ErrBadSignature, HeaderTimestamp, HeaderDelivery)
	}
	hexSum, ok := strings.CutPrefix(r.Header.Get(HeaderSignature), signaturePrefix)
	sum, err := hex.DecodeString(hexSum)
	if !ok || err != nil || !hmac.Equal(sum, mac(v.Secret, ts, id, body)) {
		return fmt.Errorf("%w: delivery %s", ErrBadSignature, id)
	}
	if !v.fresh(ts) {
		return fmt.Errorf("%w: delivery %s sent at %s", ErrStale, id, ts)
	}
	seen, err := v.Seen.Seen(r.Context(), id)
	if err != nil {
		return fmt.Errorf("webhook: check delivery %s: %w", id, err)
	}
	if seen {
		return fmt.Errorf("%w: delivery %s", ErrReplay, id)
	}
	return nil
}

// fresh reports whether the timestamp, all digits, is within the window.
func (v *Verifier) fresh(ts string) bool {
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false // beyond int64: not any time near now
	}
	window := v.Window
	if window <= 0 {
		window = DefaultWindow
	}
	age := v.now().Sub(time.Unix(secs, 0))
	return age <= window && age >= -window
}

func (v *Verifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}
