// Command beianflow runs the ICP filing system. One binary, one role per
// subcommand, so a deployment scales the API and the workers separately.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/outbox"
	"github.com/beianflow/beianflow/internal/store"
)

const usage = `beianflow — ICP filing (ICP备案) workflows on Temporal

Usage: beianflow <command>

Commands:
  dev       run the whole system locally: Temporal dev server + Web UI, S3 server,
            worker and API (what "make run" starts)
  demo      against a running "make run", walk one filing through every stage
            via the API in about a minute, printing each stage and the Web UI
            link (what "make demo" runs; demo --help for its options)
  api       serve the HTTP API
  codec-server
            serve only the codec (/codec) that decodes payloads for the Temporal Web UI
            and CLI, on BEIANFLOW_CODEC_LISTEN: support API keys and, with
            BEIANFLOW_CODEC_OIDC_*, operators signed in to the UI (docs/codec.md);
            needs the payload keys, not Temporal or S3
  worker    run the Temporal worker
  migrate   apply pending database migrations and exit
  config    print the environment variables with their defaults (--markdown for a table)
  outbox    show notification delivery: counts by status and the messages that failed
            for good (recipients masked)
  apikey    create, revoke or list API keys:
              apikey create --role backend --account ACCOUNT [--name NAME]
              apikey create --role reviewer|support [--name NAME]
              apikey revoke ID
              apikey list
  healthcheck URL
            exit 0 if URL answers 200 (container health checks; images have no curl)
  ctl       support tooling over the HTTP API with a support key: stuck, timeline ID,
            retry ID, reset ID --to STAGE --reason TEXT, replay ID | replay --file F,
            signal ID EVENT ("beianflow ctl --help")

Configuration comes from environment variables; see "beianflow config".
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "beianflow:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	if cmd == "config" {
		printConfig(stdout, len(rest) > 0 && rest[0] == "--markdown")
		return nil
	}
	if cmd == "healthcheck" {
		if len(rest) != 1 {
			return errors.New("usage: beianflow healthcheck URL")
		}
		return healthcheck(rest[0])
	}
	if cmd == "ctl" {
		// A client of the API: it needs none of the server's configuration.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return ctlCommand(ctx, rest, stdout, getenv)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := cfg.Logger(os.Stderr)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "outbox":
		return showOutbox(ctx, cfg, stdout)
	case "apikey":
		return apikeyCommand(ctx, cfg, rest, stdout)
	case "dev":
		return runDev(ctx, withDevSandboxSettings(cfg, getenv), log)
	case "codec-server":
		return runCodecServer(ctx, cfg, log, nil)
	case "demo":
		return demoCommand(ctx, cfg, rest, getenv, stdout)
	case "api", "worker", "migrate":
		a, err := app.Open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		switch cmd {
		case "api":
			return a.RunAPI(ctx, nil)
		case "worker":
			return runAll(ctx, a.RunWorker, a.RunWorld, a.RunOutbox)
		}
		return nil // migrations ran in app.Open
	default:
		return errors.New("unknown command " + cmd + "\n\n" + usage)
	}
}

func printConfig(w io.Writer, markdown bool) {
	if markdown {
		fmt.Fprintln(w, "| Variable | Default | Meaning |")
		fmt.Fprintln(w, "| --- | --- | --- |")
	}
	for _, v := range config.Vars {
		def := v.Default
		if markdown {
			if def == "" {
				def = "(empty)"
			}
			fmt.Fprintf(w, "| `%s` | `%s` | %s |\n", v.Name, def, strings.ReplaceAll(v.Help, "|", `\|`))
			continue
		}
		fmt.Fprintf(w, "%-28s %-24s %s\n", v.Name, def, v.Help)
	}
}

func healthcheck(url string) error {
	c := &http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, res.Status)
	}
	return nil
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

// showOutbox prints notification delivery for operators: counts by status
// and the messages that failed for good, with masked recipients and the
// failure's class (never its text, which may quote the recipient).
func showOutbox(ctx context.Context, cfg config.Config, w io.Writer) error {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		return err
	}
	defer db.Close()
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
