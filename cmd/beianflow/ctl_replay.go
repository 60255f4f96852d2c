package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/beianflow/beianflow/apiclient"
)

func (c *ctl) replay(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	file := fs.String("file", "", "")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	var res *apiclient.ReplayResult
	switch {
	case *file != "" && len(pos) == 0:
		js, err := os.ReadFile(filepath.Clean(*file))
		if err != nil {
			return fmt.Errorf("ctl replay: %w", err)
		}
		if res, err = c.api.ReplayHistory(ctx, js); err != nil {
			return err
		}
	case *file == "":
		id, err := oneID("replay", pos)
		if err != nil {
			return err
		}
		if res, err = c.api.ReplayFiling(ctx, id); err != nil {
			return err
		}
	default:
		return errors.New("ctl replay: give a filing ID or --file, not both")
	}
	if c.json {
		if err := c.printJSON(res); err != nil {
			return err
		}
	} else {
		what := res.WorkflowID
		if what == "" {
			what = "the history"
		}
		if res.Deterministic {
			fmt.Fprintf(c.out, "deterministic: %s (%d events) replays against the API's workflow code\n", what, res.Events)
		} else {
			fmt.Fprintf(c.out, "NOT deterministic: %s (%d events) does not replay against the API's workflow code:\n  %s\n", what, res.Events, res.Error)
		}
	}
	if !res.Deterministic {
		return errors.New("ctl replay: the history does not replay deterministically")
	}
	return nil
}
