// Package config reads beianflow's configuration from environment variables.
// It is the only place that parses them: every binary and subcommand calls
// Load, and a bad value stops the process at start with a message naming the
// variable, instead of failing later in a code path that is rarely taken.
package config

import (
	"log/slog"
	"net"
	"path/filepath"
	"time"
)

// Config is the complete runtime configuration.
type Config struct {
	// HTTPAddr is where the API listens.
	HTTPAddr string
	// ShutdownTimeout bounds how long in-flight HTTP requests may take to
	// finish after a stop signal.
	ShutdownTimeout time.Duration
	// Env is development or production (EnvDevelopment, EnvProduction).
	Env string
	// WorkerStopTimeout bounds how long a stopping worker waits for its
	// running activities.
	WorkerStopTimeout time.Duration
	// WorkerOpsAddr is where `beianflow worker` serves /metrics, /healthz
	// and /readyz; empty serves none.
	WorkerOpsAddr string
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
	// Telemetry configures the export of traces.
	Telemetry Telemetry

	// Process configures the filing process.
	Process Process

	// PayloadKeys and PayloadKeyFile give the AES-256 keys that encrypt
	// every Temporal payload ("id:base64" entries, the last is current).
	PayloadKeys    string
	PayloadKeyFile string
	// DataKeys and DataKeyFile give the key-encryption keys that wrap each
	// filing's data key, which encrypts its personal data in the database
	// and S3 (same format as the payload keys).
	DataKeys    string
	DataKeyFile string
	// DataKeyKMS, when its KeyID is set, wraps new data keys with an AWS
	// KMS key instead; local data keys, if given too, still unwrap the
	// data keys wrapped under them until `beianflow keys rewrap` moved
	// them.
	DataKeyKMS KMS
	// Deliveries configures the webhook deliveries of the event feed.
	Deliveries Deliveries
	// RetentionAfterEnd is how long an ended filing's personal data is
	// kept before it is erased; 0 keeps it until erased on request.
	RetentionAfterEnd time.Duration

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

	// Workbench configures the reviewers' web page.
	Workbench Workbench

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

// Workbench configures the reviewers' web page at /workbench.
type Workbench struct {
	// URL is the scheme and host reviewers open; empty derives
	// http://localhost:<port> from HTTPAddr (development).
	URL string
	// SessionSecret signs session cookies; empty picks a random one per
	// process, so sessions end with it and are not shared between
	// processes.
	SessionSecret string
	SessionTTL    time.Duration
	// OIDCClientID and OIDCClientSecret are the workbench's client at
	// the operators' issuer (CodecOIDC.Issuer, whose Claim carries the
	// groups); single sign-on is off without a client ID.
	OIDCClientID     string
	OIDCClientSecret string
	// ReviewerGroups and SupportGroups are the claim values that make a
	// reviewer and a support member; StaffClaim holds the staff ID.
	ReviewerGroups []string
	SupportGroups  []string
	StaffClaim     string
	// DevSignInToken enables the development sign-in link; empty in
	// production.
	DevSignInToken string
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
	// ReviewClaimTTL is how long a reviewer's claim on a filing in a
	// review queue lasts unless renewed or released.
	ReviewClaimTTL time.Duration
	// KeyCacheTTL is how long a looked-up API key is trusted without
	// reading the database again; a revoked key stops working within it.
	KeyCacheTTL time.Duration
	// SandboxSettings lets POST /v1/filings carry "sandbox" settings (a
	// filing's own time scale, for demos). Only a system that runs the
	// sandbox world allows them; `beianflow dev` does unless told not to.
	SandboxSettings bool
	// ProviderName is the access provider (接入服务商) the verification
	// form names.
	ProviderName string
	// TrustedProxies are the load balancers in front of the API (and the
	// codec server): behind them the client's address is taken from
	// X-Forwarded-For. Empty trusts none: the peer is the client.
	TrustedProxies []*net.IPNet
	// PublicURL is the scheme and host backends reach the API at; the
	// download URLs of documents start with it. Empty uses the host each
	// request names (development).
	PublicURL string
	// DownloadSecret signs the download URLs of documents; empty picks a
	// random one per process, so a URL works only on the process that
	// made it.
	DownloadSecret string
	// DownloadTTL is how long a document's download URL stays valid.
	DownloadTTL time.Duration
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
	// SubjectKeySecret keys the hashes that identify a subject and a
	// website responsible person without storing their identity numbers.
	SubjectKeySecret string
}

// Sandbox configures the simulated bureau and courier used by `make run`.
type Sandbox struct {
	// BureauReviewBusinessDays is how many business days the sandbox
	// bureau takes to decide a filing, and CourierDeliveryDays how many
	// days its courier takes from shipping to delivery. Both are in filing
	// time, compressed by Process.TimeScale like the real deadlines.
	BureauReviewBusinessDays int
	CourierDeliveryDays      int
	// PushInterval is how often, in real time, the sandbox bureau and
	// courier push due events: webhooks are how the real ones report.
	PushInterval time.Duration
	// Addr is where the sandbox world serves the bureau and courier
	// protocols; empty runs no sandbox (production).
	Addr string
	// WebhookURL is the API base URL the sandbox pushes signed webhooks to.
	WebhookURL string
}

// World configures the outside world beianflow talks to.
type World struct {
	// BureauURL and CourierURL are the base URLs of the provincial
	// bureau's filing gateway and the courier's shipment API
	// (docs/protocol.md), without a trailing slash.
	BureauURL  string
	CourierURL string
	// RDAPURL is the base URL of one RDAP service the domain checks ask,
	// or file: and the path of IANA's RDAP bootstrap file, to ask each
	// TLD's registry.
	RDAPURL string
	// RegistrarAPIURL is the endpoint of the provider's registrar API
	// (Alibaba Cloud's Domain API), asked for the holder and real-name
	// state of the domains it sponsors; empty: registries only.
	// RegistrarKeyID and RegistrarKeySecret are its AccessKey pair.
	RegistrarAPIURL    string
	RegistrarKeyID     string
	RegistrarKeySecret string
	// InstancesURL and RecordsURL are the provider's instance inventory
	// and MIIT filing record service (docs/protocol.md), with their bearer
	// tokens; empty asks the in-process sandboxes (development only).
	InstancesURL, InstancesToken string
	RecordsURL, RecordsToken     string
	// WebhookSecret is the HMAC-SHA256 key of the bureau's and courier's
	// webhooks; a push that it does not sign is refused.
	WebhookSecret string
	// Notifier is "log" (messages are logged with masked recipients) or
	// "aws" (SMS through SNS, e-mail through SES).
	Notifier string
	// EmailFrom is the sender address of notification e-mails, and
	// SMSSenderID the optional SNS sender ID of notification SMS; only the
	// "aws" notifier sends them.
	EmailFrom   string
	SMSSenderID string
}

// Deliveries configures how events are pushed to the accounts' webhook
// endpoints.
type Deliveries struct {
	// Timeout bounds one delivery, the endpoint's answer included.
	Timeout time.Duration
	// RetryFor is how long after its event a delivery is retried.
	RetryFor time.Duration
	// FirstBackoff is the wait after a first failed attempt; it doubles
	// with each, up to MaxBackoff.
	FirstBackoff, MaxBackoff time.Duration
	// DisableAfter is how long an endpoint fails without a success
	// (over at least ten attempts) before it is disabled.
	DisableAfter time.Duration
	// AllowInsecureURLs lets endpoints be http:// and private or loopback
	// addresses: development only (`beianflow dev` sets it unless told
	// otherwise).
	AllowInsecureURLs bool
}

// KMS names a key of AWS KMS (or of a service speaking its protocol).
type KMS struct {
	// KeyID is the key's ARN (preferred: an alias may be re-pointed),
	// key ID or alias.
	KeyID string
	// Region is the key's region; empty takes the AWS default chain's.
	Region string
	// Endpoint overrides the regional endpoint (a VPC endpoint, or the
	// sandbox in development).
	Endpoint string
}

// S3 configures the S3-compatible document store.
type S3 struct {
	// SSE is the server-side encryption of uploads: "" (the bucket's
	// default), "AES256" or "aws:kms" with SSEKMSKeyID.
	SSE         string
	SSEKMSKeyID string
	// Endpoint is the S3 server's URL; empty means AWS's regional
	// endpoint for Region.
	Endpoint string
	Region   string
	// Bucket holds the filing documents; it is created at start if missing.
	Bucket string
	// AccessKeyID and SecretAccessKey are static credentials, used when
	// both are set; otherwise the AWS default credential chain applies.
	AccessKeyID     string
	SecretAccessKey string
	// ForcePathStyle addresses buckets in the path rather than the host
	// name, which most S3-compatible servers (the dev one too) need.
	ForcePathStyle bool
}

// Telemetry configures OpenTelemetry tracing: every process traces its
// HTTP requests and Temporal calls, workflows and activities; spans leave
// the process only when OTLPEndpoint is set.
type Telemetry struct {
	// OTLPEndpoint is the base URL of an OTLP/HTTP receiver (a collector);
	// spans go to <OTLPEndpoint>/v1/traces. Empty exports none.
	OTLPEndpoint string
	// ServiceName overrides the service.name of every span, which is
	// otherwise the role: beianflow-api, beianflow-worker, ….
	ServiceName string
	// TraceSampleRatio is the share of traces started here that are
	// recorded (0 to 1); a request that arrives with a trace keeps its
	// caller's decision.
	TraceSampleRatio float64
}

// Dev configures `beianflow dev` and `beianflow cluster`, which run the
// whole system on one machine.
type Dev struct {
	TemporalCLI  string // path to the pinned Temporal CLI binary
	TemporalUI   int    // Web UI port of the dev server
	VersityGW    string // path to the pinned versitygw binary
	S3ListenAddr string // where versitygw listens

	// The Temporal server's own binaries and schema, and the PostgreSQL
	// server, of `beianflow cluster`.
	TemporalServer, TemporalSQLTool, TemporalSchema string
	// TemporalUIServer is the Web UI server; empty runs none.
	TemporalUIServer string
	ClusterPostgres  string
}

// SQLitePath is the embedded database file used when DatabaseURL is empty.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "beianflow.db") }
