package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/store"
)

const apikeyUsage = `usage:
  beianflow apikey create --role backend|reviewer|support [--account ACCOUNT] [--name NAME]
  beianflow apikey revoke ID
  beianflow apikey list`

// newAPIKeyCmd creates, revokes and lists API keys. The key is printed
// once, on creation; only its hash is stored.
func newAPIKeyCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apikey",
		Short: "create, revoke or list API keys",
		Long: `Creates, revokes and lists the API keys callers of the HTTP API present, in the
database (DATABASE_URL, or the embedded SQLite database under
BEIANFLOW_DATA_DIR). A key is shown once, when it is created; only its
SHA-256 is stored.`,
		Args: subcommandArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 { // help [command]
				return helpWhenBare(cmd, args)
			}
			// Unlike ctl, apikey alone is a mistake, as it was before cobra.
			return errors.New(apikeyUsage)
		},
	}
	cmd.AddCommand(newAPIKeyCreateCmd(c), newAPIKeyRevokeCmd(c), newAPIKeyListCmd(c))
	return cmd
}

func newAPIKeyCreateCmd(c *cli) *cobra.Command {
	var role, account, name string
	cmd := &cobra.Command{
		Use:   "create --role ROLE",
		Short: "create a key and print it once",
		Long: `Creates an API key and prints its ID and the key. Store the key at once: it is
not shown again.

  --role backend --account ACCOUNT  the provider's backend, acting for one account
  --role reviewer                   reviewers: decide reviews, read queues and filings
  --role support                    support staff: beianflow ctl, the codec`,
		Args: noArgs,
		RunE: withAPIKeys(c, func(ctx context.Context, _ config.Config, keys *store.APIKeys, _ []string) error {
			k, err := apikeys.Issue(ctx, keys, role, account, name, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "id:  %s\nkey: %s\nStore the key now: it is not shown again.\n", k.ID, k.Token)
			return nil
		}),
	}
	cmd.Flags().StringVar(&role, "role", "", "the `ROLE`: backend, reviewer or support")
	cmd.Flags().StringVar(&account, "account", "", "the provider `ACCOUNT` a backend key acts for")
	cmd.Flags().StringVar(&name, "name", "", "what the key is for (not who holds it), a `NAME`")
	_ = cmd.RegisterFlagCompletionFunc("role", cobra.FixedCompletions([]string{"backend", "reviewer", "support"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func newAPIKeyRevokeCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "revoke a key; API processes stop accepting it within BEIANFLOW_API_KEY_CACHE_TTL",
		Args:  takes(1, "give the ID of the key to revoke (beianflow apikey list shows them)"),
		RunE: withAPIKeys(c, func(ctx context.Context, cfg config.Config, keys *store.APIKeys, args []string) error {
			id := args[0]
			if err := keys.Revoke(ctx, id, time.Now()); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("no API key with ID %s", id)
				}
				return err
			}
			fmt.Fprintf(c.out, "revoked %s (API processes stop accepting it within %s)\n", id, cfg.API.KeyCacheTTL)
			return nil
		}),
	}
}

func newAPIKeyListCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "list the keys: ID, role, account, name, when created and revoked",
		Args:  noArgs,
		RunE: withAPIKeys(c, func(ctx context.Context, _ config.Config, keys *store.APIKeys, _ []string) error {
			list, err := keys.List(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tROLE\tACCOUNT\tNAME\tCREATED\tREVOKED")
			for _, k := range list {
				revoked := "-"
				if k.RevokedAt != nil {
					revoked = k.RevokedAt.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, dash(k.AccountID), dash(k.Name),
					k.CreatedAt.UTC().Format(time.RFC3339), revoked)
			}
			return tw.Flush()
		}),
	}
}

// withAPIKeys is the RunE of an apikey command: load the configuration,
// open and migrate the database (a fresh one has no keys table yet), run.
func withAPIKeys(c *cli, do func(context.Context, config.Config, *store.APIKeys, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		cfg, _, err := c.load()
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		db, err := store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
		if err != nil {
			return err
		}
		defer func() { _ = db.Close() }()
		if _, err := db.Migrate(ctx); err != nil {
			return err
		}
		return do(ctx, cfg, store.NewAPIKeys(db), args)
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
