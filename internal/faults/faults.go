// Package faults kills the process at named points, for crash-safety tests:
// a test starts a worker with BEIANFLOW_FAULT=<point> and
// BEIANFLOW_FAULT_MARKER=<file>; the first time the worker reaches that
// point it creates the marker and sends itself SIGKILL, exactly as a crash
// or an OOM kill would, after the side effect and before Temporal hears of
// it. Without both variables (production) Point does nothing.
package faults

import (
	"os"
	"syscall"
)

// Crash points, placed right after a side effect in the outside world and
// before the activity reports it.
const (
	AfterBind       = "after_bind_service_number"
	AfterShipment   = "after_create_shipment"
	AfterSubmission = "after_bureau_submission"
	AfterReadModel  = "after_read_model"
)

// Point crashes the process if the configured fault is name and has not
// fired before (the marker file makes it fire once across restarts).
func Point(name string) {
	if os.Getenv("BEIANFLOW_FAULT") != name {
		return
	}
	marker := os.Getenv("BEIANFLOW_FAULT_MARKER")
	if marker == "" {
		return
	}
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600) //nolint:gosec // G703: the crash tests name the marker file
	if err != nil {
		return // already fired, or the marker cannot be made: never crash twice
	}
	_ = f.Close()
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // SIGKILL is not instant; never return into the activity
}
