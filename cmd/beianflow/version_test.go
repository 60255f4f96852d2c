package main

import (
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// versionRE parses the line of `beianflow version`, as a script would.
// Its groups: 1 version, 2 "unknown" or 3 the revision, 4 its time and 5
// ", modified", 6 the toolchain, 7 the platform.
var versionRE = regexp.MustCompile(`^beianflow (\S+) \(commit (?:(unknown)|([0-9a-f]{40})(?:, ([^,)]+))?(, modified)?)\) (go\S+) (\S+/\S+)\n$`)

func TestVersionLineComesFromTheBuildInformation(t *testing.T) {
	const rev = "3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a"
	platform := runtime.GOOS + "/" + runtime.GOARCH
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2026-11-02T08:00:00Z"}, {Key: "vcs.modified", Value: modified}}
	}
	for _, c := range []struct {
		name    string
		bi      *debug.BuildInfo
		stamped string
		want    string
	}{
		{"no build information", nil, "",
			"beianflow v0.0.0-dev (commit unknown) " + runtime.Version() + " " + platform},
		{"go build without VCS stamping", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "",
			"beianflow v0.0.0-dev (commit unknown) go1.26.8 " + platform},
		{"go build in a checkout with changes",
			&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261102080000-3f2a9c1e5b7d+dirty"}, Settings: vcs("true")}, "",
			"beianflow v0.0.0-20261102080000-3f2a9c1e5b7d+dirty (commit " + rev + ", 2026-11-02T08:00:00Z, modified) go1.26.8 " + platform},
		{"go install of a release", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.3.0"}}, "",
			"beianflow v1.3.0 (commit unknown) go1.26.8 " + platform},
		{"a release built with -X main.version",
			&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")}, "v1.4.0",
			"beianflow v1.4.0 (commit " + rev + ", 2026-11-02T08:00:00Z) go1.26.8 " + platform},
	} {
		got := versionOf(c.bi, c.stamped).String()
		assert.Equal(t, c.want, got, c.name)
		assert.Regexp(t, versionRE, got+"\n", c.name)
	}
}

// The real binary: `version` and `--version` print the same line, with
// the version stamped by -ldflags -X, the toolchain, the platform and, when
// go build stamped it, the commit.
func TestVersionCommandPrintsTheBuild(t *testing.T) {
	flags := []string{"-ldflags", "-X main.version=v1.4.0-test"}
	// VCS stamping is off in some environments (GOFLAGS=-buildvcs=false)
	// and impossible in others (a git worktree); asked for where it is
	// possible, the commit is checked against git's.
	bin := buildBeianflow(t, append(flags, "-buildvcs=auto")...)
	s := newSandbox(t, bin)
	r := s.run(t, "version")
	require.Equal(t, 0, r.code, "%+v", r)
	assert.Empty(t, r.stderr)
	m := versionRE.FindStringSubmatch(r.stdout)
	require.NotNil(t, m, "parseable: %q", r.stdout)
	assert.Equal(t, "v1.4.0-test", m[1])
	assert.Equal(t, runtime.Version(), m[6], "the toolchain that built it")
	assert.Equal(t, runtime.GOOS+"/"+runtime.GOARCH, m[7])
	if m[2] == "unknown" {
		t.Logf("this build carries no VCS information (a worktree, or -buildvcs=false): %s", strings.TrimSpace(r.stdout))
	} else if head, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
		assert.Equal(t, strings.TrimSpace(string(head)), m[3], "the commit built")
		assert.NotEmpty(t, m[4], "with its time")
		status, err := exec.Command("git", "status", "--porcelain").Output()
		require.NoError(t, err)
		assert.Equal(t, len(status) > 0, m[5] != "", "modified when the tree has changes")
	}

	long := s.run(t, "--version")
	assert.Equal(t, r, long, "--version prints the same line")
	assert.Empty(t, s.created(t))

	// Without -X, the version is Go's: the module's, a pseudo-version of
	// the commit, or v0.0.0-dev.
	plain := newSandbox(t, buildBeianflow(t)).run(t, "version")
	m = versionRE.FindStringSubmatch(plain.stdout)
	require.NotNil(t, m, "parseable: %q", plain.stdout)
	if m[2] == "unknown" {
		assert.Equal(t, devVersion, m[1])
	} else {
		assert.Contains(t, m[1], m[3][:12], "a pseudo-version of the commit")
	}
}
