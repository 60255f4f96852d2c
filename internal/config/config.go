// Package config reads beianflow's configuration from environment variables.
// It is the only place that parses them: every binary and subcommand calls
// Load, and a bad value stops the process at start with a message naming the
// variable, instead of failing later in a code path that is rarely taken.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is the complete runtime configuration.
type Config struct {
	// HTTPAddr is where the API listens.
	HTTPAddr string
	// ShutdownTimeout bounds how long in-flight HTTP requests may take to
	// finish after a stop signal.
	ShutdownTimeout time.Duration
	// API configures authentication, rate limits and idempotency.
	API API

	// TemporalAddress is the host:port of the Temporal frontend.
	TemporalAddress string
	// TemporalNamespace is the namespace the filings run in.
	TemporalNamespace string
	// TaskQueue is the task queue the worker polls and the API starts on.
	TaskQueue string

	// DatabaseURL is a PostgreSQL URL. Empty selects the embedded SQLite
	// file under DataDir, so a development machine needs no database server.
	DatabaseURL string
	// DataDir holds everything `beianflow dev` persists.
	DataDir string

	// S3 is the document store.
	S3 S3

	// LogLevel and LogFormat configure log/slog output.
	LogLevel  slog.Level
	LogFormat string

	// Process configures the filing process.
	Process Process

	// PayloadKeys and PayloadKeyFile give the AES-256 keys that encrypt
	// every Temporal payload ("id:base64" entries, the last is current).
	PayloadKeys    string
	PayloadKeyFile string

	// CodecOrigins are the Web UI origins allowed to call the codec
	// server from the browser; CodecPathToken mounts an unauthenticated
	// codec path for a UI that cannot send credentials (development).
	CodecOrigins   []string
	CodecPathToken string
	// CodecOIDC lets operators signed in to the Web UI through single
	// sign-on decode: the UI forwards their OIDC access token. Off while
	// its Issuer is empty.
	CodecOIDC CodecOIDC
	// CodecListen is where `beianflow codec-server` listens.
	CodecListen string

	// Sandbox configures the sandbox outside world (bureau, courier).
	Sandbox Sandbox

	// World configures the real or sandbox gateways.
	World World

	// Dev configures the processes that `beianflow dev` supervises.
	Dev Dev
}

// CodecOIDC configures the OIDC access tokens the codec server accepts
// from operators.
type CodecOIDC struct {
	// Issuer is the identity provider's issuer URL (discovery at
	// <Issuer>/.well-known/openid-configuration); empty turns OIDC off.
	Issuer string
	// Audience must be in a token's "aud".
	Audience string
	// Claim names the token claim (a string or a list of strings; a dotted
	// path reaches into objects) that must hold one of Allowed.
	Claim   string
	Allowed []string
}

// API configures what the HTTP API enforces per caller.
type API struct {
	// RateLimit is the sustained requests per second allowed per API key,
	// and RateBurst the burst above it. Limits are per API process.
	RateLimit float64
	RateBurst int
	// AuthFailureRate and AuthFailureBurst limit failed authentications
	// per client address (key guessing).
	AuthFailureRate  float64
	AuthFailureBurst int
	// IdempotencyTTL is how long a POST's response is replayed for the
	// same Idempotency-Key.
	IdempotencyTTL time.Duration
	// KeyCacheTTL is how long a looked-up API key is trusted without
	// reading the database again; a revoked key stops working within it.
	KeyCacheTTL time.Duration
	// SandboxSettings lets POST /v1/filings carry "sandbox" settings (a
	// filing's own time scale, for demos). Only a system that runs the
	// sandbox world allows them; `beianflow dev` does unless told not to.
	SandboxSettings bool
}

