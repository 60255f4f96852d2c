package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildBeianflow builds the command into a temporary directory, so tests
// see what a process does, not what run does in-process. Extra go build
// flags may stamp a version.
func buildBeianflow(t *testing.T, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "beianflow")
	args := append(append([]string{"build", "-o", bin}, flags...), ".")
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil && bytes.Contains(out, []byte("error obtaining VCS status")) {
		// git is there but refuses the checkout (e.g. another user's):
		// build without the commit, as GOFLAGS=-buildvcs=false would.
		t.Logf("go build %v: no VCS stamping here: %s", flags, out)
		out, err = exec.Command("go", append(args[:len(args)-1:len(args)-1], "-buildvcs=false", ".")...).CombinedOutput()
	}
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// sandbox is an environment in which any side effect of the binary shows:
// an empty working directory, HOME, TMPDIR and BEIANFLOW_DATA_DIR, and
// every address the configuration names pointing at a connTrap.
type sandbox struct {
	bin  string
	dirs map[string]string // what each is, e.g. "working directory", to its path
	env  []string
	trap *connTrap
}

func newSandbox(t *testing.T, bin string) *sandbox {
	t.Helper()
	base := t.TempDir()
	s := &sandbox{bin: bin, dirs: map[string]string{}, trap: newConnTrap(t)}
	for _, name := range []string{"work", "home", "data", "tmp"} {
		dir := filepath.Join(base, name)
		require.NoError(t, os.Mkdir(dir, 0o700))
		s.dirs[name] = dir
	}
	s.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + s.dirs["home"],
		"TMPDIR=" + s.dirs["tmp"],
		"BEIANFLOW_DATA_DIR=" + s.dirs["data"],
		"DATABASE_URL=postgres://beianflow@" + s.trap.addr + "/beianflow?sslmode=disable&connect_timeout=2",
		"TEMPORAL_ADDRESS=" + s.trap.addr,
		"S3_ENDPOINT=http://" + s.trap.addr,
		"BEIANFLOW_API_URL=http://" + s.trap.addr,
	}
	return s
}

// with is the sandbox with more variables, set last so that they win.
func (s *sandbox) with(kv ...string) *sandbox {
	c := *s
	c.env = append(append([]string(nil), s.env...), kv...)
	return &c
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs the binary in the sandbox, with no standard input: a command
// that asked for something would read end of file, not wait.
func (s *sandbox) run(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Dir = s.dirs["work"]
	cmd.Env = s.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("beianflow %s: %v", strings.Join(args, " "), err)
	}
	require.NoError(t, ctx.Err(), "beianflow %s did not finish", strings.Join(args, " "))
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// created lists what appeared in the sandbox's directories.
func (s *sandbox) created(t *testing.T) []string {
	t.Helper()
	var found []string
	for name, dir := range s.dirs {
		require.NoError(t, filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != dir {
				rel, _ := filepath.Rel(dir, path)
				found = append(found, name+"/"+rel)
			}
			return nil
		}))
	}
	return found
}

// commandTree is every command of the binary, the root first: the tree
// run builds, with cobra's help command added as executing it adds it.
func commandTree() []*cobra.Command {
	root := newRootCmd(&cli{out: io.Discard, getenv: func(string) string { return "" }})
	root.InitDefaultHelpCmd()
	var all []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		all = append(all, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return all
}

// summary is the first line of a command's own help text, which its help
// must show (and a parent's would not).
func summary(c *cobra.Command) string {
	text := strings.TrimSpace(c.Long)
	if text == "" {
		text = c.Short
	}
	first, _, _ := strings.Cut(text, "\n")
	return first
}

// The sandbox notices what the help test must not see: a command that
// really runs dials the trap, writes its data directory, or asks for a key.
func TestTheSandboxCatchesSideEffects(t *testing.T) {
	s := newSandbox(t, buildBeianflow(t))

	r := s.run(t, "apikey", "list")
	assert.Equal(t, 1, r.code, "the database is the trap: %+v", r)
	assert.Positive(t, s.trap.count.Load(), "the trap saw apikey list connect")
	assert.Empty(t, s.created(t))

	r = s.run(t, "ctl", "stuck")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "set BEIANFLOW_SUPPORT_KEY", "ctl asks for a key")

	r = s.with("DATABASE_URL=").run(t, "apikey", "list")
	assert.Equal(t, 0, r.code, "%+v", r)
	assert.Contains(t, s.created(t), "data/beianflow.db", "the embedded database is created in BEIANFLOW_DATA_DIR")
}

