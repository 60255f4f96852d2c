package testenv

import "sync"

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
