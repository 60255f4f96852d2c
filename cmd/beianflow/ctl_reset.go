package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/workflows"
)

func (c *ctl) reset(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reset", flag.ContinueOnError)
	to := fs.String("to", "", "")
	reason := fs.String("reason", "", "")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID("reset", pos)
	if err != nil {
		return err
	}
	stages := apiclient.ResettableStages()
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = string(s)
	}
	switch {
	case *to == "":
		return fmt.Errorf("ctl reset: give --to STAGE, one of %s", strings.Join(names, ", "))
	case !slices.Contains(stages, workflows.Stage(*to)):
		return fmt.Errorf("ctl reset: --to %q is not a stage a filing can be reset to; give one of %s", *to, strings.Join(names, ", "))
	case strings.TrimSpace(*reason) == "":
		return errors.New("ctl reset: give --reason TEXT saying why the filing is reset (one line, at most 500 characters; it goes to the audit trail)")
	}
	res, err := c.api.ResetFiling(ctx, id, apiclient.ResetRequest{ToStage: workflows.Stage(*to), Reason: *reason})
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(res)
	}
	fmt.Fprintf(c.out, "reset filing %s to %s (history event %d), new run %s\n", res.FilingID, res.ToStage, res.EventID, res.RunID)
	for _, a := range res.Redelivered {
		outcome := "kept"
		switch {
		case !a.Kept && a.Refusal != "":
			outcome = "refused: " + a.Refusal
		case !a.Kept:
			outcome = "refused"
		}
		fmt.Fprintf(c.out, "  redelivered %s (%s): %s\n", a.Action, a.At.UTC().Format(time.RFC3339), outcome)
	}
	for _, a := range res.Dropped {
		fmt.Fprintf(c.out, "  dropped %s (%s): decided on what is redone\n", a.Action, a.At.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(c.out, "the audit trail (beianflow ctl timeline %s) records who reset it and why\n", res.FilingID)
	return nil
}
