package deploy_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/beianflow/beianflow/internal/config"
)

// composeFile is the part of the Compose specification docker-compose.yml
// uses. Decoding is strict (KnownFields), so a misspelt key (depends-on,
// healthcheck.tests) fails here instead of being ignored by Compose.
type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]*struct{}      `yaml:"volumes"`
	// Extensions are the x-* keys: anchors the services merge in.
	Extensions map[string]yaml.Node `yaml:",inline"`
}

type composeService struct {
	Image           string                       `yaml:"image"`
	Build           string                       `yaml:"build"`
	Profiles        []string                     `yaml:"profiles"`
	Entrypoint      []string                     `yaml:"entrypoint"`
	Command         []string                     `yaml:"command"`
	Environment     map[string]string            `yaml:"environment"`
	DependsOn       map[string]composeDependency `yaml:"depends_on"`
	Ports           []string                     `yaml:"ports"`
	Volumes         []string                     `yaml:"volumes"`
	Healthcheck     *composeHealthcheck          `yaml:"healthcheck"`
	Deploy          *struct{ Replicas int }      `yaml:"deploy"`
	StopGracePeriod string                       `yaml:"stop_grace_period"`
	Restart         string                       `yaml:"restart"`
	ReadOnly        bool                         `yaml:"read_only"`
	CapDrop         []string                     `yaml:"cap_drop"`
	SecurityOpt     []string                     `yaml:"security_opt"`
	Tmpfs           []string                     `yaml:"tmpfs"`
}

type composeDependency struct {
	Condition string `yaml:"condition"`
}

type composeHealthcheck struct {
	Test        []string `yaml:"test"`
	Interval    string   `yaml:"interval"`
	StartPeriod string   `yaml:"start_period"`
	Retries     int      `yaml:"retries"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(readRepoFile(t, "docker-compose.yml")))
	dec.KnownFields(true)
	var f composeFile
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for k := range f.Extensions {
		if !strings.HasPrefix(k, "x-") {
			t.Errorf("docker-compose.yml: top-level key %q is neither Compose's nor an x- extension", k)
		}
	}
	if len(f.Services) == 0 {
		t.Fatal("docker-compose.yml: no services")
	}
	return f
}

// isBeianflow reports whether s runs the image built from the Dockerfile.
func (s composeService) isBeianflow() bool { return s.Build != "" }

// role is the beianflow subcommand s runs.
func (s composeService) role() string {
	if !s.isBeianflow() || len(s.Command) == 0 {
		return ""
	}
	return s.Command[0]
}

func (s composeService) script() string {
	return strings.Join(append(append([]string{}, s.Entrypoint...), s.Command...), " ")
}

// interpolate does what Compose does to a value: $$ is $, and ${VAR},
// ${VAR:-default}, ${VAR-default}, ${VAR:?error} and ${VAR?error} (defaults
// themselves interpolated) are looked up in env. required collects the
// variables of ${VAR:?} and ${VAR?}, set or not.
func interpolate(s string, env map[string]string, required map[string]bool) (string, error) {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			out.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '$' {
			out.WriteByte('$')
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] == '{' {
			depth, end := 0, -1
			for j := i + 1; j < len(s); j++ {
				switch s[j] {
				case '{':
					depth++
				case '}':
					depth--
				}
				if depth == 0 {
					end = j
					break
				}
			}
			if end < 0 {
				return "", fmt.Errorf("unclosed ${ in %q", s)
			}
			expr := s[i+2 : end]
			m := regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])(.*))?$`).FindStringSubmatch(expr)
			if m == nil {
				return "", fmt.Errorf("cannot interpolate ${%s}", expr)
			}
			name, op, arg := m[1], m[2], m[3]
			v, set := env[name]
			switch op {
			case "":
				out.WriteString(v)
			case ":-", "-":
				if (op == ":-" && v == "") || !set {
					d, err := interpolate(arg, env, required)
					if err != nil {
						return "", err
					}
					v = d
				}
				out.WriteString(v)
			case ":?", "?":
				required[name] = true
				if (op == ":?" && v == "") || !set {
					return "", fmt.Errorf("required variable %s is missing: %s", name, arg)
				}
				out.WriteString(v)
			}
			i = end
			continue
		}
		if m := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*`).FindString(s[i+1:]); m != "" {
			out.WriteString(env[m])
			i += len(m)
			continue
		}
		out.WriteByte('$')
	}
	return out.String(), nil
}

// serviceEnv is the environment Compose gives s under env.
func serviceEnv(t *testing.T, name string, s composeService, env map[string]string) (map[string]string, error) {
	t.Helper()
	out := map[string]string{}
	for k, v := range s.Environment {
		iv, err := interpolate(v, env, map[string]bool{})
		if err != nil {
			return nil, fmt.Errorf("service %s, %s: %w", name, k, err)
		}
		out[k] = iv
	}
	return out, nil
}

// requiredBy lists the ${VAR:?} variables in s's values.
func requiredBy(t *testing.T, name string, s composeService) map[string]bool {
	t.Helper()
	req := map[string]bool{}
	values := append(append([]string{s.Image}, s.Command...), s.Ports...)
	for _, v := range s.Environment {
		values = append(values, v)
	}
	everything := map[string]string{}
	for _, v := range values {
		// Every variable set, so that nothing stops the scan.
		for _, m := range regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)`).FindAllStringSubmatch(v, -1) {
			everything[m[1]] = "x"
		}
	}
	for _, v := range values {
		if _, err := interpolate(v, everything, req); err != nil {
			t.Errorf("service %s: %v", name, err)
		}
	}
	return req
}

