package main

import "syscall"

// childProcAttr puts children in their own process group, so the terminal's
// Ctrl-C reaches only beianflow, which then stops them in order; and asks
// the kernel to stop them if beianflow dies without cleaning up.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
