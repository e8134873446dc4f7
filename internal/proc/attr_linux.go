package proc

import "syscall"

// attr puts the child in its own process group and signals it with sig
// when its parent dies.
func attr(sig syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: sig}
}

// ParentDeathSignal says whether children get a parent-death signal here.
const ParentDeathSignal = true
