package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Defaults is the configuration of an empty environment: every variable at
// its documented default.
func Defaults() Config {
	c, err := Load(func(string) string { return "" })
	if err != nil {
		panic("config: the documented defaults do not load: " + err.Error())
	}
	return c
}

// Load reads every variable through getenv (os.Getenv in production, a map
// in tests). getenv, like os.Getenv, cannot tell an unset variable from an
// empty one, so both take the documented default. All invalid values are
// reported together, so an operator fixes them in one round rather than one
// restart per variable.
//
// Each secret may also come from a file (NAME_FILE, see SecretVars). With
// BEIANFLOW_ENV=production, a published development secret, a missing
// shared secret or a development-only setting is an error too.
func Load(getenv func(string) string) (Config, error) { return LoadFor(getenv, RoleAll) }

// LoadFor is Load for a process that runs only role: under
// BEIANFLOW_ENV=production, what that role never reads does not stop it
// (the migration job needs no S3 secret, the codec server no webhook
// secret).
func LoadFor(getenv func(string) string, role Role) (Config, error) {
	var c Config
	getenv, errs := withSecretFiles(getenv)
	for _, v := range Vars {
		raw, explicit := getenv(v.Name), true
		if raw == "" {
			raw, explicit = v.Default, false
		}
		if err := v.set(&c, strings.TrimSpace(raw)); err != nil {
			shown := raw
			if !explicit {
				shown += " (default)"
			}
			// The error ends up in logs: never echo a secret, a key or a
			// URL with credentials in it (a database's, a collector's).
			if strings.Contains(v.Name, "SECRET") || strings.Contains(v.Name, "KEYS") ||
				slices.Contains(secretVars, v.Name) || carriesCredentials(raw) {
				shown = "<redacted>"
			}
			errs = append(errs, fmt.Errorf("%s=%q: %w", v.Name, shown, err))
		}
	}
	// Checks that span several variables follow. The OIDC ones only need
	// their own variables to have parsed, so they are reported alongside
	// the other bad values.
	if c.CodecOIDC.Issuer != "" {
		if c.CodecOIDC.Audience == "" {
			errs = append(errs, errors.New("BEIANFLOW_CODEC_OIDC_AUDIENCE is required when BEIANFLOW_CODEC_OIDC_ISSUER is set"))
		}
		if len(c.CodecOIDC.Allowed) == 0 {
			errs = append(errs, errors.New("BEIANFLOW_CODEC_OIDC_ALLOWED is required when BEIANFLOW_CODEC_OIDC_ISSUER is set: without it no operator could decode"))
		}
	}
	if c.Workbench.OIDCClientID != "" {
		if c.CodecOIDC.Issuer == "" {
			errs = append(errs, errors.New("BEIANFLOW_WORKBENCH_OIDC_CLIENT_ID needs the issuer in BEIANFLOW_CODEC_OIDC_ISSUER: reviewers sign in where operators do"))
		}
		if len(c.Workbench.ReviewerGroups) == 0 && len(c.Workbench.SupportGroups) == 0 {
			errs = append(errs, errors.New("BEIANFLOW_WORKBENCH_REVIEWER_GROUPS is required when BEIANFLOW_WORKBENCH_OIDC_CLIENT_ID is set: without it nobody could review"))
		}
	}
	// Only on an otherwise valid configuration: a BEIANFLOW_SANDBOX_ADDR
	// that failed to parse also leaves Addr empty, and "is off" would then
	// be a second, wrong message about the same mistake.
	if len(errs) == 0 && c.API.SandboxSettings && c.Sandbox.Addr == "" {
		errs = append(errs, errors.New("BEIANFLOW_SANDBOX_SETTINGS=true needs the sandbox world, but BEIANFLOW_SANDBOX_ADDR is off"))
	}
	if len(errs) == 0 && c.Env == EnvProduction {
		errs = append(errs, productionProblems(c, role)...)
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("invalid configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

// carriesCredentials reports a value that reads as a URL with a user or
// password in it.
func carriesCredentials(raw string) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	return err == nil && u.User != nil
}
