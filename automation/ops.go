package automation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optremove"

	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// PreviewOptions control Preview. The zero value is the default; fields
// may be added without breaking callers.
type PreviewOptions struct {
	// SavePlan writes the preview's update plan to this file (pulumi
	// preview --save-plan), for UpOptions.Plan to apply exactly what was
	// reviewed. Such a preview refreshes first (in memory: it writes no
	// state), so the plan is made against what Azure has now. The file's
	// secrets are encrypted with the stack's secrets provider; it is
	// written 0600.
	SavePlan string
}

// UpOptions control Up.
type UpOptions struct {
	// AllowReplace lets Up replace or delete guarded resources (a
	// ManagedCluster, or a VNet or subnet in use). Off by default.
	AllowReplace bool
	// Plan applies a plan saved by PreviewOptions.SavePlan (or `pulumi
	// preview --save-plan`) instead of planning again: Up refuses a plan of
	// another stack or spec before any process runs, applies the guardrail
	// to the planned operations, and stops with a *PlanViolationError at
	// the first resource whose change differs from the plan, after a
	// refresh, so a change in Azure since the preview is found too.
	Plan string
	// Refresh reads every resource from Azure first (pulumi up --refresh;
	// the guardrail preview refreshes too), so that drift (Drift) is put
	// back to the spec: without it Up compares the spec with the stack's
	// state only, and a resource changed or deleted outside Pulumi stays
	// so. Always on with Plan.
	Refresh bool
}

// RefreshOptions control Refresh. The zero value is the default.
type RefreshOptions struct{}

// DestroyOptions control Destroy. The zero value is the default.
type DestroyOptions struct{}

// Preview validates the spec, writes it into the stack's config and runs a
// preview. An invalid spec, or a change from the spec of the stack's last Up
// that AKS cannot make in place and no replacement makes valid
// (spec.ValidateUpdate), returns *InvalidSpecError before any process runs.
// A change that a replacement makes valid is previewed: the result shows the
// replacement, which Up refuses unless allowed.
//
// The result's ARMChanges say what the ACNS step of an up would do through
// ARM (see Up): derived from the stack's previous spec and, when that
// predicts a change of an existing cluster, checked against the cluster's
// ACNS read through ARM (a change already made, say by migrate, is then
// not listed). Specs that never involve ACNS cost no ARM call and no
// process.
//
// With PreviewOptions.SavePlan the preview refreshes first and saves its
// update plan for Up to apply (UpOptions.Plan).
func (e *Engine) Preview(ctx context.Context, stack string, c spec.Cluster, o PreviewOptions) (*result.Result, error) {
	if err := e.checkSpecUpdate(stack, c, true); err != nil {
		return nil, err
	}
	prev, pending, err := e.stored(ctx, stack, c)
	if err != nil {
		return nil, err
	}
	st, err := e.prepare(ctx, stack, &c)
	if err != nil {
		return nil, err
	}
	var r *result.Result
	if o.SavePlan == "" {
		r, err = e.preview(ctx, st, "preview")
	} else {
		r, err = e.previewSavingPlan(ctx, st, o.SavePlan)
	}
	if err != nil {
		return nil, err
	}
	r.ARMChanges = e.checkPlannedACNS(ctx, stack, c.ACNS, plannedACNS(prev, c.ACNS, pending, r.Steps, c.Name))
	return withUpgrades(r, c), nil
}

// stored is what the stack's settings hold before this operation writes
// its spec (storedState); nothing for an invalid spec, which prepare
// refuses. It reads the settings file under the stack's lock, with no
// pulumi process, and creates no stack.
func (e *Engine) stored(ctx context.Context, stack string, c spec.Cluster) (*spec.Cluster, bool, error) {
	if err := ValidateStackName(stack); err != nil {
		return nil, false, err
	}
	if _, err := checkSpec(stack, c); err != nil {
		return nil, false, err
	}
	entry, err := e.entry(ctx, stack)
	if err != nil {
		return nil, false, err
	}
	entry.mu.Lock()
	defer entry.mu.Unlock()
	prev, pending := storedState(ctx, entry.ws, stack)
	return prev, pending, nil
}

