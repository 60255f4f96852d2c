package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/beianflow/beianflow/internal/cluster"
)

// The dev system's child processes: the Temporal dev server and the S3
// server, supervised so that one dying stops the whole system.
// childProcAttr is per platform (procattr_*.go).

// child is a supervised process.
type child struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
}

// startChild starts a process whose output goes to logPath. If it exits
// while ctx is live, the whole dev system is stopped: running half a system
// would only confuse.
func startChild(ctx context.Context, cancel context.CancelCauseFunc, log *slog.Logger, name, logPath string, env []string, bin string, args ...string) (*child, error) {
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("dev: %s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		_ = out.Close()
		return nil, fmt.Errorf("dev: start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		_ = out.Close()
		close(c.done)
		if ctx.Err() == nil {
			log.Error("child process exited; stopping", "process", name, "err", err, "log", logPath)
			cancel(fmt.Errorf("%s exited unexpectedly (%w); see %s, which ends:\n%s", name, err, logPath, logTail(logPath, 2048)))
		}
	}()
	return c, nil
}

// stopChildren asks each process to stop, newest first, and kills any that
// does not within ten seconds.
func stopChildren(procs []*child, log *slog.Logger) {
	for i := len(procs) - 1; i >= 0; i-- {
		c := procs[i]
		select {
		case <-c.done:
			continue
		default:
		}
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			log.Warn("process did not stop in time; killing", "process", c.name)
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		log.Info("stopped", "process", c.name)
	}
}

// logTail is the end of a child's log: why it died is usually in its last
// lines, and the caller may not keep the file (tests use temporary
// directories).
func logTail(path string, n int64) string { return cluster.LogTail(path, n) }
