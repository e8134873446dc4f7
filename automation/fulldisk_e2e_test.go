//go:build linux

package automation_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// The state becomes unwritable in the middle of an Up, while a new agent
// pool is being created: the create finishes in (simulated) Azure, but the
// state cannot record it. Two ways to make it so:
//
//   - tmpfs: the state folder is on a small tmpfs whose inodes are all taken
//     while the create is in flight, so every checkpoint write fails with
//     ENOSPC, as on a full disk. The Engine stops the run at once
//     (*NoSpaceError) instead of waiting out pulumi's ~70 s of retries, and
//     refuses the next run before it starts. The state keeps the pool's
//     create as pending. Mounting needs root (CAP_SYS_ADMIN); without it
//     this case skips and says so.
//   - RLIMIT_FSIZE: the pulumi process's file size limit is lowered below
//     its checkpoint's size while the create is in flight (prlimit, which
//     any Linux user may do to their own processes). Its next checkpoint
//     write is cut off, and pulumi 3.274.1 renames the cut-off file into
//     place: the checkpoint is left truncated (what the issue saw on a full
//     disk), its .bak too on the retries, and the pending create is lost
//     with them. The test then kills pulumi, as an operator would after
//     seeing the error, rather than wait out its retries.
//
// Either way Recover puts the stack right: it restores the last good
// checkpoint when the file is damaged, finds that the pool exists in Azure
// (as a pending create, or, after a restore, as something the next up would
// create) and imports it, and the next Up converges without trying to
// create it again (which would fail on "already existing resource").
func TestE2EStateUnwritableMidRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		// dir returns the Engine's folder; block makes its state unwritable
		// (given the pid of the running pulumi) and returns the undo.
		dir   func(t *testing.T) string
		block func(t *testing.T, dir string, pulumiPID int) (undo func())
		// full: the Engine sees the full disk itself; damaged: the
		// checkpoint is left truncated.
		full, damaged bool
	}{
		{"tmpfs", func(t *testing.T) string { return filepath.Join(smallDisk(t, 16<<20, 2000), "engine") },
			func(t *testing.T, dir string, _ int) func() {
				fillers := fillInodes(t, filepath.Dir(dir))
				return func() { require.NoError(t, os.RemoveAll(fillers)) }
			}, true, false},
		{"RLIMIT_FSIZE", func(t *testing.T) string { return filepath.Join(t.TempDir(), "engine") },
			func(t *testing.T, dir string, pid int) func() {
				info, err := os.Stat(filepath.Join(dir, "state", ".pulumi", "stacks", DefaultProject, "dev.json"))
				require.NoError(t, err)
				checkpoint := filepath.Join(dir, "state", ".pulumi", "stacks", DefaultProject, "dev.json")
				limit := &syscall.Rlimit{Cur: uint64(info.Size() / 2), Max: uint64(info.Size() / 2)}
				require.NoError(t, prlimit(pid, syscall.RLIMIT_FSIZE, limit), "lowering pulumi's file size limit")
				require.Eventually(t, func() bool {
					data, err := os.ReadFile(checkpoint)
					return err == nil && !json.Valid(data)
				}, time.Minute, 20*time.Millisecond, "the checkpoint is cut off")
				require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
				return func() {}
			}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir(t)
			h := newHarness(t, harnessOptions{Dir: dir, PulumiHome: filepath.Join(t.TempDir(), "home"),
				Sim: azuresim.Options{Latency: map[azuresim.OpKey]time.Duration{{Type: "AgentPool", Op: azuresim.OpCreate}: 3 * time.Second}}})
			ctx := t.Context()
			c := referenceSpec("disk")
			step := stepTimer(t)
			_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
			require.NoError(t, err)
			step("first up")
			more := c
			more.UserPools = append(append([]spec.NodePool(nil), c.UserPools...), spec.NodePool{Name: "more", VMSize: "Standard_D4ds_v5", Count: 1})

			// Block the state once the new pool's create is in flight (the
			// reference spec's two pools were the first two creates).
			blocked := make(chan func(), 1)
			go func() {
				for ctx.Err() == nil && h.sim.CallCount("AgentPool", azuresim.OpCreate) < 3 {
					time.Sleep(10 * time.Millisecond)
				}
				locks := lockFiles(t, h.eng, "dev")
				pid := 0
				if len(locks) == 1 {
					var lock struct{ Pid int }
					data, _ := os.ReadFile(locks[0])
					_ = json.Unmarshal(data, &lock)
					pid = lock.Pid
				}
				blocked <- tc.block(t, dir, pid)
			}()
			_, err = h.eng.Up(ctx, "dev", more, UpOptions{})
			undo := <-blocked
			step("up that could not record its work")
			require.Error(t, err, "the run could not record its work")
			assert.Equal(t, 3, h.sim.CallCount("AgentPool", azuresim.OpCreate), "the pool's create went on in Azure")
			var full *NoSpaceError
			if tc.full {
				require.ErrorAs(t, err, &full, "the Engine says the disk is full: %v", err)
				assert.False(t, full.Before)
				assert.Contains(t, err.Error(), "free space, then recover")

				before := h.eng.CLI().Processes()
				_, err = h.eng.Up(ctx, "dev", more, UpOptions{})
				require.ErrorAs(t, err, &full, "a run on the full disk is refused")
				assert.True(t, full.Before, "before it starts")
				assert.LessOrEqual(t, h.eng.CLI().Processes()-before, int64(0), "no pulumi process ran")
			}
			undo()

			rep, err := h.eng.Recover(ctx, "dev")
			require.NoError(t, err)
			step("recover")
			poolURN := "urn:pulumi:dev::" + DefaultProject + "::aks-cilium:index:Platform$aks-cilium:azure:Cluster$" + typeAgentPool + "::platform-cluster-pool-more"
			if tc.damaged {
				require.NotNil(t, rep.Restored, "the truncated checkpoint was replaced by the last good one")
				assert.Contains(t, rep.Restored.Reason, "not valid JSON")
				assert.FileExists(t, rep.Restored.DamagedCopy)
			} else {
				assert.Nil(t, rep.Restored)
				assert.Equal(t, "creating", rep.PendingOperations[poolURN], "the pool's create was pending")
			}
			require.NotNil(t, rep.Pending)
			assert.Equal(t, clusterID(c)+"/agentPools/more", rep.Pending.Imported[poolURN], "and is imported: it exists in Azure")

			up, err := h.eng.Up(ctx, "dev", more, UpOptions{})
			require.NoError(t, err, "the next up converges")
			assert.Zero(t, up.Changes[result.OpCreate], "nothing is created twice: %s", up.ChangeSummary())
			assert.Equal(t, 3, simTypes(h.sim)["AgentPool"])
			assert.Equal(t, 3, h.sim.CallCount("AgentPool", azuresim.OpCreate), "no second create was sent")
			noop, err := h.eng.Preview(ctx, "dev", more, PreviewOptions{})
			require.NoError(t, err)
			assert.False(t, noop.HasChanges(), noop.ChangeSummary())
		})
	}
}

