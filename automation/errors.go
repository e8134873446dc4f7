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
// outlast the Automation API's grace period (10 s) the process is killed.
// Either way the stack's lock is released (the Engine removes the lock a
// killed process left, see LocksRemoved) and a rerun converges: a resource
// whose operation was cut short is left as a pending operation, which the
// next Up clears and redoes.
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
// secrets masked; Diagnostics hold the engine's error messages.
type EngineError struct {
	Stack, Operation string
	Message          string
	// Diagnostics are the run's error-level messages.
	Diagnostics []result.Diagnostic
	// Steps are the run's steps; failed ones have Failed set.
	Steps []result.Step
}

func (e *EngineError) Error() string {
	return fmt.Sprintf("stack %s: %s failed: %s", e.Stack, e.Operation, e.Message)
}

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
		return &ConcurrentUpdateError{Stack: stack, Err: errors.New(e.mask(err.Error()))}
	}
	ee := &EngineError{Stack: stack, Operation: op}
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