// Process configures the filing process. Each new filing copies these
// settings into its workflow input, so changing them never alters a filing
// already running.
type Process struct {
	// TimeScale compresses every timer and deadline (1 = real time).
	TimeScale float64
	// SubmissionWindowOpen and Close bound bureau submissions on business
	// days, as offsets from midnight China time.
	SubmissionWindowOpen, SubmissionWindowClose time.Duration
	// SubjectKeySecret keys the hash that identifies a subject without
	// storing its certificate number.
	SubjectKeySecret string
}

// Sandbox configures the simulated bureau and courier used by `make run`.
type Sandbox struct {
	BureauReviewBusinessDays int
	CourierDeliveryDays      int
	PushInterval             time.Duration
	// Addr is where the sandbox world serves the bureau and courier
	// protocols; empty runs no sandbox (production).
	Addr string
	// WebhookURL is the API base URL the sandbox pushes signed webhooks to.
	WebhookURL string
}

// World configures the outside world beianflow talks to.
type World struct {
	BureauURL     string
	CourierURL    string
	WebhookSecret string
	// Notifier is "log" (messages are logged with masked recipients) or
	// "aws" (SMS through SNS, e-mail through SES).
	Notifier    string
	EmailFrom   string
	SMSSenderID string
}

// S3 configures the S3-compatible document store.
type S3 struct {
	// SSE is the server-side encryption of uploads: "" (the bucket's
	// default), "AES256" or "aws:kms" with SSEKMSKeyID.
	SSE         string
	SSEKMSKeyID string

	Endpoint        string // empty means AWS's regional endpoint
	Region          string
	Bucket          string
	AccessKeyID     string
	SecretAccessKey string
	ForcePathStyle  bool
}

// Dev configures `beianflow dev`, which runs the whole system on one machine.
type Dev struct {
	TemporalCLI  string // path to the pinned Temporal CLI binary
	TemporalUI   int    // Web UI port of the dev server
	VersityGW    string // path to the pinned versitygw binary
	S3ListenAddr string // where versitygw listens
}

// SQLitePath is the embedded database file used when DatabaseURL is empty.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "beianflow.db") }

// Var documents one environment variable. The README's configuration table
// and `beianflow config` are generated from Vars so they cannot drift.
type Var struct {
	Name    string
	Default string
	Help    string
	set     func(c *Config, v string) error
}

