package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/filing"
)

func newCtlTimelineCmd(s *ctl) *cobra.Command {
	return &cobra.Command{
		Use:   "timeline ID",
		Short: "the filing's audit trail and its workflow's events side by side, payloads decoded",
		Long: `Prints the filing's audit trail and its workflow's own event history side by
side, in time order, payloads decoded.`,
		Args: oneID,
		RunE: func(cmd *cobra.Command, args []string) error { return s.timeline(cmd.Context(), idArg(args[0])) },
	}
}

func (c *ctl) timeline(ctx context.Context, id filing.ID) error {
	api, err := c.client()
	if err != nil {
		return err
	}
	h, err := api.FilingHistory(ctx, id)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(h)
	}
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
