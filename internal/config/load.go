package config

import (
	"errors"
	"fmt"
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
// in tests). An unset or empty variable takes its documented default. All
// invalid values are reported together.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	var errs []error
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
			if strings.Contains(v.Name, "SECRET") || strings.Contains(v.Name, "KEYS") || v.Name == "DATABASE_URL" {
				shown = "<redacted>"
			}
			errs = append(errs, fmt.Errorf("%s=%q: %w", v.Name, shown, err))
		}
	}
	if c.CodecOIDC.Issuer != "" {
		if c.CodecOIDC.Audience == "" {
			errs = append(errs, errors.New("BEIANFLOW_CODEC_OIDC_AUDIENCE is required when BEIANFLOW_CODEC_OIDC_ISSUER is set"))
		}
		if len(c.CodecOIDC.Allowed) == 0 {
			errs = append(errs, errors.New("BEIANFLOW_CODEC_OIDC_ALLOWED is required when BEIANFLOW_CODEC_OIDC_ISSUER is set: without it no operator could decode"))
		}
	}
	if len(errs) == 0 && c.API.SandboxSettings && c.Sandbox.Addr == "" {
		errs = append(errs, errors.New("BEIANFLOW_SANDBOX_SETTINGS=true needs the sandbox world, but BEIANFLOW_SANDBOX_ADDR is off"))
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("invalid configuration: %w", errors.Join(errs...))
	}
	return c, nil
}
