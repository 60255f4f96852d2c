package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/internal/app"
)

// The roles a deployment runs as separate processes: api, worker and, once
// per release, migrate. codec-server is in codecserver.go, dev in dev.go.

func newAPICmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "api",
		Short: "serve the HTTP API",
		Long: `Serves the HTTP API (BEIANFLOW_HTTP_ADDR), the codec (/codec) and /metrics.
Applies pending database migrations first.`,
		Args: noArgs,
		RunE: withApp(c, func(ctx context.Context, a *app.App) error { return a.RunAPI(ctx, nil) }),
	}
}

func newWorkerCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "run the Temporal worker (and the sandbox world and the outbox)",
		Long: `Runs the Temporal worker of the filing workflows and their activities, the
sandbox bureau and courier when BEIANFLOW_SANDBOX_ADDR is set, and the outbox
that delivers notifications. Applies pending database migrations first.`,
		Args: noArgs,
		RunE: withApp(c, func(ctx context.Context, a *app.App) error {
			return runAll(ctx, a.RunWorker, a.RunWorld, a.RunOutbox)
		}),
	}
}

func newMigrateCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "apply pending database migrations and exit",
		Long: `Applies pending database migrations (DATABASE_URL, or the embedded SQLite
database under BEIANFLOW_DATA_DIR) and exits. api and worker apply them too
at start, under an advisory lock; run this to migrate ahead of a deploy.`,
		Args: noArgs,
		// Opening the app is what migrates.
		RunE: withApp(c, func(context.Context, *app.App) error { return nil }),
	}
}

// withApp is the RunE of a role: load the configuration, open the app
// (database, migrations, S3, Temporal), run the role, close the app.
func withApp(c *cli, role func(context.Context, *app.App) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		cfg, log, err := c.load()
		if err != nil {
			return err
		}
		a, err := app.Open(cmd.Context(), cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		return role(cmd.Context(), a)
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
