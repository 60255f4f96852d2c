package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/beianflow/beianflow/apiclient"
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
func oneID(cmd string, pos []string) (string, error) {
	if len(pos) != 1 || pos[0] == "" {
		return "", fmt.Errorf("ctl %s: give one filing ID (see beianflow ctl --help)", cmd)
	}
	return pos[0], nil
}

func (c *ctl) printJSON(v any) error {
	enc := json.NewEncoder(c.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
