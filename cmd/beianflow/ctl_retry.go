package main

import (
	"context"
	"flag"
	"fmt"
)

func (c *ctl) retry(ctx context.Context, args []string) error {
	pos, err := parseArgs(flag.NewFlagSet("retry", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	id, err := oneID("retry", pos)
	if err != nil {
		return err
	}
	res, err := c.api.RetryFiling(ctx, id)
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
