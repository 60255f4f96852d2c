package config_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsGiveAWorkingLocalSystem(t *testing.T) {
	c, err := config.Load(env(nil))
	require.NoError(t, err)
	assert.Equal(t, ":8080", c.HTTPAddr)
	assert.Equal(t, "127.0.0.1:7233", c.TemporalAddress)
	assert.Equal(t, "default", c.TemporalNamespace)
	assert.Equal(t, "beianflow-filings", c.TaskQueue)
	assert.Empty(t, c.DatabaseURL, "no DATABASE_URL selects embedded SQLite")
	assert.Equal(t, "data/beianflow.db", c.SQLitePath())
	assert.Equal(t, "http://127.0.0.1:7070", c.S3.Endpoint)
	assert.True(t, c.S3.ForcePathStyle)
	assert.Equal(t, slog.LevelInfo, c.LogLevel)
	assert.Equal(t, 15*time.Second, c.ShutdownTimeout)
	assert.Equal(t, 8233, c.Dev.TemporalUI)
}

func TestEnvironmentOverridesDefaults(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"DATABASE_URL":         "postgres://app@db:5432/beianflow",
		"TEMPORAL_ADDRESS":     "temporal:7233",
		"S3_ENDPOINT":          "",
		"S3_FORCE_PATH_STYLE":  "false",
		"BEIANFLOW_LOG_LEVEL":  "debug",
		"BEIANFLOW_LOG_FORMAT": "json",
	}))
	require.NoError(t, err)
	assert.Equal(t, "postgres://app@db:5432/beianflow", c.DatabaseURL)
	assert.Equal(t, "temporal:7233", c.TemporalAddress)
	assert.Equal(t, "http://127.0.0.1:7070", c.S3.Endpoint, "an empty variable means the default")
	assert.False(t, c.S3.ForcePathStyle)
	assert.Equal(t, slog.LevelDebug, c.LogLevel)
	assert.Equal(t, "json", c.LogFormat)
}

func TestEveryBadValueIsReportedAtOnceWithoutLeakingSecrets(t *testing.T) {
	_, err := config.Load(env(map[string]string{
		"BEIANFLOW_HTTP_ADDR":        "8080",
		"TEMPORAL_ADDRESS":           "temporal:port",
		"DATABASE_URL":               "mysql://root:hunter2@db/x",
		"S3_BUCKET":                  "Bad_Bucket",
		"S3_FORCE_PATH_STYLE":        "maybe",
		"BEIANFLOW_SHUTDOWN_TIMEOUT": "-1s",
		"BEIANFLOW_LOG_LEVEL":        "loud",
		"BEIANFLOW_TEMPORAL_UI_PORT": "99999",
	}))
	require.Error(t, err)
	msg := err.Error()
	for _, name := range []string{"BEIANFLOW_HTTP_ADDR", "TEMPORAL_ADDRESS", "DATABASE_URL", "S3_BUCKET",
		"S3_FORCE_PATH_STYLE", "BEIANFLOW_SHUTDOWN_TIMEOUT", "BEIANFLOW_LOG_LEVEL", "BEIANFLOW_TEMPORAL_UI_PORT"} {
		assert.Contains(t, msg, name)
	}
	assert.NotContains(t, msg, "hunter2", "credentials in DATABASE_URL must not be echoed")
	assert.Equal(t, 8, strings.Count(msg, "\n")+1, "one line per bad variable:\n%s", msg)
}

func TestEveryVariableIsDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range config.Vars {
		assert.NotEmpty(t, v.Help, v.Name)
		assert.False(t, seen[v.Name], "duplicate %s", v.Name)
		seen[v.Name] = true
	}
}

func TestProcessSettings(t *testing.T) {
	c, err := config.Load(env(map[string]string{"BEIANFLOW_TIME_SCALE": "1440", "BEIANFLOW_SUBMISSION_WINDOW": "08:30-24:00"}))
	require.NoError(t, err)
	assert.Equal(t, 1440.0, c.Process.TimeScale)
	assert.Equal(t, 8*time.Hour+30*time.Minute, c.Process.SubmissionWindowOpen)
	assert.Equal(t, 24*time.Hour, c.Process.SubmissionWindowClose)

	for _, bad := range []string{"18:00-09:00", "9-18", "09:00", "24:00-24:00", "09:00-25:00"} {
		_, err := config.Load(env(map[string]string{"BEIANFLOW_SUBMISSION_WINDOW": bad}))
		assert.Error(t, err, bad)
	}
	for _, bad := range []string{"0", "0.5", "fast", "-3"} {
		_, err := config.Load(env(map[string]string{"BEIANFLOW_TIME_SCALE": bad}))
		assert.Error(t, err, bad)
	}
	_, err = config.Load(env(map[string]string{"BEIANFLOW_SUBJECT_KEY_SECRET": "short"}))
	assert.Error(t, err)
}

