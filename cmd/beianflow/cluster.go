package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/internal/cluster"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/store"
)

const clusterLong = `Runs the system on this machine in the shape a provider deploys it, in the
foreground: the Temporal server's frontend, history, matching and worker
services as separate processes on PostgreSQL (BEIANFLOW_CLUSTER_POSTGRES,
persistence and SQL visibility), the namespace and search attributes, the
S3 server, the migration job, two workers (the first serves the sandbox
world), the codec server, the Temporal Web UI (:8233), and two API
processes behind a load balancer on :8080. Every process logs to
$BEIANFLOW_DATA_DIR/cluster/logs; the API keys of each role are written to
$BEIANFLOW_DATA_DIR/cluster/api-keys.env, so

    BEIANFLOW_DATA_DIR=data/cluster make demo

walks a filing through it. State persists: a restart resumes the filings in
flight. Ctrl-C stops everything. Needs the pinned tools of "make tools" and
"make cluster-tools" (BEIANFLOW_TEMPORAL_SERVER, BEIANFLOW_TEMPORAL_SQL_TOOL,
BEIANFLOW_TEMPORAL_SCHEMA, BEIANFLOW_TEMPORAL_UI_SERVER, BEIANFLOW_VERSITYGW).`

func newClusterCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "cluster",
		Short: "run the system as deployed: Temporal's services on PostgreSQL, two APIs, two workers (what make run-cluster starts)",
		Long:  clusterLong,
		Args:  noArgs,
		RunE: c.configured(func(ctx context.Context, cfg config.Config, log *slog.Logger) error {
			return runCluster(ctx, cfg, log, cluster.DefaultPorts())
		}),
	}
}

// runCluster starts the topology and keeps it up until ctx ends or a part
// dies: half a system would only confuse.
func runCluster(ctx context.Context, cfg config.Config, log *slog.Logger, ports cluster.Ports) error {
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("cluster: data dir: %w", err)
	}
	dir := filepath.Join(dataDir, "cluster")
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	bins := []string{cfg.Dev.TemporalServer, cfg.Dev.TemporalSQLTool, cfg.Dev.TemporalSchema, cfg.Dev.VersityGW}
	if cfg.Dev.TemporalUIServer != "" {
		bins = append(bins, cfg.Dev.TemporalUIServer)
	}
	for _, bin := range bins {
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("cluster: %s not found: run `make run-cluster` (or `make tools cluster-tools`) to build the pinned tools", bin)
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var env []string
	for _, kv := range []string{"BEIANFLOW_TIME_SCALE", "BEIANFLOW_LOG_LEVEL", "BEIANFLOW_SANDBOX_PUSH_INTERVAL",
		"BEIANFLOW_SANDBOX_REVIEW_DAYS", "BEIANFLOW_SANDBOX_DELIVERY_DAYS", "BEIANFLOW_SUBMISSION_WINDOW"} {
		if v, ok := os.LookupEnv(kv); ok {
			env = append(env, kv+"="+v)
		}
	}
	log.Info("starting the cluster", "dir", dir, "postgres", cluster.RedactURL(cfg.Dev.ClusterPostgres))
	c, err := cluster.Start(ctx, cluster.Options{
		Dir:       dir,
		Beianflow: self, VersityGW: cfg.Dev.VersityGW, UIServer: cfg.Dev.TemporalUIServer,
		Temporal: cluster.TemporalOptions{Server: cfg.Dev.TemporalServer, SQLTool: cfg.Dev.TemporalSQLTool, Schema: cfg.Dev.TemporalSchema},
		Postgres: cfg.Dev.ClusterPostgres, Database: "beianflow_cluster", Namespace: cfg.TemporalNamespace,
		Ports: ports, Env: env, Log: log,
		AfterMigrate: func(ctx context.Context, databaseURL string) error {
			db, err := store.Open(ctx, databaseURL, "")
			if err != nil {
				return err
			}
			defer func() { _ = db.Close() }()
			_, err = ensureDevKeys(ctx, db, dir)
			return err
		},
		Exited: func(p *cluster.Process, err error) {
			cancel(fmt.Errorf("%s exited unexpectedly (%w); see %s, which ends:\n%s", p.Name, err, p.LogPath, p.LogTail(2048)))
		},
	})
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			return cause
		}
		return err
	}
	defer c.Stop()
	var apis, workers []string
	for _, p := range c.APIs {
		apis = append(apis, p.Name)
	}
	for _, p := range c.Workers {
		workers = append(workers, p.Name)
	}
	log.Info("the cluster is up; Ctrl-C stops everything",
		"started_in", c.Started.Round(100_000_000).String(),
		"api", c.URL(), "api_processes", strings.Join(apis, ","), "workers", strings.Join(workers, ","),
		"web_ui", c.UIURL()+"/namespaces/"+cfg.TemporalNamespace+"/workflows",
		"temporal", "127.0.0.1:"+fmt.Sprint(ports.Temporal["frontend"].GRPC),
		"api_keys", devKeyFile(dir), "logs", filepath.Join(dir, "logs"),
		"demo", "BEIANFLOW_DATA_DIR="+dir+" make demo")
	<-ctx.Done()
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return nil
}
