package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

const rootLong = `beianflow — ICP filing (ICP备案) workflows on Temporal

One binary, one role per command, so a deployment scales the API and the
workers separately. Configuration comes from environment variables; see
"beianflow config".`

// The groups of the root's command list, so a newcomer finds "dev" and
// "demo" first and an operator the support tools together.
const (
	groupLocal   = "local"
	groupServe   = "serve"
	groupOperate = "operate"
	groupOther   = "other"
)

func init() {
	// Commands are listed in the order added: the order of use (ctl's
	// follow how support works a stuck filing), not the alphabet's.
	cobra.EnableCommandSorting = false
}

// newRootCmd builds the whole command tree. Building it has no side
// effects: the tests walk it to run every command's --help.
func newRootCmd(c *cli) *cobra.Command {
	root := &cobra.Command{
		Use:   "beianflow",
		Short: "ICP filing (ICP备案) workflows on Temporal",
		Long:  rootLong,
		// Runnable, so that an unknown command reaches subcommandArgs
		// (cobra answers a bare group with its help and exit status 0).
		Args:    subcommandArgs,
		RunE:    helpWhenBare,
		Version: readVersion().String(),
		// main prints the error once, prefixed; a usage dump would bury it.
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(c.out)
	root.SetVersionTemplate("{{.Version}}\n")
	// cobra's own says "version for beianflow".
	root.Flags().BoolP("version", "v", false, `print the line "beianflow version" prints`)
	root.SetFlagErrorFunc(flagError)
	root.SetUsageFunc(usage)
	root.SetHelpCommand(newHelpCmd())
	root.AddGroup(
		&cobra.Group{ID: groupLocal, Title: "Try it on this machine:"},
		&cobra.Group{ID: groupServe, Title: "Run a part of the system:"},
		&cobra.Group{ID: groupOperate, Title: "Operate it:"},
		&cobra.Group{ID: groupOther, Title: "Other commands:"},
	)
	root.SetHelpCommandGroupID(groupOther)
	root.SetCompletionCommandGroupID(groupOther)

	add := func(group string, cmds ...*cobra.Command) {
		for _, cmd := range cmds {
			cmd.GroupID = group
			root.AddCommand(cmd)
		}
	}
	add(groupLocal, newDevCmd(c), newClusterCmd(c), newDemoCmd(c))
	add(groupServe, newServeCmds(c)...)
	add(groupOperate, newCtlCmd(c), newOutboxCmd(c), newAPIKeyCmd(c), newKeysCmd(c), newConfigCmd(c), newHealthcheckCmd())
	add(groupOther, newVersionCmd(c))
	// cobra would add its completion command when executing; added now,
	// it is in the tree the tests walk, its summary reads like the rest and
	// it refuses an unknown shell like any group its unknown command
	// (cobra's prints its help and exits 0).
	root.InitDefaultCompletionCmd()
	for _, cmd := range root.Commands() {
		if cmd.Name() == "completion" {
			cmd.Short = "print the shell completion script for bash, zsh, fish or powershell"
			cmd.Args, cmd.RunE = subcommandArgs, helpWhenBare
		}
	}
	settle(root)
	return root
}

// settle sets what every command of the tree shares: flags listed in the
// order declared (signal's by event), and no file names offered by shell
// completion for positional arguments (IDs, events, URLs: none is a file)
// unless a command completes its own.
func settle(cmd *cobra.Command) {
	cmd.Flags().SortFlags = false
	if cmd.ValidArgsFunction == nil {
		cmd.ValidArgsFunction = cobra.NoFileCompletions
	}
	for _, sub := range cmd.Commands() {
		settle(sub)
	}
}

// helpWhenBare is the RunE of a command that only groups others: given no
// command, it prints its help, as the hand-written CLI did; so it does
// given "help [command]" ("beianflow ctl help reset"), which cobra offers
// on the root only and the hand-written ctl took.
func helpWhenBare(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	target, rest, err := cmd.Find(args[1:])
	if err != nil {
		return err
	}
	if len(rest) > 0 && target.HasSubCommands() {
		return unknownCommand(target, rest[0])
	}
	target.InitDefaultHelpFlag()
	return target.Help()
}

// subcommandArgs is the Args of a command that only groups others: a word
// that names none of them, nor "help", is an unknown command, answered
// with a non-zero exit and the nearest commands.
func subcommandArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 || (args[0] == "help" && cmd.HasParent()) {
		return nil
	}
	return unknownCommand(cmd, args[0])
}

