package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
)

func newCtlStuckCmd(s *ctl) *cobra.Command {
	var q apiclient.StuckQuery
	var all bool
	cmd := &cobra.Command{
		Use:   "stuck",
		Short: "filings whose workflow task or activity keeps failing, or whose wait is overdue",
		Long: `Lists the filings whose workflow task fails (e.g. non-determinism after a
deploy), whose activity keeps failing (with the last error and attempt) or
whose wait is past its deadline, each with what to do. At most --scan open
filings (default 200, newest first) are described per call; --all goes on
until every open filing was.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return s.stuck(cmd.Context(), q, all) },
	}
	cmd.Flags().IntVar(&q.Limit, "limit", 0, "list at most `N` stuck filings, 1 to 200 (0: the API's default)")
	cmd.Flags().IntVar(&q.Scan, "scan", 0, "describe at most `N` open filings per call, 1 to 1000 (0: the API's default, 200)")
	cmd.Flags().IntVar(&q.MinAttempts, "min-attempts", 0, "list a retrying activity from its attempt `N` on (0: the API's default)")
	cmd.Flags().BoolVar(&all, "all", false, "go on until every open filing was described")
	return cmd
}

func (c *ctl) stuck(ctx context.Context, q apiclient.StuckQuery, all bool) error {
	return answer(c, func(api *apiclient.Client) (*filing.StuckReport, error) {
		rep, err := api.Stuck(ctx, q)
		if err != nil {
			return nil, err
		}
		for all && rep.NextCursor != "" {
			q.Cursor = rep.NextCursor
			more, err := api.Stuck(ctx, q)
			if err != nil {
				return nil, err
			}
			rep.Items = append(rep.Items, more.Items...)
			rep.Scanned += more.Scanned
			rep.Truncated = rep.Truncated || more.Truncated
			rep.NextCursor = more.NextCursor
		}
		return rep, nil
	}, c.printStuck)
}

func (c *ctl) printStuck(rep *filing.StuckReport) error {
	scope := fmt.Sprintf("described %d open filing(s)", rep.Scanned)
	if rep.OpenFilings != nil {
		scope = fmt.Sprintf("described %d of %d open filing(s)", rep.Scanned, *rep.OpenFilings)
	}
	fmt.Fprintf(c.out, "%d stuck (%s, checked %s)\n", len(rep.Items), scope, rep.CheckedAt.UTC().Format(time.RFC3339))
	if rep.NextCursor != "" {
		fmt.Fprintln(c.out, "more open filings were not described: run with --all (or a larger --scan)")
	}
	if rep.Truncated {
		fmt.Fprintln(c.out, "more stuck filings were found than listed: raise --limit")
	}
	if len(rep.Items) == 0 {
		return nil
	}
	fmt.Fprintln(c.out)
	tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILING\tREASON\tSTAGE\tDETAIL")
	for _, it := range rep.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.FilingID, it.Reason, stageOf(it), detailOf(it))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, it := range rep.Items {
		fmt.Fprintf(c.out, "\n%s  %s\n", it.FilingID, it.Reason)
		if d := it.Details; d.LastFailure != "" {
			fmt.Fprintf(c.out, "  last error: %s\n", d.LastFailure)
		}
		fmt.Fprintf(c.out, "  next step:  %s\n", it.NextStep)
	}
	return nil
}

// stageOf is where a stuck filing stands: stage/step (party waited on).
func stageOf(it filing.StuckFiling) string {
	s := string(it.Stage)
	if it.Step != "" {
		s += "/" + string(it.Step)
	}
	if it.WaitingOn != "" {
		s += " (" + string(it.WaitingOn) + ")"
	}
	return s
}

// detailOf is the one-line detail of a stuck filing, by reason.
func detailOf(it filing.StuckFiling) string {
	d := it.Details
	switch it.Reason {
	case filing.StuckActivityFailing:
		s := fmt.Sprintf("%s attempt %d", d.ActivityType, d.Attempt)
		if d.Paused {
			s += ", paused"
		} else if d.NextAttemptAt != nil {
			s += ", next " + d.NextAttemptAt.UTC().Format(time.RFC3339)
		}
		return s
	case filing.StuckWorkflowTaskFailing:
		return fmt.Sprintf("workflow task attempt %d, %s", d.Attempt, d.Cause)
	case filing.StuckDeadlinePassed:
		s := "overdue " + (time.Duration(d.OverdueSeconds) * time.Second).String()
		if it.Deadline != nil {
			s += " (deadline " + it.Deadline.UTC().Format(time.RFC3339) + ")"
		}
		return s
	}
	return ""
}
