package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"

	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Update plans. `pulumi preview --save-plan FILE` writes what the preview
// planned, per resource: the operations and the input changes (its goal),
// and the stack's configuration; `pulumi up --plan FILE` then refuses, at
// the first resource that differs, any operation or input change the plan
// does not hold (pulumi/pkg v3.274.1, resource/deploy/step_generator.go:
// "<op> is not allowed by the plan: ..."; resource/deploy/plan.go: "resource
// <urn> violates plan: properties changed: ..."). Secrets in the file are
// encrypted with the stack's secrets provider. Pulumi documents plans at
// https://www.pulumi.com/docs/iac/operations/stack-management/update-plans/
// and still marks the flags experimental (hidden from --help in v3.274.1);
// the Engine writes and reads pulumi's own format, so `pulumi up --plan`
// applies a plan the Engine saved and the other way round.
//
// The plan is checked step by step, not all at once before anything
// changes: resources the plan allowed and that ran before the first
// difference stay applied (PlanViolationError.Applied names them).

// PlanViolationError: Up was to apply an update plan (a saved one,
// UpOptions.Plan, or the one its own guardrail preview made) and what it
// would do differs from the plan: the spec, the stack's state or Azure
// moved since the preview. Preview again and review the new plan.
type PlanViolationError struct {
	Stack string
	// Plan is the plan file; "" for the plan of Up's own preview.
	Plan string
	// Reason says where the difference is, when it is not per field or
	// resource (e.g. a plan of another stack).
	Reason string
	// SpecDiffs are the spec fields and other configuration keys that
	// differ from the plan's, each as "path: plan value -> new value".
	SpecDiffs []string
	// Resources are the resources whose change differs from the plan's.
	Resources []PlanDifference
	// Applied are the changes that completed before the difference was
	// found (the plan allowed them); empty when nothing was changed.
	Applied []result.Step
	// Steps are the run's steps, and Diagnostics its error-level messages
	// (secrets masked), when the difference was found during the update.
	Steps       []result.Step
	Diagnostics []result.Diagnostic
}

// PlanDifference is one resource whose change differs from its plan.
type PlanDifference struct {
	URN, Type, Name string
	// Reason is what differs, e.g. "planned same, now update: maxCount",
	// or the engine's own words ("update is not allowed by the plan: this
	// resource is constrained to same").
	Reason string
}

func (e *PlanViolationError) Error() string {
	var b strings.Builder
	plan := "its plan"
	if e.Plan != "" {
		plan = "the plan " + e.Plan
	}
	fmt.Fprintf(&b, "stack %s: the update does not match %s", e.Stack, plan)
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	for _, d := range e.SpecDiffs {
		b.WriteString("\n  - " + d)
	}
	for _, d := range e.Resources {
		fmt.Fprintf(&b, "\n  - %s (%s): %s", d.Name, d.Type, d.Reason)
	}
	if len(e.Applied) > 0 {
		names := make([]string, len(e.Applied))
		for i, s := range e.Applied {
			names[i] = string(s.Op) + " " + s.Name
		}
		fmt.Fprintf(&b, "\napplied, as planned, before the difference was found: %s", strings.Join(names, ", "))
	} else {
		b.WriteString("\nnothing was changed")
	}
	b.WriteString("; preview again and review the new plan")
	return b.String()
}

// planFile is the part of a pulumi plan file the Engine reads.
type planFile struct {
	path          string
	Config        config.Map              `json:"config"`
	ResourcePlans map[string]resourcePlan `json:"resourcePlans"`
}

// resourcePlan is one resource's entry: its operations and the input
// changes of its goal (nil goal: a delete).
type resourcePlan struct {
	Steps []result.Op `json:"steps"`
	Goal  *struct {
		InputDiff planDiff `json:"inputDiff"`
	} `json:"goal"`
}

// planDiff is a goal's input changes (apitype.PlanDiffV1).
type planDiff struct {
	Adds    map[string]any `json:"adds"`
	Updates map[string]any `json:"updates"`
	Deletes []string       `json:"deletes"`
}