func TestDefaultsAreTheEmptyEnvironment(t *testing.T) {
	want, err := config.Load(func(string) string { return "" })
	require.NoError(t, err)
	assert.Equal(t, want, config.Defaults())
	assert.Equal(t, 20.0, config.Defaults().API.RateLimit, "the documented default")
}

func TestCodecOIDCIsOffUnlessAnIssuerIsSet(t *testing.T) {
	c, err := config.Load(env(nil))
	require.NoError(t, err)
	assert.Empty(t, c.CodecOIDC.Issuer)
	assert.Equal(t, "groups", c.CodecOIDC.Claim)
	assert.Equal(t, ":8089", c.CodecListen)

	c, err = config.Load(env(map[string]string{
		"BEIANFLOW_CODEC_OIDC_ISSUER":   "https://sso.example.com/realms/ops",
		"BEIANFLOW_CODEC_OIDC_AUDIENCE": "temporal-ui",
		"BEIANFLOW_CODEC_OIDC_CLAIM":    "realm_access.roles",
		"BEIANFLOW_CODEC_OIDC_ALLOWED":  " beianflow-operators, ,beianflow-support ",
		"BEIANFLOW_CODEC_LISTEN":        "127.0.0.1:9000",
	}))
	require.NoError(t, err)
	assert.Equal(t, config.CodecOIDC{Issuer: "https://sso.example.com/realms/ops", Audience: "temporal-ui",
		Claim: "realm_access.roles", Allowed: []string{"beianflow-operators", "beianflow-support"}}, c.CodecOIDC)
	assert.Equal(t, "127.0.0.1:9000", c.CodecListen)

	for _, local := range []string{"http://localhost:8081/realms/dev", "http://127.0.0.1:5556", "http://[::1]:5556"} {
		_, err := config.Load(env(map[string]string{"BEIANFLOW_CODEC_OIDC_ISSUER": local,
			"BEIANFLOW_CODEC_OIDC_AUDIENCE": "ui", "BEIANFLOW_CODEC_OIDC_ALLOWED": "ops"}))
		assert.NoError(t, err, local)
	}
}

func TestCodecOIDCMisconfigurationIsReportedWithTheOtherBadValues(t *testing.T) {
	_, err := config.Load(env(map[string]string{
		"BEIANFLOW_CODEC_OIDC_ISSUER": "https://sso.example.com",
		"BEIANFLOW_LOG_LEVEL":         "loud",
	}))
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "BEIANFLOW_LOG_LEVEL")
	assert.Contains(t, msg, "BEIANFLOW_CODEC_OIDC_AUDIENCE is required")
	assert.Contains(t, msg, "BEIANFLOW_CODEC_OIDC_ALLOWED is required")
	assert.Equal(t, 3, strings.Count(msg, "\n")+1, "one line per problem:\n%s", msg)

	for _, bad := range []string{"http://sso.example.com", "sso.example.com", "https://sso.example.com/?tenant=1",
		"https://user:pw@sso.example.com", "ftp://sso.example.com"} {
		_, err := config.Load(env(map[string]string{"BEIANFLOW_CODEC_OIDC_ISSUER": bad,
			"BEIANFLOW_CODEC_OIDC_AUDIENCE": "ui", "BEIANFLOW_CODEC_OIDC_ALLOWED": "ops"}))
		assert.ErrorContains(t, err, "BEIANFLOW_CODEC_OIDC_ISSUER", bad)
	}
	_, err = config.Load(env(map[string]string{"BEIANFLOW_CODEC_LISTEN": "8089"}))
	assert.ErrorContains(t, err, "BEIANFLOW_CODEC_LISTEN")
}

func TestBehindALoadBalancerItsRangesAreTrustedAndNothingElse(t *testing.T) {
	c, err := config.Load(env(nil))
	require.NoError(t, err)
	assert.Empty(t, c.API.TrustedProxies, "by default the peer is the client")
	assert.Equal(t, 30*time.Second, c.WorkerStopTimeout)

	c, err = config.Load(env(map[string]string{"BEIANFLOW_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::/32"}))
	require.NoError(t, err)
	require.Len(t, c.API.TrustedProxies, 2)
	assert.Equal(t, "10.0.0.0/8", c.API.TrustedProxies[0].String())

	_, err = config.Load(env(map[string]string{"BEIANFLOW_TRUSTED_PROXIES": "10.0.0.1"}))
	assert.ErrorContains(t, err, "BEIANFLOW_TRUSTED_PROXIES")
}