// preview runs a preview with extra options (a plan to save, a refresh);
// label heads its progress lines.
func (e *Engine) preview(ctx context.Context, st *auto.Stack, label string, extra ...optpreview.Option) (*result.Result, error) {
	start := time.Now()
	rec, ch, wait := e.listen(label, st.Name())
	opts := append([]optpreview.Option{optpreview.EventStreams(ch), optpreview.Diff()}, extra...)
	if e.opts.Parallel > 0 {
		opts = append(opts, optpreview.Parallel(e.opts.Parallel))
	}
	res, err := st.Preview(ctx, opts...)
	wait()
	if err != nil {
		return nil, e.classify(ctx, "preview", st.Name(), err, rec)
	}
	r := e.result(st.Name(), result.KindPreview, rec, start)
	if len(r.Changes) == 0 {
		r.Changes = changes(res.ChangeSummary) // the summary event's counts, as the SDK read them
	}
	return r, nil
}

// Up checks the spec and its change from the spec of the stack's last Up
// (spec.ValidateUpdate) before any process runs, refusing every immutable
// change with an *InvalidSpecError (with AllowReplace, those a replacement
// makes valid pass). Up creates the stack when it does not exist. Pending
// operations an earlier run left (it was killed, cancelled past the grace
// period, or could not write its state) are resolved first, as Recover
// does: one refresh that imports each pending create whose resource exists
// and drops the others; the result's diagnostics say what it found. It then
// previews, refuses guarded replacements (result.Guarded) unless allowed,
// deploys exactly what the preview planned (with UpOptions.Plan it applies
// a saved plan instead, see up; a difference from the plan is a
// *PlanViolationError), and records the spec as the stack's applied spec.
// The result carries the stack outputs, secrets masked.
//
// Then, when the spec has ACNS on, or the stack's previous spec had it, or
// an earlier up left an ACNS change unfinished, Up makes the cluster's
// ACNS the spec's through ARM (automation/acns, API 2025-10-01: the L7
// level, and every switch of an existing cluster, which azure-native
// 2.88.0 cannot make in place; components.ACNSIgnorePath says why), and
// refreshes the stack when ARM changed it, so that the next preview shows
// no changes. result.ARMChanges records it. When that step fails after a
// successful update, Up returns an *ACNSError with the result; the next Up
// retries it.
func (e *Engine) Up(ctx context.Context, stack string, c spec.Cluster, o UpOptions) (*result.Result, error) {
	if err := e.checkSpecUpdate(stack, c, o.AllowReplace); err != nil {
		return nil, err
	}
	prev, pending, err := e.stored(ctx, stack, c)
	if err != nil {
		return nil, err
	}
	st, err := e.prepare(ctx, stack, &c)
	if err != nil {
		return nil, err
	}
	if err := e.checkRoom(stack); err != nil {
		return nil, err
	}
	resolved, err := e.resolvePending(ctx, st, "refresh (pending operations of an earlier run)", nil)
	if err != nil {
		return nil, err
	}
	involved := acnsInvolved(prev, c.ACNS, pending)
	if involved {
		want := c.ACNS.Effective()
		if err := e.setConfig(ctx, stack, configACNSPending, &want); err != nil {
			return nil, err
		}
	}
	r, err := e.up(ctx, st, o)
	if err != nil {
		return nil, err
	}
	if err := e.recordApplied(ctx, stack, &c); err != nil {
		return nil, err
	}
	r.Diagnostics = append(resolved.diagnostics(), r.Diagnostics...)
	withUpgrades(r, c)
	if involved {
		if err := e.ensureACNS(ctx, st, r, c.ACNS); err != nil {
			return r, &ACNSError{Stack: stack, Result: r, Err: err}
		}
	}
	return r, nil
}

// Refresh reads every resource's real state into the stack.
func (e *Engine) Refresh(ctx context.Context, stack string, _ RefreshOptions) (*result.Result, error) {
	st, err := e.prepare(ctx, stack, nil)
	if err != nil {
		return nil, err
	}
	return e.refresh(ctx, st, "refresh", nil)
}

// refresh runs a refresh with extra options (Recover clears pending
// operations with one); label heads its progress lines.
func (e *Engine) refresh(ctx context.Context, st *auto.Stack, label string, extra []optrefresh.Option) (*result.Result, error) {
	runCtx, done, err := e.guardState(ctx, st.Name())
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rec, ch, wait := e.listen(label, st.Name())
	opts := append([]optrefresh.Option{optrefresh.EventStreams(ch), optrefresh.ShowSecrets(false)}, extra...)
	if e.opts.Parallel > 0 {
		opts = append(opts, optrefresh.Parallel(e.opts.Parallel))
	}
	res, err := st.Refresh(runCtx, opts...)
	wait()
	if err != nil {
		return nil, done(e.classify(runCtx, "refresh", st.Name(), err, rec))
	}
	_ = done(nil)
	r := e.result(st.Name(), result.KindRefresh, rec, start)
	if res.Summary.ResourceChanges != nil {
		r.Changes = changes(*res.Summary.ResourceChanges)
	}
	// Keep AgentPool-managed pools out of the clusters' inputs (agentpools.go).
	n, err := e.dropManagedPools(ctx, st, r)
	if err != nil {
		return nil, err
	}
	if n > 0 && e.opts.Progress != nil {
		fmt.Fprintf(e.opts.Progress, "%s of stack %s: %d agentPoolProfiles entries of pools managed as AgentPool resources left out of the cluster's recorded inputs\n", label, st.Name(), n)
	}
	return r, nil
}

