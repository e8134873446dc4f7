package proc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperEnv makes the test binary a parent that starts `sleep` with Run,
// prints its pid and waits to be killed.
const helperEnv = "AKS_CILIUM_PROC_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		cmd := exec.Command("sleep", "300")
		go func() { _ = Run(cmd, syscall.SIGKILL) }()
		for cmd.Process == nil {
			time.Sleep(time.Millisecond)
		}
		fmt.Printf("PID=%d\n", cmd.Process.Pid)
		select {}
	}
	os.Exit(m.Run())
}

// A child started with Run dies with its parent, even on kill -9.
func TestRunChildDiesWithParent(t *testing.T) {
	if !ParentDeathSignal {
		t.Skip("skipped: no parent-death signal outside Linux")
	}
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), helperEnv+"=1")
	out, err := parent.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, parent.Start())
	defer func() { _ = parent.Process.Kill(); _ = parent.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "PID="))
	require.NoError(t, err, line)
	require.True(t, Alive(pid))
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) }) // only if the test failed

	require.NoError(t, parent.Process.Signal(syscall.SIGKILL))
	_ = parent.Wait()
	assert.Eventually(t, func() bool { return !Alive(pid) }, 30*time.Second, 10*time.Millisecond, "the child outlived its parent")
}

// CleanStale removes the folders of processes that are gone, after killing
// what still runs from them, and leaves those of live processes alone.
func TestCleanStale(t *testing.T) {
	parent := t.TempDir()
	gone := exec.Command("true")
	require.NoError(t, gone.Run())
	stale := filepath.Join(parent, fmt.Sprintf("x-%d-abcd", gone.Process.Pid))
	live := filepath.Join(parent, fmt.Sprintf("x-%d-abcd", os.Getppid()))
	mine, err := TempDir(parent, "x-")
	require.NoError(t, err)
	for _, d := range []string{stale, live} {
		require.NoError(t, os.Mkdir(d, 0o700))
	}
	// A process left running from the stale folder (its path in its
	// command line, as etcd's --data-dir).
	leftover := exec.Command("sh", "-c", "sleep 300", filepath.Join(stale, "data"))
	require.NoError(t, leftover.Start())
	exited := make(chan struct{})
	go func() { _ = leftover.Wait(); close(exited) }()
	t.Cleanup(func() { _ = leftover.Process.Kill() })

	assert.Equal(t, []string{stale}, CleanStale(parent, "x-"))
	assert.NoDirExists(t, stale)
	assert.DirExists(t, live, "a live process's folder stays")
	assert.DirExists(t, mine, "this process's own folder stays")
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the process left from the stale folder was not killed")
	}
}