// Every command and subcommand, found by walking the tree, answers --help,
// -h and help CMD with its help and does nothing else: exit status 0,
// nothing on stderr, no file or directory created in the working
// directory, HOME, TMPDIR or BEIANFLOW_DATA_DIR, no connection to the
// database, Temporal, S3 or the API, no key asked for. Shell completion of
// its arguments does nothing else either.
func TestEveryCommandsHelpDoesNothingElse(t *testing.T) {
	s := newSandbox(t, buildBeianflow(t))
	tree := commandTree()
	require.Greater(t, len(tree), 25, "the whole tree, not only the root")
	var names []string
	for _, c := range tree {
		path := strings.Fields(c.CommandPath())[1:]
		name := strings.Join(append([]string{"beianflow"}, path...), " ")
		names = append(names, strings.Join(path, " "))

		help := s.run(t, append(path, "--help")...)
		require.Equal(t, 0, help.code, "%s --help: %+v", name, help)
		assert.Empty(t, help.stderr, "%s --help", name)
		assert.Contains(t, help.stdout, "Usage:\n  "+c.CommandPath(), "%s --help prints its usage", name)
		assert.Contains(t, help.stdout, summary(c), "%s --help prints its own help", name)
		assert.Empty(t, s.created(t), "%s --help created files", name)

		for _, args := range [][]string{append(path, "-h"), append([]string{"help"}, path...)} {
			r := s.run(t, args...)
			assert.Equal(t, result{help.stdout, "", 0}, r, "beianflow %s prints what %s --help does", strings.Join(args, " "), name)
			assert.Empty(t, s.created(t), "beianflow %s created files", strings.Join(args, " "))
		}

		// What a shell runs on TAB after the command.
		r := s.run(t, append(append([]string{"__complete"}, path...), "")...)
		assert.Equal(t, 0, r.code, "completing %s: %+v", name, r)
		assert.Regexp(t, `(?m)^:\d+$`, r.stdout, "completing %s ends with cobra's directive", name)
		assert.Empty(t, s.created(t), "completing %s created files", name)
	}
	t.Logf("checked %d commands: %s", len(names), strings.Join(names, ", "))
	for _, want := range []string{"migrate", "ctl reset", "apikey create", "completion bash", "version", "help"} {
		assert.Contains(t, names, want)
	}
	assert.Zero(t, s.trap.count.Load(), "no command dialed the database, Temporal, S3 or the API")
}

func TestUnknownCommandsExitNonZeroWithASuggestion(t *testing.T) {
	s := newSandbox(t, buildBeianflow(t))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, "beianflow: unknown command serve for beianflow (see beianflow --help)"},
		{[]string{"confg"}, "did you mean config?"},
		{[]string{"versoin"}, "did you mean version?"}, //nolint:misspell // a typo on purpose
		{[]string{"ctl", "retyr", "x"}, "unknown command retyr for beianflow ctl; did you mean retry?"},
		{[]string{"apikey", "lsit"}, "did you mean list?"},
		{[]string{"completion", "tcsh"}, "unknown command tcsh for beianflow completion"},
		{[]string{"help", "ctl", "rest"}, "unknown command rest for beianflow ctl; did you mean reset?"},
		{[]string{"ctl", "reset", "--stage", "x"}, "ctl reset: unknown flag: --stage (see beianflow ctl reset --help)"},
		{[]string{"ctl", "retry"}, "ctl retry: give one filing ID (see beianflow ctl retry --help)"},
		{[]string{"migrate", "now"}, `migrate: unexpected argument "now"`},
		{[]string{"healthcheck"}, "usage: beianflow healthcheck URL"},
	} {
		r := s.run(t, c.args...)
		assert.Equal(t, 1, r.code, "%v: %+v", c.args, r)
		assert.Empty(t, r.stdout, "%v", c.args)
		assert.Contains(t, r.stderr, c.want, "%v", c.args)
	}
	assert.Empty(t, s.created(t))
	assert.Zero(t, s.trap.count.Load())
}

// The flag package, which parsed the flags before cobra, took -name as
// well as --name; scripts written for it keep working.
func TestSingleDashLongFlagsStillWork(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /v1/support/filings/"+ctlFiling+"/reset", 200, ctlResetResult)
	out, err := ctlRun(t, f.env("k"), "-json", "reset", ctlFiling, "-to", "photo_verification", "-reason=INC-2231")
	require.NoError(t, err)
	assert.JSONEq(t, `{"to_stage":"photo_verification","reason":"INC-2231"}`, f.last().body)
	assert.Contains(t, out, `"run_id": "run-2"`)

	// A value is a value, even when it looks like a flag.
	f.on("POST /v1/filings/"+ctlFiling+"/bureau-events/decision", 200, `{"filing_id":"`+ctlFiling+`","stage":"rejected"}`)
	_, err = ctlRun(t, f.env("k"), "signal", ctlFiling, "bureau-decision", "-receipt", "-json", "-rejected", "-reason", "-all")
	require.NoError(t, err)
	assert.JSONEq(t, `{"receipt_id":"-json","approved":false,"reasons":[{"code":"-all"}]}`, f.last().body)

	assert.Equal(t, []string{"ctl", "stuck", "--all", "--", "-all"},
		singleDashFlags(newRootCmd(&cli{out: io.Discard, getenv: os.Getenv}), []string{"ctl", "stuck", "-all", "--", "-all"}))
	var help bytes.Buffer
	require.NoError(t, run([]string{"demo", "-help"}, &help, func(string) string { return "" }))
	assert.Contains(t, help.String(), "--time-scale")
}

