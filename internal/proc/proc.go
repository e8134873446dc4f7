// Package proc starts the child processes of aks-cilium (the pulumi CLI,
// etcd and kube-apiserver) so that they do not outlive the process that
// started them, and cleans up what a killed run left behind: its temporary
// folders, and the processes still running from them.
//
// On Linux a child gets a parent-death signal (prctl PR_SET_PDEATHSIG,
// through syscall.SysProcAttr.Pdeathsig): when the process that started it
// dies, even by kill -9, the kernel signals the child. The signal is tied to
// the OS thread that started the child, so Run starts and waits for it on a
// goroutine locked to its thread (Go issue 27505). Elsewhere there is no such
// signal, and CleanStale is the only defence.
package proc

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// Run starts cmd and waits for it, like cmd.Run, with the child in its own
// process group (a terminal's Ctrl-C reaches the parent only, which decides
// how to stop the child) and, on Linux, signalled with sig when the parent
// dies. cmd.SysProcAttr must be unset.
func Run(cmd *exec.Cmd, sig syscall.Signal) error {
	cmd.SysProcAttr = attr(sig)
	done := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that forked the
		// child exits: keep this one alive (and this goroutine on it) until
		// the child has been waited for.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		done <- cmd.Run()
	}()
	return <-done
}

// Alive reports whether the process pid runs: signal 0 finds it and it is
// not a zombie (exited but never reaped, which holds nothing).
func Alive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) == nil && !Zombie(pid)
}

// Zombie reports whether a process has exited but was never reaped (state Z
// in /proc/<pid>/stat, on Linux). Where /proc is absent it reports false.
func Zombie(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses and may
	// itself contain spaces or parentheses.
	stat := string(data)
	i := strings.LastIndex(stat, ")")
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

// TempDir creates a private (0700) folder <parent>/<prefix><pid>-<random>
// for this process; parent "" is os.TempDir(). CleanStale recognises it by
// the pid once this process is gone.
func TempDir(parent, prefix string) (string, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	dir := filepath.Join(parent, fmt.Sprintf("%s%d-%s", prefix, os.Getpid(), hex.EncodeToString(b)))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

// CleanStale removes the folders TempDir made in parent with prefix whose
// process is gone, after killing (SIGKILL) any process still running with
// that folder in its command line: an etcd or kube-apiserver that outlived
// a killed run where no parent-death signal exists. It returns the folders
// it removed. Folders of live processes are left alone.
func CleanStale(parent, prefix string) []string {
	if parent == "" {
		parent = os.TempDir()
	}
	matches, _ := filepath.Glob(filepath.Join(parent, prefix+"*"))
	var removed []string
	for _, dir := range matches {
		rest := strings.TrimPrefix(filepath.Base(dir), prefix)
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid == os.Getpid() || Alive(pid) {
			continue
		}
		for _, p := range UsingDir(dir) {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		if os.RemoveAll(dir) == nil {
			removed = append(removed, dir)
		}
	}
	return removed
}

// UsingDir lists the processes whose command line names dir or a path in
// it (Linux: /proc/<pid>/cmdline); none where /proc is absent.
func UsingDir(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		for _, arg := range strings.Split(string(data), "\x00") {
			if arg == dir || strings.Contains(arg, dir+string(filepath.Separator)) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}
