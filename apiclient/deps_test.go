package apiclient_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// deps lists the packages pkg imports, directly or not, that are not in the
// standard library (pkg itself included).
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// A backend that wants the typed client gets the client, the contract,
// the retry waits it shares with the partner clients and the webhook
// signature scheme (standard library only), nothing else: no Temporal SDK, no database driver, no AWS SDK, no
// gRPC.
func TestTheClientPullsInTheContractAndNothingElse(t *testing.T) {
	got := deps(t, "github.com/beianflow/beianflow/apiclient")
	slices.Sort(got)
	want := []string{"github.com/beianflow/beianflow/apiclient", "github.com/beianflow/beianflow/filing", "github.com/beianflow/beianflow/internal/backoff",
		"github.com/beianflow/beianflow/internal/standardwebhooks"}
	if !slices.Equal(got, want) {
		t.Errorf("apiclient imports %v beyond the standard library; want only %v", got, want)
	}
	if got := deps(t, "github.com/beianflow/beianflow/internal/backoff"); !slices.Equal(got, []string{"github.com/beianflow/beianflow/internal/backoff"}) {
		t.Errorf("backoff imports %v beyond the standard library", got)
	}
}

// The contract is a leaf: the standard library only.
func TestTheContractImportsTheStandardLibraryOnly(t *testing.T) {
	if got := deps(t, "github.com/beianflow/beianflow/filing"); !slices.Equal(got, []string{"github.com/beianflow/beianflow/filing"}) {
		t.Errorf("filing imports %v beyond the standard library", got)
	}
}
