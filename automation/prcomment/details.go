package prcomment

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// group orders the steps: replacements, deletions, updates, creations,
// then any other operation by name.
func group(s result.Step) (rank int, label string) {
	switch {
	case s.Replaces():
		return 0, "Replace"
	case s.Op == result.OpDelete:
		return 1, "Delete"
	case s.Op == result.OpUpdate:
		return 2, "Update"
	case s.Op == result.OpCreate:
		return 3, "Create"
	}
	op := string(s.Op)
	if op == "" {
		op = "other"
	}
	return 4, strings.ToUpper(op[:1]) + op[1:]
}

// sortedSteps are the changing steps (not "same") in display order: by
// group, then name, then URN.
func sortedSteps(steps []result.Step) []result.Step {
	var out []result.Step
	for _, s := range steps {
		if s.Op != result.OpSame {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, li := group(out[i])
		rj, lj := group(out[j])
		if ri != rj {
			return ri < rj
		}
		if li != lj {
			return li < lj
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].URN < out[j].URN
	})
	return out
}

// opWord is the step's operation as shown ("replace" for every part of a
// replacement).
func opWord(s result.Step) string {
	if s.Replaces() {
		return "replace"
	}
	return string(s.Op)
}

// shortType is the last part of a type token: "ManagedCluster".
func shortType(t string) string {
	if strings.HasPrefix(t, "pulumi:providers:") {
		return "provider " + strings.TrimPrefix(t, "pulumi:providers:")
	}
	if i := strings.LastIndex(t, ":"); i >= 0 {
		return t[i+1:]
	}
	return t
}

// --- the warning ------------------------------------------------------------

// warning is the alert block for replacements and deletions, or "" when
// there are none: each such resource with its type and what forces it,
// then what a replaced or deleted AKS cluster or network means. It is
// CAUTION when a cluster, VNet or subnet is hit, WARNING otherwise. The
// list stops at about budget bytes ("… and N more"); the sentences after
// it are always written.
func warning(r *result.Result, c cleaner, budget int) string {
	var hit []result.Step
	for _, s := range sortedSteps(r.Steps) {
		if s.Replaces() || s.Op == result.OpDelete {
			hit = append(hit, s)
		}
	}
	if len(hit) == 0 {
		return ""
	}
	will := future(r.Kind)
	var replaced, deleted int
	var clustersReplaced, clustersDeleted, networks []string
	networkProfile := false
	severe := false
	for _, s := range hit {
		name := code(c.line(s.Name))
		if s.Replaces() {
			replaced++
		} else {
			deleted++
		}
		switch {
		case s.IsManagedCluster() && s.Replaces():
			clustersReplaced = append(clustersReplaced, name)
			for _, k := range replaceKeys(s) {
				networkProfile = networkProfile || k == "networkProfile" || strings.HasPrefix(k, "networkProfile.")
			}
		case s.IsManagedCluster():
			clustersDeleted = append(clustersDeleted, name)
		case s.IsNetwork():
			networks = append(networks, name)
		}
		severe = severe || s.IsManagedCluster() || s.IsNetwork()
	}

	var b strings.Builder
	b.WriteString(alertHead(severe))
	replaceVerb, deleteVerb, subject := "replaced ", "deleted ", "This "+opTitle(c, r.Kind)
	if will {
		replaceVerb, deleteVerb, subject = "replace ", "delete ", "This change would"
	}
	var what []string
	if replaced > 0 {
		what = append(what, replaceVerb+plural(replaced, "resource", "resources"))
	}
	if deleted > 0 {
		what = append(what, deleteVerb+plural(deleted, "resource", "resources"))
	}
	b.WriteString("> **" + subject + " " + strings.Join(what, " and ") + ".**")
	if replaced > 0 {
		b.WriteString(" A replacement deletes the resource and creates a new one: what it holds or runs starts over.")
	}
	b.WriteString("\n>\n")

	// The sentences on clusters and networks come after the list; when the
	// budget is small (a fleet of many stacks) they are the short form.
	tail := consequences(clustersReplaced, clustersDeleted, networks, will, networkProfile, false)
	if b.Len()+len(tail) > budget/2 {
		tail = consequences(clustersReplaced, clustersDeleted, networks, will, networkProfile, true)
	}
	for i, s := range hit {
		item := warningItem(s, r.Kind, c)
		if i > 0 && b.Len()+len(item)+len(tail) > budget {
			noun := "replacements or deletions"
			if len(hit)-i == 1 {
				noun = "replacement or deletion"
			}
			fmt.Fprintf(&b, "> - … and %s more %s\n", thousands(len(hit)-i), noun)
			break
		}
		b.WriteString(item)
	}
	b.WriteString(tail + "\n")
	return b.String()
}

