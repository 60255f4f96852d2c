package outbox

import (
	"math/rand/v2"
	"time"
)

// Bounds of DefaultBackoff.
const (
	firstBackoff = 30 * time.Second
	maxBackoff   = time.Hour
)

// DefaultBackoff is the wait after the attempt-th failed attempt: 30 s,
// doubling with each attempt, at most 1 h, and drawn at random from the
// upper half of that, so that messages that failed together (a provider
// outage) do not all come back in the same second.
func DefaultBackoff(attempt int) time.Duration {
	d := maxBackoff
	// 30 s << 7 is past the cap already; stopping there avoids overflow.
	if attempt < 8 {
		d = min(firstBackoff<<max(attempt-1, 0), maxBackoff)
	}
	return d/2 + rand.N(d/2+1) //nolint:gosec // G404: jitter of a retry wait, not a secret
}
