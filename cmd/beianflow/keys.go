package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/internal/app"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/hooks"
	"github.com/beianflow/beianflow/internal/store"
)

// The filings' data keys: what an operator does when rotating the keys
// that wrap them.

func newKeysCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "the filings' data keys: re-wrap them under the current key-encryption key",
		Long: `Each filing's personal data is encrypted with a data key of its own, stored
wrapped by a key-encryption key (BEIANFLOW_DATA_KEYS or BEIANFLOW_DATA_KEY_FILE,
the last key current). To rotate: append a new key, deploy, run
"beianflow keys rewrap", then remove the old key. No data is re-encrypted.`,
		Args: subcommandArgs,
		RunE: helpWhenBare,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "rewrap",
		Short: "re-wrap every data key not yet wrapped under the current key-encryption key",
		Long: `Unwraps each filing's data key that is wrapped under an older key-encryption
key and wraps it again under the current one. Safe to run twice, and while the
system runs; prints how many keys it re-wrapped.`,
		Args: noArgs,
		RunE: c.configured(func(ctx context.Context, cfg config.Config, log *slog.Logger) error {
			return rewrapKeys(ctx, cfg, log, c.out)
		}),
	})
	return cmd
}

func rewrapKeys(ctx context.Context, cfg config.Config, log *slog.Logger, w io.Writer) error {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	keys, err := app.OpenDataKeys(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	n, err := keys.Rewrap(ctx)
	fmt.Fprintf(w, "re-wrapped %d data keys\n", n)
	if err != nil {
		return err
	}
	// Webhook endpoints' signing secrets are wrapped by the same keys.
	n, err = hooks.RewrapSecrets(ctx, db, keys)
	fmt.Fprintf(w, "re-wrapped the secrets of %d webhook endpoints\n", n)
	return err
}
