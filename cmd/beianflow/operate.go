package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
)

// An operator's small tools: the configuration's documentation, the
// outbox's state and a health check for containers. ctl and apikey have
// files of their own.

func newConfigCmd(c *cli) *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{
		Use:   "config",
		Short: "print the environment variables with their defaults (--markdown for a table)",
		Long: `Prints every environment variable beianflow reads, with its default and what
it means. It reads none of them: the defaults shown are the built-in ones.
--markdown prints the table of README.md.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			printConfig(c.out, markdown)
			return nil
		},
	}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print a Markdown table")
	return cmd
}

func printConfig(w io.Writer, markdown bool) {
	if markdown {
		fmt.Fprintln(w, "| Variable | Default | Meaning |")
		fmt.Fprintln(w, "| --- | --- | --- |")
	}
	for _, v := range config.Vars {
		def := v.Default
		help := v.Help
		if slices.Contains(config.SecretVars(), v.Name) {
			help += " Or `" + v.Name + "_FILE`: a file holding it."
		}
		if markdown {
			if def == "" {
				def = "(empty)"
			}
			fmt.Fprintf(w, "| `%s` | `%s` | %s |\n", v.Name, def, strings.ReplaceAll(help, "|", `\|`))
			continue
		}
		fmt.Fprintf(w, "%-28s %-24s %s\n", v.Name, def, help)
	}
}

func newOutboxCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "outbox",
		Short: "show notification delivery: counts by status and the messages that failed for good",
		Long: `Shows notification delivery from the database: how many messages are pending,
sent and failed, and the messages that failed for good (at most 50) with their
masked recipients and the class of the failure.`,
		Args: noArgs,
		RunE: c.configured(func(ctx context.Context, cfg config.Config, _ *slog.Logger) error {
			return showOutbox(ctx, cfg, c.out)
		}),
	}
}

// showOutbox prints notification delivery for operators: counts by status
// and the messages that failed for good, with masked recipients and the
// failure's class (never its text, which may quote the recipient).
func showOutbox(ctx context.Context, cfg config.Config, w io.Writer) error {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	counts, err := outbox.Counts(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "pending %d  sent %d  failed %d\n", counts[outbox.StatusPending], counts[outbox.StatusSent], counts[outbox.StatusFailed])
	failed, err := outbox.Failed(ctx, db, 50)
	if err != nil {
		return err
	}
	for _, m := range failed {
		fmt.Fprintf(w, "FAILED %s  filing %s  %s/%s to %s  attempts %d  %s\n", m.DedupKey, m.FilingID, m.Event, m.Channel, m.To, m.Attempts, m.LastError)
	}
	return nil
}

func newHealthcheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "healthcheck URL",
		Short: "exit 0 if URL answers 200 (container health checks; images have no curl)",
		Long: `Fetches URL and exits 0 if it answers 200 OK within five seconds, 1 otherwise:
the health check of a container image that has no curl, e.g.
beianflow healthcheck http://localhost:8080/readyz.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("usage: beianflow healthcheck URL")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return healthcheck(cmd.Context(), args[0]) },
	}
}

func healthcheck(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, res.Status)
	}
	return nil
}