// imageTag splits an image reference into name and tag.
func imageTag(image string) (string, string) {
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return image, ""
	}
	return image[:i], image[i+1:]
}

func TestComposeRunsTemporalFromItsOwnImages(t *testing.T) {
	f := loadCompose(t)
	var server, admin []string
	for name, s := range f.Services {
		if s.isBeianflow() {
			continue
		}
		img, tag := imageTag(s.Image)
		switch {
		case strings.Contains(img, "auto-setup"):
			t.Errorf("service %s: %s is deprecated; temporalio/server and temporalio/admin-tools replace it", name, s.Image)
		case tag == "" || tag == "latest":
			t.Errorf("service %s: image %q is not pinned", name, s.Image)
		}
		switch img {
		case "temporalio/server":
			server = append(server, tag)
		case "temporalio/admin-tools":
			admin = append(admin, tag)
		}
	}
	if !slices.Equal(server, []string{"1.29.1"}) {
		t.Errorf("temporalio/server tags %v, want exactly one service on 1.29.1", server)
	}
	if len(admin) == 0 {
		t.Error("no temporalio/admin-tools service: who creates Temporal's schema?")
	}
	for _, tag := range admin {
		// admin-tools tags are <server version>-tctl-<v>-cli-<v>: the schema
		// files must be the running server's.
		if !strings.HasPrefix(tag, "1.29.1") {
			t.Errorf("temporalio/admin-tools:%s is not server 1.29.1's", tag)
		}
	}

	schema, ok := f.Services["temporal-schema"]
	if !ok {
		t.Fatal("no service temporal-schema")
	}
	script := schema.script()
	for _, want := range []string{
		"temporal-sql-tool", "--plugin postgres12",
		"--db temporal create-database", "--db temporal setup-schema -v 0.0",
		"--db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned",
		"--db temporal_visibility create-database", "--db temporal_visibility setup-schema -v 0.0",
		"--db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("temporal-schema does not run %q", want)
		}
	}
	for svc, dep := range map[string][2]string{
		"temporal":       {"temporal-schema", "service_completed_successfully"},
		"temporal-setup": {"temporal", "service_healthy"},
		"temporal-ui":    {"temporal", "service_healthy"},
	} {
		if got := f.Services[svc].DependsOn[dep[0]].Condition; got != dep[1] {
			t.Errorf("%s depends on %s with %q, want %s", svc, dep[0], got, dep[1])
		}
	}
	setup := f.Services["temporal-setup"].script()
	if got, want := searchAttributesIn(t, "temporal-setup", setup), searchAttributeFlags(); !slices.Equal(got, want) {
		t.Errorf("temporal-setup registers %v, the workflows set %v", got, want)
	}
	if !strings.Contains(setup, "namespace create") {
		t.Error("temporal-setup creates no namespace; temporalio/server creates none by itself")
	}
}