// smallDisk mounts a tmpfs of size bytes with at most inodes files at a new
// folder, unmounted when the test ends; it skips the test when mounting is
// not allowed (it needs root).
func smallDisk(t *testing.T, size, inodes int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	require.NoError(t, os.Mkdir(dir, 0o700))
	opts := "size=" + strconv.Itoa(size) + ",nr_inodes=" + strconv.Itoa(inodes) + ",mode=0700"
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Skipf("skipped: mounting a tmpfs needs root (CAP_SYS_ADMIN): %v; the RLIMIT_FSIZE case covers recovery", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fillInodes takes every free inode of the filesystem at dir with empty
// files, so that any new file (the temporary file of a checkpoint write)
// fails with ENOSPC, and returns the folder holding them.
func fillInodes(t *testing.T, dir string) string {
	fillers := filepath.Join(dir, "fillers")
	_ = os.Mkdir(fillers, 0o700)
	for i := 0; ; i++ {
		f, err := os.Create(filepath.Join(fillers, strconv.Itoa(i)))
		if err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("filling %s: %v", dir, err)
			}
			return fillers
		}
		f.Close()
	}
}

// prlimit sets a resource limit of another process (Linux prlimit(2)).
func prlimit(pid int, resource int, limit *syscall.Rlimit) error {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(resource), uintptr(unsafe.Pointer(limit)), 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
