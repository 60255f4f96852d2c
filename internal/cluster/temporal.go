package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// TemporalServices are the Temporal server's services, each run as a
// process of its own as a provider runs them (one Deployment each in
// Temporal's Helm chart), in the order they start.
var TemporalServices = []string{"frontend", "history", "matching", "worker"}

// HistoryShards is the cluster's number of history shards. It is fixed
// when the persistence schema is first used and cannot change afterwards;
// four suit one machine (a production cluster has hundreds or thousands).
const HistoryShards = 4

// temporalConfig is the server's static configuration, rendered once per
// service: the file is the same for all four but for the metrics port
// (each process serves its own), and the server reads <env>.yaml, so the
// service's name is its environment.
var temporalConfig = template.Must(template.New("temporal").Parse(`# Written by beianflow's cluster runner; rewritten at every start.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: {{.Shards}}
  datastores:
    default:
      sql:
        pluginName: postgres12
        databaseName: "{{.Database}}"
        connectAddr: "{{.Addr}}"
        connectProtocol: tcp
        user: "{{.User}}"
        password: "{{.Password}}"
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
    visibility:
      sql:
        pluginName: postgres12
        databaseName: "{{.Visibility}}"
        connectAddr: "{{.Addr}}"
        connectProtocol: tcp
        user: "{{.User}}"
        password: "{{.Password}}"
        maxConns: 4
        maxIdleConns: 4
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:{{.MetricsPort}}"
services:
{{- range .Services}}
  {{.Name}}:
    rpc:
      grpcPort: {{.GRPC}}
      membershipPort: {{.Membership}}
      bindOnLocalHost: true
{{- if .HTTP}}
      httpPort: {{.HTTP}}
{{- end}}
{{- end}}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:{{.FrontendPort}}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "{{.DynamicConfig}}"
  pollInterval: 10s
`))

// dynamicConfig raises the dev-sized limits a provider would raise too:
// the API's listings and the Web UI read visibility often.
const dynamicConfig = `# Written by beianflow's cluster runner.
frontend.namespaceRPS.visibility:
  - value: 100
`

// TemporalOptions configure the Temporal cluster.
type TemporalOptions struct {
	// Server and SQLTool are the temporal-server and temporal-sql-tool
	// binaries, built from the server module at the pinned version.
	Server, SQLTool string
	// Schema is the server module's schema/postgresql/v12 directory.
	Schema string
}

// pgTarget is where the Temporal services' and beianflow's databases live.
type pgTarget struct {
	admin               *url.URL // a URL whose user may create databases
	host, port          string
	user, password      string
	persistence, search string // the Temporal databases
	app                 string // beianflow's
}

func newPGTarget(adminURL, prefix string) (pgTarget, error) {
	u, err := url.Parse(adminURL)
	if err != nil || u.Scheme == "" {
		return pgTarget{}, fmt.Errorf("cluster: PostgreSQL URL %q: not a postgres:// URL", RedactURL(adminURL))
	}
	pw, _ := u.User.Password()
	t := pgTarget{admin: u, host: u.Hostname(), port: u.Port(), user: u.User.Username(), password: pw,
		persistence: prefix + "_temporal", search: prefix + "_temporal_visibility", app: prefix}
	if t.port == "" {
		t.port = "5432"
	}
	if t.user == "" {
		t.user = "postgres"
	}
	return t, nil
}