func TestComposeStartsEveryServiceInOrder(t *testing.T) {
	f := loadCompose(t)
	conditions := []string{"service_started", "service_healthy", "service_completed_successfully"}
	for name, s := range f.Services {
		for dep, d := range s.DependsOn {
			target, ok := f.Services[dep]
			switch {
			case !ok:
				t.Errorf("%s depends on %s, which does not exist", name, dep)
				continue
			case !slices.Contains(conditions, d.Condition):
				t.Errorf("%s depends on %s without a condition (%q)", name, dep, d.Condition)
			case d.Condition == "service_healthy" && target.Healthcheck == nil:
				t.Errorf("%s waits for %s to be healthy, which has no healthcheck", name, dep)
			case d.Condition == "service_completed_successfully" && target.Restart != "no":
				t.Errorf("%s waits for %s to complete, which restarts (restart %q)", name, dep, target.Restart)
			}
			// Compose refuses a service that is always on depending on one
			// of a profile.
			if len(s.Profiles) == 0 && len(target.Profiles) > 0 {
				t.Errorf("%s (no profile) depends on %s (profiles %v)", name, dep, target.Profiles)
			}
			if len(s.Profiles) > 0 && len(target.Profiles) > 0 && !slices.Equal(s.Profiles, target.Profiles) {
				t.Errorf("%s (profiles %v) depends on %s (profiles %v)", name, s.Profiles, dep, target.Profiles)
			}
		}
	}
	migrate, ok := f.Services["migrate"]
	if !ok || migrate.role() != "migrate" || migrate.Restart != "no" || len(migrate.Profiles) > 0 {
		t.Fatal("no one-shot service migrate (beianflow migrate, restart no, in every profile)")
	}
	for name, s := range f.Services {
		if r := s.role(); r == "api" || r == "worker" {
			for dep, cond := range map[string]string{
				"migrate":        "service_completed_successfully",
				"temporal-setup": "service_completed_successfully",
			} {
				if got := s.DependsOn[dep].Condition; got != cond {
					t.Errorf("%s (beianflow %s) depends on %s with %q, want %s", name, r, dep, got, cond)
				}
			}
		}
	}
}

// profileServices are the beianflow services of a profile by role, and its
// Web UI.
func profileServices(t *testing.T, f composeFile, profile string) (map[string]string, string) {
	t.Helper()
	byRole := map[string]string{}
	ui := ""
	for name, s := range f.Services {
		if !slices.Contains(s.Profiles, profile) {
			continue
		}
		if r := s.role(); r != "" {
			if byRole[r] != "" {
				t.Errorf("profile %s: two services run beianflow %s (%s, %s)", profile, r, byRole[r], name)
			}
			byRole[r] = name
		}
		if img, _ := imageTag(s.Image); img == "temporalio/ui" {
			ui = name
		}
	}
	for r := range roles {
		if byRole[r] == "" {
			t.Errorf("profile %s: no service runs beianflow %s", profile, r)
		}
	}
	if ui == "" {
		t.Errorf("profile %s: no Temporal Web UI", profile)
	}
	return byRole, ui
}

