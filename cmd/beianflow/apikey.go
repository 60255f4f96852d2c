package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/beianflow/beianflow/internal/apikeys"
	"github.com/beianflow/beianflow/internal/config"
	"github.com/beianflow/beianflow/internal/store"
)

const apikeyUsage = `usage:
  beianflow apikey create --role backend|reviewer|support [--account ACCOUNT] [--name NAME]
  beianflow apikey revoke ID
  beianflow apikey list`

// apikeyCommand creates, revokes and lists API keys. The key is printed
// once, on creation; only its hash is stored.
func apikeyCommand(ctx context.Context, cfg config.Config, args []string, w io.Writer) error {
	if len(args) == 0 {
		return errors.New(apikeyUsage)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	keys := store.NewAPIKeys(db)
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
		fs.SetOutput(w)
		role := fs.String("role", "", "backend, reviewer or support")
		account := fs.String("account", "", "provider account a backend key acts for")
		name := fs.String("name", "", "what the key is for (not who holds it)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		k, err := apikeys.Issue(ctx, keys, *role, *account, *name, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "id:  %s\nkey: %s\nStore the key now: it is not shown again.\n", k.ID, k.Token)
		return nil
	case "revoke":
		if len(args) != 2 {
			return errors.New(apikeyUsage)
		}
		if err := keys.Revoke(ctx, args[1], time.Now()); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no API key with ID %s", args[1])
			}
			return err
		}
		fmt.Fprintf(w, "revoked %s (API processes stop accepting it within %s)\n", args[1], cfg.API.KeyCacheTTL)
		return nil
	case "list":
		list, err := keys.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
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
	}
	return errors.New(apikeyUsage)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
