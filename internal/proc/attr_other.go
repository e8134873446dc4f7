//go:build unix && !linux

package proc

import "syscall"

// attr puts the child in its own process group; there is no parent-death
// signal outside Linux.
func attr(syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// ParentDeathSignal says whether children get a parent-death signal here.
const ParentDeathSignal = false