// composeTestEnv is what an operator puts in .env: the variables both
// profiles require, with values that pass beianflow's checks, and extra.
func composeTestEnv(extra map[string]string) map[string]string {
	env := map[string]string{
		"POSTGRES_PASSWORD":      "0123456789abcdef0123456789abcdef",
		"S3_SECRET_ACCESS_KEY":   "s3-secret-0123456789abcdefghijklmnop",
		"BEIANFLOW_PAYLOAD_KEYS": "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"BEIANFLOW_DATA_KEYS":    "k1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

var ssoEnv = map[string]string{
	"OIDC_ISSUER":                        "https://sso.example.com/realms/operations",
	"OIDC_CLIENT_ID":                     "temporal-ui",
	"OIDC_CLIENT_SECRET":                 "ui-client-secret",
	"WORKBENCH_CLIENT_ID":                "beianflow-workbench",
	"WORKBENCH_SESSION_SECRET":           "session-secret-0123456789abcdefghijklmnop",
	"BEIANFLOW_SUBJECT_KEY_SECRET":       "subject-secret-0123456789abcdefghijklmnop",
	"BEIANFLOW_WEBHOOK_SECRET":           "webhook-secret-0123456789abcdefghijklmnop",
	"BEIANFLOW_DOWNLOAD_URL_SECRET":      "download-secret-0123456789abcdefghijklmnop",
	"BEIANFLOW_REGISTRAR_API_KEY_SECRET": "registrar-secret-0123456789abcdefghijklm",
	"BEIANFLOW_BUREAU_URL":               "https://bureau-gateway.example.com",
	"BEIANFLOW_COURIER_URL":              "https://courier.example.com",
	"BEIANFLOW_INSTANCES_URL":            "https://inventory.example.internal",
	"BEIANFLOW_RECORDS_URL":              "https://miit-records.example.internal",
}

var noSSOEnv = map[string]string{
	"WORKBENCH_DEV_SIGN_IN_SECRET": "dev-sign-in-0123456789abcdefghijklmnop",
	"CODEC_PATH_SECRET":            "codec-path-0123456789abcdefghijklmnopq",
}

func TestComposeProfilesWithAndWithoutSingleSignOn(t *testing.T) {
	f := loadCompose(t)
	names := envNames()
	for name, s := range f.Services {
		if !s.isBeianflow() {
			continue
		}
		var vars []string
		for k := range s.Environment {
			if !names[k] {
				t.Errorf("service %s: %s is not a variable beianflow reads (beianflow config lists what it does)", name, k)
			}
			vars = append(vars, k)
		}
		if extra := unreadSecrets(s.role(), vars); len(extra) > 0 {
			t.Errorf("service %s: beianflow %s reads none of %v; production does not check them for it either (config.LoadFor): remove them", name, s.role(), extra)
		}
		if s.Build != "." {
			t.Errorf("service %s: built from %q, want the repository's Dockerfile (.)", name, s.Build)
		}
	}

	// Profile sso: production, single sign-on at the identity provider.
	sso, ssoUI := profileServices(t, f, "sso")
	for r, name := range sso {
		env, err := serviceEnv(t, name, f.Services[name], composeTestEnv(ssoEnv))
		if err != nil {
			t.Error(err)
			continue
		}
		if env["BEIANFLOW_ENV"] != config.EnvProduction {
			t.Errorf("profile sso: %s runs with BEIANFLOW_ENV=%q, want production", name, env["BEIANFLOW_ENV"])
		}
		cfg, err := loadConfig(r, env)
		if err != nil {
			t.Errorf("profile sso: beianflow %s (%s) would not start with every variable set: %v", r, name, err)
			continue
		}
		if cfg.CodecOIDC.Issuer == "" {
			t.Errorf("profile sso: %s verifies no operator tokens (BEIANFLOW_CODEC_OIDC_ISSUER)", name)
		}
		checkComposeServing(t, name, f.Services[name], r, cfg)
		// Without the profile's settings production must refuse to start,
		// not run on the repository's development secrets. (The codec
		// server holds none of those: production refuses it only the path
		// secret, which this profile does not set.)
		bare, err := serviceEnv(t, name, f.Services[name], composeTestEnv(nil))
		if err != nil {
			t.Error(err)
			continue
		}
		if _, partial := configRoles[r]; !partial {
			if _, err := loadConfig(r, bare); err == nil {
				t.Errorf("profile sso: %s starts without its secrets and gateways: production should refuse", name)
			}
		}
		// A secret comes from the operator's environment: with nothing set
		// it is missing (an error, or empty for beianflow's production
		// checks to refuse), never a value published in this file.
		for k, v := range f.Services[name].Environment {
			if !secretEnvNames()[k] {
				continue
			}
			if got, err := interpolate(v, map[string]string{}, map[string]bool{}); err == nil && got != "" {
				t.Errorf("profile sso: %s gives the secret %s a value of its own (%d characters) when the environment does not", name, k, len(got))
			}
		}
	}
	if api := sso["api"]; api != "" {
		env, _ := serviceEnv(t, api, f.Services[api], composeTestEnv(ssoEnv))
		if env["BEIANFLOW_WORKBENCH_OIDC_CLIENT_ID"] == "" || env["BEIANFLOW_WORKBENCH_DEV_SIGN_IN_SECRET"] != "" {
			t.Errorf("profile sso: the workbench must sign reviewers in through the identity provider only")
		}
	}
	if ssoUI != "" {
		ui := f.Services[ssoUI]
		env, err := serviceEnv(t, ssoUI, ui, composeTestEnv(ssoEnv))
		if err != nil {
			t.Fatal(err)
		}
		if env["TEMPORAL_AUTH_ENABLED"] != "true" || env["TEMPORAL_AUTH_PROVIDER_URL"] == "" {
			t.Errorf("profile sso: %s does not sign operators in", ssoUI)
		}
		// The UI sends the token only to an https endpoint (temporalio/ui
		// src/lib/services/data-encoder.ts: validateHttps).
		if env["TEMPORAL_CODEC_PASS_ACCESS_TOKEN"] != "true" || !strings.HasPrefix(env["TEMPORAL_CODEC_ENDPOINT"], "https://") {
			t.Errorf("profile sso: %s must pass access tokens to an https:// codec endpoint (got %q, pass %q)",
				ssoUI, env["TEMPORAL_CODEC_ENDPOINT"], env["TEMPORAL_CODEC_PASS_ACCESS_TOKEN"])
		}
	}

	// Profile no-sso: development, no identity provider.
	dev, devUI := profileServices(t, f, "no-sso")
	for r, name := range dev {
		env, err := serviceEnv(t, name, f.Services[name], composeTestEnv(noSSOEnv))
		if err != nil {
			t.Error(err)
			continue
		}
		if env["BEIANFLOW_ENV"] != config.EnvDevelopment {
			t.Errorf("profile no-sso: %s uses development values, so it must say BEIANFLOW_ENV=development (got %q)", name, env["BEIANFLOW_ENV"])
		}
		if env["BEIANFLOW_CODEC_OIDC_ISSUER"] != "" || env["BEIANFLOW_WORKBENCH_OIDC_CLIENT_ID"] != "" {
			t.Errorf("profile no-sso: %s is configured for single sign-on", name)
		}
		cfg, err := loadConfig(r, env)
		if err != nil {
			t.Errorf("profile no-sso: beianflow %s (%s) would not start: %v", r, name, err)
			continue
		}
		checkComposeServing(t, name, f.Services[name], r, cfg)
		for _, p := range f.Services[name].Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("profile no-sso: %s publishes %s beyond this host: its doors are open to anyone who reaches them", name, p)
			}
		}
	}
	if api := dev["api"]; api != "" {
		env, _ := serviceEnv(t, api, f.Services[api], composeTestEnv(noSSOEnv))
		if env["BEIANFLOW_WORKBENCH_DEV_SIGN_IN_SECRET"] == "" {
			t.Error("profile no-sso: the workbench has no way to sign in (BEIANFLOW_WORKBENCH_DEV_SIGN_IN_SECRET)")
		}
	}
	if devUI != "" {
		env, _ := serviceEnv(t, devUI, f.Services[devUI], composeTestEnv(noSSOEnv))
		codec, _ := serviceEnv(t, dev["codec-server"], f.Services[dev["codec-server"]], composeTestEnv(noSSOEnv))
		if want := "/codec/t/" + codec["BEIANFLOW_CODEC_PATH_SECRET"]; !strings.HasSuffix(env["TEMPORAL_CODEC_ENDPOINT"], want) || codec["BEIANFLOW_CODEC_PATH_SECRET"] == "" {
			t.Errorf("profile no-sso: %s decodes at %q, the codec server at ...%s", devUI, env["TEMPORAL_CODEC_ENDPOINT"], want)
		}
	}
	// migrate, shared by both profiles, reads only the database: it starts
	// in production with nothing but the variables every profile requires.
	for _, name := range []string{"migrate"} {
		s := f.Services[name]
		env, err := serviceEnv(t, name, s, composeTestEnv(nil))
		if err != nil {
			t.Fatal(err)
		}
		if env["BEIANFLOW_ENV"] != config.EnvProduction {
			t.Errorf("%s runs with BEIANFLOW_ENV=%q, want production: it holds no development value", name, env["BEIANFLOW_ENV"])
		}
		if _, err := loadConfig(s.role(), env); err != nil {
			t.Errorf("%s would not start: %v", name, err)
		}
	}
}

