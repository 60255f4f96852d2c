package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/config"
)

// newServeCmds are the roles a deployment runs as separate processes, in
// the root's order: api, worker, codec-server and, once per release,
// migrate. dev runs the api and the worker in one (dev.go).
func newServeCmds(c *cli) []*cobra.Command {
	return []*cobra.Command{{
		Use:   "api",
		Short: "serve the HTTP API",
		Long: `Serves the HTTP API (BEIANFLOW_HTTP_ADDR), the codec (/codec) and /metrics.
Applies pending database migrations first.`,
		Args: noArgs,
		RunE: withApp(c, func(ctx context.Context, a *app.App) error { return a.RunAPI(ctx, nil) }),
	}, {
		Use:   "worker",
		Short: "run the Temporal worker (and the sandbox world and the outbox)",
		Long: `Runs the Temporal worker of the filing workflows and their activities, the
sandbox bureau and courier when BEIANFLOW_SANDBOX_ADDR is set, and the outbox
that delivers notifications and webhooks; serves /metrics, /healthz and
/readyz on BEIANFLOW_WORKER_OPS_ADDR. Applies pending database migrations
first.`,
		Args: noArgs,
		RunE: withApp(c, func(ctx context.Context, a *app.App) error {
			ops := func(ctx context.Context) error { return a.RunOps(ctx, a.Config.WorkerOpsAddr, nil) }
			return runAll(ctx, a.RunWorker, a.RunWorld, a.RunOutbox, ops)
		}),
	}, {
		Use:   "codec-server",
		Short: "serve only the codec that decodes payloads for the Temporal Web UI and CLI",
		Long: `Serves only the codec (/codec) that decodes payloads for the Temporal Web UI
and CLI, on BEIANFLOW_CODEC_LISTEN, with /healthz, /readyz and /metrics. It
decodes for support API keys and, with BEIANFLOW_CODEC_OIDC_*, for operators
signed in to the UI (docs/codec.md). It needs the payload keys and the
database (for API keys), not Temporal or S3.`,
		Args: noArgs,
		RunE: c.configuredAs(config.RoleCodecServer, func(ctx context.Context, cfg config.Config, log *slog.Logger) error {
			return runCodecServer(ctx, cfg, log, nil)
		}),
	}, {
		Use:   "migrate",
		Short: "apply pending database migrations and exit",
		Long: `Applies pending database migrations (DATABASE_URL, or the embedded SQLite
database under BEIANFLOW_DATA_DIR) and exits. api and worker apply them too
at start, under an advisory lock; run this to migrate ahead of a deploy, as
a job: it needs only the database, not Temporal nor S3.`,
		Args: noArgs,
		RunE: c.configuredAs(config.RoleMigrate, func(ctx context.Context, cfg config.Config, log *slog.Logger) error {
			_, err := app.Migrate(ctx, cfg, log)
			return err
		}),
	}}
}

// withApp is the RunE of a role: load the configuration, open the app
// (database, migrations, S3, Temporal), run the role, close the app. The
// process's traces name it by its role: beianflow-api, beianflow-worker.
func withApp(c *cli, role func(context.Context, *app.App) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		return c.configured(func(ctx context.Context, cfg config.Config, log *slog.Logger) error {
			a, err := app.Open(ctx, cfg, log, app.WithService("beianflow-"+cmd.Name()))
			if err != nil {
				return err
			}
			defer a.Close()
			return role(ctx, a)
		})(cmd, args)
	}
}

// runAll runs parts until ctx ends or one fails; a failure stops the others.
func runAll(ctx context.Context, parts ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(parts))
	for _, p := range parts {
		go func() {
			err := p(ctx)
			cancel()
			errc <- err
		}()
	}
	var errs []error
	for range parts {
		if err := <-errc; err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