// noArgs is the Args of a command that takes no positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return errorf(cmd, "unexpected argument %q (see %s --help)", args[0], cmd.CommandPath())
	}
	return nil
}

// takes is the Args of a command with n positional arguments; want says
// which, in the error.
func takes(n int, want string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return errorf(cmd, "%s (see %s --help)", want, cmd.CommandPath())
		}
		return nil
	}
}

func unknownCommand(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %s for %s", name, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return fmt.Errorf("%s (see %s --help)", msg, cmd.CommandPath())
}

// commandName is a command's path without the program's name, the prefix
// of its errors ("ctl reset: ..."), as before cobra.
func commandName(cmd *cobra.Command) string {
	return strings.TrimPrefix(strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()), " ")
}

// errorf formats an error of cmd, prefixed with its name.
func errorf(cmd *cobra.Command, format string, a ...any) error {
	return fmt.Errorf(commandName(cmd)+": "+format, a...)
}

// flagError names the command and where its flags are explained.
func flagError(cmd *cobra.Command, err error) error {
	if !cmd.HasParent() {
		return fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath())
	}
	return fmt.Errorf("%s: %w (see %s --help)", commandName(cmd), err, cmd.CommandPath())
}

// newHelpCmd replaces cobra's help command, which answers an unknown topic
// with the root's usage and exit status 0, with one that refuses it like
// any unknown command.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "help about any command",
		Long:  `Prints the help of any command: "beianflow help ctl reset" is "beianflow ctl reset --help".`,
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			target, _, err := cmd.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range target.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := cmd.Root().Find(args)
			if err != nil {
				return err
			}
			if len(rest) > 0 && target.HasSubCommands() {
				return unknownCommand(target, rest[0])
			}
			// What cobra's own help command does, so the flags list is the
			// one --help prints.
			target.InitDefaultHelpFlag()
			target.InitDefaultVersionFlag()
			return target.Help()
		},
	}
}

// usage is cobra's usage text with one change: a command list shows each
// command's synopsis (its Use: "reset ID --to STAGE --reason TEXT"), not
// only its name, so a group's help says how each command is called.
func usage(c *cobra.Command) error {
	w := c.OutOrStderr()
	fmt.Fprint(w, "Usage:")
	if c.Runnable() {
		fmt.Fprintf(w, "\n  %s", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n  %s [command]", c.CommandPath())
	}
	if c.HasExample() {
		fmt.Fprintf(w, "\n\nExamples:\n%s", c.Example)
	}
	if c.HasAvailableSubCommands() {
		listed := func(sub *cobra.Command) bool { return sub.IsAvailableCommand() || sub.Name() == "help" }
		pad := 0
		for _, sub := range c.Commands() {
			if listed(sub) {
				pad = max(pad, len(sub.Use))
			}
		}
		list := func(title, group string) {
			fmt.Fprintf(w, "\n\n%s", title)
			for _, sub := range c.Commands() {
				if listed(sub) && sub.GroupID == group {
					fmt.Fprintf(w, "\n  %-*s  %s", pad, sub.Use, sub.Short)
				}
			}
		}
		if len(c.Groups()) == 0 {
			list("Commands:", "")
		}
		for _, g := range c.Groups() {
			list(g.Title, g.ID)
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(w, "\n\nFlags:\n%s", strings.TrimRight(c.LocalFlags().FlagUsages(), " \n"))
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprintf(w, "\n\nGlobal Flags:\n%s", strings.TrimRight(c.InheritedFlags().FlagUsages(), " \n"))
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n\nUse \"%s [command] --help\" for more information about a command.", c.CommandPath())
	}
	fmt.Fprintln(w)
	return nil
}