// checkComposeServing checks a beianflow service's health check and, for a
// worker, its replicas and stop grace period.
func checkComposeServing(t *testing.T, name string, s composeService, r string, cfg config.Config) {
	t.Helper()
	if _, ok := roles[r]; !ok {
		return
	}
	want := []string{"CMD", "/usr/local/bin/beianflow", "healthcheck", "http://127.0.0.1:" + servedPort(t, r, cfg) + "/readyz"}
	if s.Healthcheck == nil || !slices.Equal(s.Healthcheck.Test, want) {
		t.Errorf("%s: healthcheck %v, want %v (distroless has no shell or curl)", name, s.Healthcheck, want)
	}
	if r == "worker" {
		if s.Deploy == nil || s.Deploy.Replicas < 2 {
			t.Errorf("%s: run at least two workers (deploy.replicas)", name)
		}
		if s.StopGracePeriod == "" || mustDuration(t, name, s.StopGracePeriod) <= cfg.WorkerStopTimeout {
			t.Errorf("%s: stop_grace_period %q does not cover BEIANFLOW_WORKER_STOP_TIMEOUT (%s)", name, s.StopGracePeriod, cfg.WorkerStopTimeout)
		}
	}
	if r == "api" && (s.StopGracePeriod == "" || mustDuration(t, name, s.StopGracePeriod) <= cfg.ShutdownTimeout) {
		t.Errorf("%s: stop_grace_period %q does not cover BEIANFLOW_SHUTDOWN_TIMEOUT (%s)", name, s.StopGracePeriod, cfg.ShutdownTimeout)
	}
	if !s.ReadOnly || !slices.Contains(s.CapDrop, "ALL") {
		t.Errorf("%s: run it read-only and without capabilities, as in Kubernetes", name)
	}
}