// dbURL is the URL of database name on the target's server.
func (t pgTarget) dbURL(name string) string {
	u := *t.admin
	u.Path = "/" + name
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ensureDatabases creates the databases that do not exist yet and reports
// which it created.
func (t pgTarget) ensureDatabases(ctx context.Context, names ...string) (created map[string]bool, err error) {
	db, err := gorm.Open(postgres.Open(t.admin.String()), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, fmt.Errorf("cluster: PostgreSQL at %s: %w", RedactURL(t.admin.String()), err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	defer func() { _ = sqlDB.Close() }()
	created = map[string]bool{}
	for _, name := range names {
		var n int64
		if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM pg_database WHERE datname = ?`, name).Scan(&n).Error; err != nil {
			return nil, fmt.Errorf("cluster: PostgreSQL at %s: %w", RedactURL(t.admin.String()), err)
		}
		if n > 0 {
			continue
		}
		// Database names cannot be bound parameters; ours are made of
		// a prefix checked to be an identifier (Options.Database).
		if err := db.WithContext(ctx).Exec(`CREATE DATABASE "` + name + `"`).Error; err != nil {
			return nil, fmt.Errorf("cluster: create database %s: %w", name, err)
		}
		created[name] = true
	}
	return created, nil
}

// dropDatabases drops the target's databases (tests clean up with it).
func (t pgTarget) dropDatabases(ctx context.Context) error {
	db, err := gorm.Open(postgres.Open(t.admin.String()), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	defer func() { _ = sqlDB.Close() }()
	var errs []error
	for _, name := range []string{t.persistence, t.search, t.app} {
		errs = append(errs, db.WithContext(ctx).Exec(`DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`).Error)
	}
	return errors.Join(errs...)
}

// setupSchemas creates or upgrades the Temporal schemas with the server's
// own tool, as its Helm chart's schema job does: a new database gets the
// base version, then every database is brought to the server's version.
func (o TemporalOptions) setupSchemas(ctx context.Context, t pgTarget, created map[string]bool, logPath string) error {
	for _, s := range []struct{ db, dir string }{
		{t.persistence, filepath.Join(o.Schema, "temporal", "versioned")},
		{t.search, filepath.Join(o.Schema, "visibility", "versioned")},
	} {
		base := []string{"--plugin", "postgres12", "--ep", t.host, "-p", t.port, "-u", t.user, "--db", s.db}
		if t.password != "" {
			base = append(base, "--pw", t.password)
		}
		if created[s.db] {
			if err := runTool(ctx, logPath, o.SQLTool, append(base, "setup-schema", "-v", "0.0")...); err != nil {
				return err
			}
		}
		if err := runTool(ctx, logPath, o.SQLTool, append(base, "update-schema", "-d", s.dir)...); err != nil {
			return err
		}
	}
	return nil
}

func runTool(ctx context.Context, logPath, bin string, args ...string) error {
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("cluster: %s %s: %w (see %s)", filepath.Base(bin), strings.Join(redactArgs(args), " "), err, logPath)
	}
	return nil
}

// writeConfigs writes one configuration per service under dir/config and
// the dynamic configuration beside it.
func writeTemporalConfigs(dir string, t pgTarget, p Ports) error {
	cfgDir := filepath.Join(dir, "config")
	if err := os.MkdirAll(cfgDir, 0o750); err != nil {
		return err
	}
	dyn := filepath.Join(dir, "dynamicconfig.yaml")
	if err := os.WriteFile(dyn, []byte(dynamicConfig), 0o600); err != nil {
		return err
	}
	type svc struct {
		Name                   string
		GRPC, Membership, HTTP int
	}
	var services []svc
	for _, name := range TemporalServices {
		sp := p.Temporal[name]
		s := svc{Name: name, GRPC: sp.GRPC, Membership: sp.Membership}
		if name == "frontend" {
			s.HTTP = p.FrontendHTTP
		}
		services = append(services, s)
	}
	for _, name := range TemporalServices {
		var b strings.Builder
		if err := temporalConfig.Execute(&b, map[string]any{
			"Shards": HistoryShards, "Database": t.persistence, "Visibility": t.search,
			"Addr": t.host + ":" + t.port, "User": t.user, "Password": t.password,
			"MetricsPort": p.Temporal[name].Metrics, "Services": services,
			"FrontendPort": p.Temporal["frontend"].GRPC, "DynamicConfig": dyn,
		}); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(cfgDir, name+".yaml"), []byte(b.String()), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// temporalArgs are the server's arguments for one service.
func temporalArgs(dir, service string) []string {
	return []string{"--root", dir, "--config", "config", "--env", service, "--allow-no-auth", "start", "--service", service}
}

// RedactURL is s with its password hidden, for logs.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<unparseable URL>"
	}
	return u.Redacted()
}

// redactArgs hides the value after --pw.
func redactArgs(args []string) []string {
	out := append([]string(nil), args...)
	for i := range out {
		if out[i] == "--pw" && i+1 < len(out) {
			out[i+1] = "xxxxx"
		}
	}
	return out
}
