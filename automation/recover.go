package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/internal/proc"
)

// RecoverReport says what Recover found and did.
type RecoverReport struct {
	// Restored is set when the stack's checkpoint was damaged (not valid
	// JSON, as a full disk can leave it) and the last good one was put back.
	Restored *RestoredCheckpoint `json:",omitempty"`
	// LocksRemoved counts the stale lock files removed (file backend).
	LocksRemoved int
	// PendingOperations are the operations a crashed run left in the
	// state ("creating", "updating", ...), by URN; they are resolved (see
	// Pending).
	PendingOperations map[string]string
	// Pending says how they were resolved: pending creates imported (the
	// resource exists) or dropped (it does not). Nil when there were none.
	Pending *PendingReport `json:",omitempty"`
	// Refresh is the refresh that re-read the real state afterwards.
	Refresh *result.Result
}

// RestoredCheckpoint says which good checkpoint replaced a damaged one.
type RestoredCheckpoint struct {
	// File is the stack's checkpoint, now the restored one.
	File string
	// From is the good checkpoint it was restored from: the .bak Pulumi
	// keeps beside it (the state before the last write), or the newest
	// good one in the stack's history.
	From string
	// DamagedCopy keeps the damaged file's bytes, for inspection.
	DamagedCopy string
	// Reason is why the checkpoint was judged damaged.
	Reason string
}

// Recover makes a stack usable after its last run crashed, was killed or
// could not write its state (a full disk):
//
//   - a damaged checkpoint (not valid JSON) is replaced by the last good
//     one (the .bak beside it, else the newest good one in the stack's
//     history), keeping a copy of the damaged file (RecoverReport.Restored);
//   - the stack's lock is removed, refusing while the process that holds it
//     is still alive on this machine (that is a running update, reported as
//     a *ConcurrentUpdateError);
//   - one refresh resolves the pending operations and re-reads everything:
//     a pending create is imported when its resource exists (against Azure
//     the create goes on without Pulumi; dropping it would make the next
//     Up fail on "already existing resource") and dropped when it does not
//     (the next Up creates it); see PendingReport. After a restored
//     checkpoint, which can be older than the run that damaged it, the
//     resources a preview says the next up would create are looked up the
//     same way, and those that exist are imported too;
//   - it then waits until Azure has finished the operations the dead run
//     started (a resource of theirs still Creating, Updating or Deleting:
//     Azure carries on without its caller, and AKS refuses other
//     operations on the cluster until then), reading them again with a
//     backoff from 1 s to 30 s until ctx ends (PendingReport.Waited).
//
// A later Up converges. Up resolves pending operations the same way before
// it runs.
func (e *Engine) Recover(ctx context.Context, stack string) (*RecoverReport, error) {
	if err := ValidateStackName(stack); err != nil {
		return nil, err
	}
	report := &RecoverReport{PendingOperations: map[string]string{}}
	restored, err := e.repairCheckpoint(stack)
	if err != nil {
		return nil, err
	}
	report.Restored = restored
	st, err := e.prepare(ctx, stack, nil)
	if err != nil {
		return nil, err
	}
	if objectStoreBackend(e.opts.BackendURL) {
		return e.recoverObjectStore(ctx, st, report)
	}

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

	// A restored checkpoint can be older than the run that damaged it:
	// what that run created is missing from it. What the next up would
	// create is looked up in Azure and adopted when it exists.
	var extra []adoptee
	if restored != nil {
		if extra, err = e.plannedCreates(ctx, st); err != nil {
			return nil, err
		}
	}
	if err := e.recoverRefresh(ctx, st, report, extra); err != nil {
		return nil, err
	}
	return report, nil
}

// recoverRefresh is Recover's refresh: the one that resolves the pending
// operations (and imports extra), or a plain refresh when there are none.
func (e *Engine) recoverRefresh(ctx context.Context, st *auto.Stack, report *RecoverReport, extra []adoptee) error {
	pending, err := e.resolvePending(ctx, st, "refresh (recover)", extra)
	if err != nil {
		return err
	}
	if pending != nil {
		report.Pending, report.PendingOperations, report.Refresh = pending, pending.Operations, pending.Refresh
		return nil
	}
	report.Refresh, err = e.refresh(ctx, st, "refresh (recover)", nil)
	return err
}

// repairCheckpoint replaces the stack's checkpoint (file backend) when it
// is not valid JSON by the newest good one: its .bak, else the newest good
// checkpoint in the stack's history folder. The damaged bytes are kept in
// <checkpoint>.damaged-<time>. It returns nil when the checkpoint is fine
// or absent.
func (e *Engine) repairCheckpoint(stack string) (*RestoredCheckpoint, error) {
	file := e.checkpointFile(stack)
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stack %s: reading its checkpoint: %w", stack, err)
	}
	reason := checkpointProblem(data)
	if reason == "" {
		return nil, nil
	}
	candidates := []string{file + ".bak"}
	history, _ := filepath.Glob(filepath.Join(e.StateDir(), ".pulumi", "history", e.opts.Project, stack, stack+"-*.checkpoint.json"))
	sort.Sort(sort.Reverse(sort.StringSlice(history))) // newest first: the names end in the time
	candidates = append(candidates, history...)
	for _, from := range candidates {
		good, err := os.ReadFile(from)
		if err != nil || checkpointProblem(good) != "" {
			continue
		}
		damaged := fmt.Sprintf("%s.damaged-%s", file, time.Now().UTC().Format("20060102T150405Z"))
		if err := writeFileAtomic(damaged, data); err != nil {
			return nil, e.noSpace(stack, fmt.Errorf("stack %s: keeping a copy of its damaged checkpoint: %w", stack, err))
		}
		if err := writeFileAtomic(file, good); err != nil {
			return nil, e.noSpace(stack, fmt.Errorf("stack %s: restoring its checkpoint from %s: %w", stack, from, err))
		}
		// fileblob's sidecar holds the old file's checksum; drop it rather
		// than keep one that does not match.
		_ = os.Remove(file + ".attrs")
		return &RestoredCheckpoint{File: file, From: from, DamagedCopy: damaged, Reason: reason}, nil
	}
	return nil, &DamagedStateError{Stack: stack, File: file, Err: fmt.Errorf("%s, and neither %s nor the stack's history holds a good checkpoint", reason, file+".bak")}
}

// checkpointProblem says why data is not a usable checkpoint ("" when it
// is): not JSON (a truncated write), or JSON without a checkpoint.
func checkpointProblem(data []byte) string {
	var cp struct {
		Checkpoint *json.RawMessage `json:"checkpoint"`
	}
	if err := json.Unmarshal(data, &cp); err != nil {
		return fmt.Sprintf("it is not valid JSON (%v; %d bytes)", err, len(data))
	}
	if cp.Checkpoint == nil {
		return "it holds no checkpoint"
	}
	return ""
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and
// renames it over path.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Sync(), tmp.Close()); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
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
	return lock.Pid, holderAlive(lock.Pid, lock.Hostname)
}

// holderAlive reports whether the process that took a lock still runs: on
// this host, checked with proc.Alive (a zombie holds nothing); on another
// host, assumed.
func holderAlive(pid int, hostname string) bool {
	if host, err := os.Hostname(); err != nil || host != hostname {
		return true // another machine's update: it cannot be checked from here, so it is not stale
	}
	return proc.Alive(pid)
}
