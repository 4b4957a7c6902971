package livekittest

import "syscall"

// sysProcAttr makes the kernel kill livekit-server when the test binary dies,
// so a test killed by a timeout leaves no server behind.
//
// NOTE: Pdeathsig fires when the OS thread that started the child exits. The
// Go runtime only ends a thread when a goroutine exits while locked to it,
// which neither this package nor the LiveKit SDKs do.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
