package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/workflows"
)

// reasons collects --reason CODE[:MESSAGE] flags.
type reasons []workflows.Reason

func (r *reasons) String() string { return fmt.Sprint(*r) }

func (r *reasons) Set(v string) error {
	code, msg, _ := strings.Cut(v, ":")
	if code == "" {
		return errors.New("a reason is CODE or CODE:MESSAGE")
	}
	*r = append(*r, workflows.Reason{Code: code, Message: msg})
	return nil
}

func (c *ctl) signal(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("signal", flag.ContinueOnError)
	tracking := fs.String("tracking", "", "")
	at := fs.String("at", "", "")
	receipt := fs.String("receipt", "", "")
	outcome := fs.String("outcome", "", "")
	approved := fs.Bool("approved", false, "")
	rejected := fs.Bool("rejected", false, "")
	number := fs.String("filing-number", "", "")
	passed := fs.Bool("passed", false, "")
	failed := fs.Bool("failed", false, "")
	var rs reasons
	fs.Var(&rs, "reason", "")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New("ctl signal: give a filing ID and an event: courier-delivered, bureau-sms, bureau-decision or verification-result (see beianflow ctl --help)")
	}
	id, event := pos[0], pos[1]
	need := func(ok bool, msg string) error {
		if !ok {
			return errors.New("ctl signal " + event + ": " + msg)
		}
		return nil
	}
	var f *apiclient.Filing
	switch event {
	case "courier-delivered":
		if err := need(*tracking != "", "give --tracking NUMBER"); err != nil {
			return err
		}
		when := time.Now().UTC()
		if *at != "" {
			if when, err = time.Parse(time.RFC3339, *at); err != nil {
				return errors.New("ctl signal courier-delivered: --at must be an RFC 3339 time such as 2026-11-11T11:20:00+08:00")
			}
		}
		f, err = c.api.DeliverCourierEvent(ctx, id, workflows.ShipmentDeliveredRequest{TrackingNumber: *tracking, DeliveredAt: when})
	case "bureau-sms":
		if err := need(*receipt != "" && (*outcome == workflows.SMSVerified || *outcome == workflows.SMSReturned),
			"give --receipt ID and --outcome verified or returned"); err != nil {
			return err
		}
		f, err = c.api.DeliverSMSOutcome(ctx, id, workflows.SMSVerificationRequest{ReceiptID: *receipt, Outcome: *outcome, Reasons: rs})
	case "bureau-decision":
		if err := need(*receipt != "" && *approved != *rejected, "give --receipt ID and one of --approved or --rejected"); err != nil {
			return err
		}
		if err := need(!*approved || *number != "", "an approval needs --filing-number"); err != nil {
			return err
		}
		if err := need(!*rejected || len(rs) > 0, "a rejection needs at least one --reason CODE[:MESSAGE]"); err != nil {
			return err
		}
		f, err = c.api.DeliverBureauDecision(ctx, id, workflows.BureauDecisionRequest{ReceiptID: *receipt, Approved: *approved,
			FilingNumber: *number, Reasons: rs})
	case "verification-result":
		if err := need(*passed != *failed, "give one of --passed or --failed"); err != nil {
			return err
		}
		if err := need(!*failed || len(rs) > 0, "a failure needs at least one --reason CODE[:MESSAGE]"); err != nil {
			return err
		}
		f, err = c.api.ReportVerificationResult(ctx, id, workflows.VerificationResultRequest{Passed: *passed, Reason: rs})
	default:
		return fmt.Errorf("ctl signal: unknown event %q; the events are courier-delivered, bureau-sms, bureau-decision and verification-result", event)
	}
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(f)
	}
	fmt.Fprintf(c.out, "delivered %s to filing %s: now %s", event, f.FilingID, f.Stage)
	if f.Step != "" {
		fmt.Fprintf(c.out, "/%s", f.Step)
	}
	if f.WaitingOn != "" {
		fmt.Fprintf(c.out, ", waiting on the %s", f.WaitingOn)
	}
	fmt.Fprintln(c.out)
	return nil
}
