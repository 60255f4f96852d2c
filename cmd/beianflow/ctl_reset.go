package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
)

func newCtlResetCmd(s *ctl) *cobra.Command {
	var to, reason string
	cmd := &cobra.Command{
		Use:   "reset ID --to STAGE --reason TEXT",
		Short: "put a running filing back to a stage in a new run, so the stage's work runs again",
		Long: `Puts the filing back to where it last entered STAGE in a new workflow run, so
the stage's work runs again on the current code: after a fix, or a wrong
event delivered by hand (running filings only). The applicant's later
actions are redelivered and kept if they still fit; reviewers', partners'
and cancel decisions after that point are dropped and listed. The reason
goes to the audit trail; ended filings are refused.

STAGE is one of:
  ` + strings.Join(resettableStages(), "\n  "),
		Args: oneID,
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.reset(cmd.Context(), idArg(args[0]), to, reason)
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the `STAGE` to go back to")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit trail: one line of `TEXT`, at most 500 characters")
	_ = cmd.RegisterFlagCompletionFunc("to", cobra.FixedCompletions(resettableStages(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// resettableStages are the stages a filing can be reset to, by name.
func resettableStages() []string {
	stages := filing.ResettableStages()
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = string(s)
	}
	return names
}

func (c *ctl) reset(ctx context.Context, id filing.ID, to, reason string) error {
	names := resettableStages()
	switch {
	case to == "":
		return fmt.Errorf("ctl reset: give --to STAGE, one of %s", strings.Join(names, ", "))
	case !slices.Contains(names, to):
		return fmt.Errorf("ctl reset: --to %q is not a stage a filing can be reset to; give one of %s", to, strings.Join(names, ", "))
	case strings.TrimSpace(reason) == "":
		return errors.New("ctl reset: give --reason TEXT saying why the filing is reset (one line, at most 500 characters; it goes to the audit trail)")
	}
	return answer(c, func(api *apiclient.Client) (*filing.ResetResult, error) {
		return api.ResetFiling(ctx, id, filing.ResetRequest{ToStage: filing.Stage(to), Reason: reason})
	}, c.printReset)
}

func (c *ctl) printReset(res *filing.ResetResult) error {
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