// Vars lists every variable Load reads, in display order.
var Vars = []Var{
	{"BEIANFLOW_HTTP_ADDR", ":8080", "Listen address of the HTTP API.", func(c *Config, v string) error {
		return hostPort(v, &c.HTTPAddr)
	}},
	{"BEIANFLOW_SHUTDOWN_TIMEOUT", "15s", "How long in-flight requests may run after SIGINT/SIGTERM.", func(c *Config, v string) error {
		return positiveDuration(v, &c.ShutdownTimeout)
	}},
	{"BEIANFLOW_RATE_LIMIT", "20", "Sustained requests per second allowed per API key (per API process); excess answers 429.", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			return errors.New("must be a positive number")
		}
		c.API.RateLimit = f
		return nil
	}},
	{"BEIANFLOW_RATE_BURST", "40", "Requests per API key allowed in a burst above the rate limit.", func(c *Config, v string) error {
		return intRange(v, 1, 1_000_000, &c.API.RateBurst)
	}},
	{"BEIANFLOW_AUTH_FAILURE_LIMIT", "2", "Failed authentications per second allowed per client address (bursts of BEIANFLOW_AUTH_FAILURE_BURST); excess answers 429.", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			return errors.New("must be a positive number")
		}
		c.API.AuthFailureRate = f
		return nil
	}},
	{"BEIANFLOW_AUTH_FAILURE_BURST", "20", "Failed authentications per client address allowed in a burst.", func(c *Config, v string) error {
		return intRange(v, 1, 1_000_000, &c.API.AuthFailureBurst)
	}},
	{"BEIANFLOW_IDEMPOTENCY_TTL", "24h", "How long a POST's response is replayed for a repeated Idempotency-Key.", func(c *Config, v string) error {
		return positiveDuration(v, &c.API.IdempotencyTTL)
	}},
	{"BEIANFLOW_API_KEY_CACHE_TTL", "10s", "How long the API trusts a looked-up API key; a revoked key stops working within this time.", func(c *Config, v string) error {
		return positiveDuration(v, &c.API.KeyCacheTTL)
	}},
	{"BEIANFLOW_PAYLOAD_KEYS", "", "Keys that encrypt every Temporal payload (AES-256-GCM): id:base64 entries separated by commas, the last one current; keep old ones to read old histories. `beianflow dev` creates data/payload-keys if neither this nor the file is set.", func(c *Config, v string) error {
		c.PayloadKeys = v
		return nil
	}},
	{"BEIANFLOW_PAYLOAD_KEY_FILE", "", "File with the payload keys, one id:base64 per line (used when BEIANFLOW_PAYLOAD_KEYS is empty).", func(c *Config, v string) error {
		c.PayloadKeyFile = v
		return nil
	}},
	{"BEIANFLOW_CODEC_ORIGINS", "", "Comma-separated origins (scheme://host:port) of Temporal Web UIs allowed to call the codec server (/codec) from the browser. `beianflow dev` sets its own UI.", func(c *Config, v string) error {
		c.CodecOrigins = nil
		for o := range strings.SplitSeq(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				u, err := url.Parse(o)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
					return errors.New("each origin must be scheme://host[:port]")
				}
				c.CodecOrigins = append(c.CodecOrigins, o)
			}
		}
		return nil
	}},
	{"BEIANFLOW_CODEC_PATH_SECRET", "", "Development only: serves the codec without credentials at /codec/t/<secret> for a Web UI that cannot send them; anyone who can open that UI can read it. `beianflow dev` sets a random one per run. Empty in production.", func(c *Config, v string) error {
		if v != "" && !regexp.MustCompile(`^[A-Za-z0-9_-]{32,}$`).MatchString(v) {
			return errors.New("must be at least 32 characters of letters, digits, _ or -")
		}
		c.CodecPathToken = v
		return nil
	}},
	{"BEIANFLOW_CODEC_OIDC_ISSUER", "", "Issuer URL of the single sign-on in front of the Temporal Web UI: the codec server then decodes for operators whose OIDC access token (forwarded by the UI with TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true) it verifies (signature, issuer, audience, expiry, group). https, or http on a loopback host. Empty: only support API keys (docs/codec.md).", func(c *Config, v string) error {
		c.CodecOIDC.Issuer = ""
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
			!(u.Scheme == "https" || u.Scheme == "http" && loopback(u.Hostname())) {
			return errors.New("must be an https:// URL (http:// only on localhost or a loopback address), without query or fragment")
		}
		c.CodecOIDC.Issuer = v
		return nil
	}},
	{"BEIANFLOW_CODEC_OIDC_AUDIENCE", "", "Audience the operators' access tokens must carry in \"aud\" (often the Web UI's client ID). Required with BEIANFLOW_CODEC_OIDC_ISSUER.", func(c *Config, v string) error {
		c.CodecOIDC.Audience = v
		return nil
	}},
	{"BEIANFLOW_CODEC_OIDC_CLAIM", "groups", "Token claim holding the operator's groups or roles: a string or a list of strings; a dotted path such as realm_access.roles reaches into objects.", func(c *Config, v string) error {
		return nonEmpty(v, &c.CodecOIDC.Claim)
	}},
	{"BEIANFLOW_CODEC_OIDC_ALLOWED", "", "Comma-separated values of that claim that may decode, e.g. beianflow-operators. Required with BEIANFLOW_CODEC_OIDC_ISSUER.", func(c *Config, v string) error {
		c.CodecOIDC.Allowed = nil
		for a := range strings.SplitSeq(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				c.CodecOIDC.Allowed = append(c.CodecOIDC.Allowed, a)
			}
		}
		return nil
	}},
	{"BEIANFLOW_CODEC_LISTEN", ":8089", "`beianflow codec-server`: where it serves the codec (/codec), /healthz and /readyz.", func(c *Config, v string) error {
		return hostPort(v, &c.CodecListen)
	}},
	{"TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend host:port.", func(c *Config, v string) error {
		return hostPort(v, &c.TemporalAddress)
	}},
	{"TEMPORAL_NAMESPACE", "default", "Temporal namespace of the filings.", func(c *Config, v string) error {
		return nonEmpty(v, &c.TemporalNamespace)
	}},
	{"BEIANFLOW_TASK_QUEUE", "beianflow-filings", "Task queue of the filing workflows and activities.", func(c *Config, v string) error {
		return nonEmpty(v, &c.TaskQueue)
	}},
	{"DATABASE_URL", "", "PostgreSQL URL (postgres://user@host:5432/db). Empty: embedded SQLite at $BEIANFLOW_DATA_DIR/beianflow.db.", func(c *Config, v string) error {
		if v == "" {
			c.DatabaseURL = ""
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return errors.New("must be a postgres:// or postgresql:// URL")
		}
		c.DatabaseURL = v
		return nil
	}},
	{"BEIANFLOW_DATA_DIR", "./data", "Directory for the embedded database and everything `beianflow dev` persists.", func(c *Config, v string) error {
		return nonEmpty(v, &c.DataDir)
	}},
	{"S3_ENDPOINT", "http://127.0.0.1:7070", "S3 endpoint URL; empty uses AWS's regional endpoint.", func(c *Config, v string) error {
		if v == "" {
			c.S3.Endpoint = ""
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("must be an http:// or https:// URL")
		}
		c.S3.Endpoint = v
		return nil
	}},
	{"S3_REGION", "us-east-1", "S3 region.", func(c *Config, v string) error { return nonEmpty(v, &c.S3.Region) }},
	{"S3_BUCKET", "beianflow-documents", "Bucket for filing documents (created at start if missing).", func(c *Config, v string) error {
		if !validBucket(v) {
			return errors.New("must be 3-63 lower-case letters, digits, dots or hyphens")
		}
		c.S3.Bucket = v
		return nil
	}},
	{"S3_ACCESS_KEY_ID", "beianflow", "S3 access key (the dev S3 server's root user). Empty uses the AWS default credential chain.", func(c *Config, v string) error {
		c.S3.AccessKeyID = v
		return nil
	}},
	{"S3_SECRET_ACCESS_KEY", "beianflow-dev-secret", "S3 secret key.", func(c *Config, v string) error {
		c.S3.SecretAccessKey = v
		return nil
	}},
	{"S3_FORCE_PATH_STYLE", "true", "Path-style bucket addressing (needed by most S3-compatible servers).", func(c *Config, v string) error {
		return boolean(v, &c.S3.ForcePathStyle)
	}},
	{"S3_SSE", "", "Server-side encryption of uploaded documents: empty (the bucket's default), AES256 or aws:kms.", func(c *Config, v string) error {
		if v != "" && v != "AES256" && v != "aws:kms" {
			return errors.New("must be empty, AES256 or aws:kms")
		}
		c.S3.SSE = v
		return nil
	}},
	{"S3_SSE_KMS_KEY_ID", "", "KMS key for S3_SSE=aws:kms (empty: the AWS-managed key).", func(c *Config, v string) error {
		c.S3.SSEKMSKeyID = v
		return nil
	}},
	{"BEIANFLOW_LOG_LEVEL", "info", "debug, info, warn or error.", func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{"BEIANFLOW_LOG_FORMAT", "text", "text or json.", func(c *Config, v string) error {
		if v != "text" && v != "json" {
			return errors.New("must be text or json")
		}
		c.LogFormat = v
		return nil
	}},
	{"BEIANFLOW_TIME_SCALE", "1", "Compresses every timer and deadline of new filings, and every delay of the sandbox bureau and courier: 1 is real time, 1440 runs a day in a minute (demos, sandboxes). Where BEIANFLOW_SANDBOX_SETTINGS allows it, a new filing may ask for its own scale of its timers and deadlines (`make demo` does).", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 1 || f > 1e7 {
			return errors.New("must be a number from 1 to 10000000")
		}
		c.Process.TimeScale = f
		return nil
	}},
	{"BEIANFLOW_SUBMISSION_WINDOW", "09:00-18:00", "Business-day window (China time) in which filings are submitted to the bureau.", func(c *Config, v string) error {
		open, close, err := window(v)
		if err != nil {
			return err
		}
		c.Process.SubmissionWindowOpen, c.Process.SubmissionWindowClose = open, close
		return nil
	}},
	{"BEIANFLOW_SUBJECT_KEY_SECRET", "beianflow-dev-subject-key", "Secret keying the hash that identifies a subject (one filing in flight per subject) without storing its certificate number. Set it in production.", func(c *Config, v string) error {
		if len(v) < 16 {
			return errors.New("must be at least 16 characters")
		}
		c.Process.SubjectKeySecret = v
		return nil
	}},
	{"BEIANFLOW_SANDBOX_REVIEW_DAYS", "3", "Sandbox bureau: business days until it decides.", func(c *Config, v string) error {
		return intRange(v, 0, 60, &c.Sandbox.BureauReviewBusinessDays)
	}},
	{"BEIANFLOW_SANDBOX_DELIVERY_DAYS", "2", "Sandbox courier: days from shipping to delivery.", func(c *Config, v string) error {
		return intRange(v, 0, 30, &c.Sandbox.CourierDeliveryDays)
	}},
	{"BEIANFLOW_SANDBOX_PUSH_INTERVAL", "2s", "Sandbox bureau and courier: how often they push events (real time).", func(c *Config, v string) error {
		return positiveDuration(v, &c.Sandbox.PushInterval)
	}},
	{"BEIANFLOW_SANDBOX_ADDR", "127.0.0.1:7080", "Where the worker serves the sandbox bureau (/bureau) and courier (/courier) over HTTP. `off` in production.", func(c *Config, v string) error {
		if v == "off" {
			c.Sandbox.Addr = ""
			return nil
		}
		return hostPort(v, &c.Sandbox.Addr)
	}},
	{"BEIANFLOW_SANDBOX_WEBHOOK_URL", "http://127.0.0.1:8080", "API base URL the sandbox bureau and courier push signed webhooks to.", func(c *Config, v string) error {
		return httpURL(v, &c.Sandbox.WebhookURL)
	}},
	{"BEIANFLOW_SANDBOX_SETTINGS", "", "Whether POST /v1/filings accepts `sandbox` settings: a filing's own `time_scale` (what `make demo` asks for), true or false. Empty: true under `beianflow dev`, false otherwise. Needs the sandbox world (BEIANFLOW_SANDBOX_ADDR not off); never in production.", func(c *Config, v string) error {
		if v == "" {
			c.API.SandboxSettings = false
			return nil
		}
		return boolean(v, &c.API.SandboxSettings)
	}},
	{"BEIANFLOW_BUREAU_URL", "http://127.0.0.1:7080/bureau", "Base URL of the provincial bureau's filing gateway (docs/protocol.md).", func(c *Config, v string) error {
		return httpURL(v, &c.World.BureauURL)
	}},
	{"BEIANFLOW_COURIER_URL", "http://127.0.0.1:7080/courier", "Base URL of the courier's shipment API (docs/protocol.md).", func(c *Config, v string) error {
		return httpURL(v, &c.World.CourierURL)
	}},
	{"BEIANFLOW_WEBHOOK_SECRET", "beianflow-dev-webhook-secret", "HMAC-SHA256 key of the bureau's and courier's webhooks. Set it in production.", func(c *Config, v string) error {
		if len(v) < 16 {
			return errors.New("must be at least 16 characters")
		}
		c.World.WebhookSecret = v
		return nil
	}},
	{"BEIANFLOW_NOTIFIER", "log", "log (messages logged with masked recipients) or aws (SMS via SNS, e-mail via SES; AWS credentials from the default chain).", func(c *Config, v string) error {
		if v != "log" && v != "aws" {
			return errors.New("must be log or aws")
		}
		c.World.Notifier = v
		return nil
	}},
	{"BEIANFLOW_EMAIL_FROM", "beian@example.com", "Sender address of notification e-mails (SES).", func(c *Config, v string) error {
		return nonEmpty(v, &c.World.EmailFrom)
	}},
	{"BEIANFLOW_SMS_SENDER_ID", "", "Optional SNS sender ID of notification SMS.", func(c *Config, v string) error {
		c.World.SMSSenderID = v
		return nil
	}},
	{"BEIANFLOW_TEMPORAL_CLI", "./bin/temporal", "`beianflow dev`: the Temporal CLI binary (built by `make tools`).", func(c *Config, v string) error {
		return nonEmpty(v, &c.Dev.TemporalCLI)
	}},
	{"BEIANFLOW_TEMPORAL_UI_PORT", "8233", "`beianflow dev`: port of the Temporal Web UI.", func(c *Config, v string) error {
		return port(v, &c.Dev.TemporalUI)
	}},
	{"BEIANFLOW_VERSITYGW", "./bin/versitygw", "`beianflow dev`: the versitygw S3 server binary (built by `make tools`).", func(c *Config, v string) error {
		return nonEmpty(v, &c.Dev.VersityGW)
	}},
	{"BEIANFLOW_S3_LISTEN", "127.0.0.1:7070", "`beianflow dev`: where the embedded S3 server listens.", func(c *Config, v string) error {
		return hostPort(v, &c.Dev.S3ListenAddr)
	}},
}

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

