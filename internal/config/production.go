package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// The environments BEIANFLOW_ENV names.
const (
	// EnvDevelopment allows the published development secrets and the
	// development-only conveniences (make run, tests).
	EnvDevelopment = "development"
	// EnvProduction refuses them: a process that would run with a secret
	// anyone can read in this repository, or a door meant for a developer's
	// machine, does not start.
	EnvProduction = "production"
)

// secretVars are the variables holding secrets. Each may instead be given
// as NAME_FILE, the path of a file holding it (a mounted Kubernetes or
// Docker secret), so that it is not in the process's environment.
var secretVars = []string{
	"DATABASE_URL", "S3_SECRET_ACCESS_KEY", "BEIANFLOW_SUBJECT_KEY_SECRET", "BEIANFLOW_WEBHOOK_SECRET",
	"BEIANFLOW_REGISTRAR_API_KEY_SECRET", "BEIANFLOW_WORKBENCH_SESSION_SECRET", "BEIANFLOW_WORKBENCH_OIDC_CLIENT_SECRET",
	"BEIANFLOW_DOWNLOAD_URL_SECRET", "BEIANFLOW_INSTANCES_TOKEN", "BEIANFLOW_RECORDS_TOKEN", "BEIANFLOW_CLUSTER_POSTGRES",
}

// SecretVars lists the variables that also read NAME_FILE.
func SecretVars() []string { return append([]string(nil), secretVars...) }

// withSecretFiles is getenv with each secret variable read from its
// NAME_FILE when the variable itself is empty. A file that cannot be read,
// or a secret given both ways, is an error.
func withSecretFiles(getenv func(string) string) (func(string) string, []error) {
	files := map[string]string{}
	var errs []error
	for _, name := range secretVars {
		path := strings.TrimSpace(getenv(name + "_FILE"))
		if path == "" {
			continue
		}
		if getenv(name) != "" {
			errs = append(errs, fmt.Errorf("%s and %s_FILE are both set: give the secret one way", name, name))
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s_FILE: cannot read the secret's file: %w", name, errors.Unwrap(err)))
			continue
		}
		files[name] = strings.TrimRight(string(b), "\r\n")
	}
	return func(name string) string {
		if v, ok := files[name]; ok {
			return v
		}
		return getenv(name)
	}, errs
}

// Role is the part of the system a process runs, for the production
// checks: each refuses only what it reads.
type Role string

// The roles whose processes read only part of the configuration; the
// API, the worker and `beianflow dev` read all of it.
const (
	RoleAll         Role = ""
	RoleMigrate     Role = "migrate"
	RoleCodecServer Role = "codec-server"
)

// readsOnly lists, for a role that reads part of the configuration, the
// variables among those productionProblems checks that it does read.
var readsOnly = map[Role][]string{
	// The migration job opens the database and nothing else.
	RoleMigrate: {},
	// The codec server decodes payloads for API keys (the database) and
	// operators' tokens; it serves no sandbox and signs nothing.
	RoleCodecServer: {"BEIANFLOW_CODEC_PATH_SECRET"},
}

// productionProblems is what a production process of role must not run
// with: the secrets published in this repository as development
// defaults, secrets every replica must share left to a random one per
// process, and the development-only doors.
func productionProblems(c Config, role Role) []error {
	only, partial := readsOnly[role]
	var errs []error
	for _, e := range allProductionProblems(c) {
		if !partial || slices.Contains(only, e.name) {
			errs = append(errs, e.error)
		}
	}
	return errs
}

// namedError is a problem of one variable.
type namedError struct {
	name string
	error
}

func allProductionProblems(c Config) []namedError {
	var errs []namedError
	published := map[string]string{
		"S3_SECRET_ACCESS_KEY":               c.S3.SecretAccessKey,
		"BEIANFLOW_SUBJECT_KEY_SECRET":       c.Process.SubjectKeySecret,
		"BEIANFLOW_WEBHOOK_SECRET":           c.World.WebhookSecret,
		"BEIANFLOW_REGISTRAR_API_KEY_SECRET": c.World.RegistrarKeySecret,
	}
	for _, v := range Vars {
		if value, ok := published[v.Name]; ok && v.Default != "" && value == v.Default {
			errs = append(errs, namedError{v.Name, fmt.Errorf("%s is the development value published in the beianflow repository; set a secret of your own (or %s_FILE)", v.Name, v.Name)})
		}
	}
	if c.S3.AccessKeyID != "" && c.S3.SecretAccessKey == "" {
		errs = append(errs, namedError{"S3_SECRET_ACCESS_KEY", errors.New("S3_SECRET_ACCESS_KEY is missing for S3_ACCESS_KEY_ID; or leave both empty for the AWS default credentials")})
	}
	required := map[string]string{
		"BEIANFLOW_DOWNLOAD_URL_SECRET": c.API.DownloadSecret,
	}
	// The sandboxes answer for every instance and subject: a production
	// process must ask the real services.
	for name, url := range map[string]string{"BEIANFLOW_INSTANCES_URL": c.World.InstancesURL, "BEIANFLOW_RECORDS_URL": c.World.RecordsURL} {
		if url == "" {
			errs = append(errs, namedError{name, fmt.Errorf("%s is missing: without it the sandbox answers, which knows every instance and subject", name)})
		}
	}
	if c.Workbench.OIDCClientID != "" {
		required["BEIANFLOW_WORKBENCH_SESSION_SECRET"] = c.Workbench.SessionSecret
	}
	for name, value := range required {
		if value == "" {
			errs = append(errs, namedError{name, fmt.Errorf("%s is missing: every API process must share it (or %s_FILE)", name, name)})
		}
	}
	devOnly := map[string]bool{
		"BEIANFLOW_CODEC_PATH_SECRET":            c.CodecPathToken != "",
		"BEIANFLOW_WORKBENCH_DEV_SIGN_IN_SECRET": c.Workbench.DevSignInToken != "",
		"BEIANFLOW_SANDBOX_SETTINGS":             c.API.SandboxSettings,
		"BEIANFLOW_DELIVERY_ALLOW_INSECURE_URLS": c.Deliveries.AllowInsecureURLs,
	}
	for name, set := range devOnly {
		if set {
			errs = append(errs, namedError{name, fmt.Errorf("%s is for development only; unset it", name)})
		}
	}
	if c.Sandbox.Addr != "" {
		errs = append(errs, namedError{"BEIANFLOW_SANDBOX_ADDR", errors.New("BEIANFLOW_SANDBOX_ADDR serves the sandbox bureau and courier; set it to off in production")})
	}
	slices.SortFunc(errs, func(a, b namedError) int { return strings.Compare(a.Error(), b.Error()) })
	return errs
}
