package prcomment

import (
	"sort"
	"strings"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// DriftMarker is the hidden first line of a RenderDrift report, e.g.
//
//	<!-- aks-cilium:drift project=aks-cilium stack=prod -->
//
// so that a scheduled job updates its own report (an issue comment) instead
// of adding one per run. Names are written as in Marker.
func DriftMarker(project, stack string) string {
	return "<!-- aks-cilium:drift project=" + markerValue(project) + " stack=" + markerValue(stack) + " -->"
}

// RenderDrift writes a drift check (automation's Engine.Drift, a result of
// Kind result.KindDrift) as Markdown for an issue or a job summary: the
// marker (DriftMarker), a header, a warning that names every resource
// changed or deleted outside Pulumi, their differing properties (the
// state's value as -, Azure's as +), then what an update with a refresh
// would do to put Azure back to the spec, with its warnings and
// diagnostics. Like Render it is deterministic, escapes and masks
// everything, and stays within Options.MaxBytes. A nil result renders as
// an empty one.
func RenderDrift(r *result.Result, opts Options) string {
	o := opts.normalized(r)
	c := newCleaner(o.Secrets)
	if r == nil {
		r = &result.Result{Kind: result.KindDrift}
	}
	stack := clip(c.line(r.Stack))
	d := newDoc(c, o, result.KindDrift, stack)
	d.fixed(DriftMarker(o.Project, r.Stack), "\n",
		"## Drift check · ", code(clip(c.line(o.Project))), " / ", code(stack), "\n\n",
		byline(c, o))
	d.fixed(driftSummary(r, c))
	d.notePlace()
	d.section(driftSection(r, c))
	d.fixed("### What an update with refresh would do\n\n")
	cnt := counts(r)
	d.fixed(countLine(columns(cnt), cnt), warning(r, c, o.MaxBytes/4))
	d.section(resourceSection(r, c, "####"))
	d.section(diagnosticSection(r, c))
	return d.render(o.MaxBytes, c)
}

// driftSummary is the headline: no drift, or a warning naming the drifted
// resources and what happened to each.
func driftSummary(r *result.Result, c cleaner) string {
	if len(r.Drift) == 0 {
		return "**No drift.** Every resource in the stack's state matches what Azure has.\n\n"
	}
	var names []string
	severe := false
	for _, dr := range sortedDrift(r.Drift) {
		what := "changed"
		if dr.Deleted {
			what = "**deleted**"
		} else if len(dr.Diffs) > 0 {
			var paths []string
			for _, p := range dr.Diffs {
				paths = append(paths, code(c.line(p.Path)))
			}
			what = "changed: " + nameList(paths)
		}
		names = append(names, code(c.line(dr.Name))+" ("+what+")")
		step := result.Step{Type: dr.Type}
		severe = severe || step.IsManagedCluster() || step.IsNetwork()
	}
	var b strings.Builder
	b.WriteString(alertHead(severe))
	b.WriteString("> **" + plural(len(r.Drift), "resource has", "resources have") + " drifted** from the stack's state, " +
		"changed or deleted outside Pulumi: " + nameList(names) + ".\n\n")
	return b.String()
}

// driftNote tells a preview's reader (of a preview that refreshed first,
// as one saving a plan does) which resources drifted: the changes shown
// put them back to the spec. Empty without drift.
func driftNote(r *result.Result, c cleaner) string {
	if len(r.Drift) == 0 {
		return ""
	}
	return strings.Replace(driftSummary(r, c), " outside Pulumi: ", " outside Pulumi (this preview read Azure first, and the changes below put them back to the spec): ", 1)
}

// sortedDrift orders drifted resources: deleted first, then by name.
func sortedDrift(ds []result.Drift) []result.Drift {
	out := append([]result.Drift(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Deleted != out[j].Deleted {
			return out[i].Deleted
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].URN < out[j].URN
	})
	return out
}

// driftSection is one item per drifted resource: a list line for a deleted
// one, a folded diff (state -, Azure +) for a changed one.
func driftSection(r *result.Result, c cleaner) *section {
	s := &section{head: "### Drifted resources\n\n`-` is the stack's state, `+` is what Azure has now.\n\n", noun: "drifted resources"}
	prevList := false
	for _, dr := range sortedDrift(r.Drift) {
		name, typ := c.line(dr.Name), c.line(dr.Type)
		if dr.Deleted || len(dr.Diffs) == 0 {
			word := "changed"
			if dr.Deleted {
				word = "deleted"
			}
			s.items = append(s.items, "- **"+word+"** "+code(name)+" · "+code(typ)+"\n")
			prevList = true
			continue
		}
		var b strings.Builder
		b.WriteString("<details>\n<summary><b>changed</b> <code>" + htmlText(name) + "</code> · " +
			htmlText(shortType(typ)) + " · " + plural(len(dr.Diffs), "property", "properties") + "</summary>\n\n")
		b.WriteString(code(typ) + "\n\n")
		diffs := append([]result.PropertyDiff(nil), dr.Diffs...)
		sort.SliceStable(diffs, func(i, j int) bool { return diffs[i].Path < diffs[j].Path })
		var body strings.Builder
		for _, pd := range diffs {
			if body.Len() > maxItemBytes {
				body.WriteString("  … more properties not shown\n")
				break
			}
			body.WriteString(hunk(pd, c))
		}
		b.WriteString(fenced("diff", body.String()))
		b.WriteString("\n</details>\n\n")
		s.items = append(s.items, blankAfterList(b.String(), false, prevList))
		prevList = false
	}
	if prevList {
		s.tail = "\n"
	}
	return s
}
