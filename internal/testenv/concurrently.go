package testenv

import (
	"sync"
	"testing"
)

// Concurrently calls fn(0) … fn(n-1) at once, each in a goroutine of its
// own, and returns their errors by index once every call has returned. It
// is for tests of what concurrent callers (two workers, a retried activity
// and its first attempt) do to shared state: the test checks the errors and
// the outcome on its own goroutine, where a failed require stops it.
func Concurrently(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	return errs
}

// Winners calls fn(0) … fn(n-1) at once, as Concurrently does, requires
// every call to succeed and returns how many reported that they won: for
// tests that many concurrent claims of one thing leave exactly one winner.
func Winners(t testing.TB, n int, fn func(i int) (won bool, err error)) int {
	t.Helper()
	won := make([]bool, n)
	errs := Concurrently(n, func(i int) (err error) {
		won[i], err = fn(i)
		return err
	})
	wins := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("racer %d: %v", i, errs[i])
		}
		if won[i] {
			wins++
		}
	}
	return wins
}
