package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
)

// A filing's workflow history: timeline shows it, retry runs its failing
// activities again, replay checks it against the current workflow code.

func newCtlTimelineCmd(s *ctl) *cobra.Command {
	return onFiling(s, "timeline ID", "the filing's audit trail and its workflow's events side by side, payloads decoded",
		`Prints the filing's audit trail and its workflow's own event history side by
side, in time order, payloads decoded.`,
		(*apiclient.Client).FilingHistory, s.printTimeline)
}

func newCtlRetryCmd(s *ctl) *cobra.Command {
	return onFiling(s, "retry ID", "run the filing's failing activities again now, attempts starting over",
		`Runs the filing's failing activities again now, their attempts starting over.
Fix the cause first. Refused when the workflow code itself fails (see
beianflow ctl stuck and replay).`,
		(*apiclient.Client).RetryFiling, s.printRetried)
}

func (c *ctl) printRetried(id filing.ID, res *filing.RetryResult) error {
	for _, a := range res.Retried {
		fmt.Fprintf(c.out, "retrying %s now (activity %s, was on attempt %d)\n", a.ActivityType, a.ActivityID, a.AttemptBefore)
		if a.LastFailure != "" {
			fmt.Fprintf(c.out, "  last error: %s\n", a.LastFailure)
		}
	}
	fmt.Fprintf(c.out, "follow it with: beianflow ctl timeline %s\n", id)
	return nil
}

func (c *ctl) printTimeline(_ filing.ID, h *filing.HistoryReport) error {
	status := h.Status
	if status == "" {
		status = "no longer held by Temporal: audit trail only"
	}
	fmt.Fprintf(c.out, "filing %s  workflow %s  run %s  (%s)\n", h.FilingID, h.WorkflowID, h.RunID, status)
	fmt.Fprintf(c.out, "%d audit entries, %d workflow events", len(h.Audit), len(h.Events))
	if h.Truncated {
		fmt.Fprint(c.out, " (history truncated)")
	}
	if h.UndecodablePayloads > 0 {
		fmt.Fprintf(c.out, "; %d payload(s) encrypted with a key the API does not hold", h.UndecodablePayloads)
	}
	fmt.Fprintln(c.out)
	fmt.Fprintln(c.out)

	type line struct {
		at   time.Time
		text string
	}
	var lines []line
	for _, a := range h.Audit {
		text := fmt.Sprintf("AUDIT %-5d %s %s", a.Seq, a.Actor, a.Action)
		if a.FromStage != a.ToStage {
			text += fmt.Sprintf(" %s→%s", a.FromStage, a.ToStage)
		} else if a.ToStage != "" {
			text += " in " + string(a.ToStage)
		}
		if a.Detail != "" {
			text += " " + a.Detail
		}
		for _, r := range a.Reasons {
			text += " [" + r.Code
			if r.Field != "" {
				text += " " + r.Field
			}
			text += "]"
		}
		lines = append(lines, line{a.At, text})
	}
	for _, e := range h.Events {
		text := fmt.Sprintf("EVENT %-5d %s", e.EventID, e.Type)
		if e.Summary != "" {
			text += " " + e.Summary
		}
		lines = append(lines, line{e.Time, text})
	}
	// Side by side in time order; at the same instant, the workflow event
	// that caused an audit entry comes first.
	slices.SortStableFunc(lines, func(a, b line) int { return a.at.Compare(b.at) })
	for _, l := range lines {
		fmt.Fprintf(c.out, "%s  %s\n", l.at.UTC().Format("2006-01-02T15:04:05.000Z"), l.text)
	}
	return nil
}

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
			var id filing.ID
			if file == "" {
				id = idArg(args[0])
			}
			return s.replay(cmd.Context(), id, file)
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "replay the history in `HISTORY.json` instead of a filing's")
	_ = cmd.MarkFlagFilename("file", "json")
	return cmd
}

// replay replays the history in file or, without one, filing id's.
func (c *ctl) replay(ctx context.Context, id filing.ID, file string) error {
	var js []byte
	if file != "" {
		var err error
		if js, err = os.ReadFile(filepath.Clean(file)); err != nil {
			return fmt.Errorf("ctl replay: %w", err)
		}
	}
	res, err := ask(c, func(api *apiclient.Client) (*filing.ReplayResult, error) {
		if file != "" {
			return api.ReplayHistory(ctx, js)
		}
		return api.ReplayFiling(ctx, id)
	})
	if err != nil {
		return err
	}
	return c.replayed(res)
}

// replayed prints the verdict; a history that does not replay is an error,
// for the exit status scripts and CI check.
func (c *ctl) replayed(res *filing.ReplayResult) error {
	if err := show(c, res, c.printReplayed); err != nil {
		return err
	}
	if !res.Deterministic {
		return errors.New("ctl replay: the history does not replay deterministically")
	}
	return nil
}

func (c *ctl) printReplayed(res *filing.ReplayResult) error {
	what := res.WorkflowID
	if what == "" {
		what = "the history"
	}
	if res.Deterministic {
		fmt.Fprintf(c.out, "deterministic: %s (%d events) replays against the API's workflow code\n", what, res.Events)
	} else {
		fmt.Fprintf(c.out, "NOT deterministic: %s (%d events) does not replay against the API's workflow code:\n  %s\n", what, res.Events, res.Error)
	}
	return nil
}
