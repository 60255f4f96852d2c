package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
)

// signalEvents are the outside events ctl signal delivers.
var signalEvents = []string{"courier-delivered", "bureau-sms", "bureau-decision", "verification-result"}

// signalFlags are the flags of ctl signal; which apply depends on the event.
type signalFlags struct {
	tracking, at             string
	receipt, outcome, number string
	approved, rejected       bool
	passed, failed           bool
	person                   string
	reasons                  reasons
}

// register declares the flags on cmd, each saying which events it is for.
func (f *signalFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.tracking, "tracking", "", "courier-delivered: the backdrop's tracking `NUMBER`")
	fl.StringVar(&f.at, "at", "", "courier-delivered: when it was delivered, an `RFC3339` time (default now)")
	fl.StringVar(&f.receipt, "receipt", "", "bureau-sms, bureau-decision: the bureau's receipt `ID`")
	fl.StringVar(&f.outcome, "outcome", "", "bureau-sms: the `OUTCOME`, verified or returned")
	fl.BoolVar(&f.approved, "approved", false, "bureau-decision: the bureau approved")
	fl.BoolVar(&f.rejected, "rejected", false, "bureau-decision: the bureau rejected")
	fl.StringVar(&f.number, "filing-number", "", "bureau-decision: the filing `NUMBER` of an approval")
	fl.BoolVar(&f.passed, "passed", false, "verification-result: the person passed the app's verification")
	fl.BoolVar(&f.failed, "failed", false, "verification-result: the person failed it")
	fl.StringVar(&f.person, "person", "", "verification-result: the responsible person's `KEY` (verifications[].person; default the one the filing waits for)")
	fl.Var(&f.reasons, "reason", "a reason, `CODE[:MESSAGE]`; repeat for more")
	_ = cmd.RegisterFlagCompletionFunc("outcome", cobra.FixedCompletions(
		[]string{filing.SMSVerified, filing.SMSReturned}, cobra.ShellCompDirectiveNoFileComp))
}

func newCtlSignalCmd(s *ctl) *cobra.Command {
	f := &signalFlags{}
	cmd := &cobra.Command{
		Use:   "signal ID EVENT",
		Short: "deliver an outside event by hand: courier, bureau SMS or decision, verification",
		Long: `Delivers an outside event by hand through the API's support endpoints, when
it arrived another way (the bureau phoned a decision) or not at all:

  courier-delivered --tracking NUMBER [--at RFC3339]
  bureau-sms --receipt ID --outcome verified|returned [--reason CODE[:MESSAGE]]...
  bureau-decision --receipt ID --approved --filing-number NUMBER
  bureau-decision --receipt ID --rejected --reason CODE[:MESSAGE]...
  verification-result [--person KEY] --passed
  verification-result [--person KEY] --failed --reason CODE[:MESSAGE]...`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return errors.New("ctl signal: give a filing ID and an event: courier-delivered, bureau-sms, bureau-decision or verification-result (see beianflow ctl signal --help)")
			}
			return checkID(cmd, args[0])
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 1 {
				return signalEvents, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.signal(cmd.Context(), idArg(args[0]), args[1], *f)
		},
	}
	f.register(cmd)
	return cmd
}

// reasons collects --reason CODE[:MESSAGE] flags.
type reasons []filing.Reason

func (r *reasons) String() string {
	if len(*r) == 0 {
		return "" // no "(default [])" in the help
	}
	return fmt.Sprint(*r)
}

// Type names the value in help text.
func (r *reasons) Type() string { return "reason" }

func (r *reasons) Set(v string) error {
	code, msg, _ := strings.Cut(v, ":")
	if code == "" {
		return errors.New("a reason is CODE or CODE:MESSAGE")
	}
	*r = append(*r, filing.Reason{Code: code, Message: msg})
	return nil
}

func (c *ctl) signal(ctx context.Context, id filing.ID, event string, fl signalFlags) error {
	need := func(ok bool, msg string) error {
		if !ok {
			return errors.New("ctl signal " + event + ": " + msg)
		}
		return nil
	}
	rs := fl.reasons
	var deliver func(*apiclient.Client) (*filing.View, error)
	switch event {
	case "courier-delivered":
		if err := need(fl.tracking != "", "give --tracking NUMBER"); err != nil {
			return err
		}
		when := time.Now().UTC()
		if fl.at != "" {
			var err error
			if when, err = time.Parse(time.RFC3339, fl.at); err != nil {
				return errors.New("ctl signal courier-delivered: --at must be an RFC 3339 time such as 2026-11-11T11:20:00+08:00")
			}
		}
		deliver = func(api *apiclient.Client) (*filing.View, error) {
			return api.DeliverCourierEvent(ctx, id, filing.ShipmentDeliveredRequest{TrackingNumber: fl.tracking, DeliveredAt: when})
		}
	case "bureau-sms":
		if err := need(fl.receipt != "" && (fl.outcome == filing.SMSVerified || fl.outcome == filing.SMSReturned),
			"give --receipt ID and --outcome verified or returned"); err != nil {
			return err
		}
		deliver = func(api *apiclient.Client) (*filing.View, error) {
			return api.DeliverSMSOutcome(ctx, id, filing.SMSVerificationRequest{ReceiptID: fl.receipt, Outcome: fl.outcome, Reasons: rs})
		}
	case "bureau-decision":
		if err := need(fl.receipt != "" && fl.approved != fl.rejected, "give --receipt ID and one of --approved or --rejected"); err != nil {
			return err
		}
		if err := need(!fl.approved || fl.number != "", "an approval needs --filing-number"); err != nil {
			return err
		}
		if err := need(!fl.rejected || len(rs) > 0, "a rejection needs at least one --reason CODE[:MESSAGE]"); err != nil {
			return err
		}
		deliver = func(api *apiclient.Client) (*filing.View, error) {
			return api.DeliverBureauDecision(ctx, id, filing.BureauDecisionRequest{ReceiptID: fl.receipt, Approved: fl.approved,
				FilingNumber: fl.number, Reasons: rs})
		}
	case "verification-result":
		if err := need(fl.passed != fl.failed, "give one of --passed or --failed"); err != nil {
			return err
		}
		if err := need(!fl.failed || len(rs) > 0, "a failure needs at least one --reason CODE[:MESSAGE]"); err != nil {
			return err
		}
		deliver = func(api *apiclient.Client) (*filing.View, error) {
			return api.ReportVerificationResult(ctx, id, filing.VerificationResultRequest{Person: fl.person, Passed: fl.passed, Reason: rs})
		}
	default:
		return fmt.Errorf("ctl signal: unknown event %q; the events are courier-delivered, bureau-sms, bureau-decision and verification-result", event)
	}
	return answer(c, deliver, func(f *filing.View) error { return c.printDelivered(event, f) })
}

// printDelivered says where the event left the filing.
func (c *ctl) printDelivered(event string, f *filing.View) error {
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
