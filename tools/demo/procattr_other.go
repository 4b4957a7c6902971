//go:build !linux

package main

import "syscall"

// sysProcAttr returns nil outside Linux, where Pdeathsig does not exist: a
// demo killed outright may leave its children running there.
func sysProcAttr() *syscall.SysProcAttr { return nil }
