package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/beianflow/beianflow/apiclient"
)

func (c *ctl) stuck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stuck", flag.ContinueOnError)
	limit := fs.Int("limit", 0, "")
	scan := fs.Int("scan", 0, "")
	minAttempts := fs.Int("min-attempts", 0, "")
	all := fs.Bool("all", false, "")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return errors.New("ctl stuck: takes no arguments, only flags")
	}
	q := apiclient.StuckQuery{Limit: *limit, Scan: *scan, MinAttempts: *minAttempts}
	rep, err := c.api.Stuck(ctx, q)
	if err != nil {
		return err
	}
	for *all && rep.NextCursor != "" {
		q.Cursor = rep.NextCursor
		more, err := c.api.Stuck(ctx, q)
		if err != nil {
			return err
		}
		rep.Items = append(rep.Items, more.Items...)
		rep.Scanned += more.Scanned
		rep.Truncated = rep.Truncated || more.Truncated
		rep.NextCursor = more.NextCursor
	}
	if c.json {
		return c.printJSON(rep)
	}
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

func stageOf(it apiclient.StuckFiling) string {
	s := it.Stage
	if it.Step != "" {
		s += "/" + it.Step
	}
	if it.WaitingOn != "" {
		s += " (" + it.WaitingOn + ")"
	}
	return s
}

func detailOf(it apiclient.StuckFiling) string {
	d := it.Details
	switch it.Reason {
	case apiclient.StuckActivityFailing:
		s := fmt.Sprintf("%s attempt %d", d.ActivityType, d.Attempt)
		if d.Paused {
			s += ", paused"
		} else if d.NextAttemptAt != nil {
			s += ", next " + d.NextAttemptAt.UTC().Format(time.RFC3339)
		}
		return s
	case apiclient.StuckWorkflowTaskFailing:
		return fmt.Sprintf("workflow task attempt %d, %s", d.Attempt, d.Cause)
	case apiclient.StuckDeadlinePassed:
		s := "overdue " + (time.Duration(d.OverdueSeconds) * time.Second).String()
		if it.Deadline != nil {
			s += " (deadline " + it.Deadline.UTC().Format(time.RFC3339) + ")"
		}
		return s
	}
	return ""
}
