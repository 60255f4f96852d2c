package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// singleDashFlags rewrites -name and -name=value into --name and
// --name=value where name is a long flag of the command args call. The
// hand-written CLI parsed flags with Go's flag package, which takes both
// forms (ctl even looked for -json itself); pflag reads -name as the
// shorthands -n -a -m -e. Scripts written against the old parser keep
// working. A value that follows a flag taking one is left alone, and so is
// everything after "--".
func singleDashFlags(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil {
		return args
	}
	out := make([]string, 0, len(args))
	value := false // the previous argument was a flag that takes a value
	for i, a := range args {
		switch {
		case value:
			value = false
		case a == "--":
			return append(out, args[i:]...)
		case strings.HasPrefix(a, "--"):
			name, _, inline := strings.Cut(a[2:], "=")
			if f := lookupFlag(cmd, name); f != nil {
				value = !inline && f.NoOptDefVal == ""
			}
		case len(a) > 2 && a[0] == '-':
			name, _, inline := strings.Cut(a[1:], "=")
			if f := lookupFlag(cmd, name); f != nil && len(name) > 1 {
				a = "-" + a
				value = !inline && f.NoOptDefVal == ""
			}
		}
		out = append(out, a)
	}
	return out
}

// helpFlag stands for --help, which cobra adds to a command only when it
// runs.
var helpFlag = &pflag.Flag{Name: "help", NoOptDefVal: "true"}

// lookupFlag finds a long flag of cmd, its own or inherited from a parent.
func lookupFlag(cmd *cobra.Command, name string) *pflag.Flag {
	if name == helpFlag.Name {
		return helpFlag
	}
	if f := cmd.Flags().Lookup(name); f != nil {
		return f
	}
	return cmd.InheritedFlags().Lookup(name)
}
