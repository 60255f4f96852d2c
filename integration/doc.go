// Package integration tests beianflow end to end through its public HTTP
// API, against a real Temporal dev server, a real PostgreSQL and a real S3
// server (versitygw). The package has no non-test code.
package integration
