package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
)

const ctlUsage = `beianflow ctl — support tooling, over the HTTP API with a support API key

Usage: beianflow ctl [--json] <command> [arguments]

Commands:
  stuck [--limit N] [--scan N] [--min-attempts N] [--all]
        filings whose workflow task fails (e.g. non-determinism after a deploy), whose
        activity keeps failing (with the last error and attempt) or whose wait is past its
        deadline, each with what to do. At most --scan open filings (default 200, newest
        first) are described per call; --all goes on until every open filing was.
  timeline ID
        the filing's audit trail and its workflow's own event history side by side, in
        time order, payloads decoded
  retry ID
        run the filing's failing activities again now, attempts starting over (fix the
        cause first); refused when the workflow code itself fails
  reset ID --to STAGE --reason TEXT
        put the filing back to where it last entered STAGE (product_verification,
        information, initial_review, photo_verification, bureau_submission,
        sms_verification or bureau_review) in a new workflow run, so the stage's work runs
        again on the current code: after a fix, or a wrong event delivered by hand (running
        filings only). The applicant's later actions are redelivered and kept if
        they still fit; reviewers', partners' and cancel decisions after that point are
        dropped and listed. The reason goes to the audit trail; ended filings are refused
  replay ID
  replay --file HISTORY.json
        replay the filing's history, or one exported with
        "temporal workflow show -w filing-ID --output json", against the API's workflow
        code: deterministic or not (exit status 1 when not)
  signal ID EVENT [flags]
        deliver an outside event by hand through the API's support endpoints:
          courier-delivered --tracking NUMBER [--at RFC3339]
          bureau-sms --receipt ID --outcome verified|returned [--reason CODE[:MESSAGE]]...
          bureau-decision --receipt ID --approved --filing-number NUMBER
          bureau-decision --receipt ID --rejected --reason CODE[:MESSAGE]...
          verification-result --passed
          verification-result --failed --reason CODE[:MESSAGE]...

Flags:
  --json  print the API's answers as JSON instead of tables

Environment:
  BEIANFLOW_API_URL      the API (default http://localhost:8080)
  BEIANFLOW_SUPPORT_KEY  a support API key ("beianflow apikey create --role support");
                         default: the one "make run" wrote to $BEIANFLOW_DATA_DIR/api-keys.env
                         (BEIANFLOW_DATA_DIR defaults to ./data)
`

// ctl is one invocation of `beianflow ctl`.
type ctl struct {
	api  *apiclient.Client
	out  io.Writer
	json bool
}

// ctlCommand runs `beianflow ctl args...`.
func ctlCommand(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	c := &ctl{out: stdout}
	var rest []string
	for _, a := range args {
		switch a {
		case "--json", "-json":
			c.json = true
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) == 0 || rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help" {
		fmt.Fprint(stdout, ctlUsage)
		return nil
	}
	cmd, rest := rest[0], rest[1:]
	if !slices.Contains([]string{"stuck", "timeline", "retry", "reset", "replay", "signal"}, cmd) {
		return fmt.Errorf("ctl: unknown command %q\n\n%s", cmd, ctlUsage)
	}
	base := getenv("BEIANFLOW_API_URL")
	if base == "" {
		base = "http://localhost:8080"
	}
	key := getenv("BEIANFLOW_SUPPORT_KEY")
	if key == "" {
		dir := getenv("BEIANFLOW_DATA_DIR")
		if dir == "" {
			dir = "./data"
		}
		key = readEnvFile(devKeyFile(dir))["BEIANFLOW_SUPPORT_KEY"]
	}
	if key == "" {
		return errors.New("ctl: set BEIANFLOW_SUPPORT_KEY to a support API key (beianflow apikey create --role support)")
	}
	c.api = apiclient.New(base, key, apiclient.WithUserAgent("beianflow-ctl/1"))

	switch cmd {
	case "stuck":
		return c.stuck(ctx, rest)
	case "timeline":
		return c.timeline(ctx, rest)
	case "retry":
		return c.retry(ctx, rest)
	case "reset":
		return c.reset(ctx, rest)
	case "replay":
		return c.replay(ctx, rest)
	default:
		return c.signal(ctx, rest)
	}
}