// consequences explains a replaced or deleted AKS cluster, VNet or subnet,
// as blockquote lines; short is a one-sentence form for small budgets.
func consequences(clustersReplaced, clustersDeleted, networks []string, will, networkProfile, short bool) string {
	var b strings.Builder
	if len(clustersReplaced) > 0 {
		b.WriteString(">\n> " + clusterReplaced(clustersReplaced, will, networkProfile, short) + "\n")
	}
	if len(clustersDeleted) > 0 {
		b.WriteString(">\n> " + clusterDeleted(clustersDeleted, will) + "\n")
	}
	if len(networks) > 0 {
		s := "Replacing or deleting a virtual network or subnet (" + nameList(networks) + ") cuts off the nodes in it"
		if len(clustersReplaced)+len(clustersDeleted) == 0 {
			s += "; the cluster stays but loses its network"
		}
		b.WriteString(">\n> " + s + ".\n")
	}
	return b.String()
}

// warningItem is one replaced or deleted resource in the warning, with the
// properties that force a replacement and their changed leaf paths.
func warningItem(s result.Step, op result.Kind, c cleaner) string {
	var b strings.Builder
	b.WriteString("> - **" + opWord(s) + "** " + code(c.line(s.Name)) + " · " + code(c.line(s.Type)))
	if !s.Replaces() {
		if op == result.KindDestroy {
			b.WriteString(": the stack is destroyed\n")
		} else {
			b.WriteString(": no longer declared in the program\n")
		}
		return b.String()
	}
	keys := replaceKeys(s)
	if len(keys) == 0 {
		b.WriteString("\n>   (the provider did not say which property forces the replacement)\n")
		return b.String()
	}
	var ks []string
	for _, k := range keys {
		ks = append(ks, code(c.line(k)))
	}
	b.WriteString("\n>   because " + nameList(ks) + " changed")
	leaves := leavesUnder(s, keys)
	if len(leaves) == 0 {
		b.WriteString("\n")
		return b.String()
	}
	b.WriteString(":\n")
	for i, d := range leaves {
		if i == maxLeaves {
			fmt.Fprintf(&b, ">   - … and %s more\n", thousands(len(leaves)-maxLeaves))
			break
		}
		b.WriteString(">   - " + code(c.line(d.Path)) + ": " + shortValue(d.Old, c) + " → " + shortValue(d.New, c) + "\n")
	}
	return b.String()
}

