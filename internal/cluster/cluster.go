// Package cluster runs beianflow on one machine in the shape a provider
// deploys it: the Temporal server's four services as separate processes on
// PostgreSQL (persistence and SQL visibility), an S3 server, the migration
// as a job, several API processes behind a load balancer, several workers
// (one of them serving the sandbox world) and the codec server. It is what
// `make run-cluster` starts and what the fault tests break: each part is a
// Process that can be stopped, killed and started again.
//
// What it cannot show is a multi-machine deployment: every process is on
// 127.0.0.1, PostgreSQL is one server, and a Temporal service "node" dies
// with its process, not with its host (docs/cluster.md).
package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"
)

// Options configure a topology.
type Options struct {
	// Dir holds its state: the Temporal services' configuration, the S3
	// server's files, the keys, every process's log under logs/.
	Dir string
	// Beianflow and VersityGW are the binaries of the system and the S3
	// server.
	Beianflow, VersityGW string
	// Temporal are the Temporal server's binaries and schema.
	Temporal TemporalOptions
	// UIServer is the Temporal Web UI server's binary; empty runs none.
	UIServer string
	// Postgres is a PostgreSQL URL whose user may create databases.
	// Database names the databases: Database for beianflow,
	// Database_temporal and Database_temporal_visibility for Temporal.
	Postgres, Database string
	// Namespace is the filings' Temporal namespace.
	Namespace string
	// Ports are where every part listens.
	Ports Ports
	// Env is added to every beianflow process's environment, after the
	// topology's own (a later entry wins): time scale, log level.
	Env []string
	// AfterMigrate runs once the migration job has succeeded, before any
	// API or worker starts: `beianflow cluster` writes the development API
	// keys there.
	AfterMigrate func(ctx context.Context, databaseURL string) error
	// Exited is told when a part ends without being asked to.
	Exited func(p *Process, err error)
	// Log receives the topology's progress.
	Log *slog.Logger
}

// Cluster is a running topology.
type Cluster struct {
	// Temporal holds the Temporal services by name (TemporalServices).
	Temporal map[string]*Process
	S3       *Process
	Codec    *Process
	// UI is the Temporal Web UI server, nil without Options.UIServer.
	UI *Process
	// APIs and Workers are the beianflow processes; Workers[0] serves the
	// sandbox world.
	APIs, Workers []*Process
	// Balancer is in front of the APIs; its URL is the system's.
	Balancer *Balancer
	// Env is the environment every beianflow process got, for commands
	// run against the topology (beianflow demo, ctl).
	Env []string
	// DatabaseURL is beianflow's database.
	DatabaseURL string
	// Started is how long Start took.
	Started time.Duration

	opts  Options
	pg    pgTarget
	order []*Process // in start order; Stop goes backwards
}

var identifier = regexp.MustCompile(`^[a-z][a-z0-9_]{0,40}$`)

