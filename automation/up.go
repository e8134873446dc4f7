package automation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// up runs an Up on a prepared stack: a preview that saves its plan, the
// guardrail on that preview, and the update that applies exactly that plan
// (`pulumi up --plan`), so what the guardrail checked is what runs: two
// pulumi processes. With AllowReplace and no saved plan there is no
// guardrail, and the update runs alone: one process.
//
// With UpOptions.Plan (a plan saved for review) Up first checks, in Go,
// that the plan is this stack's and that its configuration (the spec, the
// stored policies) is the stack's, and applies the guardrail to the planned
// operations. Its preview then refreshes first (in memory, as the saving
// preview did) and its plan is compared with the reviewed one, resource by
// resource: a change in Azure or in the stack's state since the review is
// refused there, before anything is written. Only then does the update
// apply the reviewed plan, refreshing first too; pulumi checks every step
// against the plan as it goes, as a second line.
//
// The outputs come from the update's own event stream (the stack's
// outputs event, secrets masked by the engine), not from `pulumi stack
// output`, which the Automation API would run twice, plus `pulumi stack
// history` for the change counts that the event stream's summary already
// has (auto.Stack.Up in sdk v3.274.1, stack.go). Up never reads secret
// outputs in plaintext; SecretOutput and OutputsRevealing do, on demand.
func (e *Engine) up(ctx context.Context, st *auto.Stack, o UpOptions) (*result.Result, error) {
	stack := st.Name()
	var reviewed *planFile
	if o.Plan != "" {
		path, err := filepath.Abs(o.Plan)
		if err != nil {
			return nil, fmt.Errorf("automation: UpOptions.Plan: %w", err)
		}
		if reviewed, err = readPlan(path); err != nil {
			return nil, err
		}
		if err := e.checkPlan(ctx, st, reviewed); err != nil {
			return nil, err
		}
		if !o.AllowReplace {
			if refused := result.Guarded(reviewed.steps()); len(refused) > 0 {
				return nil, &ReplacementRefusedError{Stack: stack, Steps: refused}
			}
		}
	}

	refresh := o.Refresh || reviewed != nil
	var plan string // the plan the update applies
	if reviewed != nil || !o.AllowReplace {
		f, err := os.CreateTemp(e.WorkDir(stack), ".up-*.plan.json")
		if err != nil {
			return nil, fmt.Errorf("automation: %w", err)
		}
		_ = f.Close()
		defer os.Remove(f.Name())
		label, extra := "preview (replacement guardrail)", []optpreview.Option{optpreview.Plan(f.Name())}
		if refresh {
			extra = append(extra, optpreview.Refresh())
		}
		if reviewed != nil {
			label = "preview (checking the plan " + o.Plan + ")"
		}
		preview, err := e.preview(ctx, st, label, extra...)
		if err != nil {
			return nil, err
		}
		if refused := result.Guarded(preview.Steps); len(refused) > 0 && !o.AllowReplace {
			return nil, &ReplacementRefusedError{Stack: stack, Steps: refused}
		}
		plan = f.Name()
		if reviewed != nil {
			now, err := readPlan(f.Name())
			if err != nil {
				return nil, err
			}
			if diffs := planDifferences(reviewed, now); len(diffs) > 0 {
				return nil, &PlanViolationError{Stack: stack, Plan: o.Plan, Resources: diffs}
			}
			plan = reviewed.path
		}
	}

	runCtx, done, err := e.guardState(ctx, stack)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rec, ch, wait := e.listen("up", stack)
	opts := []optup.Option{optup.EventStreams(ch), optup.ShowSecrets(false)}
	if plan != "" {
		opts = append(opts, optup.Plan(plan))
	}
	if refresh {
		opts = append(opts, optup.Refresh())
	}
	if e.opts.Parallel > 0 {
		opts = append(opts, optup.Parallel(e.opts.Parallel))
	}
	_, err = st.Up(withoutFollowUpReads(runCtx), opts...)
	wait()
	if errors.Is(err, errFollowUpRead) {
		err = nil // the update succeeded; what those reads would return is in rec
	}
	if err != nil {
		err = e.classify(runCtx, "up", stack, err, rec)
		if plan != "" {
			err = asPlanViolation(err, o.Plan, rec.applied())
		}
		return nil, done(err)
	}
	_ = done(nil)
	r := e.result(stack, result.KindUp, rec, start)
	outs, ok := rec.outputs()
	if !ok {
		// The run reported no outputs event for the stack (not seen with
		// pulumi v3.274.1): read them.
		raw, err := e.rawOutputs(ctx, stack)
		if err != nil {
			return nil, err
		}
		r.Outputs = e.outputs(raw)
		return r, nil
	}
	r.Outputs = eventOutputs(outs)
	return r, nil
}