// Destroy deletes every resource of the stack (a protected cluster stops it
// with an EngineError naming the resource). The stack itself remains; see
// Remove.
func (e *Engine) Destroy(ctx context.Context, stack string, _ DestroyOptions) (*result.Result, error) {
	st, err := e.prepare(ctx, stack, nil)
	if err != nil {
		return nil, err
	}
	runCtx, done, err := e.guardState(ctx, stack)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rec, ch, wait := e.listen("destroy", stack)
	opts := []optdestroy.Option{optdestroy.EventStreams(ch), optdestroy.ShowSecrets(false)}
	if e.opts.Parallel > 0 {
		opts = append(opts, optdestroy.Parallel(e.opts.Parallel))
	}
	res, err := st.Destroy(runCtx, opts...)
	wait()
	if err != nil {
		return nil, done(e.classify(runCtx, "destroy", stack, err, rec))
	}
	_ = done(nil)
	if err := e.recordApplied(ctx, stack, nil); err != nil {
		return nil, err
	}
	r := e.result(stack, result.KindDestroy, rec, start)
	if res.Summary.ResourceChanges != nil {
		r.Changes = changes(*res.Summary.ResourceChanges)
	}
	return r, nil
}

// Outputs returns the stack's outputs, secret ones masked.
func (e *Engine) Outputs(ctx context.Context, stack string) (map[string]result.Output, error) {
	outs, err := e.rawOutputs(ctx, stack)
	if err != nil {
		return nil, err
	}
	return e.outputs(outs), nil
}

// SecretOutput returns one secret output's plaintext, for a caller that
// needs it (e.g. the kubeconfig for verification). It is never logged, and
// the Engine masks it in every later result, error and event.
func (e *Engine) SecretOutput(ctx context.Context, stack, name string) (string, error) {
	outs, err := e.OutputsRevealing(ctx, stack, name)
	if err != nil {
		return "", err
	}
	return outs[name].Value.(string), nil
}

// OutputsRevealing reads the stack's outputs once, with the named secret
// outputs in plaintext (each must exist and be a string) and every other
// secret masked. The revealed values are masked in every later result,
// error and event of the Engine.
func (e *Engine) OutputsRevealing(ctx context.Context, stack string, reveal ...string) (map[string]result.Output, error) {
	outs, err := e.rawOutputs(ctx, stack)
	if err != nil {
		return nil, err
	}
	shown := e.outputs(outs)
	for _, name := range reveal {
		s, err := secretString(stack, outs, name)
		if err != nil {
			return nil, err
		}
		e.addSecret(s)
		shown[name] = result.Output{Value: s, Secret: outs[name].Secret}
	}
	return shown, nil
}

// Mask replaces every secret value the Engine knows (the passphrase, secret
// outputs it has read) with result.SecretMask: for add-ons that show text
// derived from those values.
func (e *Engine) Mask(s string) string { return e.mask(s) }

// rawOutputs reads the stack's outputs, secrets in plaintext: only for this
// package, which masks them before anything leaves it.
func (e *Engine) rawOutputs(ctx context.Context, stack string) (auto.OutputMap, error) {
	st, err := e.prepare(ctx, stack, nil)
	if err != nil {
		return nil, err
	}
	outs, err := st.Outputs(ctx)
	if err != nil {
		return nil, e.classify(ctx, "outputs", stack, err, nil)
	}
	return outs, nil
}

// secretString is the string value of one output.
func secretString(stack string, outs auto.OutputMap, name string) (string, error) {
	out, ok := outs[name]
	if !ok {
		return "", fmt.Errorf("stack %s has no output %q", stack, name)
	}
	s, ok := out.Value.(string)
	if !ok {
		return "", fmt.Errorf("stack %s output %q is not a string", stack, name)
	}
	return s, nil
}