// Start brings the topology up, part by part, each waited for before the
// next that needs it: PostgreSQL databases and Temporal schemas, the
// frontend, the namespace and search attributes, the other Temporal
// services, S3, the migration job, the workers, the codec server, the APIs
// and the balancer. On failure it stops what it started.
func Start(ctx context.Context, o Options) (c *Cluster, err error) {
	begin := time.Now()
	if !identifier.MatchString(o.Database) {
		return nil, fmt.Errorf("cluster: database name %q: lower-case letters, digits and _ only", o.Database)
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	pg, err := newPGTarget(o.Postgres, o.Database)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{"logs", "s3", "temporal"} {
		if err := os.MkdirAll(filepath.Join(o.Dir, d), 0o750); err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
	}
	// A part that dies while the topology comes up ends the start at
	// once, with its log's end, instead of the wait for it timing out.
	ctx, failed := context.WithCancelCause(ctx)
	defer failed(nil)
	var starting atomic.Bool
	starting.Store(true)
	exited := o.Exited
	o.Exited = func(p *Process, err error) {
		if starting.Load() {
			failed(fmt.Errorf("cluster: %s exited while starting (%w); its log ends:\n%s", p.Name, err, p.LogTail(4096)))
			return
		}
		if exited != nil {
			exited(p, err)
		}
	}
	c = &Cluster{Temporal: map[string]*Process{}, opts: o, pg: pg, DatabaseURL: pg.dbURL(pg.app)}
	defer func() {
		if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
		starting.Store(false)
		if err != nil {
			c.Stop()
		}
	}()

	created, err := pg.ensureDatabases(ctx, pg.persistence, pg.search, pg.app)
	if err != nil {
		return c, err
	}
	if err := o.Temporal.setupSchemas(ctx, pg, created, c.logPath("temporal-schema")); err != nil {
		return c, err
	}
	tdir := filepath.Join(o.Dir, "temporal")
	if err := writeTemporalConfigs(tdir, pg, o.Ports); err != nil {
		return c, fmt.Errorf("cluster: Temporal configuration: %w", err)
	}
	frontend := addr(o.Ports.Temporal["frontend"].GRPC)
	for i, s := range TemporalServices {
		p := c.process("temporal-"+s, o.Temporal.Server, temporalArgs(tdir, s), nil)
		c.Temporal[s] = p
		if err := p.Start(); err != nil {
			return c, err
		}
		if i == 0 {
			// The others load the namespace at start: register it first.
			if err := prepareNamespace(ctx, frontend, o.Namespace); err != nil {
				return c, fmt.Errorf("%w\n%s", err, p.LogTail(2048))
			}
			o.Log.Info("temporal frontend up; namespace and search attributes ready", "address", frontend, "namespace", o.Namespace)
		}
	}

	keys, err := c.keys()
	if err != nil {
		return c, err
	}
	c.Env = append(c.baseEnv(keys), o.Env...)

	c.S3 = c.process("s3", o.VersityGW, []string{"--port", addr(o.Ports.S3), "posix", filepath.Join(o.Dir, "s3")},
		[]string{"ROOT_ACCESS_KEY=beianflow", "ROOT_SECRET_KEY=" + keys["s3-secret"]})
	if err := c.S3.Start(); err != nil {
		return c, err
	}

	migrate := newProcess("migrate", c.logPath("migrate"), o.Beianflow, []string{"migrate"}, c.Env, nil)
	if err := migrate.Start(); err != nil {
		return c, err
	}
	if err := migrate.Wait(ctx); err != nil {
		return c, fmt.Errorf("cluster: migration job: %w\n%s", err, migrate.LogTail(2048))
	}
	if o.AfterMigrate != nil {
		if err := o.AfterMigrate(ctx, c.DatabaseURL); err != nil {
			return c, err
		}
	}

	for i, port := range o.Ports.WorkerOps {
		env := []string{"BEIANFLOW_WORKER_OPS_ADDR=" + addr(port)}
		if i == 0 {
			env = append(env, "BEIANFLOW_SANDBOX_ADDR="+addr(o.Ports.World))
		}
		p := c.process(fmt.Sprintf("worker-%d", i+1), o.Beianflow, []string{"worker"}, append(append([]string{}, c.Env...), env...))
		c.Workers = append(c.Workers, p)
		if err := p.Start(); err != nil {
			return c, err
		}
	}
	// The Web UI cannot send credentials to a codec endpoint without
	// single sign-on, so here it decodes through the codec server's
	// secret path (development only), which only this machine reaches.
	c.Codec = c.process("codec-server", o.Beianflow, []string{"codec-server"},
		append(append([]string{}, c.Env...), "BEIANFLOW_CODEC_LISTEN="+addr(o.Ports.Codec),
			"BEIANFLOW_CODEC_PATH_SECRET="+keys["codec-path-secret"], "BEIANFLOW_CODEC_ORIGINS="+c.UIURL()+",http://127.0.0.1:"+strconv.Itoa(o.Ports.UI)))
	if err := c.Codec.Start(); err != nil {
		return c, err
	}
	if o.UIServer != "" {
		dir := filepath.Join(o.Dir, "ui")
		if err := writeUIConfig(dir, o.Ports, o.Namespace, "http://localhost:"+strconv.Itoa(o.Ports.Codec)+"/codec/t/"+keys["codec-path-secret"]); err != nil {
			return c, fmt.Errorf("cluster: Web UI configuration: %w", err)
		}
		c.UI = c.process("temporal-ui", o.UIServer, []string{"--root", dir, "--config", "config", "--env", "ui", "start"}, nil)
		if err := c.UI.Start(); err != nil {
			return c, err
		}
	}
	var backends []string
	for i, port := range o.Ports.APIs {
		// The sandbox world runs (in the first worker): filings may ask
		// for their own time scale, as make demo does.
		p := c.process(fmt.Sprintf("api-%d", i+1), o.Beianflow, []string{"api"},
			append(append([]string{}, c.Env...), "BEIANFLOW_HTTP_ADDR="+addr(port),
				"BEIANFLOW_SANDBOX_ADDR="+addr(o.Ports.World), "BEIANFLOW_SANDBOX_SETTINGS=true"))
		c.APIs = append(c.APIs, p)
		if err := p.Start(); err != nil {
			return c, err
		}
		backends = append(backends, "http://"+addr(port))
	}
	for _, w := range c.readiness() {
		if err := waitReady(ctx, w.url); err != nil {
			return c, fmt.Errorf("cluster: %s not ready at %s: %w\n%s", w.p.Name, w.url, err, w.p.LogTail(2048))
		}
	}
	if c.Balancer, err = NewBalancer(addr(o.Ports.Balancer), backends); err != nil {
		return c, err
	}
	c.Started = time.Since(begin)
	return c, nil
}

// URL is the system's base URL: the balancer's.
func (c *Cluster) URL() string { return c.Balancer.URL() }

// UIURL is the Temporal Web UI's base URL (whether or not one runs).
func (c *Cluster) UIURL() string { return "http://localhost:" + strconv.Itoa(c.opts.Ports.UI) }

// WorkerMetricsURLs are the workers' /metrics endpoints, in Workers' order.
func (c *Cluster) WorkerMetricsURLs() []string {
	var out []string
	for _, port := range c.opts.Ports.WorkerOps {
		out = append(out, "http://"+addr(port)+"/metrics")
	}
	return out
}

// TemporalDatabaseURLs are the Temporal server's databases: persistence
// (histories, mutable state, tasks) and visibility.
func (c *Cluster) TemporalDatabaseURLs() (persistence, visibility string) {
	return c.pg.dbURL(c.pg.persistence), c.pg.dbURL(c.pg.search)
}

// ReadyURL is where p answers its readiness, "" for parts without one.
func (c *Cluster) ReadyURL(p *Process) string {
	for _, r := range c.readiness() {
		if r.p == p {
			return r.url
		}
	}
	return ""
}

type readyCheck struct {
	p   *Process
	url string
}

func (c *Cluster) readiness() []readyCheck {
	var out []readyCheck
	for i, w := range c.Workers {
		out = append(out, readyCheck{w, "http://" + addr(c.opts.Ports.WorkerOps[i]) + "/readyz"})
	}
	out = append(out, readyCheck{c.Codec, "http://" + addr(c.opts.Ports.Codec) + "/readyz"})
	for i, a := range c.APIs {
		out = append(out, readyCheck{a, "http://" + addr(c.opts.Ports.APIs[i]) + "/readyz"})
	}
	return out
}

// WaitReady waits until p answers its readiness check.
func (c *Cluster) WaitReady(ctx context.Context, p *Process) error {
	u := c.ReadyURL(p)
	if u == "" {
		return fmt.Errorf("cluster: %s has no readiness check", p.Name)
	}
	return waitReady(ctx, u)
}

// Stop stops every part, the last started first, and the balancer.
func (c *Cluster) Stop() {
	if c.Balancer != nil {
		_ = c.Balancer.Close()
	}
	for i := len(c.order) - 1; i >= 0; i-- {
		p := c.order[i]
		if err := p.Stop(20 * time.Second); err != nil {
			c.opts.Log.Warn("stopping a part", "process", p.Name, "err", err)
		}
	}
}

// DropDatabases drops the topology's databases; it must be stopped.
func (c *Cluster) DropDatabases(ctx context.Context) error { return c.pg.dropDatabases(ctx) }

func (c *Cluster) process(name, bin string, args, env []string) *Process {
	p := newProcess(name, c.logPath(name), bin, args, env, c.opts.Exited)
	c.order = append(c.order, p)
	return p
}

func (c *Cluster) logPath(name string) string { return filepath.Join(c.opts.Dir, "logs", name+".log") }

// waitReady polls url until it answers 200 or ctx ends.
func waitReady(ctx context.Context, url string) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	return retryUntil(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return errors.New("status " + strconv.Itoa(resp.StatusCode))
		}
		return nil
	})
}
