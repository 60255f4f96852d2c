package testenv

import (
	"os/exec"
	"testing"
)

// Poppler returns the path of a poppler-utils command (pdftotext,
// pdftoppm), with which tests read and print PDFs. .ci/run installs the
// package; without it a test fails saying so, or is skipped in the unit
// tier (go test -short).
func Poppler(t testing.TB, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err == nil {
		return path
	}
	if testing.Short() {
		t.Skipf("%s (poppler-utils) is not installed", tool)
	}
	t.Fatalf("%s (poppler-utils) is needed: apt-get install poppler-utils", tool)
	return ""
}
