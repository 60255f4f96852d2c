// Package partnertest holds what the tests of the partners' sandboxes and
// webhooks share: a clock set by hand, China wall-clock times, a listener
// that records pushed events (and fails the first ones, as an outage
// would) and a race of concurrent callers.
package partnertest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/calendar"
	"github.com/beianflow/beianflow/internal/store"
	"github.com/beianflow/beianflow/internal/testenv"
)

// Clock is a fake clock a test sets by hand.
type Clock = testenv.Clock

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return testenv.NewClock(t) }

// CST is a wall-clock time in China.
func CST(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, calendar.China)
}

// ErrRefused is what a Recorder answers the deliveries it fails.
var ErrRefused = errors.New("listener unavailable")

// Recorder records the events pushed to it and refuses the first
// FailFirst deliveries with ErrRefused. It is safe for concurrent use;
// a test's listener type embeds it and forwards its method to Record.
type Recorder[E any] struct {
	FailFirst int

	mu     sync.Mutex
	calls  int
	events []E
}

// Record takes one delivery.
func (r *Recorder[E]) Record(e E) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.calls <= r.FailFirst {
		return ErrRefused
	}
	r.events = append(r.events, e)
	return nil
}

// Events are the events taken, in order.
func (r *Recorder[E]) Events() []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]E(nil), r.events...)
}

// Calls counts the deliveries, refused ones included.
func (r *Recorder[E]) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// Race runs fn(0..n-1) in goroutines released together. On PostgreSQL it
// first opens n connections so that connection setup does not serialise
// the racers.
func Race(t *testing.T, db *store.DB, n int, fn func(i int)) {
	t.Helper()
	var wg sync.WaitGroup
	if db.Dialect == store.Postgres {
		for range n {
			wg.Go(func() { assert.NoError(t, db.Gorm.Exec("SELECT pg_sleep(0.05)").Error) })
		}
		wg.Wait()
	}
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

// PushesSettle waits until recorded says the sandbox recorded its last
// push — which happens once the listener has returned, and took over 50 ms
// on a loaded machine — and then checks that nothing more is pushed.
func (r *Recorder[E]) PushesSettle(t *testing.T, what string, recorded func() bool) {
	t.Helper()
	require.Eventually(t, recorded, 5*time.Second, time.Millisecond, what)
	calls := r.Calls()
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, calls, r.Calls(), "nothing is pushed after %s", what)
}