// readPlan reads a plan file written by `pulumi preview --save-plan`.
func readPlan(path string) (*planFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("automation: reading the update plan: %w", err)
	}
	p := &planFile{path: path}
	if err := json.Unmarshal(data, p); err != nil {
		return nil, fmt.Errorf("automation: %s is not an update plan (pulumi preview --save-plan): %w", path, err)
	}
	if len(p.ResourcePlans) == 0 {
		return nil, fmt.Errorf("automation: %s is not an update plan (pulumi preview --save-plan): it plans no resources", path)
	}
	return p, nil
}

// stackAndProject are the stack and project the plan's resources belong to
// (urn:pulumi:<stack>::<project>::...).
func (p *planFile) stackAndProject() (string, string) {
	for urn := range p.ResourcePlans {
		parts := strings.SplitN(strings.TrimPrefix(urn, "urn:pulumi:"), "::", 3)
		if len(parts) == 3 {
			return parts[0], parts[1]
		}
	}
	return "", ""
}

// steps are the plan's resources with the operation planned for each (the
// replacement's halves fold into "replace", as in a preview's Result), in
// URN order.
func (p *planFile) steps() []result.Step {
	urns := make([]string, 0, len(p.ResourcePlans))
	for urn := range p.ResourcePlans {
		urns = append(urns, urn)
	}
	sort.Strings(urns)
	var steps []result.Step
	for _, urn := range urns {
		steps = append(steps, result.Step{URN: urn, Type: typeOf(urn), Name: nameOf(urn), Op: p.ResourcePlans[urn].op()})
	}
	return steps
}

// op is the resource's planned operation, a replacement's halves folded
// into "replace" as in a preview's Result.
func (rp resourcePlan) op() result.Op {
	op := result.OpSame
	for _, o := range rp.Steps {
		switch {
		case o == result.OpReplace || o == result.OpCreateReplacement || o == result.OpDeleteReplaced:
			op = result.OpReplace
		case op == result.OpSame:
			op = o
		}
	}
	return op
}

// changes maps each input the goal changes to its new value (secrets as
// result.SecretMask: their ciphertext differs every time), deletes to nil.
func (rp resourcePlan) changes() map[string]string {
	out := map[string]string{}
	if rp.Goal == nil {
		return out
	}
	d := rp.Goal.InputDiff
	for _, m := range []map[string]any{d.Adds, d.Updates} {
		for k, v := range m {
			out[k] = render(v)
		}
	}
	for _, k := range d.Deletes {
		out[k] = "(deleted)"
	}
	return out
}

// planDifferences compares the reviewed plan with one made now: a resource
// differs when its operation or its input changes differ. Values are not
// shown (they may be secret); property names are.
func planDifferences(reviewed, now *planFile) []PlanDifference {
	urns := map[string]bool{}
	for urn := range reviewed.ResourcePlans {
		urns[urn] = true
	}
	for urn := range now.ResourcePlans {
		urns[urn] = true
	}
	var diffs []PlanDifference
	for urn := range urns {
		was, inWas := reviewed.ResourcePlans[urn]
		is, inNow := now.ResourcePlans[urn]
		d := PlanDifference{URN: urn, Type: typeOf(urn), Name: nameOf(urn)}
		wasOp, nowOp := was.op(), is.op()
		switch {
		case !inWas:
			d.Reason = fmt.Sprintf("not in the plan, now %s", nowOp)
		case !inNow:
			d.Reason = fmt.Sprintf("planned %s, now not planned", wasOp)
		case wasOp != nowOp:
			d.Reason = fmt.Sprintf("planned %s, now %s", wasOp, nowOp)
			if keys := sortedKeys(is.changes()); len(keys) > 0 && nowOp != result.OpCreate {
				d.Reason += ": " + strings.Join(keys, ", ")
			}
		default:
			a, b := was.changes(), is.changes()
			var keys []string
			for k := range union(a, b) {
				if a[k] != b[k] {
					keys = append(keys, k)
				}
			}
			if len(keys) == 0 {
				continue
			}
			sort.Strings(keys)
			d.Reason = fmt.Sprintf("the planned %s changes otherwise now: %s", nowOp, strings.Join(keys, ", "))
		}
		diffs = append(diffs, d)
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i].URN < diffs[j].URN })
	return diffs
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkPlan refuses a plan made for another stack or project, or for other
// configuration than the stack now has (the spec Up was given, the stored
// policies), before any process runs.
func (e *Engine) checkPlan(ctx context.Context, st *auto.Stack, p *planFile) error {
	stack, project := p.stackAndProject()
	if stack != st.Name() || project != e.opts.Project {
		return &PlanViolationError{Stack: st.Name(), Plan: p.path,
			Reason: fmt.Sprintf("the plan is for stack %q of project %q, not stack %q of project %q", stack, project, st.Name(), e.opts.Project)}
	}
	settings, err := st.Workspace().StackSettings(ctx, st.Name())
	if err != nil {
		return fmt.Errorf("automation: stack %s: reading its settings: %w", st.Name(), err)
	}
	diffs, err := configDiffs(p.Config, settings.Config)
	if err != nil {
		return fmt.Errorf("automation: stack %s: comparing the plan's configuration: %w", st.Name(), err)
	}
	if len(diffs) > 0 {
		return &PlanViolationError{Stack: st.Name(), Plan: p.path,
			Reason: "the configuration differs from the plan's", SpecDiffs: diffs}
	}
	return nil
}