// parseArgs parses flags wherever they stand among the positional
// arguments (`retry ID --json` as well as `retry --json ID`).
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("ctl %s: %w", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// oneID takes exactly one positional argument, the filing ID.
func oneID(cmd string, pos []string) (filing.ID, error) {
	if len(pos) != 1 || pos[0] == "" {
		return "", fmt.Errorf("ctl %s: give one filing ID (see beianflow ctl --help)", cmd)
	}
	id, err := filing.ParseID(pos[0])
	if err != nil {
		return "", fmt.Errorf("ctl %s: %q is not a filing ID (a UUID such as 01a2…-…)", cmd, pos[0])
	}
	return id, nil
}

func (c *ctl) printJSON(v any) error {
	enc := json.NewEncoder(c.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

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

func (c *ctl) timeline(ctx context.Context, args []string) error {
	pos, err := parseArgs(flag.NewFlagSet("timeline", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	id, err := oneID("timeline", pos)
	if err != nil {
		return err
	}
	h, err := c.api.FilingHistory(ctx, id)
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
	stages := filing.ResettableStages()
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = string(s)
	}
	switch {
	case *to == "":
		return fmt.Errorf("ctl reset: give --to STAGE, one of %s", strings.Join(names, ", "))
	case !slices.Contains(stages, filing.Stage(*to)):
		return fmt.Errorf("ctl reset: --to %q is not a stage a filing can be reset to; give one of %s", *to, strings.Join(names, ", "))
	case strings.TrimSpace(*reason) == "":
		return errors.New("ctl reset: give --reason TEXT saying why the filing is reset (one line, at most 500 characters; it goes to the audit trail)")
	}
	res, err := c.api.ResetFiling(ctx, id, filing.ResetRequest{ToStage: filing.Stage(*to), Reason: *reason})
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

func (c *ctl) replay(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	file := fs.String("file", "", "")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	var res *filing.ReplayResult
	switch {
	case *file != "" && len(pos) == 0:
		js, err := os.ReadFile(filepath.Clean(*file))
		if err != nil {
			return fmt.Errorf("ctl replay: %w", err)
		}
		if res, err = c.api.ReplayHistory(ctx, js); err != nil {
			return err
		}
	case *file == "":
		id, err := oneID("replay", pos)
		if err != nil {
			return err
		}
		if res, err = c.api.ReplayFiling(ctx, id); err != nil {
			return err
		}
	default:
		return errors.New("ctl replay: give a filing ID or --file, not both")
	}
	if c.json {
		if err := c.printJSON(res); err != nil {
			return err
		}
	} else {
		what := res.WorkflowID
		if what == "" {
			what = "the history"
		}
		if res.Deterministic {
			fmt.Fprintf(c.out, "deterministic: %s (%d events) replays against the API's workflow code\n", what, res.Events)
		} else {
			fmt.Fprintf(c.out, "NOT deterministic: %s (%d events) does not replay against the API's workflow code:\n  %s\n", what, res.Events, res.Error)
		}
	}
	if !res.Deterministic {
		return errors.New("ctl replay: the history does not replay deterministically")
	}
	return nil
}

// reasons collects --reason CODE[:MESSAGE] flags.
type reasons []filing.Reason

func (r *reasons) String() string { return fmt.Sprint(*r) }

func (r *reasons) Set(v string) error {
	code, msg, _ := strings.Cut(v, ":")
	if code == "" {
		return errors.New("a reason is CODE or CODE:MESSAGE")
	}
	*r = append(*r, filing.Reason{Code: code, Message: msg})
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
	id, err := oneID("signal", pos[:1])
	if err != nil {
		return err
	}
	event := pos[1]
	need := func(ok bool, msg string) error {
		if !ok {
			return errors.New("ctl signal " + event + ": " + msg)
		}
		return nil
	}
	var f *filing.View
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
		f, err = c.api.DeliverCourierEvent(ctx, id, filing.ShipmentDeliveredRequest{TrackingNumber: *tracking, DeliveredAt: when})
	case "bureau-sms":
		if err := need(*receipt != "" && (*outcome == filing.SMSVerified || *outcome == filing.SMSReturned),
			"give --receipt ID and --outcome verified or returned"); err != nil {
			return err
		}
		f, err = c.api.DeliverSMSOutcome(ctx, id, filing.SMSVerificationRequest{ReceiptID: *receipt, Outcome: *outcome, Reasons: rs})
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
		f, err = c.api.DeliverBureauDecision(ctx, id, filing.BureauDecisionRequest{ReceiptID: *receipt, Approved: *approved,
			FilingNumber: *number, Reasons: rs})
	case "verification-result":
		if err := need(*passed != *failed, "give one of --passed or --failed"); err != nil {
			return err
		}
		if err := need(!*failed || len(rs) > 0, "a failure needs at least one --reason CODE[:MESSAGE]"); err != nil {
			return err
		}
		f, err = c.api.ReportVerificationResult(ctx, id, filing.VerificationResultRequest{Passed: *passed, Reason: rs})
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
