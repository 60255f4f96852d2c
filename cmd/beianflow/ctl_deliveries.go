package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
)

// Webhook deliveries: deliveries lists them, redeliver sends an event to an
// endpoint again after its receiver was down past the retry window.

// deliveryStatuses are the statuses a delivery can have, as the API names
// them: the API refuses any other, so ctl does before calling it.
var deliveryStatuses = []string{"pending", "delivered", "failed"}

// maxDeliveries is the API's bound on --limit.
const maxDeliveries = 500

// defaultDeliveries is how many deliveries the API lists without --limit,
// to tell when a listing may have been cut short.
const defaultDeliveries = 100

// redeliveryReason is the API's rule for a redelivery's reason: a code, so
// the audit of who redelivered what can be grouped and searched.
var redeliveryReason = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

func newCtlDeliveriesCmd(s *ctl) *cobra.Command {
	var q apiclient.WebhookDeliveryQuery
	var filingArg string
	cmd := &cobra.Command{
		Use:   "deliveries [--endpoint ID] [--filing ID] [--status pending|delivered|failed] [--limit N]",
		Short: "webhook deliveries of an endpoint, a filing or a status: attempts, last error, next try",
		Long: `Lists webhook deliveries newest first, of one endpoint, one filing or one
status: each one's attempts, the last error's class (timeout, refused,
blocked_address, status 503, ...; never the receiver's answer), the next
attempt or when it was delivered, and the last redelivery by hand.

A delivery is retried for 3 days (BEIANFLOW_DELIVERY_RETRY_FOR) and then
given up as failed. When a receiver was down longer than that, list what was
given up:

  beianflow ctl deliveries --endpoint we_... --status failed

and, once the receiver is back, send each again with beianflow ctl redeliver.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return s.deliveries(cmd.Context(), q, filingArg) },
	}
	cmd.Flags().StringVar(&q.EndpointID, "endpoint", "", "only the deliveries to the endpoint `ID` (we_...)")
	cmd.Flags().StringVar(&filingArg, "filing", "", "only the deliveries of the filing `ID`'s events")
	cmd.Flags().StringVar(&q.Status, "status", "", "only the deliveries with the `STATUS` pending, delivered or failed")
	cmd.Flags().IntVar(&q.Limit, "limit", 0, "list at most `N` deliveries, 1 to 500 (0: the API's default, 100)")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(deliveryStatuses, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// deliveries checks the selection, so a typo is reported before a key is
// asked for, and lists what the API answers.
func (c *ctl) deliveries(ctx context.Context, q apiclient.WebhookDeliveryQuery, filingArg string) error {
	if q.Status != "" && !slices.Contains(deliveryStatuses, q.Status) {
		return fmt.Errorf("ctl deliveries: --status %q is not a delivery status; give %s", q.Status, strings.Join(deliveryStatuses, ", "))
	}
	if filingArg != "" {
		id, err := filing.ParseID(filingArg)
		if err != nil {
			return fmt.Errorf("ctl deliveries: --filing %q is not a filing ID (a UUID such as 01a2…-…): %w", filingArg, err)
		}
		q.FilingID = id
	}
	if q.Limit < 0 || q.Limit > maxDeliveries {
		return fmt.Errorf("ctl deliveries: --limit must be from 1 to %d (0: the API's default)", maxDeliveries)
	}
	return answer(c, func(api *apiclient.Client) ([]filing.WebhookDelivery, error) {
		return api.WebhookDeliveries(ctx, q)
	}, func(ds []filing.WebhookDelivery) error { return c.printDeliveries(ds, q.Limit) })
}

func (c *ctl) printDeliveries(ds []filing.WebhookDelivery, limit int) error {
	if len(ds) == 0 {
		fmt.Fprintln(c.out, "no deliveries match")
		return nil
	}
	fmt.Fprintf(c.out, "%d deliveries, newest first\n", len(ds))
	if limit == 0 {
		limit = defaultDeliveries
	}
	if len(ds) >= limit {
		// The API says nothing of what lies past the limit: a full page
		// may hide older deliveries.
		fmt.Fprintf(c.out, "at most %d are listed: raise --limit (up to %d) or narrow with --endpoint, --filing or --status\n", limit, maxDeliveries)
	}
	fmt.Fprintln(c.out)
	tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tEVENT\tTYPE\tFILING\tSEQ\tSTATUS\tATTEMPTS\tLAST ERROR\tNEXT ATTEMPT / DELIVERED AT\tREDELIVERED BY")
	failed := false
	for _, d := range ds {
		failed = failed || d.Status == "failed"
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%d\t%s\t%s\t%s\n", d.EndpointID, d.EventID, d.EventType, orDash(string(d.FilingID)),
			d.Sequence, d.Status, d.Attempts, orDash(d.LastError), when(d), orDash(redeliveredBy(d)))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("ctl deliveries: print: %w", err)
	}
	if failed {
		fmt.Fprintln(c.out, "\nonce the receiver is back, send a failed one again with:\n  beianflow ctl redeliver ENDPOINT_ID EVENT_ID --reason receiver_restored")
	}
	return nil
}

// when is a delivery's next attempt while it is pending, or when it was
// delivered; a failed one has neither.
func when(d filing.WebhookDelivery) string {
	switch {
	case d.Status == "pending" && d.NextAttemptAt != nil:
		return "next " + d.NextAttemptAt.UTC().Format(time.RFC3339)
	case d.DeliveredAt != nil:
		return "delivered " + d.DeliveredAt.UTC().Format(time.RFC3339)
	}
	return "-"
}

// redeliveredBy is who redelivered a delivery by hand last, and why.
func redeliveredBy(d filing.WebhookDelivery) string {
	if d.RedeliveredBy == "" {
		return ""
	}
	s := d.RedeliveredBy
	if d.RedeliveryReason != "" {
		s += " (" + d.RedeliveryReason + ")"
	}
	return s
}

func newCtlRedeliverCmd(s *ctl) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "redeliver ENDPOINT_ID EVENT_ID --reason CODE",
		Short: "deliver an event to a webhook endpoint again, e.g. after its receiver was down for days",
		Long: `Delivers the event to the endpoint again from now on, retried for the retry
window (3 days) as a new delivery would be, whatever became of it before:
given up as failed, delivered but lost by the receiver, or never sent because
the endpoint was added later or took other event types. An endpoint that
failed for days was disabled too: the redelivery waits until its account
enables it again (PATCH /v1/webhook-endpoints/{id} {"enabled":true}).

Use it when a receiver was down past the retry window: list what was given
up with "beianflow ctl deliveries --endpoint ENDPOINT_ID --status failed", then
redeliver each event once the receiver is back. The support key and the
reason, a snake_case code such as receiver_restored, are recorded on the
delivery (see ctl deliveries) and logged.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 || args[0] == "" || args[1] == "" {
				return errorf(cmd, "give an endpoint ID (we_...) and an event ID (evt_...) (see %s --help)", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.redeliver(cmd.Context(), filing.RedeliverRequest{EndpointID: args[0], EventID: args[1], Reason: reason})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, recorded on the delivery: a snake_case `CODE` such as receiver_restored")
	return cmd
}

// redeliver checks the reason, which the API requires, before a key is
// asked for, and says what became of the delivery.
func (c *ctl) redeliver(ctx context.Context, req filing.RedeliverRequest) error {
	switch {
	case req.Reason == "":
		return errors.New("ctl redeliver: give --reason CODE saying why, a snake_case code such as receiver_restored (it is recorded on the delivery)")
	case !redeliveryReason.MatchString(req.Reason):
		return fmt.Errorf("ctl redeliver: --reason %q is not a code; give lower-case letters, digits and _, starting with a letter, at most 64 (e.g. receiver_restored)", req.Reason)
	}
	d, err := ask(c, func(api *apiclient.Client) (filing.WebhookDelivery, error) { return api.Redeliver(ctx, req) })
	switch {
	case apiclient.IsCode(err, filing.CodeWebhookEndpointNotFound):
		return fmt.Errorf("ctl redeliver: there is no webhook endpoint %q (the ENDPOINT column of beianflow ctl deliveries): %w", req.EndpointID, err)
	case apiclient.IsCode(err, filing.CodeEventNotFound):
		return fmt.Errorf("ctl redeliver: endpoint %s's account has no event %q in its feed (the EVENT column of beianflow ctl deliveries): %w",
			req.EndpointID, req.EventID, err)
	case err != nil:
		return err
	}
	return show(c, d, c.printRedelivered)
}

func (c *ctl) printRedelivered(d filing.WebhookDelivery) error {
	fmt.Fprintf(c.out, "redelivering %s (%s) to endpoint %s: %s", d.EventID, d.EventType, d.EndpointID, d.Status)
	if d.Status == "pending" && d.NextAttemptAt != nil {
		fmt.Fprintf(c.out, ", next attempt %s", d.NextAttemptAt.UTC().Format(time.RFC3339))
	}
	fmt.Fprintln(c.out)
	if d.FilingID != "" {
		fmt.Fprintf(c.out, "  filing %s, event sequence %d\n", d.FilingID, d.Sequence)
	}
	if d.Attempts > 0 {
		fmt.Fprintf(c.out, "  attempts so far: %d, last error %s\n", d.Attempts, orDash(d.LastError))
	}
	at := ""
	if d.RedeliveredAt != nil {
		at = " at " + d.RedeliveredAt.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(c.out, "  recorded on the delivery: redelivered by %s%s, reason %s\n", orDash(d.RedeliveredBy), at, orDash(d.RedeliveryReason))
	follow := "beianflow ctl deliveries --endpoint " + d.EndpointID
	if d.FilingID != "" {
		follow += " --filing " + string(d.FilingID)
	}
	fmt.Fprintf(c.out, "follow it with: %s\n", follow)
	return nil
}