// Remove deletes the stack and its history from the backend, and forgets
// its work directory. The stack must be empty (Destroy it first).
func (e *Engine) Remove(ctx context.Context, stack string) error {
	st, err := e.prepare(ctx, stack, nil)
	if err != nil {
		return err
	}
	if err := st.Workspace().RemoveStack(ctx, stack, optremove.Force()); err != nil {
		return e.classify(ctx, "remove", stack, err, nil)
	}
	e.mu.Lock()
	delete(e.stacks, stack)
	e.mu.Unlock()
	return nil
}

// checkSpecUpdate checks a spec and its update from the stack's applied
// spec (replacements: let changes a replacement makes valid pass), in Go:
// no pulumi process.
func (e *Engine) checkSpecUpdate(stack string, c spec.Cluster, replacements bool) error {
	d, err := checkSpec(stack, c)
	if err != nil {
		return err
	}
	if err := e.checkUpdate(stack, d, replacements); err != nil {
		return err
	}
	return e.checkSupport(stack, d)
}

// prepare validates everything it is given (the spec, and the stack's
// stored policies against it) before it touches the stack, then returns the
// stack's handle and writes the spec into the stack's settings. Only an
// operation with a spec (Preview, Up) creates a missing stack; any other
// gets a *StackNotFoundError.
func (e *Engine) prepare(ctx context.Context, stack string, c *spec.Cluster) (*auto.Stack, error) {
	if err := ValidateStackName(stack); err != nil {
		return nil, err
	}
	if c != nil {
		if _, err := checkSpec(stack, *c); err != nil {
			return nil, err
		}
	} else if state := e.StateDir(); state != "" {
		// The file backend answers without a pulumi process, and before the
		// stack's work directory is made.
		stacks, err := localStacks(state, e.opts.Project)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(stacks, stack) {
			return nil, &StackNotFoundError{Stack: stack, Existing: stacks}
		}
	}
	entry, err := e.entry(ctx, stack)
	if err != nil {
		return nil, err
	}
	entry.mu.Lock()
	defer entry.mu.Unlock()
	if c != nil {
		if err := checkPolicies(ctx, entry.ws, stack, *c); err != nil {
			return nil, err
		}
	}
	st, err := e.open(ctx, entry, stack, c != nil)
	if err != nil || c == nil {
		return st, err
	}
	if err := writeSpec(ctx, entry.ws, stack, *c); err != nil {
		return nil, err
	}
	return st, nil
}

// listen starts a recorder on a fresh event channel. wait, called once the
// operation has returned, ends the recorder after its last event. The auto
// package closes the channel only when pulumi streamed events to it; a run
// that fails before it does (a locked stack, a bad flag) leaves it open, so
// waiting for the close alone would hang. Every event is taken before the
// operation returns (the channel is unbuffered and the auto package stops
// its events server first), so stopping then loses none.
//
// With Options.Progress, a line naming the operation and the stack heads
// the run's step lines (Up prints its guardrail preview, then the update).
func (e *Engine) listen(op, stack string) (*recorder, chan events.EngineEvent, func()) {
	if e.opts.Progress != nil {
		fmt.Fprintf(e.opts.Progress, "%s of stack %s:\n", op, stack)
	}
	rec := newRecorder(e.mask, e.opts.Progress)
	ch := make(chan events.EngineEvent)
	stop := make(chan struct{})
	done := make(chan struct{})
	go rec.consume(ch, stop, done)
	return rec, ch, func() {
		close(stop)
		<-done
	}
}

func (e *Engine) result(stack string, kind result.Kind, rec *recorder, start time.Time) *result.Result {
	steps, diags, summary := rec.result()
	r := &result.Result{Project: e.opts.Project, Stack: stack, Kind: kind, Steps: steps, Diagnostics: diags,
		Drift: rec.drifted(), Duration: time.Since(start)}
	if summary != nil {
		r.Changes = changes(summary.ResourceChanges)
	}
	rec.withoutPoolEntries(r)
	return r
}

// outputs masks secret outputs, and remembers their values so they are
// masked wherever they might appear later.
func (e *Engine) outputs(outs auto.OutputMap) map[string]result.Output {
	res := map[string]result.Output{}
	for k, v := range outs {
		if v.Secret {
			if s, ok := v.Value.(string); ok {
				e.addSecret(s)
			}
			res[k] = result.Output{Value: result.SecretMask, Secret: true}
			continue
		}
		res[k] = result.Output{Value: v.Value}
	}
	return res
}

// changes copies the engine's change counts, dropping zero entries.
func changes[K ~string](in map[K]int) map[result.Op]int {
	out := map[result.Op]int{}
	for k, v := range in {
		if v > 0 {
			out[result.Op(k)] = v
		}
	}
	return out
}
