package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/filing"
)

func newCtlRetryCmd(s *ctl) *cobra.Command {
	return &cobra.Command{
		Use:   "retry ID",
		Short: "run the filing's failing activities again now, attempts starting over",
		Long: `Runs the filing's failing activities again now, their attempts starting over.
Fix the cause first. Refused when the workflow code itself fails (see
beianflow ctl stuck and replay).`,
		Args: oneID,
		RunE: func(cmd *cobra.Command, args []string) error { return s.retry(cmd.Context(), idArg(args[0])) },
	}
}

func (c *ctl) retry(ctx context.Context, id filing.ID) error {
	api, err := c.client()
	if err != nil {
		return err
	}
	res, err := api.RetryFiling(ctx, id)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(res)
	}
	for _, a := range res.Retried {
		fmt.Fprintf(c.out, "retrying %s now (activity %s, was on attempt %d)\n", a.ActivityType, a.ActivityID, a.AttemptBefore)
		if a.LastFailure != "" {
			fmt.Fprintf(c.out, "  last error: %s\n", a.LastFailure)
		}
	}
	fmt.Fprintf(c.out, "follow it with: beianflow ctl timeline %s\n", id)
	return nil
}
