//go:build !linux

package livekittest

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }
