package automation

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optremove"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Result is what an operation did or, for a preview, would do.
type Result struct {
	// Stack and Op ("preview", "up", "refresh", "destroy") name the run.
	Stack, Op string
	// Changes counts resources per operation, e.g. {"create": 5}.
	Changes map[Op]int
	// Steps are the resources that change (or, with Op "same", do not).
	Steps []Step
	// Diagnostics are the engine's and providers' messages.
	Diagnostics []Diagnostic
	// Outputs are the stack outputs after an up or refresh; secret ones are
	// masked (see Output).
	Outputs map[string]Output `json:",omitempty"`
	// Duration is the wall time of the operation.
	Duration time.Duration
}

// Output is one stack output. A secret output's Value is "[secret]".
type Output struct {
	Value  any
	Secret bool
}

// HasChanges reports whether anything other than "same" is planned or done.
func (r *Result) HasChanges() bool {
	for op, n := range r.Changes {
		if op != apitype.OpSame && n > 0 {
			return true
		}
	}
	return false
}

// ChangeSummary is a stable one-line summary such as "2 create, 1 update"
// (operations in alphabetical order), or "no changes".
func (r *Result) ChangeSummary() string {
	var parts []string
	ops := make([]string, 0, len(r.Changes))
	for op := range r.Changes {
		ops = append(ops, string(op))
	}
	sort.Strings(ops)
	for _, op := range ops {
		if n := r.Changes[Op(op)]; n > 0 && Op(op) != apitype.OpSame {
			parts = append(parts, fmt.Sprintf("%d %s", n, op))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// UpOptions control Up.
type UpOptions struct {
	// AllowReplace lets Up replace or delete guarded resources (a
	// ManagedCluster, or a VNet or subnet in use). Off by default.
	AllowReplace bool
}

// Preview validates the spec, writes it into the stack's config and runs a
// preview. An invalid spec returns *InvalidSpecError before any process runs.
func (e *Engine) Preview(ctx context.Context, stack string, c spec.Cluster) (*Result, error) {
	st, err := e.prepare(ctx, stack, &c)
	if err != nil {
		return nil, err
	}
	return e.preview(ctx, st, "preview")
}

// preview runs a preview; label heads its progress lines.
func (e *Engine) preview(ctx context.Context, st *auto.Stack, label string) (*Result, error) {
	start := time.Now()
	rec, ch, wait := e.listen(label, st.Name())
	opts := []optpreview.Option{optpreview.EventStreams(ch), optpreview.Diff()}
	if e.opts.Parallel > 0 {
		opts = append(opts, optpreview.Parallel(e.opts.Parallel))
	}
	res, err := st.Preview(ctx, opts...)
	wait()
	if err != nil {
		return nil, e.classify(ctx, "preview", st.Name(), err, rec)
	}
	r := e.result(st.Name(), "preview", rec, start)
	r.Changes = changes(res.ChangeSummary)
	return r, nil
}

// Up previews, refuses guarded replacements unless allowed, then deploys.
// The result carries the stack outputs, secrets masked.
func (e *Engine) Up(ctx context.Context, stack string, c spec.Cluster, o UpOptions) (*Result, error) {
	st, err := e.prepare(ctx, stack, &c)
	if err != nil {
		return nil, err
	}
	if !o.AllowReplace {
		plan, err := e.preview(ctx, st, "preview (replacement guardrail)")
		if err != nil {
			return nil, err
		}
		if refused := guarded(plan.Steps); len(refused) > 0 {
			return nil, &ReplacementRefusedError{Stack: stack, Steps: refused}
		}
	}
	start := time.Now()
	rec, ch, wait := e.listen("up", stack)
	opts := []optup.Option{optup.EventStreams(ch), optup.ShowSecrets(false)}
	if e.opts.Parallel > 0 {
		opts = append(opts, optup.Parallel(e.opts.Parallel))
	}
	res, err := st.Up(ctx, opts...)
	wait()
	if err != nil {
		return nil, e.classify(ctx, "up", stack, err, rec)
	}
	r := e.result(stack, "up", rec, start)
	if res.Summary.ResourceChanges != nil {
		r.Changes = changes(*res.Summary.ResourceChanges)
	}
	r.Outputs = e.outputs(res.Outputs)
	return r, nil
}

// Refresh reads every resource's real state into the stack.
func (e *Engine) Refresh(ctx context.Context, stack string) (*Result, error) {
	st, err := e.prepare(ctx, stack, nil)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rec, ch, wait := e.listen("refresh", stack)
	res, err := st.Refresh(ctx, optrefresh.EventStreams(ch), optrefresh.ShowSecrets(false))
	wait()
	if err != nil {
		return nil, e.classify(ctx, "refresh", stack, err, rec)
	}
	r := e.result(stack, "refresh", rec, start)
	if res.Summary.ResourceChanges != nil {
		r.Changes = changes(*res.Summary.ResourceChanges)
	}
	return r, nil
}

// Destroy deletes every resource of the stack (a protected cluster stops it
// with an EngineError naming the resource). The stack itself remains; see
// Remove.
func (e *Engine) Destroy(ctx context.Context, stack string) (*Result, error) {
	st, err := e.prepare(ctx, stack, nil)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rec, ch, wait := e.listen("destroy", stack)
	res, err := st.Destroy(ctx, optdestroy.EventStreams(ch), optdestroy.ShowSecrets(false))
	wait()
	if err != nil {
		return nil, e.classify(ctx, "destroy", stack, err, rec)
	}
	r := e.result(stack, "destroy", rec, start)
	if res.Summary.ResourceChanges != nil {
		r.Changes = changes(*res.Summary.ResourceChanges)
	}
	return r, nil
}

// Outputs returns the stack's outputs, secret ones masked.
func (e *Engine) Outputs(ctx context.Context, stack string) (map[string]Output, error) {
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
	outs, err := e.rawOutputs(ctx, stack)
	if err != nil {
		return "", err
	}
	s, err := secretString(stack, outs, name)
	if err != nil {
		return "", err
	}
	e.addSecret(s)
	return s, nil
}

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

// prepare validates the spec (when given) and returns the stack's handle.
func (e *Engine) prepare(ctx context.Context, stack string, c *spec.Cluster) (*auto.Stack, error) {
	if c != nil {
		if _, err := checkSpec(stack, *c); err != nil {
			return nil, err
		}
	}
	st, err := e.stack(ctx, stack, c)
	if err != nil || c == nil {
		return st, err
	}
	if err := checkPolicies(ctx, st, *c); err != nil {
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

func (e *Engine) result(stack, op string, rec *recorder, start time.Time) *Result {
	steps, diags, summary := rec.result()
	r := &Result{Stack: stack, Op: op, Steps: steps, Diagnostics: diags, Duration: time.Since(start)}
	if summary != nil {
		r.Changes = changes(summary.ResourceChanges)
	}
	return r
}

// outputs masks secret outputs, and remembers their values so they are
// masked wherever they might appear later.
func (e *Engine) outputs(outs auto.OutputMap) map[string]Output {
	res := map[string]Output{}
	for k, v := range outs {
		if v.Secret {
			if s, ok := v.Value.(string); ok {
				e.addSecret(s)
			}
			res[k] = Output{Value: secretMask, Secret: true}
			continue
		}
		res[k] = Output{Value: v.Value}
	}
	return res
}

// changes copies the engine's change counts, dropping zero entries.
func changes[K ~string](in map[K]int) map[Op]int {
	out := map[Op]int{}
	for k, v := range in {
		if v > 0 {
			out[Op(k)] = v
		}
	}
	return out
}
