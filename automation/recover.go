package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// RecoverReport says what Recover found and did.
type RecoverReport struct {
	// LocksRemoved counts the stale lock files removed (file backend).
	LocksRemoved int
	// PendingOperations are the operations a crashed run left in the
	// state ("creating", "updating", ...), by URN; they are cleared.
	PendingOperations map[string]string
	// Refresh is the refresh that re-read the real state afterwards.
	Refresh *result.Result
}

// Recover makes a stack usable after its last run crashed or was killed:
// it removes the stack's lock (refusing while the process that holds it is
// still alive on this machine: that is a running update, reported as a
// *ConcurrentUpdateError), then refreshes with the pending operations
// cleared so the state matches what really exists. A later Up converges.
//
// A create that was in flight when the run died is dropped from the state
// (its pending operation is cleared), so the next Up creates the resource
// again. The azure simulator commits a write only when its operation
// finishes, so an interrupted create left nothing and the rerun simply
// creates it. Against Azure the create has usually gone on and finished
// without Pulumi; azure-native then refuses to create over the existing
// resource ("cannot create already existing resource", which the simulator
// also answers), and the fix is `pulumi import` of that resource (or
// deleting it) before the rerun.
func (e *Engine) Recover(ctx context.Context, stack string) (*RecoverReport, error) {
	st, err := e.prepare(ctx, stack, nil)
	if err != nil {
		return nil, err
	}
	report := &RecoverReport{PendingOperations: map[string]string{}}

	locks := e.lockFiles(stack)
	for _, lock := range locks {
		if pid, alive := lockHolderAlive(lock); alive {
			return nil, &ConcurrentUpdateError{Stack: stack, Err: fmt.Errorf("the update holding the lock (pid %d) is still running", pid)}
		}
	}
	if len(locks) > 0 || e.StateDir() == "" {
		// pulumi cancel removes every lock of the stack (file backend) or
		// cancels the update in progress (Pulumi Cloud).
		if err := st.Cancel(ctx); err != nil && len(locks) > 0 {
			return nil, e.classify(ctx, "cancel", stack, err, nil)
		}
		report.LocksRemoved = len(locks)
	}

	state, err := st.Export(ctx)
	if err != nil {
		return nil, e.classify(ctx, "export", stack, err, nil)
	}
	var deployment struct {
		Pending []struct {
			Type     string `json:"type"`
			Resource struct {
				URN string `json:"urn"`
			} `json:"resource"`
		} `json:"pending_operations"`
	}
	if err := json.Unmarshal(state.Deployment, &deployment); err != nil {
		return nil, fmt.Errorf("stack %s: reading its state: %w", stack, err)
	}
	for _, op := range deployment.Pending {
		report.PendingOperations[op.Resource.URN] = op.Type
	}

	report.Refresh, err = e.refresh(ctx, st, "refresh (recover)", []optrefresh.Option{optrefresh.ClearPendingCreates()})
	if err != nil {
		return nil, err
	}
	return report, nil
}

// lockFiles lists the stack's lock files in the file backend
// (.pulumi/locks/<org>/<project>/<stack>/<id>.json); none for other backends.
func (e *Engine) lockFiles(stack string) []string {
	state := e.StateDir()
	if state == "" {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(state, ".pulumi", "locks", "*", e.opts.Project, stack, "*.json"))
	return files
}

// removeStaleLocks removes the stack's lock files whose process is gone
// (file backend, this host), as after a run whose pulumi process was
// killed, and returns how many it removed.
func (e *Engine) removeStaleLocks(stack string) int {
	n := 0
	for _, lock := range e.lockFiles(stack) {
		if _, alive := lockHolderAlive(lock); !alive && os.Remove(lock) == nil {
			n++
		}
	}
	return n
}

// lockHolderAlive reads a lock file and reports whether its process still
// runs: on this host, checked with signal 0; on another host, assumed.
func lockHolderAlive(path string) (int, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	var lock struct {
		Pid      int    `json:"pid"`
		Hostname string `json:"hostname"`
	}
	if json.Unmarshal(data, &lock) != nil || lock.Pid <= 0 {
		return 0, false
	}
	if host, err := os.Hostname(); err != nil || host != lock.Hostname {
		return lock.Pid, true // another machine's update: it cannot be checked from here, so it is not stale
	}
	return lock.Pid, syscall.Kill(lock.Pid, 0) == nil && !zombie(lock.Pid)
}

// zombie reports whether a process has exited but was never reaped (state
// Z in /proc/<pid>/stat, on Linux): signal 0 still finds it, yet it holds
// nothing. Where /proc is absent it reports false.
func zombie(pid int) bool {
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
