package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is the release's version, set when one is built:
//
//	go build -ldflags "-X main.version=v1.4.0" ./cmd/beianflow
//
// (make build VERSION=v1.4.0). Left empty, the version is the one Go
// stamped into the build information: the module's version under go
// install, a pseudo-version from the checkout's commit, else v0.0.0-dev.
var version string

// commit and modified say which commit the binary was built from when the
// Go toolchain did not stamp it (builds with -buildvcs=false, as on this
// project's machines): `make build` sets them with -X, from git.
var (
	commit   string
	modified string // "true" when the tree had uncommitted changes
)

// devVersion is the version of a build that carries none.
const devVersion = "v0.0.0-dev"

// buildVersion is what the binary knows about how it was built, read from
// the build information the Go toolchain embeds (go version -m shows it).
type buildVersion struct {
	Version  string
	Commit   string // vcs.revision; empty when the build was not stamped
	Time     string // vcs.time, the commit's time (RFC 3339)
	Modified bool   // vcs.modified: built from a tree with uncommitted changes
	Go       string // the toolchain that built it, e.g. go1.26.8
	Platform string // GOOS/GOARCH
}

// readVersion reads the running binary's build information.
func readVersion() buildVersion {
	bi, _ := debug.ReadBuildInfo()
	v := versionOf(bi, version)
	if v.Commit == "" && commit != "" {
		v.Commit, v.Modified = commit, modified == "true"
	}
	return v
}

// versionOf is readVersion for a given build information (nil when the
// binary has none) and -X version.
func versionOf(bi *debug.BuildInfo, stamped string) buildVersion {
	v := buildVersion{Version: stamped, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		if v.Version == "" {
			v.Version = devVersion
		}
		return v
	}
	if v.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	if v.Version == "" {
		v.Version = devVersion
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the one line `beianflow version` prints, in a fixed form that
// scripts may parse:
//
//	beianflow VERSION (commit REVISION, TIME[, modified]) GO OS/ARCH
//	beianflow VERSION (commit unknown) GO OS/ARCH
//
// The second form is a build without VCS stamping (-buildvcs=false, or
// built outside a repository or in a git worktree, which Go does not stamp).
func (v buildVersion) String() string {
	commit := "commit unknown"
	if v.Commit != "" {
		commit = "commit " + v.Commit
		if v.Time != "" {
			commit += ", " + v.Time
		}
		if v.Modified {
			commit += ", modified"
		}
	}
	return fmt.Sprintf("beianflow %s (%s) %s %s", v.Version, commit, v.Go, v.Platform)
}

func newVersionCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version, the commit it was built from and the Go version",
		Long: `Prints one line: the version, the commit the binary was built from (and
whether the tree had uncommitted changes), the Go toolchain and the platform:

  beianflow v1.4.0 (commit 3f2a…, 2026-11-02T08:00:00Z, modified) go1.26.8 linux/amd64

"beianflow --version" prints the same line.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(c.out, readVersion())
			return err
		},
	}
}
