// Command beianflow runs the ICP filing system. One binary, one role per
// subcommand, so a deployment scales the API and the workers separately.
//
// The command tree is built with cobra (root.go). Every command reads its
// configuration inside its RunE and nowhere else, so that --help, help
// CMD, completion and argument errors never load configuration, open a
// database, create a directory or call the network.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/internal/config"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "beianflow:", err)
		os.Exit(1)
	}
}

// run executes one command line: args without the program name, output to
// stdout, configuration from getenv (the process environment, or a test's).
func run(args []string, stdout io.Writer, getenv func(string) string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd(&cli{out: stdout, getenv: getenv})
	if args == nil {
		args = []string{} // cobra falls back to os.Args on nil
	}
	root.SetArgs(singleDashFlags(root, args))
	return root.ExecuteContext(ctx)
}

// cli is what the commands share: where they print and where their
// configuration comes from.
type cli struct {
	out    io.Writer
	getenv func(string) string
}

// load reads the configuration from the environment and makes its logger
// the default. A command calls it first thing in its RunE, never earlier:
// cobra runs RunE only for a real invocation, after help and argument
// checks.
func (c *cli) load() (config.Config, *slog.Logger, error) { return c.loadFor(config.RoleAll) }

// loadFor is load for a command that runs only role (config.LoadFor).
func (c *cli) loadFor(role config.Role) (config.Config, *slog.Logger, error) {
	cfg, err := config.LoadFor(c.getenv, role)
	if err != nil {
		return config.Config{}, nil, err
	}
	log := cfg.Logger(os.Stderr)
	slog.SetDefault(log)
	return cfg, log, nil
}

// configured is the RunE of a command that needs the configuration: it is
// loaded when the command runs, as load says, and run gets it with the
// command's context.
func (c *cli) configured(run func(context.Context, config.Config, *slog.Logger) error) func(*cobra.Command, []string) error {
	return c.configuredAs(config.RoleAll, run)
}

// configuredAs is configured for a command that runs only role: the
// production checks skip what it never reads.
func (c *cli) configuredAs(role config.Role, run func(context.Context, config.Config, *slog.Logger) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		cfg, log, err := c.loadFor(role)
		if err != nil {
			return err
		}
		return run(cmd.Context(), cfg, log)
	}
}
