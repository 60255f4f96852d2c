package cluster

import "syscall"

// procAttr puts a part in its own process group, so the terminal's Ctrl-C
// reaches only the supervisor, which then stops the parts in order; and
// asks the kernel to stop it if the supervisor dies without cleaning up.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