func TestProductionRefusesThePublishedDevelopmentSecretsAndTheDevelopmentDoors(t *testing.T) {
	_, err := config.Load(env(map[string]string{"BEIANFLOW_ENV": "production", "BEIANFLOW_SANDBOX_SETTINGS": "true"}))
	require.Error(t, err)
	msg := err.Error()
	for _, name := range []string{"S3_SECRET_ACCESS_KEY", "BEIANFLOW_SUBJECT_KEY_SECRET", "BEIANFLOW_WEBHOOK_SECRET",
		"BEIANFLOW_REGISTRAR_API_KEY_SECRET", "BEIANFLOW_DOWNLOAD_URL_SECRET", "BEIANFLOW_SANDBOX_ADDR", "BEIANFLOW_SANDBOX_SETTINGS",
		"BEIANFLOW_INSTANCES_URL", "BEIANFLOW_RECORDS_URL"} {
		assert.Contains(t, msg, name)
	}
	for _, published := range []string{"beianflow-dev-secret", "beianflow-dev-subject-key", "beianflow-dev-webhook-secret"} {
		assert.NotContains(t, msg, published, "the message names the variable, not its value")
	}
	_, err = config.Load(env(map[string]string{"BEIANFLOW_SANDBOX_SETTINGS": "true"}))
	assert.NoError(t, err, "development allows all of it")
}

func TestInProductionTheMigrationJobAndTheCodecServerNeedOnlyWhatTheyRead(t *testing.T) {
	prod := map[string]string{"BEIANFLOW_ENV": "production", "DATABASE_URL": "postgres://app@db:5432/beianflow"}
	_, err := config.LoadFor(env(prod), config.RoleMigrate)
	assert.NoError(t, err, "migrate opens the database alone")
	_, err = config.LoadFor(env(prod), config.RoleCodecServer)
	assert.NoError(t, err, "the codec server signs nothing and serves no sandbox")
	_, err = config.LoadFor(env(prod), config.RoleAll)
	assert.ErrorContains(t, err, "BEIANFLOW_WEBHOOK_SECRET", "the API and the worker read every secret")

	prod["BEIANFLOW_CODEC_PATH_SECRET"] = strings.Repeat("c", 40)
	_, err = config.LoadFor(env(prod), config.RoleCodecServer)
	assert.ErrorContains(t, err, "BEIANFLOW_CODEC_PATH_SECRET is for development only")
}

func TestInProductionEverySecretMayComeFromAFile(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content+"\n"), 0o600))
		return p
	}
	vars := map[string]string{
		"BEIANFLOW_ENV":                           "production",
		"BEIANFLOW_SANDBOX_ADDR":                  "off",
		"S3_SECRET_ACCESS_KEY_FILE":               file("s3", "s3-secret-of-our-own"),
		"BEIANFLOW_SUBJECT_KEY_SECRET_FILE":       file("subject", "a-subject-key-of-our-own-32-chars!"),
		"BEIANFLOW_WEBHOOK_SECRET_FILE":           file("webhook", "a-webhook-secret-of-our-own"),
		"BEIANFLOW_REGISTRAR_API_KEY_SECRET_FILE": file("registrar", "registrar-secret-of-our-own"),
		"BEIANFLOW_DOWNLOAD_URL_SECRET_FILE":      file("download", strings.Repeat("d", 40)),
		"DATABASE_URL_FILE":                       file("db", "postgres://app:pw@db:5432/beianflow"),
		"BEIANFLOW_INSTANCES_URL":                 "https://inventory.internal.example.com",
		"BEIANFLOW_RECORDS_URL":                   "https://records.internal.example.com",
	}
	c, err := config.Load(env(vars))
	require.NoError(t, err)
	assert.Equal(t, "s3-secret-of-our-own", c.S3.SecretAccessKey, "the file's trailing newline is dropped")
	assert.Equal(t, "postgres://app:pw@db:5432/beianflow", c.DatabaseURL)
	assert.Equal(t, config.EnvProduction, c.Env)

	vars["S3_SECRET_ACCESS_KEY"] = "also-in-the-environment"
	_, err = config.Load(env(vars))
	assert.ErrorContains(t, err, "S3_SECRET_ACCESS_KEY and S3_SECRET_ACCESS_KEY_FILE are both set")
	delete(vars, "S3_SECRET_ACCESS_KEY")
	vars["BEIANFLOW_WEBHOOK_SECRET_FILE"] = filepath.Join(dir, "missing")
	_, err = config.Load(env(vars))
	assert.ErrorContains(t, err, "BEIANFLOW_WEBHOOK_SECRET_FILE: cannot read")
}
