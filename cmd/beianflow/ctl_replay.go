package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/filing"
)

func newCtlReplayCmd(s *ctl) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "replay ID | --file HISTORY.json",
		Short: "check that a history replays on the API's workflow code (exit status 1 when not)",
		Long: `Replays the filing's history, or one exported with
"temporal workflow show -w filing-ID --output json", against the API's
workflow code and says whether it is deterministic (exit status 1 when not):
check a fix, or a deploy, before it meets the filings in flight.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if file != "" && len(args) > 0 {
				return errors.New("ctl replay: give a filing ID or --file, not both")
			}
			if file == "" {
				return oneID(cmd, args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if file != "" {
				return s.replayFile(cmd.Context(), file)
			}
			return s.replayFiling(cmd.Context(), idArg(args[0]))
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "replay the history in `HISTORY.json` instead of a filing's")
	_ = cmd.MarkFlagFilename("file", "json")
	return cmd
}

func (c *ctl) replayFiling(ctx context.Context, id filing.ID) error {
	api, err := c.client()
	if err != nil {
		return err
	}
	res, err := api.ReplayFiling(ctx, id)
	if err != nil {
		return err
	}
	return c.replayed(res)
}

func (c *ctl) replayFile(ctx context.Context, file string) error {
	js, err := os.ReadFile(filepath.Clean(file))
	if err != nil {
		return fmt.Errorf("ctl replay: %w", err)
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	res, err := api.ReplayHistory(ctx, js)
	if err != nil {
		return err
	}
	return c.replayed(res)
}

// replayed prints the verdict; a history that does not replay is an error,
// for the exit status scripts and CI check.
func (c *ctl) replayed(res *filing.ReplayResult) error {
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
