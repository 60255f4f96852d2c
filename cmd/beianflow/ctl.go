package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/beianflow/beianflow/apiclient"
	"github.com/beianflow/beianflow/filing"
)

const ctlLong = `beianflow ctl — support tooling, over the HTTP API with a support API key

Finds the filings that are stuck, shows a filing's history, retries its
failing activities, resets it to an earlier stage, checks that a history
replays on the current workflow code, delivers an outside event by hand,
lists webhook deliveries and redelivers one to a receiver that was down
past the retry window. docs/operations.md says when to use which.

Environment:
  BEIANFLOW_API_URL      the API (default http://localhost:8080)
  BEIANFLOW_SUPPORT_KEY  a support API key ("beianflow apikey create --role support");
                         default: the one "make run" wrote to $BEIANFLOW_DATA_DIR/api-keys.env
                         (BEIANFLOW_DATA_DIR defaults to ./data)`

// ctl is one invocation of `beianflow ctl`: a client of the API, which
// needs none of the server's configuration.
type ctl struct {
	out    io.Writer
	getenv func(string) string
	json   bool              // --json: the API's answers as JSON
	api    *apiclient.Client // see client
}

func newCtlCmd(c *cli) *cobra.Command {
	s := &ctl{out: c.out, getenv: c.getenv}
	cmd := &cobra.Command{
		Use:   "ctl",
		Short: "support tooling over the HTTP API: stuck, timeline, retry, reset, replay, signal, deliveries, redeliver",
		Long:  ctlLong,
		Args:  subcommandArgs,
		RunE:  helpWhenBare,
	}
	cmd.PersistentFlags().BoolVar(&s.json, "json", false, "print the API's answers as JSON instead of tables")
	cmd.AddCommand(newCtlStuckCmd(s), newCtlTimelineCmd(s), newCtlRetryCmd(s), newCtlResetCmd(s),
		newCtlReplayCmd(s), newCtlSignalCmd(s), newCtlDeliveriesCmd(s), newCtlRedeliverCmd(s))
	return cmd
}

// onFiling is a ctl command that takes one filing ID, asks the API about it
// with call and prints the answer with text, or as JSON with --json: such a
// command is then only its help and how it prints.
func onFiling[T any](s *ctl, use, short, long string,
	call func(*apiclient.Client, context.Context, filing.ID, ...apiclient.CallOption) (T, error), text func(filing.ID, T) error,
) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  oneID,
		RunE: func(cmd *cobra.Command, args []string) error {
			id := idArg(args[0])
			return answer(s, func(api *apiclient.Client) (T, error) { return call(api, cmd.Context(), id) },
				func(res T) error { return text(id, res) })
		},
	}
}

// client is the API client with the support key, made when a command has
// checked its arguments and is about to call the API: a mistake in them is
// reported first, and help never asks for a key.
func (c *ctl) client() (*apiclient.Client, error) {
	if c.api != nil {
		return c.api, nil
	}
	base := c.getenv("BEIANFLOW_API_URL")
	if base == "" {
		base = "http://localhost:8080"
	}
	key := c.getenv("BEIANFLOW_SUPPORT_KEY")
	if key == "" {
		dir := c.getenv("BEIANFLOW_DATA_DIR")
		if dir == "" {
			dir = "./data"
		}
		key = readEnvFile(devKeyFile(dir))["BEIANFLOW_SUPPORT_KEY"]
	}
	if key == "" {
		return nil, errors.New("ctl: set BEIANFLOW_SUPPORT_KEY to a support API key (beianflow apikey create --role support)")
	}
	c.api = apiclient.New(base, key, apiclient.WithUserAgent("beianflow-ctl/1"))
	return c.api, nil
}

// oneID is the Args of a command that takes one filing ID.
func oneID(cmd *cobra.Command, args []string) error {
	if len(args) != 1 || args[0] == "" {
		return errorf(cmd, "give one filing ID (see %s --help)", cmd.CommandPath())
	}
	return checkID(cmd, args[0])
}

// checkID refuses what is no filing ID before anything is sent.
func checkID(cmd *cobra.Command, arg string) error {
	if _, err := filing.ParseID(arg); err != nil {
		return errorf(cmd, "%q is not a filing ID (a UUID such as 01a2…-…)", arg)
	}
	return nil
}

// idArg is a filing ID argument that oneID or checkID accepted.
func idArg(arg string) filing.ID {
	id, _ := filing.ParseID(arg)
	return id
}

// ask makes call with the support key's client, made only now (see client).
func ask[T any](c *ctl, call func(*apiclient.Client) (T, error)) (T, error) {
	api, err := c.client()
	if err != nil {
		var none T
		return none, err
	}
	return call(api)
}

// answer makes call with the support key's client and prints what the API
// answered: as JSON with --json, else with text.
func answer[T any](c *ctl, call func(*apiclient.Client) (T, error), text func(T) error) error {
	res, err := ask(c, call)
	if err != nil {
		return err
	}
	return show(c, res, text)
}

// show prints an answer of the API: as JSON with --json, else with text.
func show[T any](c *ctl, res T, text func(T) error) error {
	if c.json {
		return c.printJSON(res)
	}
	return text(res)
}

func (c *ctl) printJSON(v any) error {
	enc := json.NewEncoder(c.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
