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

// configRoles are the roles the subcommands load their configuration as
// (cmd/beianflow/roles.go): production checks only what the role reads.
// Any other subcommand (api, worker) reads all of it, config.RoleAll.
var configRoles = map[string]config.Role{
	"migrate":      config.RoleMigrate,
	"codec-server": config.RoleCodecServer,
}

// loadConfig runs config.LoadFor on env exactly as beianflow role would.
func loadConfig(role string, env map[string]string) (config.Config, error) {
	r, ok := configRoles[role]
	if !ok {
		r = config.RoleAll
	}
	return config.LoadFor(func(k string) string { return env[k] }, r)
}

// secretsRead are the secrets of the roles that read only some of them
// (cmd/beianflow/roles.go, codecserver.go, app.OpenCodec): migrate opens
// the database, the codec server that (support API keys) and the payload
// keys. Any other secret given to such a role is one it never uses, only
// one more place for it to leak from. The API and the workers read them
// all.
var secretsRead = map[string][]string{
	"migrate":      {"DATABASE_URL"},
	"codec-server": {"DATABASE_URL", "BEIANFLOW_PAYLOAD_KEYS"},
}

// secretOf is the secret the variable name carries: the secret's own name
// for the secret itself or for the file holding it (NAME_FILE, and the key
// lists' BEIANFLOW_PAYLOAD_KEY_FILE and BEIANFLOW_DATA_KEY_FILE), "" for a
// variable that is no secret.
func secretOf(name string) string {
	switch name {
	case "BEIANFLOW_PAYLOAD_KEY_FILE":
		return "BEIANFLOW_PAYLOAD_KEYS"
	case "BEIANFLOW_DATA_KEY_FILE":
		return "BEIANFLOW_DATA_KEYS"
	}
	if secretEnvNames()[name] {
		return name
	}
	if s, ok := strings.CutSuffix(name, "_FILE"); ok && slices.Contains(config.SecretVars(), s) {
		return s
	}
	return ""
}

// unreadSecrets are the secrets among the variables names that beianflow
// role does not read.
func unreadSecrets(role string, names []string) []string {
	read, partial := secretsRead[role]
	if !partial {
		return nil
	}
	var out []string
	for _, n := range names {
		if s := secretOf(n); s != "" && !slices.Contains(read, s) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func TestPartialRolesListTheSecretsTheyRead(t *testing.T) {
	for r := range configRoles {
		if _, ok := secretsRead[r]; !ok {
			t.Errorf("role %s loads as a config.Role of its own but secretsRead does not say which secrets it reads", r)
		}
	}
	for r := range secretsRead {
		if _, ok := configRoles[r]; !ok {
			t.Errorf("secretsRead lists role %s, which loads everything (config.RoleAll)", r)
		}
	}
	for _, s := range config.SecretVars() {
		if secretOf(s) != s || secretOf(s+"_FILE") != s {
			t.Errorf("secretOf(%s), secretOf(%s_FILE) = %q, %q; want %s", s, s, secretOf(s), secretOf(s+"_FILE"), s)
		}
	}
	for name, want := range map[string]string{
		"BEIANFLOW_PAYLOAD_KEY_FILE": "BEIANFLOW_PAYLOAD_KEYS", "BEIANFLOW_DATA_KEYS": "BEIANFLOW_DATA_KEYS",
		"BEIANFLOW_LOG_FORMAT": "", "BEIANFLOW_CODEC_OIDC_ISSUER": "",
	} {
		if got := secretOf(name); got != want {
			t.Errorf("secretOf(%s) = %q, want %q", name, got, want)
		}
	}
	if got := unreadSecrets("migrate", []string{"DATABASE_URL_FILE", "S3_SECRET_ACCESS_KEY", "BEIANFLOW_ENV"}); !slices.Equal(got, []string{"S3_SECRET_ACCESS_KEY"}) {
		t.Errorf("unreadSecrets(migrate) = %v, want [S3_SECRET_ACCESS_KEY]", got)
	}
	if got := unreadSecrets("worker", []string{"S3_SECRET_ACCESS_KEY"}); got != nil {
		t.Errorf("unreadSecrets(worker) = %v: the worker reads every secret", got)
	}
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
