package deploy_test

// The deployment files cannot be run here (no Docker engine, no cluster), so
// these tests read them against the code they deploy: the variables
// internal/config reads, the ports and timeouts it defaults to, the metrics
// the processes register and the search attributes the workflows set. A
// manifest that names a variable nobody reads, a probe on a port nobody
// serves or a panel on a metric nobody exports fails here rather than in a
// cluster.

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/workflows"
)

// repoRoot is the repository's root: go test runs in the package's
// directory, deploy/.
const repoRoot = ".."

func repoPath(parts ...string) string {
	return filepath.Join(append([]string{repoRoot}, parts...)...)
}

func readRepoFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(repoPath(parts...))
	if err != nil {
		t.Fatalf("read %s: %v", filepath.Join(parts...), err)
	}
	return b
}

// envNames are the environment variables beianflow reads: config.Vars and,
// for each secret, its NAME_FILE.
func envNames() map[string]bool {
	names := map[string]bool{}
	for _, v := range config.Vars {
		names[v.Name] = true
	}
	for _, s := range config.SecretVars() {
		names[s+"_FILE"] = true
	}
	return names
}

// secretEnvNames are the variables whose value is a secret: they may come
// from a Secret (a file, a secretKeyRef) or an unset variable, never from a
// literal in a manifest or a ConfigMap. The key lists have variables of
// their own for files rather than NAME_FILE.
func secretEnvNames() map[string]bool {
	names := map[string]bool{"BEIANFLOW_PAYLOAD_KEYS": true, "BEIANFLOW_DATA_KEYS": true}
	for _, s := range config.SecretVars() {
		names[s] = true
	}
	return names
}

// roles are the subcommands that serve HTTP, with the port their
// configuration makes them listen on.
var roles = map[string]func(config.Config) string{
	"api":          func(c config.Config) string { return c.HTTPAddr },
	"worker":       func(c config.Config) string { return c.WorkerOpsAddr },
	"codec-server": func(c config.Config) string { return c.CodecListen },
}

// servedPort is the port role listens on under cfg.
func servedPort(t *testing.T, role string, cfg config.Config) string {
	t.Helper()
	addr, ok := roles[role]
	if !ok {
		t.Fatalf("role %q serves no HTTP", role)
	}
	_, port, err := net.SplitHostPort(addr(cfg))
	if err != nil {
		t.Fatalf("role %s: listen address %q: %v", role, addr(cfg), err)
	}
	return port
}

// loadConfig runs config.Load on env exactly as the process would.
func loadConfig(env map[string]string) (config.Config, error) {
	return config.Load(func(k string) string { return env[k] })
}

// searchAttributeFlags are the search attributes as Name=Type, the form of
// the setup scripts, from the workflows' own list.
func searchAttributeFlags() []string {
	var want []string
	for _, k := range workflows.SearchAttributeKeys() {
		want = append(want, k.GetName()+"="+k.GetValueType().String())
	}
	slices.Sort(want)
	return want
}

// searchAttributesIn finds the `for sa in Name=Type ...; do` list of a
// setup script.
func searchAttributesIn(t *testing.T, where, script string) []string {
	t.Helper()
	m := regexp.MustCompile(`for sa in ([^;]+);`).FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("%s: no `for sa in Name=Type ...;` list of search attributes", where)
	}
	got := strings.Fields(m[1])
	slices.Sort(got)
	return got
}

func TestSearchAttributesAreTheWorkflowsOwn(t *testing.T) {
	// The scripts write Datetime and Bool as the temporal CLI's --type
	// expects; the SDK's names must be the same words.
	for _, f := range searchAttributeFlags() {
		typ := f[strings.Index(f, "=")+1:]
		if !slices.Contains([]string{"Text", "Keyword", "Int", "Double", "Bool", "Datetime", "KeywordList"}, typ) {
			t.Errorf("search attribute %s: type %q is not one the temporal CLI creates", f, typ)
		}
	}
}

// mustDuration parses d or fails.
func mustDuration(t *testing.T, where, d string) time.Duration {
	t.Helper()
	v, err := time.ParseDuration(d)
	if err != nil {
		t.Fatalf("%s: duration %q: %v", where, d, err)
	}
	return v
}
