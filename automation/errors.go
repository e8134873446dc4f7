package automation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// InvalidSpecError: the spec, its baseline policies or its change from the
// spec the stack was last deployed with (spec.ValidateUpdate) is invalid;
// no pulumi process ran. It wraps the *spec.InvalidError with every problem,
// each with its path and rule code (Errs and Codes are promoted from it).
type InvalidSpecError struct {
	Stack string
	*spec.InvalidError
}

func (e *InvalidSpecError) Error() string {
	return fmt.Sprintf("stack %s: nothing was run: %s", e.Stack, e.InvalidError.Error())
}

// Unwrap returns the *spec.InvalidError.
func (e *InvalidSpecError) Unwrap() error { return e.InvalidError }

// invalidSpec wraps err in an *InvalidSpecError when it is a
// *spec.InvalidError, and returns it unchanged otherwise.
func invalidSpec(stack string, err error) error {
	var inv *spec.InvalidError
	if errors.As(err, &inv) {
		return &InvalidSpecError{Stack: stack, InvalidError: inv}
	}
	return err
}

// StackNotFoundError: the operation needs an existing stack and there is
// none of that name in the backend (a mistyped name, or another backend).
// Nothing was created: only Preview and Up create a stack.
type StackNotFoundError struct {
	Stack string
	// Existing are the stacks the backend holds for the project, sorted.
	Existing []string
}

func (e *StackNotFoundError) Error() string {
	existing := "none"
	if len(e.Existing) > 0 {
		existing = strings.Join(e.Existing, ", ")
	}
	return fmt.Sprintf("stack %s does not exist (the stacks are: %s); nothing was created: only a preview or an up creates a stack", e.Stack, existing)
}

// DamagedStateError: the stack's checkpoint file is not valid JSON, as a
// full disk leaves it. Recover restores the last good checkpoint (its .bak),
// keeping a copy of the damaged file.
type DamagedStateError struct {
	Stack string
	// File is the damaged checkpoint.
	File string
	Err  error
}

func (e *DamagedStateError) Error() string {
	return fmt.Sprintf("stack %s: its state file %s is damaged (%v); run Recover (platform recover) to restore the last good checkpoint", e.Stack, e.File, e.Err)
}

func (e *DamagedStateError) Unwrap() error { return e.Err }

// NoSpaceError: the filesystem of the stack's state folder (file backend)
// is full, or too full to record the operation. Before is set when the
// operation was refused before it started (nothing ran); otherwise the run
// was interrupted as soon as the folder filled up, and resources it created
// may be missing from the state: free space, then Recover (it restores a
// damaged checkpoint and imports what the run created).
type NoSpaceError struct {
	Stack string
	// Dir is the state folder.
	Dir string
	// FreeBytes and FreeFiles are what its filesystem had free.
	FreeBytes, FreeFiles uint64
	// NeedBytes is what the Engine asks for (0 when a write failed).
	NeedBytes uint64
	// Before: refused before anything ran.
	Before bool
	// Err is the interrupted run's error, or the failed write.
	Err error
}

func (e *NoSpaceError) Error() string {
	free := sizeText(e.FreeBytes) + " free"
	if e.FreeFiles != ^uint64(0) { // a filesystem that counts inodes
		free = fmt.Sprintf("%s and %d inodes free", sizeText(e.FreeBytes), e.FreeFiles)
	}
	if e.NeedBytes > 0 {
		free += fmt.Sprintf(", %s needed", sizeText(e.NeedBytes))
	}
	if e.Before {
		return fmt.Sprintf("stack %s: not started: the state folder %s is too full to record the run (%s); free space and rerun", e.Stack, e.Dir, free)
	}
	return fmt.Sprintf("stack %s: the state folder %s filled up (%s): the run was stopped; the state may miss what it created: free space, then recover the stack (Recover, `platform recover`)", e.Stack, e.Dir, free)
}

func (e *NoSpaceError) Unwrap() error { return e.Err }

// ConcurrentUpdateError: another operation holds the stack's lock. The
// stack is untouched; retry later, or Recover if its holder crashed.
type ConcurrentUpdateError struct {
	Stack string
	Err   error
}

func (e *ConcurrentUpdateError) Error() string {
	return fmt.Sprintf("stack %s: another update is in progress (the stack is locked); retry, or call Recover if that update crashed", e.Stack)
}

func (e *ConcurrentUpdateError) Unwrap() error { return e.Err }

