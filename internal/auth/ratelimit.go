package auth

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/internal/httpx"
)

// Limiter is a token bucket per key (an API key, an operator, a client
// address). It is per process: behind a load balancer with n API processes
// a key gets up to n times the limit, which is the price of not putting a
// shared store on every request.
type Limiter struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter returns a limiter of perSecond tokens a second per key, with
// bursts of burst.
func NewLimiter(perSecond float64, burst int, now func() time.Time) *Limiter {
	return &Limiter{rate: rate.Limit(perSecond), burst: burst, now: now, buckets: map[string]*bucket{}, swept: now()}
}

// Take spends a token of key; when none is left it reports how long until
// one is.
func (l *Limiter) Take(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	// Idle buckets are full again anyway; forgetting them bounds memory.
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, found := l.buckets[key]
	if !found {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// RateLimit answers 429 with Retry-After once the caller's API key (or
// operator) has spent its tokens in l. It runs after authentication.
func RateLimit(l *Limiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if ok, wait := l.Take(PrincipalOf(c).KeyID); !ok {
				return RateLimited(c, wait)
			}
			return next(c)
		}
	}
}

// RateLimited is the 429 for a caller that may try again after wait.
func RateLimited(c echo.Context, wait time.Duration) *httpx.Error {
	secs := httpx.RetryAfter(c, wait)
	return &httpx.Error{Status: http.StatusTooManyRequests, Code: filing.CodeRateLimited,
		Message: fmt.Sprintf("too many requests; retry in %d s", secs)}
}
