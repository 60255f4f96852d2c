package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Process is one supervised server process of the topology: started with
// its output in a log file of its own, stopped gracefully or killed, and
// started again with the same command, as an orchestrator restarts a pod.
type Process struct {
	// Name says which part this is ("temporal-history", "worker-2").
	Name string
	// LogPath is where its output goes (appended across restarts).
	LogPath string

	bin  string
	args []string
	env  []string
	// exited is told when the process ends while it was meant to run.
	exited func(p *Process, err error)

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	// stopping is set while Stop or Kill ends the process on purpose.
	stopping bool
}

func newProcess(name, logPath, bin string, args, env []string, exited func(*Process, error)) *Process {
	return &Process{Name: name, LogPath: logPath, bin: bin, args: args, env: env, exited: exited}
}

// Start runs the process; it must not be running.
func (p *Process) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		select {
		case <-p.done:
		default:
			return fmt.Errorf("%s is already running", p.Name)
		}
	}
	out, err := os.OpenFile(p.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("%s: log: %w", p.Name, err)
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		_ = out.Close()
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done, p.stopping = cmd, done, false
	go func() {
		err := cmd.Wait()
		_ = out.Close()
		p.mu.Lock()
		p.waitErr = err
		stopping := p.stopping
		p.mu.Unlock()
		close(done)
		if !stopping && p.exited != nil {
			p.exited(p, err)
		}
	}()
	return nil
}

// Running reports whether the process is up.
func (p *Process) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// PID is the running process's ID, 0 when it is not running.
func (p *Process) PID() int {
	if !p.Running() {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.Process.Pid
}

// Stop sends SIGTERM and waits up to grace for the process to end, then
// kills it: a graceful stop, as in a rolling deploy.
func (p *Process) Stop(grace time.Duration) error {
	return p.end(syscall.SIGTERM, grace)
}

// Kill sends SIGKILL: the process dies where it stands, as on a lost node.
func (p *Process) Kill() error {
	return p.end(syscall.SIGKILL, 10*time.Second)
}

func (p *Process) end(sig syscall.Signal, grace time.Duration) error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	if cmd == nil {
		p.mu.Unlock()
		return nil
	}
	p.stopping = true
	p.mu.Unlock()
	select {
	case <-done:
		return nil
	default:
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal %s: %w", p.Name, err)
	}
	select {
	case <-done:
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("%s did not stop within %s; killed", p.Name, grace)
	}
	return nil
}

// Wait blocks until the process ends or ctx does.
func (p *Process) Wait(ctx context.Context) error {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.waitErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// LogTail is the end of the process's log: why it died is usually in its
// last lines.
func (p *Process) LogTail(n int64) string { return LogTail(p.LogPath, n) }

// LogTail is the last n bytes of the file at path, or why it cannot be
// read.
func LogTail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "(log unreadable: " + err.Error() + ")"
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		_, _ = f.Seek(st.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}
