package testenv

import "testing"

// NeedsServers skips t in the unit tier (go test -short, `make
// test-unit`): t talks to PostgreSQL, a Temporal dev server, an S3 server
// or the pinned tools. `make test` runs it, and there a missing server is a
// failure that says how to start it, never a skip.
func NeedsServers(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs PostgreSQL, Temporal, S3 or the pinned tools: runs in make test, not in the unit tier (-short)")
	}
}
