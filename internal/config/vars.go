package config

import (
	"errors"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Var documents one environment variable. The README's configuration table
// and `beianflow config` are generated from Vars so they cannot drift.
type Var struct {
	// Name is the environment variable.
	Name string
	// Default is the value Load uses when the variable is unset or empty.
	Default string
	// Help is the one-line description shown by `beianflow config` and in
	// the README.
	Help string
	// set validates v (already trimmed) and stores it in c. Its error says
	// what the value must be; Load adds the name and the offending value.
	set func(c *Config, v string) error
}

// Vars lists every variable Load reads, in display order.
var Vars = []Var{
	{"BEIANFLOW_ENV", "development", "development or production. production refuses to start with a secret published in this repository (the development defaults), without a secret every process must share (BEIANFLOW_DOWNLOAD_URL_SECRET; BEIANFLOW_WORKBENCH_SESSION_SECRET with single sign-on), or with a development-only setting (the codec path secret, the dev sign-in, sandbox settings, insecure webhook URLs, the sandbox world). Every secret may be given as NAME_FILE, a file holding it.", func(c *Config, v string) error {
		if v != EnvDevelopment && v != EnvProduction {
			return errors.New("must be development or production")
		}
		c.Env = v
		return nil
	}},
	{"BEIANFLOW_HTTP_ADDR", ":8080", "Listen address of the HTTP API.", func(c *Config, v string) error {
		return hostPort(v, &c.HTTPAddr)
	}},
	{"BEIANFLOW_SHUTDOWN_TIMEOUT", "15s", "How long in-flight requests may run after SIGINT/SIGTERM.", func(c *Config, v string) error {
		return positiveDuration(v, &c.ShutdownTimeout)
	}},
	{"BEIANFLOW_WORKER_OPS_ADDR", ":9090", "Where `beianflow worker` serves /metrics (the Temporal SDK's worker metrics, webhook deliveries), /healthz and /readyz for the orchestrator and the scraper; off serves none. `beianflow dev` serves them on the API instead.", func(c *Config, v string) error {
		if v == "off" {
			c.WorkerOpsAddr = ""
			return nil
		}
		return hostPort(v, &c.WorkerOpsAddr)
	}},
	{"BEIANFLOW_WORKER_STOP_TIMEOUT", "30s", "How long a stopping worker lets its running activities finish (SIGINT/SIGTERM, a rolling deploy); those still running then are retried by Temporal on another worker. Keep it below the orchestrator's grace period.", func(c *Config, v string) error {
		return positiveDuration(v, &c.WorkerStopTimeout)
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
	{"BEIANFLOW_REVIEW_CLAIM_TTL", "15m", "How long a reviewer's claim on a filing in a review queue lasts (claiming again renews it); after it, another reviewer may take the filing.", func(c *Config, v string) error {
		return positiveDuration(v, &c.API.ReviewClaimTTL)
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
	{"BEIANFLOW_DATA_KEYS", "", "Key-encryption keys (AES-256-GCM) that wrap each filing's data key, which encrypts the filing's personal data at rest (its records in the database, its documents in S3): id:base64 entries separated by commas, the last one current. Rotate by appending one and running `beianflow keys rewrap`; an old key may go once that is done. `beianflow dev` creates data/data-keys if neither this nor the file is set.", func(c *Config, v string) error {
		c.DataKeys = v
		return nil
	}},
	{"BEIANFLOW_DATA_KEY_FILE", "", "File with the key-encryption keys, one id:base64 per line (used when BEIANFLOW_DATA_KEYS is empty).", func(c *Config, v string) error {
		c.DataKeyFile = v
		return nil
	}},
	{"BEIANFLOW_DATA_KEY_KMS_KEY_ID", "", "AWS KMS key (its ARN; an alias may be re-pointed) that wraps new data keys instead of the local key-encryption keys, so the key never enters the process. Credentials come from the AWS default chain (environment, shared files, instance or pod roles). Local keys given as well still unwrap what they wrapped until `beianflow keys rewrap` moves it under KMS.", func(c *Config, v string) error {
		c.DataKeyKMS.KeyID = v
		return nil
	}},
	{"BEIANFLOW_DATA_KEY_KMS_REGION", "", "Region of the KMS key; empty takes the AWS default chain's (AWS_REGION).", func(c *Config, v string) error {
		c.DataKeyKMS.Region = v
		return nil
	}},
	{"BEIANFLOW_DATA_KEY_KMS_ENDPOINT", "", "KMS endpoint URL instead of the regional one: a VPC endpoint, or a service speaking KMS's protocol.", func(c *Config, v string) error {
		if v != "" {
			if u, err := url.Parse(v); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
				return errors.New("must be an http(s) URL")
			}
		}
		c.DataKeyKMS.Endpoint = v
		return nil
	}},
	{"BEIANFLOW_DELIVERY_TIMEOUT", "10s", "How long a webhook delivery may take, the endpoint's answer included; slower is a failed attempt.", func(c *Config, v string) error {
		return positiveDuration(v, &c.Deliveries.Timeout)
	}},
	{"BEIANFLOW_DELIVERY_RETRY_FOR", "72h", "How long after its event a webhook delivery is retried (exponential backoff with jitter, up to an hour apart) before it is marked failed; support can redeliver it by hand.", func(c *Config, v string) error {
		return positiveDuration(v, &c.Deliveries.RetryFor)
	}},
	{"BEIANFLOW_DELIVERY_FIRST_BACKOFF", "5s", "Wait after a webhook delivery's first failed attempt; it doubles with each, up to BEIANFLOW_DELIVERY_MAX_BACKOFF.", func(c *Config, v string) error {
		return positiveDuration(v, &c.Deliveries.FirstBackoff)
	}},
	{"BEIANFLOW_DELIVERY_MAX_BACKOFF", "1h", "Longest wait between two attempts of a webhook delivery (half of it is random jitter).", func(c *Config, v string) error {
		return positiveDuration(v, &c.Deliveries.MaxBackoff)
	}},
	{"BEIANFLOW_DELIVERY_DISABLE_AFTER", "72h", "How long a webhook endpoint fails without a success (over at least ten attempts) before it is disabled and its account told by a webhook_endpoint.disabled event.", func(c *Config, v string) error {
		return positiveDuration(v, &c.Deliveries.DisableAfter)
	}},
	{"BEIANFLOW_DELIVERY_ALLOW_INSECURE_URLS", "", "Whether webhook endpoints may be http:// and private or loopback addresses, true or false. Empty: true under `beianflow dev`, false otherwise; never in production (it opens the internal network to whoever registers an endpoint).", func(c *Config, v string) error {
		if v == "" {
			c.Deliveries.AllowInsecureURLs = false
			return nil
		}
		return boolean(v, &c.Deliveries.AllowInsecureURLs)
	}},
	{"BEIANFLOW_RETENTION_AFTER_END", "4320h", "How long an ended filing's (approved, cancelled, expired) personal data is kept: then workers erase it (its data key is destroyed, its documents deleted; the read model keeps stage, dates, province and filing number). 4320h is 180 days; set what your compliance rules require. off keeps it until support erases it (POST /v1/support/filings/{id}/erase).", func(c *Config, v string) error {
		if v == "off" {
			c.RetentionAfterEnd = 0
			return nil
		}
		return positiveDuration(v, &c.RetentionAfterEnd)
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
		c.CodecOIDC.Allowed = commaList(v)
		return nil
	}},
	{"BEIANFLOW_TRUSTED_PROXIES", "", "CIDR ranges of the load balancers in front of the API and the codec server, comma-separated (e.g. 10.0.0.0/8): the client's address (failed-authentication limits, the access log) is then the last X-Forwarded-For address before them. Empty: the direct peer is the client (X-Forwarded-For is ignored, as any client can set it).", func(c *Config, v string) error {
		c.API.TrustedProxies = nil
		for _, s := range commaList(v) {
			_, n, err := net.ParseCIDR(s)
			if err != nil {
				return errors.New(strconv.Quote(s) + " is not a CIDR range such as 10.0.0.0/8")
			}
			c.API.TrustedProxies = append(c.API.TrustedProxies, n)
		}
		return nil
	}},
	{"BEIANFLOW_PUBLIC_URL", "", "Scheme and host backends reach the API at, e.g. https://beian-api.example.com; documents' download URLs start with it. Empty: http and whatever host the request names, for development only.", func(c *Config, v string) error {
		c.API.PublicURL = ""
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" ||
			!(u.Scheme == "https" || u.Scheme == "http" && loopback(u.Hostname())) {
			return errors.New("must be https://host[:port] (http:// only on localhost or a loopback address), without path or query")
		}
		c.API.PublicURL = u.Scheme + "://" + u.Host
		return nil
	}},
	{"BEIANFLOW_DOWNLOAD_URL_SECRET", "", "Key that signs documents' download URLs, at least 32 characters, the same in every API process. Empty: a random key per process (a URL works only on the process that made it).", func(c *Config, v string) error {
		if v != "" && len(v) < 32 {
			return errors.New("must be at least 32 characters")
		}
		c.API.DownloadSecret = v
		return nil
	}},
	{"BEIANFLOW_DOWNLOAD_URL_TTL", "5m", "How long a download URL of a material or photo stays valid (1s–168h); reviewers open them within minutes, and a leaked one is soon useless.", func(c *Config, v string) error {
		if err := positiveDuration(v, &c.API.DownloadTTL); err != nil {
			return err
		}
		if c.API.DownloadTTL < time.Second || c.API.DownloadTTL > 168*time.Hour {
			return errors.New("must be between 1s and 168h")
		}
		return nil
	}},
	{"BEIANFLOW_WORKBENCH_URL", "", "Scheme and host reviewers open the workbench at (/workbench), e.g. https://review.example.com: the OIDC redirect URI is <url>/workbench/signed-in and cookies are Secure on https. Empty: http and whatever host the request names, for development only.", func(c *Config, v string) error {
		c.Workbench.URL = ""
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" ||
			!(u.Scheme == "https" || u.Scheme == "http" && loopback(u.Hostname())) {
			return errors.New("must be https://host[:port] (http:// only on localhost or a loopback address), without path or query")
		}
		c.Workbench.URL = u.Scheme + "://" + u.Host
		return nil
	}},
	{"BEIANFLOW_WORKBENCH_SESSION_SECRET", "", "Key of the workbench's signed session cookies, at least 32 characters, the same in every API process. Empty: a random key per process (sessions end when it restarts).", func(c *Config, v string) error {
		if v != "" && len(v) < 32 {
			return errors.New("must be at least 32 characters")
		}
		c.Workbench.SessionSecret = v
		return nil
	}},
	{"BEIANFLOW_WORKBENCH_SESSION_TTL", "8h", "How long a reviewer's sign-in to the workbench lasts.", func(c *Config, v string) error {
		return positiveDuration(v, &c.Workbench.SessionTTL)
	}},
	{"BEIANFLOW_WORKBENCH_OIDC_CLIENT_ID", "", "The workbench's OIDC client at the operators' issuer (BEIANFLOW_CODEC_OIDC_ISSUER, groups in BEIANFLOW_CODEC_OIDC_CLAIM): reviewers then sign in through single sign-on (authorization code with PKCE). Empty: no single sign-on.", func(c *Config, v string) error {
		c.Workbench.OIDCClientID = v
		return nil
	}},
	{"BEIANFLOW_WORKBENCH_OIDC_CLIENT_SECRET", "", "Secret of that client; empty for a public client.", func(c *Config, v string) error {
		c.Workbench.OIDCClientSecret = v
		return nil
	}},
	{"BEIANFLOW_WORKBENCH_REVIEWER_GROUPS", "", "Comma-separated values of the groups claim that make a reviewer, e.g. beianflow-reviewers. Required with BEIANFLOW_WORKBENCH_OIDC_CLIENT_ID.", func(c *Config, v string) error {
		c.Workbench.ReviewerGroups = commaList(v)
		return nil
	}},
	{"BEIANFLOW_WORKBENCH_SUPPORT_GROUPS", "", "Comma-separated values of the groups claim that make a support member, who may also decide over another reviewer's claim.", func(c *Config, v string) error {
		c.Workbench.SupportGroups = commaList(v)
		return nil
	}},
	{"BEIANFLOW_WORKBENCH_OIDC_STAFF_CLAIM", "sub", "ID token claim holding the reviewer's staff ID, which claims, the audit trail and the access log record: an opaque ID (letters, digits, . _ : -), never an e-mail or a name; a sign-in without one is refused.", func(c *Config, v string) error {
		return nonEmpty(v, &c.Workbench.StaffClaim)
	}},
	{"BEIANFLOW_WORKBENCH_DEV_SIGN_IN_SECRET", "", "Development only: enables /workbench/sign-in/dev?token=<secret>, which signs in anyone who has the link. `beianflow dev` sets a random one per run and prints the link. Empty in production.", func(c *Config, v string) error {
		if v != "" && !regexp.MustCompile(`^[A-Za-z0-9_-]{32,}$`).MatchString(v) {
			return errors.New("must be at least 32 characters of letters, digits, _ or -")
		}
		c.Workbench.DevSignInToken = v
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
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "", "OpenTelemetry's variable: base URL of the OTLP/HTTP receiver (an OpenTelemetry Collector, Jaeger, Tempo) that every process sends its trace spans to, at <url>/v1/traces; e.g. http://otel-collector:4318. The exporter reads the other OTEL_EXPORTER_OTLP_* variables itself (headers, timeout, TLS certificates, compression). Empty: spans are not exported (trace context is still passed on). docs/observability.md.", func(c *Config, v string) error {
		if v != "" {
			u, err := url.Parse(v)
			if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" {
				return errors.New("must be an http(s) URL without a query")
			}
			if u.User != nil {
				return errors.New("must carry no credentials: give them in OTEL_EXPORTER_OTLP_HEADERS")
			}
		}
		c.Telemetry.OTLPEndpoint = strings.TrimSuffix(v, "/")
		return nil
	}},
	{"OTEL_SERVICE_NAME", "", "OpenTelemetry's variable: service.name of the spans. Empty: the role, beianflow-api, beianflow-worker or beianflow-codec-server (beianflow under `beianflow dev`).", func(c *Config, v string) error {
		c.Telemetry.ServiceName = v
		return nil
	}},
	{"BEIANFLOW_TRACE_SAMPLE_RATIO", "1", "Share of the traces started in beianflow that are recorded and exported, 0 to 1 (0.1: one in ten). A request that arrives with a W3C traceparent keeps its caller's decision.", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 0 && f <= 1) { // NaN is neither
			return errors.New("must be a number from 0 to 1")
		}
		c.Telemetry.TraceSampleRatio = f
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
	{"BEIANFLOW_SUBJECT_KEY_SECRET", "beianflow-dev-subject-key", "Secret keying the hashes that identify a subject (one filing in flight per subject) and a website responsible person (one photo verification each) without storing their identity numbers. Set it in production.", func(c *Config, v string) error {
		if len(v) < 16 {
			return errors.New("must be at least 16 characters")
		}
		c.Process.SubjectKeySecret = v
		return nil
	}},
	{"BEIANFLOW_PROVIDER_NAME", "示例云计算有限公司", "The access provider (接入服务商) the 真实性核验单 (verification form) names: the cloud provider's company name.", func(c *Config, v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("must not be empty")
		}
		c.API.ProviderName = v
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
	{"BEIANFLOW_SANDBOX_ADDR", "127.0.0.1:7080", "Where the worker serves the sandbox bureau (/bureau), courier (/courier), domain registry (/rdap, RDAP) and registrar API (/aliyun-domain) over HTTP. `off` in production.", func(c *Config, v string) error {
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
	{"BEIANFLOW_RDAP_URL", "http://127.0.0.1:7080/rdap", "Where the automated checks look domains up over RDAP (RFC 9083): the base URL of one RDAP service (the sandbox registry by default), or file: and the path of IANA's bootstrap file (https://data.iana.org/rdap/dns.json) to ask each TLD's registry.", func(c *Config, v string) error {
		if strings.HasPrefix(v, "file:") {
			if strings.TrimPrefix(v, "file:") == "" {
				return errors.New("file: needs the path of the bootstrap file")
			}
			c.World.RDAPURL = v
			return nil
		}
		return httpURL(v, &c.World.RDAPURL)
	}},
	{"BEIANFLOW_INSTANCES_URL", "", "Base URL of the provider's instance inventory (GET /instances/{id}, docs/protocol.md): whether an instance exists, whose it is, and whether it may back a filing. Empty: the in-process sandbox, which knows every instance; development only. The sandbox world also serves it at /inventory.", func(c *Config, v string) error {
		c.World.InstancesURL = ""
		if v == "" {
			return nil
		}
		return httpURL(v, &c.World.InstancesURL)
	}},
	{"BEIANFLOW_INSTANCES_TOKEN", "", "Bearer token for BEIANFLOW_INSTANCES_URL.", func(c *Config, v string) error {
		c.World.InstancesToken = v
		return nil
	}},
	{"BEIANFLOW_RECORDS_URL", "", "Base URL of the MIIT filing record service (GET /subjects, GET /domains/{domain}, docs/protocol.md), which decides the filing type. Empty: the in-process sandbox; development only. The sandbox world also serves it at /records.", func(c *Config, v string) error {
		c.World.RecordsURL = ""
		if v == "" {
			return nil
		}
		return httpURL(v, &c.World.RecordsURL)
	}},
	{"BEIANFLOW_RECORDS_TOKEN", "", "Bearer token for BEIANFLOW_RECORDS_URL.", func(c *Config, v string) error {
		c.World.RecordsToken = v
		return nil
	}},
	{"BEIANFLOW_REGISTRAR_API_URL", "http://127.0.0.1:7080/aliyun-domain", "The provider's registrar API (Alibaba Cloud's Domain API, e.g. https://domain.aliyuncs.com): the automated checks ask it the holder and real-name state of the domains it sponsors, which registries redact. The sandbox world serves it by default; `off`: registries only.", func(c *Config, v string) error {
		if v == "off" {
			c.World.RegistrarAPIURL = ""
			return nil
		}
		return httpURL(v, &c.World.RegistrarAPIURL)
	}},
	{"BEIANFLOW_REGISTRAR_API_KEY_ID", "beianflow-sandbox", "AccessKey ID of the registrar API (RAM user with domain:QueryCommonInfo).", func(c *Config, v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("must not be empty")
		}
		c.World.RegistrarKeyID = v
		return nil
	}},
	{"BEIANFLOW_REGISTRAR_API_KEY_SECRET", "beianflow-sandbox-registrar-secret", "AccessKey secret of the registrar API. Set it in production.", func(c *Config, v string) error {
		if len(v) < 16 {
			return errors.New("must be at least 16 characters")
		}
		c.World.RegistrarKeySecret = v
		return nil
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
	{"BEIANFLOW_TEMPORAL_SERVER", "./bin/temporal-server", "`beianflow cluster`: the Temporal server binary (built by `make cluster-tools` from the server module at the CLI's server version).", func(c *Config, v string) error {
		return nonEmpty(v, &c.Dev.TemporalServer)
	}},
	{"BEIANFLOW_TEMPORAL_SQL_TOOL", "./bin/temporal-sql-tool", "`beianflow cluster`: the Temporal server's SQL schema tool.", func(c *Config, v string) error {
		return nonEmpty(v, &c.Dev.TemporalSQLTool)
	}},
	{"BEIANFLOW_TEMPORAL_SCHEMA", "./bin/temporal-schema", "`beianflow cluster`: the Temporal server module's schema/postgresql/v12 directory.", func(c *Config, v string) error {
		return nonEmpty(v, &c.Dev.TemporalSchema)
	}},
	{"BEIANFLOW_TEMPORAL_UI_SERVER", "./bin/temporal-ui-server", "`beianflow cluster`: the Temporal Web UI server binary; empty runs the cluster without the Web UI.", func(c *Config, v string) error {
		c.Dev.TemporalUIServer = v
		return nil
	}},
	{"BEIANFLOW_CLUSTER_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "`beianflow cluster`: PostgreSQL URL of a user who may create databases; the cluster keeps Temporal's and beianflow's databases there (beianflow_cluster, beianflow_cluster_temporal, beianflow_cluster_temporal_visibility). Or `BEIANFLOW_CLUSTER_POSTGRES_FILE`: a file holding it.", func(c *Config, v string) error {
		return nonEmpty(v, &c.Dev.ClusterPostgres)
	}},
}