func TestComposeRequiresOnlyWhatEveryProfileNeeds(t *testing.T) {
	// Compose interpolates the whole file before it looks at profiles: a
	// ${VAR:?} in one profile's service stops the other profiles as well.
	// A variable may be required only if every profile needs it anyway.
	f := loadCompose(t)
	byProfile := map[string]map[string]bool{} // "" holds the services of no profile
	var names []string
	for name := range f.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := f.Services[name]
		profiles := s.Profiles
		if len(profiles) == 0 {
			profiles = []string{""}
		}
		for _, p := range profiles {
			if byProfile[p] == nil {
				byProfile[p] = map[string]bool{}
			}
			for v := range requiredBy(t, name, s) {
				byProfile[p][v] = true
			}
		}
	}
	for _, name := range names {
		s := f.Services[name]
		for v := range requiredBy(t, name, s) {
			for p, req := range byProfile {
				if p != "" && !req[v] && !byProfile[""][v] {
					t.Errorf("service %s (profiles %v) requires ${%s:?}, which profile %s does not need: it would stop that profile too; check it in the profile's check service", name, s.Profiles, v, p)
				}
			}
		}
	}
	// Files the services mount exist.
	for name, s := range f.Services {
		for _, v := range s.Volumes {
			if src := strings.SplitN(v, ":", 2)[0]; strings.HasPrefix(src, "./") {
				if _, err := os.Stat(repoPath(src)); err != nil {
					t.Errorf("service %s mounts %s: %v", name, src, err)
				}
			} else if _, ok := f.Volumes[src]; !ok && !strings.HasPrefix(src, "/") {
				t.Errorf("service %s mounts volume %q, which volumes: does not declare", name, src)
			}
		}
	}
}

func TestComposeInterpolation(t *testing.T) {
	env := map[string]string{"A": "a", "E": ""}
	req := map[string]bool{}
	for in, want := range map[string]string{
		"x${A}y": "xay", "${E:-d}": "d", "${E-d}": "", "${U-d}": "d", "${U:-${A}}": "a",
		"$$A": "$A", "$${A}": "${A}", "${A:?must}": "a", "$A": "a",
	} {
		got, err := interpolate(in, env, req)
		if err != nil || got != want {
			t.Errorf("interpolate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := interpolate("${E:?must}", env, req); err == nil {
		t.Error("a missing required variable interpolated")
	}
	if !req["A"] || !req["E"] {
		t.Errorf("required variables %v, want A and E", req)
	}
}
