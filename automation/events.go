package automation

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// recorder turns the engine's event stream into Steps and Diagnostics, and
// prints progress lines.
type recorder struct {
	mask     func(string) string
	progress io.Writer

	mu      sync.Mutex
	steps   map[string]*result.Step // by URN
	order   []string
	diags   []result.Diagnostic
	summary *apitype.SummaryEvent

	done         map[string]bool // URNs whose change completed (see finished)
	stackOutputs map[string]any  // the stack's outputs, once the run reported them
	drift        []result.Drift  // what the run's refresh found changed outside Pulumi

	managedPools map[string]bool              // pools managed as AgentPool resources (poolentries.go)
	poolEntries  map[string]map[string]string // a cluster's agentPoolProfiles diffs naming a pool
}

func newRecorder(mask func(string) string, progress io.Writer) *recorder {
	return &recorder{mask: mask, progress: progress, steps: map[string]*result.Step{}}
}

// consume reads the channel until it is closed or stop is.
func (r *recorder) consume(ch <-chan events.EngineEvent, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			r.record(ev)
		case <-stop:
			return
		}
	}
}

func (r *recorder) record(ev events.EngineEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case ev.ResourcePreEvent != nil:
		r.step(ev.ResourcePreEvent.Metadata, false)
	case ev.ResOutputsEvent != nil:
		r.step(ev.ResOutputsEvent.Metadata, false)
		r.finished(ev.ResOutputsEvent.Metadata)
	case ev.ResOpFailedEvent != nil:
		r.step(ev.ResOpFailedEvent.Metadata, true)
	case ev.DiagnosticEvent != nil:
		d := ev.DiagnosticEvent
		if d.Ephemeral || strings.TrimSpace(d.Message) == "" {
			return
		}
		sev := strings.TrimSuffix(d.Severity, "#err")
		r.diags = append(r.diags, result.Diagnostic{URN: d.URN, Severity: sev, Message: r.mask(strings.TrimSpace(stripANSI(d.Message)))})
	case ev.SummaryEvent != nil:
		r.summary = ev.SummaryEvent
	}
}

// step records (or updates) the step of one resource. The component's own
// logical steps are kept too: their inputs are the spec.
func (r *recorder) step(m apitype.StepEventMetadata, failed bool) {
	op := result.Op(m.Op)
	if (op == result.OpSame || op == result.OpRefresh) && m.Type == "pulumi:pulumi:Stack" {
		return
	}
	r.notePools(m)
	s, ok := r.steps[m.URN]
	if !ok {
		s = &result.Step{URN: m.URN, Type: m.Type, Name: nameOf(m.URN)}
		r.steps[m.URN] = s
		r.order = append(r.order, m.URN)
	}
	// A preview or update that refreshes first reports each resource's
	// refresh, then its step: the step's own keys and diffs replace the
	// refresh's (which are drift, see finished).
	if s.Op == result.OpRefresh && op != result.OpRefresh {
		s.ReplaceKeys, s.Diffs = nil, nil
	}
	// A replacement is reported as create-replacement, replace and
	// delete-replaced: keep "replace" as the step's operation.
	if !(s.Op == result.OpReplace && (op == result.OpCreateReplacement || op == result.OpDeleteReplaced)) {
		s.Op = op
	}
	if len(m.Keys) > 0 {
		s.ReplaceKeys = slices.Clone(m.Keys)
	}
	if diffs := r.diffs(m); len(diffs) > 0 {
		s.Diffs = diffs
	}
	s.Failed = s.Failed || failed
	if r.progress != nil && !ok && op != result.OpSame {
		fmt.Fprintf(r.progress, "  %s %-8s %-55s %s\n", opSymbol(op), op, m.Type, s.Name)
	}
	if r.progress != nil && failed {
		fmt.Fprintf(r.progress, "  ! failed   %-55s %s\n", m.Type, s.Name)
	}
}

// diffs lists the changed properties with their old and new input values.
func (r *recorder) diffs(m apitype.StepEventMetadata) []result.PropertyDiff {
	var olds, news map[string]any
	if m.Old != nil {
		olds = m.Old.Inputs
	}
	if m.New != nil {
		news = m.New.Inputs
	}
	var out []result.PropertyDiff
	if len(m.DetailedDiff) > 0 {
		for path, d := range m.DetailedDiff {
			out = append(out, result.PropertyDiff{Path: path, Kind: string(d.Kind),
				Old: r.display(lookup(olds, path)), New: r.display(lookup(news, path))})
		}
	} else {
		for _, key := range m.Diffs {
			out = append(out, result.PropertyDiff{Path: key, Kind: "update",
				Old: r.display(lookup(olds, key)), New: r.display(lookup(news, key))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// display renders a value for humans, masking secrets.
func (r *recorder) display(v any, ok bool) string {
	if !ok {
		return ""
	}
	s := r.mask(render(v))
	if s == `"`+result.SecretMask+`"` {
		return result.SecretMask
	}
	return s
}

// result returns the recorded steps in the order they first appeared.
func (r *recorder) result() ([]result.Step, []result.Diagnostic, *apitype.SummaryEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	steps := make([]result.Step, 0, len(r.order))
	for _, urn := range r.order {
		steps = append(steps, *r.steps[urn])
	}
	return steps, slices.Clone(r.diags), r.summary
}

// drifted is what the run's refresh found changed or deleted outside
// Pulumi, sorted by URN.
func (r *recorder) drifted() []result.Drift {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.drift)
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// lookup finds a property path such as "networkProfile.podCidr" or
// "agentPoolProfiles[0].maxPods" in a map of inputs.
func lookup(m map[string]any, path string) (any, bool) {
	if m == nil {
		return nil, false
	}
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		return nil, false
	}
	var cur any = m
	for _, part := range p {
		switch key := part.(type) {
		case string:
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = obj[key]; !ok {
				return nil, false
			}
		case int:
			arr, ok := cur.([]any)
			if !ok || key < 0 || key >= len(arr) {
				return nil, false
			}
			cur = arr[key]
		}
	}
	return cur, true
}

// render is a short, stable text form of an input value.
func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	case map[string]any:
		if isSecretValue(x) {
			return result.SecretMask
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+": "+render(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, render(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	default:
		return fmt.Sprint(x)
	}
}

// isSecretValue recognises the engine's encoding of a secret in event data.
func isSecretValue(m map[string]any) bool {
	sig, _ := m["4dabf18193072939515e22adb298388d"].(string)
	return sig == "1b47061264138c4ac30d75fd1eb44270"
}

// nameOf is the last part of a URN: the resource's name.
func nameOf(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}

func opSymbol(op result.Op) string {
	switch op {
	case result.OpCreate, result.OpCreateReplacement:
		return "+"
	case result.OpDelete, result.OpDeleteReplaced:
		return "-"
	case result.OpUpdate:
		return "~"
	case result.OpReplace:
		return "±"
	case result.OpRefresh, result.OpRead:
		return ">"
	}
	return " "
}

// stripANSI removes terminal escape codes and Pulumi's colour tags.
func stripANSI(s string) string {
	return ansi.Strip(colors.Never.Colorize(s))
}