// replaceKeys are the properties that force the step's replacement: the
// engine's replace keys, or else the paths of diffs of a "-replace" kind.
func replaceKeys(s result.Step) []string {
	keys := append([]string(nil), s.ReplaceKeys...)
	if len(keys) == 0 {
		for _, d := range s.Diffs {
			if strings.HasSuffix(d.Kind, "-replace") {
				keys = append(keys, d.Path)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// leavesUnder are the step's diffs at or below any of the keys, by path.
func leavesUnder(s result.Step, keys []string) []result.PropertyDiff {
	var out []result.PropertyDiff
	for _, d := range s.Diffs {
		for _, k := range keys {
			if d.Path == k || strings.HasPrefix(d.Path, k+".") || strings.HasPrefix(d.Path, k+"[") {
				out = append(out, d)
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// shortValue is a value quoted in the warning: short, on one line.
func shortValue(v string, c cleaner) string {
	v = c.line(v)
	if v == "" {
		return "_(none)_"
	}
	return code(truncate(v, maxShortValue))
}

// networkProfileRule is how azure-native v2.88.0 plans a change under a
// ManagedCluster's networkProfile (provider/pkg/provider/diff.go): a
// changed value replaces, an added or removed property does not.
const networkProfileRule = "azure-native v2.88.0 replaces a ManagedCluster when a value under `networkProfile` changes " +
	"(adding or removing a property there is planned in place; pulumi/pulumi-azure-native#4756)."

func clusterReplaced(names []string, will, networkProfile, short bool) string {
	var b strings.Builder
	subject, was, it, its := "The AKS cluster ", " was replaced:", "it", "its"
	if len(names) > 1 {
		subject, was, it, its = "The AKS clusters ", " were replaced:", "each", "their"
	}
	if short && will {
		return "**" + subject + nameList(names) + " would be replaced,** with every workload on " + it +
			"; use the in-place migration path instead (`az aks update`, then refresh)."
	}
	if will {
		b.WriteString("**" + subject + nameList(names) + " would be replaced:** " + it + " would be deleted and created again, " +
			"so its node pools, every workload and everything stored in the cluster start over, with a new API server address and OIDC issuer.")
	} else {
		b.WriteString("**" + subject + nameList(names) + was + "** " + its + " node pools, workloads and everything stored in the cluster were created again.")
	}
	switch {
	case networkProfile && will:
		b.WriteString(" " + networkProfileRule +
			" To change the data plane or network policy of a running cluster, take the in-place migration path instead: " +
			"update the cluster through ARM (`az aks update --network-dataplane cilium --network-policy cilium`, or aks-cilium's in-place migration), " +
			"then refresh the stack; the next preview then plans no replacement. ACNS needs neither: aks-cilium's Engine switches it through ARM after the update.")
	case networkProfile:
		b.WriteString(" " + networkProfileRule)
	case will:
		b.WriteString(" Where AKS can make the change in place, take the in-place path instead: update the cluster through ARM, " +
			"then refresh the stack; the next preview then plans no replacement.")
	}
	if will {
		b.WriteString(" `Engine.Up` refuses this replacement unless `UpOptions.AllowReplace` is set.")
	}
	return b.String()
}

func clusterDeleted(names []string, will bool) string {
	subject, was, it := "The AKS cluster ", " was deleted,", "it"
	if len(names) > 1 {
		subject, was, it = "The AKS clusters ", " were deleted,", "them"
	}
	if will {
		return "**" + subject + nameList(names) + " would be deleted,** with every workload and everything stored in " + it + ". " +
			"`Engine.Up` refuses this unless `UpOptions.AllowReplace` is set."
	}
	return "**" + subject + nameList(names) + was + "** with every workload and everything stored in " + it + "."
}

// --- resource changes ---------------------------------------------------------

// resourceSection is one item per changing resource, grouped and ordered
// as sortedSteps; heading is the Markdown heading level ("###").
func resourceSection(r *result.Result, c cleaner, heading string) *section {
	steps := sortedSteps(r.Steps)
	s := &section{head: heading + " Resource changes\n\n", noun: "changed resources"}
	groupSize := map[string]int{}
	for _, st := range steps {
		_, label := group(st)
		groupSize[label]++
	}
	last, prevList := "", false
	for _, st := range steps {
		item, isList := resourceItem(st, c)
		if _, label := group(st); label != last {
			item = "**" + mdText(label) + "** (" + thousands(groupSize[label]) + ")\n\n" + item
			last = label
		}
		s.items = append(s.items, blankAfterList(item, isList, prevList))
		prevList = isList
	}
	return s
}

// blankAfterList separates a block from a list that ends right before it:
// list items are written one a line (a compact list), so a heading or a
// <details> after one needs a blank line first or it would join the list.
func blankAfterList(item string, isList, prevList bool) string {
	if prevList && (!isList || !strings.HasPrefix(item, "- ")) {
		return "\n" + item
	}
	return item
}

// resourceItem is a list line for a resource without property diffs, and a
// folded <details> with a diff block for one with them; isList says which.
func resourceItem(s result.Step, c cleaner) (item string, isList bool) {
	name, typ := c.line(s.Name), c.line(s.Type)
	var reason string
	if s.Replaces() {
		if keys := replaceKeys(s); len(keys) > 0 {
			var ks []string
			for _, k := range keys {
				ks = append(ks, code(c.line(k)))
			}
			reason = " · forces replacement: " + nameList(ks)
		}
	}
	failed := ""
	if s.Failed {
		failed = " · **failed**"
	}
	if len(s.Diffs) == 0 {
		return "- **" + opWord(s) + "** " + code(name) + " · " + code(typ) + reason + failed + "\n", true
	}

	var b strings.Builder
	b.WriteString("<details>\n<summary><b>" + htmlText(opWord(s)) + "</b> <code>" + htmlText(name) + "</code> · " +
		htmlText(shortType(typ)) + " · " + plural(len(s.Diffs), "property", "properties"))
	if s.Failed {
		b.WriteString(" · <b>failed</b>")
	}
	b.WriteString("</summary>\n\n")
	b.WriteString(code(typ) + reason + failed + "\n\n")

	diffs := append([]result.PropertyDiff(nil), s.Diffs...)
	sort.SliceStable(diffs, func(i, j int) bool { return diffs[i].Path < diffs[j].Path })
	var body strings.Builder
	for i, d := range diffs {
		h := hunk(d, c)
		if i > 0 && body.Len()+len(h) > maxItemBytes {
			fmt.Fprintf(&body, "  … and %s more not shown\n", plural(len(diffs)-i, "property", "properties"))
			break
		}
		body.WriteString(h)
	}
	b.WriteString(fenced("diff", body.String()))
	b.WriteString("\n</details>\n\n")
	return b.String(), false
}

// hunk is one property diff: a @@ line with the path and what kind of
// change it is, then the old value as - lines and the new one as + lines.
func hunk(d result.PropertyDiff, c cleaner) string {
	var notes []string
	switch strings.TrimSuffix(d.Kind, "-replace") {
	case "add":
		notes = append(notes, "added")
	case "delete":
		notes = append(notes, "removed")
	}
	if strings.HasSuffix(d.Kind, "-replace") {
		notes = append(notes, "forces replacement")
	}
	var b strings.Builder
	b.WriteString("@@ " + c.line(d.Path))
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	b.WriteString(" @@\n")
	old, new := truncate(c.text(d.Old), maxValueBytes), truncate(c.text(d.New), maxValueBytes)
	if old == "" && new == "" {
		b.WriteString("  (value not shown)\n")
	}
	for _, v := range []struct{ sign, text string }{{"-", old}, {"+", new}} {
		if v.text == "" {
			continue
		}
		for _, line := range strings.Split(v.text, "\n") {
			b.WriteString(v.sign + " " + line + "\n")
		}
	}
	return b.String()
}

// --- diagnostics -----------------------------------------------------------------

// severities counts the error and warning diagnostics.
func severities(ds []result.Diagnostic) (errs, warns int) {
	for _, d := range ds {
		switch severity(d) {
		case "error":
			errs++
		case "warning":
			warns++
		}
	}
	return errs, warns
}

func severity(d result.Diagnostic) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d.Severity), "#err"))
}

// diagnosticSection folds the errors and warnings (info and debug messages
// are left out), errors first; it is open when there are errors.
func diagnosticSection(r *result.Result, c cleaner) *section {
	errs, warns := severities(r.Diagnostics)
	var ds []result.Diagnostic
	for _, d := range r.Diagnostics {
		if sv := severity(d); sv == "error" || sv == "warning" {
			ds = append(ds, d)
		}
	}
	rank := func(d result.Diagnostic) int {
		if severity(d) == "error" {
			return 0
		}
		return 1
	}
	sort.SliceStable(ds, func(i, j int) bool {
		if rank(ds[i]) != rank(ds[j]) {
			return rank(ds[i]) < rank(ds[j])
		}
		if ni, nj := nameOf(ds[i].URN), nameOf(ds[j].URN); ni != nj {
			return ni < nj
		}
		return ds[i].Message < ds[j].Message
	})
	var counts []string
	if errs > 0 {
		counts = append(counts, plural(errs, "error", "errors"))
	}
	if warns > 0 {
		counts = append(counts, plural(warns, "warning", "warnings"))
	}
	open := ""
	if errs > 0 {
		open = " open"
	}
	s := &section{
		head: "<details" + open + ">\n<summary><b>Diagnostics</b>: " + strings.Join(counts, ", ") + "</summary>\n\n",
		tail: "\n</details>\n\n",
		noun: "diagnostics",
	}
	prevList := false
	for _, d := range ds {
		item, isList := diagnosticItem(d, c)
		s.items = append(s.items, blankAfterList(item, isList, prevList))
		prevList = isList
	}
	return s
}

// diagnosticItem is a list line for a short message, and a code block for
// a long or multi-line one; isList says which.
func diagnosticItem(d result.Diagnostic, c cleaner) (item string, isList bool) {
	label := "**" + severity(d) + "**"
	if d.URN != "" {
		label += " · " + code(c.line(nameOf(d.URN)))
	}
	msg := truncate(strings.TrimSpace(c.text(d.Message)), maxMessageBytes)
	if !strings.Contains(msg, "\n") && len(msg) <= 300 {
		return "- " + label + ": " + mdText(msg) + "\n", true
	}
	return label + "\n\n" + fenced("text", msg) + "\n", false
}

// nameOf is the last part of a URN: the resource's name.
func nameOf(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}

// armChanges lists what the Engine changes through Azure Resource Manager
// outside the Pulumi plan (result.ARMChange), or "". These are not in the
// counts: the Pulumi plan does not know them.
func armChanges(r *result.Result, c cleaner) string {
	if len(r.ARMChanges) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("**Through Azure Resource Manager, outside the Pulumi plan**")
	if future(r.Kind) {
		b.WriteString(" (the Engine makes these after the update and refreshes the stack):\n\n")
	} else {
		b.WriteString(" (made after the update; the stack was refreshed):\n\n")
	}
	for _, a := range r.ARMChanges {
		b.WriteString("- " + code(truncate(c.line(a.Property), maxShortValue)) + " of " + code(truncate(c.line(lastPart(a.Resource)), maxShortValue)) + ": ")
		if a.Old != "" {
			b.WriteString(code(truncate(c.line(a.Old), maxShortValue)) + " → ")
		}
		b.WriteString(code(truncate(c.line(a.New), maxShortValue)))
		if a.Note != "" {
			b.WriteString(". " + truncate(c.line(a.Note), maxMessageBytes/4))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}

// lastPart is the last segment of an ARM ID (the resource's name).
func lastPart(id string) string {
	if i := strings.LastIndex(id, "/"); i >= 0 {
		return id[i+1:]
	}
	return id
}

// acnsRemoval warns about a ManagedCluster update that removes
// networkProfile.advancedNetworking, or "": azure-native plans it in place
// (a nested delete), and ARM then keeps ACNS as it is, since it disables
// ACNS only when enabled: false is sent (pulumi/pulumi-azure-native#4206).
// aks-cilium's own program never plans it (components.ACNSIgnorePath).
func acnsRemoval(r *result.Result, c cleaner) string {
	var names []string
	for _, s := range r.Steps {
		if !s.IsManagedCluster() || s.Destroys() {
			continue
		}
		for _, d := range s.Diffs {
			if d.Kind == "delete" && (d.Path == "networkProfile.advancedNetworking" || d.Path == "networkProfile.advancedNetworking.enabled") {
				names = append(names, code(truncate(c.line(s.Name), maxShortValue)))
				break
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "> [!NOTE]\n> Removing `networkProfile.advancedNetworking` from " + strings.Join(names, ", ") +
		" does not turn ACNS off: ARM keeps it until `enabled: false` is sent (pulumi/pulumi-azure-native#4206)." +
		" Switch ACNS through ARM instead: aks-cilium's Engine does it from the spec, or `migrate` with an ACNS change.\n\n"
}

// alertHead opens a GitHub alert block: CAUTION when a cluster or its
// network is involved, else WARNING.
func alertHead(severe bool) string {
	if severe {
		return "> [!CAUTION]\n"
	}
	return "> [!WARNING]\n"
}