// configDiffs lists the plain (non-secret) configuration keys the program
// reads whose values differ between the plan and the stack, the cluster spec field by field
// (after defaulting, so spelling out a default is no change). Secret values
// are encrypted with a fresh nonce each time and are not compared; a
// secret's change shows in the resources' inputs instead.
func configDiffs(planned, current config.Map) ([]string, error) {
	keys := map[config.Key]bool{}
	for _, m := range []config.Map{planned, current} {
		for k, v := range m {
			// The Engine's own bookkeeping (an ACNS change to make through
			// ARM after the update, the spec of the last Up) is not read by
			// the program.
			if !v.Secure() && k.String() != spec.ConfigACNSPending && k.String() != configApplied {
				keys[k] = true
			}
		}
	}
	var diffs []string
	for k := range keys {
		was, err := plainValue(planned, k)
		if err != nil {
			return nil, err
		}
		now, err := plainValue(current, k)
		if err != nil {
			return nil, err
		}
		if k.String() == spec.ConfigCluster && was != "" && now != "" {
			d, err := specDiffs(was, now)
			if err != nil {
				return nil, err
			}
			diffs = append(diffs, d...)
			continue
		}
		if !sameJSON(was, now) {
			diffs = append(diffs, fmt.Sprintf("%s: %s -> %s", k, shown(was), shown(now)))
		}
	}
	sort.Strings(diffs)
	return diffs, nil
}

// plainValue is a configuration value's text ("" when absent).
func plainValue(m config.Map, k config.Key) (string, error) {
	v, ok := m[k]
	if !ok || v.Secure() {
		return "", nil
	}
	return v.Value(config.NopDecrypter)
}

// specDiffs compares two cluster specs (JSON) field by field after
// defaulting: "spec.<path>: <plan value> -> <new value>".
func specDiffs(planned, current string) ([]string, error) {
	var was, now spec.Cluster
	if err := json.Unmarshal([]byte(planned), &was); err != nil {
		return nil, fmt.Errorf("the plan's %s: %w", spec.ConfigCluster, err)
	}
	if err := json.Unmarshal([]byte(current), &now); err != nil {
		return nil, fmt.Errorf("the stack's %s: %w", spec.ConfigCluster, err)
	}
	a, err := flatten(was.WithDefaults())
	if err != nil {
		return nil, err
	}
	b, err := flatten(now.WithDefaults())
	if err != nil {
		return nil, err
	}
	var diffs []string
	for path := range union(a, b) {
		if a[path] != b[path] {
			diffs = append(diffs, fmt.Sprintf("spec.%s: %s -> %s", path, shown(a[path]), shown(b[path])))
		}
	}
	return diffs, nil
}