func nonEmpty(v string, dst *string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	*dst = v
	return nil
}

func hostPort(v string, dst *string) error {
	if _, p, err := net.SplitHostPort(v); err != nil {
		return fmt.Errorf("must be host:port: %w", err)
	} else if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
		return errors.New("port must be 0-65535")
	}
	*dst = v
	return nil
}

// loopback reports whether host is localhost or a loopback address, where
// plain http cannot be intercepted on the way.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func port(v string, dst *int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return errors.New("must be a port number 1-65535")
	}
	*dst = n
	return nil
}

func positiveDuration(v string, dst *time.Duration) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("must be a Go duration such as 15s: %w", err)
	}
	if d <= 0 {
		return errors.New("must be positive")
	}
	*dst = d
	return nil
}

func httpURL(v string, dst *string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http:// or https:// URL")
	}
	*dst = strings.TrimRight(v, "/")
	return nil
}

func intRange(v string, lo, hi int, dst *int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return fmt.Errorf("must be a whole number from %d to %d", lo, hi)
	}
	*dst = n
	return nil
}

// window parses "HH:MM-HH:MM"; the closing may be 24:00.
func window(v string) (open, close time.Duration, err error) {
	bad := errors.New("must be HH:MM-HH:MM with the opening before the closing")
	a, b, ok := strings.Cut(v, "-")
	if !ok {
		return 0, 0, bad
	}
	clock := func(s string) (time.Duration, bool) {
		if s == "24:00" {
			return 24 * time.Hour, true
		}
		t, err := time.Parse("15:04", s)
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, err == nil
	}
	open, okA := clock(a)
	close, okB := clock(b)
	if !okA || !okB || open >= close || open >= 24*time.Hour {
		return 0, 0, bad
	}
	return open, close, nil
}

func boolean(v string, dst *bool) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("must be true or false")
	}
	*dst = b
	return nil
}

func validBucket(v string) bool {
	if len(v) < 3 || len(v) > 63 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}