// ReplacementRefusedError: Up's preview would replace or delete a guarded
// resource (a ManagedCluster, or a VNet or subnet a cluster uses) and the
// caller did not allow it. Nothing was changed.
type ReplacementRefusedError struct {
	Stack string
	// Steps are the refused replacements and deletions, with the keys that
	// force them.
	Steps []result.Step
}

func (e *ReplacementRefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s: refusing to replace or delete guarded resources (set UpOptions.AllowReplace to proceed):", e.Stack)
	for _, s := range e.Steps {
		fmt.Fprintf(&b, "\n  - %s %s (%s)", s.Op, s.Name, s.Type)
		if len(s.ReplaceKeys) > 0 {
			fmt.Fprintf(&b, ": changed %s", strings.Join(s.ReplaceKeys, ", "))
		}
	}
	return b.String()
}

// CancelledError: the caller's context ended the operation. Pulumi is
// interrupted and waits for the resource operations in flight; when they
// outlast the grace period (10 s) the process is killed. Either way the
// stack's lock is released (the Engine removes the lock a killed process
// left, see LocksRemoved) and a rerun converges: a resource whose operation
// was cut short is left as a pending operation, which the next Up (or
// Recover) resolves before it goes on: a pending create is imported when
// its resource exists (the create went on in Azure) and dropped, to be
// created again, when it does not.
type CancelledError struct {
	Stack, Operation string
	Err              error
	// LocksRemoved counts the stale locks the Engine removed after the
	// cancelled run (its pulumi process was killed holding the lock).
	LocksRemoved int
}

func (e *CancelledError) Error() string {
	return fmt.Sprintf("stack %s: %s cancelled: %v", e.Stack, e.Operation, e.Err)
}

func (e *CancelledError) Unwrap() error { return e.Err }

// EngineError: the engine or a provider failed the operation (a resource
// error, an ARM rejection, a program error). Message is the reason, with
// secrets masked; Diagnostics hold the engine's error messages; Err is the
// cause (errors.Is and errors.As reach it, e.g. the Automation API's error
// for auto.IsCompilationError).
type EngineError struct {
	Stack, Operation string
	Message          string
	// Err is the cause. Its Error() text has the Engine's secrets masked.
	Err error
	// Diagnostics are the run's error-level messages.
	Diagnostics []result.Diagnostic
	// Steps are the run's steps; failed ones have Failed set.
	Steps []result.Step
}

func (e *EngineError) Error() string {
	return fmt.Sprintf("stack %s: %s failed: %s", e.Stack, e.Operation, e.Message)
}

func (e *EngineError) Unwrap() error { return e.Err }

// maskedError is a cause whose text has the Engine's secrets masked;
// errors.Is and errors.As still reach the original error.
type maskedError struct {
	msg string
	err error
}

func (m *maskedError) Error() string { return m.msg }
func (m *maskedError) Unwrap() error { return m.err }

// masked wraps err so that its text has the Engine's secrets masked.
func (e *Engine) masked(err error) error { return &maskedError{msg: e.mask(err.Error()), err: err} }

// classify turns an error of the auto package into one of the typed errors.
func (e *Engine) classify(ctx context.Context, op, stack string, err error, rec *recorder) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		// The pulumi process has exited (or was killed) by now: a lock it
		// left behind is stale.
		return &CancelledError{Stack: stack, Operation: op, Err: ctx.Err(), LocksRemoved: e.removeStaleLocks(stack)}
	}
	if auto.IsConcurrentUpdateError(err) {
		return &ConcurrentUpdateError{Stack: stack, Err: e.masked(err)}
	}
	ee := &EngineError{Stack: stack, Operation: op, Err: e.masked(err)}
	if rec != nil {
		var diags []result.Diagnostic
		ee.Steps, diags, _ = rec.result()
		for _, d := range diags {
			if d.Severity == "error" {
				ee.Diagnostics = append(ee.Diagnostics, d)
			}
		}
	}
	switch {
	case len(ee.Diagnostics) > 0:
		var msgs []string
		for _, d := range ee.Diagnostics {
			msgs = append(msgs, d.Message)
		}
		ee.Message = strings.Join(msgs, "; ")
	default:
		ee.Message = e.mask(lastLines(stripANSI(err.Error()), 12))
	}
	return ee
}

// lastLines keeps the end of a long CLI error, where the reason is.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