// flatten maps every leaf of v's JSON form to its path ("network.vnet.name",
// "userPools[0].count") and its JSON text.
func flatten(v any) (map[string]string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		return nil, err
	}
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 && path != "" {
				out[path] = "{}"
			}
			for k, e := range x {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(p, e)
			}
		case []any:
			if len(x) == 0 {
				out[path] = "[]"
			}
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		default:
			text, _ := json.Marshal(x)
			out[path] = string(text)
		}
	}
	walk("", tree)
	return out, nil
}

func union(a, b map[string]string) map[string]bool {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// sameJSON compares two configuration values as JSON when both are JSON,
// else as text.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil {
		return reflect.DeepEqual(x, y)
	}
	return a == b
}

// shown is a value in a difference line: "(none)" when absent, clipped.
func shown(v string) string {
	if v == "" {
		return "(none)"
	}
	return truncateText(v, 200)
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Pulumi's plan violations, as the engine reports them in a diagnostic on
// the resource (pulumi/pkg v3.274.1 resource/deploy): "resource <urn>
// violates plan: <reason>", "<op> is not allowed by the plan: <reason>",
// "no plan for resource <urn>" and "Expected a new resource plan for <urn>".
var planViolationRE = regexp.MustCompile(`(?s)(?:resource (urn:pulumi:\S+) violates plan: (.*)|(\S+ is not allowed by the plan: .*)|(no plan for resource) (urn:pulumi:\S+)|(Expected a new resource plan for) (urn:pulumi:\S+))`)

// asPlanViolation turns an EngineError whose diagnostics report a plan
// violation into a *PlanViolationError; other errors pass unchanged.
func asPlanViolation(err error, plan string, applied []result.Step) error {
	var ee *EngineError
	if !errors.As(err, &ee) {
		return err
	}
	pv := &PlanViolationError{Stack: ee.Stack, Plan: plan, Applied: applied, Steps: ee.Steps, Diagnostics: ee.Diagnostics}
	for _, d := range ee.Diagnostics {
		m := planViolationRE.FindStringSubmatch(d.Message)
		if m == nil {
			continue
		}
		urn, reason := d.URN, ""
		switch {
		case m[1] != "":
			urn, reason = m[1], compactReason(strings.TrimSpace(m[2]))
		case m[3] != "":
			reason = strings.TrimSpace(m[3])
		case m[4] != "":
			urn, reason = m[5], "the plan has no entry for this resource"
		default:
			urn, reason = m[7], "the plan has no entry for this resource"
		}
		pv.Resources = append(pv.Resources, PlanDifference{URN: urn, Type: typeOf(urn), Name: nameOf(urn), Reason: reason})
	}
	if len(pv.Resources) == 0 {
		return err
	}
	return pv
}

// compactReason shortens "properties changed: ~=spec[{...}!={...}],
// =~tags[{...}]" (the values can be whole objects) to the property names,
// "properties changed: spec, tags"; other reasons are kept, clipped.
func compactReason(reason string) string {
	rest, ok := strings.CutPrefix(reason, "properties changed: ")
	if !ok {
		return truncateText(reason, 300)
	}
	var names []string
	depth, start := 0, 0
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '[', '{':
			if depth == 0 && rest[i] == '[' {
				names = append(names, strings.TrimLeft(strings.TrimSpace(rest[start:i]), "~=+-, "))
			}
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				start = i + 1
			}
		}
	}
	if len(names) == 0 {
		return truncateText(reason, 300)
	}
	sort.Strings(names)
	return "properties changed: " + strings.Join(slices.Compact(names), ", ")
}

// typeOf is the resource type in a URN: the last element of its type chain.
func typeOf(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	chain := parts[len(parts)-2]
	return chain[strings.LastIndex(chain, "$")+1:]
}

// previewSavingPlan runs a preview that refreshes first (in memory) and
// saves its update plan to path, 0600.
func (e *Engine) previewSavingPlan(ctx context.Context, st *auto.Stack, path string) (*result.Result, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("automation: PreviewOptions.SavePlan: %w", err)
	}
	r, err := e.preview(ctx, st, "preview (saving the update plan)", optpreview.Plan(abs), optpreview.Refresh())
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(abs, 0o600); err != nil {
		return nil, fmt.Errorf("automation: the saved plan: %w", err)
	}
	return r, nil
}