// The hand-written ctl took "ctl help" for its usage; every group takes
// "help [command]" as cobra's root does.
func TestGroupsTakeHelpAsACommand(t *testing.T) {
	env := func(string) string { return "" }
	for _, c := range []struct{ help, flag []string }{
		{[]string{"ctl", "help"}, []string{"ctl", "--help"}},
		{[]string{"ctl", "help", "reset"}, []string{"ctl", "reset", "--help"}},
		{[]string{"completion", "help", "zsh"}, []string{"completion", "zsh", "--help"}},
		{[]string{"apikey", "help", "create"}, []string{"apikey", "create", "--help"}},
	} {
		var viaHelp, viaFlag bytes.Buffer
		require.NoError(t, run(c.help, &viaHelp, env), "%v", c.help)
		require.NoError(t, run(c.flag, &viaFlag, env), "%v", c.flag)
		assert.Equal(t, viaFlag.String(), viaHelp.String(), "%v", c.help)
	}
	err := run([]string{"ctl", "help", "rest"}, io.Discard, env)
	assert.ErrorContains(t, err, "unknown command rest for beianflow ctl; did you mean reset?")
	err = run([]string{"apikey"}, io.Discard, env)
	assert.ErrorContains(t, err, "beianflow apikey revoke ID", "apikey alone is still a mistake")
}

func TestBadConfigurationStopsAtStart(t *testing.T) {
	err := run([]string{"api"}, io.Discard, func(k string) string {
		if k == "TEMPORAL_ADDRESS" {
			return "nowhere"
		}
		return ""
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TEMPORAL_ADDRESS")
}

func TestUnknownCommandIsRefused(t *testing.T) {
	err := run([]string{"serve"}, io.Discard, func(string) string { return "" })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unknown command serve")
}

// A migration job needs the database alone: with Temporal and S3 pointing
// at the trap, migrate applies the migrations to the embedded database,
// exits 0 and dials nothing; run again, it finds nothing to apply.
func TestMigrateNeedsOnlyTheDatabase(t *testing.T) {
	s := newSandbox(t, buildBeianflow(t)).with("DATABASE_URL=", "BEIANFLOW_LOG_FORMAT=json")
	r := s.run(t, "migrate")
	require.Equal(t, 0, r.code, "%+v", r)
	assert.Contains(t, r.stderr, `"migrations_applied":[1,`)
	assert.Zero(t, s.trap.count.Load(), "neither Temporal nor S3 was dialed")
	r = s.run(t, "migrate")
	require.Equal(t, 0, r.code, "%+v", r)
	assert.Contains(t, r.stderr, `"migrations_applied":[]`)

	// In production too: the secrets it never reads are not asked for,
	// while the API, given the same, refuses to start.
	prod := s.with("BEIANFLOW_ENV=production")
	r = prod.run(t, "migrate")
	require.Equal(t, 0, r.code, "%+v", r)
	r = prod.run(t, "api")
	assert.NotEqual(t, 0, r.code)
	assert.Contains(t, r.stderr, "BEIANFLOW_WEBHOOK_SECRET")
}

// A production process with a secret published in this repository does not
// start: it says which variables to set, echoes none of their values, and
// dials nothing.
func TestTheAPIRefusesToStartInProductionWithAPublishedDevelopmentSecret(t *testing.T) {
	s := newSandbox(t, buildBeianflow(t)).with("BEIANFLOW_ENV=production", "BEIANFLOW_SANDBOX_ADDR=off",
		"BEIANFLOW_DOWNLOAD_URL_SECRET="+strings.Repeat("x", 32), "BEIANFLOW_REGISTRAR_API_KEY_SECRET=our-own-registrar-secret",
		"BEIANFLOW_SUBJECT_KEY_SECRET=our-own-subject-key", "BEIANFLOW_WEBHOOK_SECRET=our-own-webhook-secret")
	r := s.run(t, "api")
	assert.NotEqual(t, 0, r.code, "%+v", r)
	assert.Contains(t, r.stderr, "S3_SECRET_ACCESS_KEY is the development value published in the beianflow repository")
	assert.NotContains(t, r.stderr, "beianflow-dev-secret")
	assert.Zero(t, s.trap.count.Load(), "it stops before connecting anywhere")
}