// errFollowUpRead declines the reads auto.Stack.Up makes after a
// successful update (`pulumi stack output` twice, `pulumi stack history`):
// the Engine has their answers from the update's event stream. The auto
// package returns the error wrapped, after the update has finished.
var errFollowUpRead = errors.New("automation: read declined: the update's event stream has the outputs and the summary")

type followUpKey struct{}

// withoutFollowUpReads marks ctx so that the CLI (CLI.Command) declines the
// stack output and history reads made under it.
func withoutFollowUpReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, followUpKey{}, true)
}

// isFollowUpRead reports whether a command is one of those reads, under a
// context marked by withoutFollowUpReads.
func isFollowUpRead(ctx context.Context, args []string) bool {
	if ctx.Value(followUpKey{}) == nil || len(args) < 2 || args[0] != "stack" {
		return false
	}
	return args[1] == "output" || args[1] == "history"
}

// eventOutputs turns the stack's outputs as the event stream carries them
// into Outputs: an output holding a secret anywhere is masked whole.
func eventOutputs(outs map[string]any) map[string]result.Output {
	res := make(map[string]result.Output, len(outs))
	for k, v := range outs {
		if holdsSecret(v) {
			res[k] = result.Output{Value: result.SecretMask, Secret: true}
			continue
		}
		res[k] = result.Output{Value: v}
	}
	return res
}

// holdsSecret reports whether an event value is or contains a secret.
func holdsSecret(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if isSecretValue(x) {
			return true
		}
		for _, e := range x {
			if holdsSecret(e) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(x, holdsSecret)
	}
	return false
}

// finished records a completed step: the stack's outputs, the changes
// made to cloud resources (for PlanViolationError.Applied), and what a
// refresh found changed outside Pulumi (Result.Drift).
func (r *recorder) finished(m apitype.StepEventMetadata) {
	if m.Type == "pulumi:pulumi:Stack" && m.New != nil && m.URN == m.New.URN {
		r.stackOutputs = m.New.Outputs
		if r.stackOutputs == nil {
			r.stackOutputs = map[string]any{}
		}
	}
	custom := m.New != nil && m.New.Custom || m.Old != nil && m.Old.Custom
	if !custom || strings.HasPrefix(m.Type, "pulumi:providers:") {
		return // components and providers are nothing in Azure
	}
	switch result.Op(m.Op) {
	case result.OpRefresh:
		// A refresh's outcome: the resource is gone (no new state), or its
		// state read back differs from the stack's (the refresh's diff).
		d := result.Drift{URN: m.URN, Type: m.Type, Name: nameOf(m.URN)}
		if m.New == nil {
			d.Deleted = true
		} else if d.Diffs = r.diffs(m); len(d.Diffs) == 0 {
			return
		}
		r.drift = append(r.drift, d)
	case result.OpSame, result.OpRead:
	default:
		if r.done == nil {
			r.done = map[string]bool{}
		}
		r.done[m.URN] = true
	}
}

// outputs are the stack's outputs from the run's events, if it sent them.
func (r *recorder) outputs() (map[string]any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stackOutputs, r.stackOutputs != nil
}

// applied are the steps whose change completed, in the order they started.
func (r *recorder) applied() []result.Step {
	steps, _, _ := r.result()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []result.Step
	for _, s := range steps {
		if r.done[s.URN] && !s.Failed {
			out = append(out, s)
		}
	}
	return out
}
