package main

import "syscall"

// sysProcAttr puts a child in its own process group, so the terminal's
// Ctrl-C reaches only the demo, which then stops the children in order. The
// kernel kills the child when the demo dies, so a demo killed outright leaves
// no server behind (its database may remain).
//
// NOTE: Pdeathsig fires when the OS thread that started the child exits. The
// Go runtime only ends a thread when a goroutine exits while locked to it,
// which neither this program nor the LiveKit SDK does.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
