package prcomment

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

const (
	// DefaultMaxBytes is the size budget when Options.MaxBytes is 0.
	DefaultMaxBytes = 60000
	// GitHubLimit is GitHub's limit on a comment body (65,536 characters;
	// a character is at least a byte, so staying below it in bytes is safe).
	// A larger Options.MaxBytes is lowered to GitHubLimit-1.
	GitHubLimit = 65536
	// MinMaxBytes is the smallest budget: a smaller Options.MaxBytes is
	// raised to it, so the header, counts and warnings always fit.
	MinMaxBytes = 4096
)

// Per-item limits, so one resource with a huge value cannot use up the
// budget of the others.
const (
	maxValueBytes   = 1000 // one old or new value in a diff
	maxItemBytes    = 8000 // one resource's diff block
	maxMessageBytes = 4000 // one diagnostic
	maxShortValue   = 80   // a value quoted in the warning
	maxLeaves       = 8    // changed paths listed per replaced resource in the warning
	maxNames        = 5    // resource names listed in one sentence
	maxHeaderText   = 300  // title, project and stack names in the header
)

// Options configure Render and RenderFleet. All are optional.
type Options struct {
	// Project is the Pulumi project, shown in the header and the marker;
	// when empty, the first result's Project, else DefaultProject.
	Project string
	// Title is a line shown under the header, e.g. the pull request title.
	Title string
	// CommitSHA is the commit the preview ran on (GitHub links a hex SHA).
	CommitSHA string
	// RunURL is a link to the CI run with the full log (http or https only;
	// anything else is shown as text, not linked).
	RunURL string
	// MaxBytes is the size budget of the comment: DefaultMaxBytes when 0,
	// at most GitHubLimit-1 and at least MinMaxBytes. The marker, header,
	// counts and the replacement/deletion warning are always kept; the
	// per-resource details and diagnostics are cut to fit, with a note that
	// says how many were left out.
	MaxBytes int
	// Secrets are values to mask as [secret] wherever they appear, as a
	// second line behind the Engine's own masking (values shorter than 4
	// bytes are ignored).
	Secrets []string
}

// DefaultProject is the project a comment names when neither Options nor
// the results name one: aks-cilium's own (spec.ProjectName).
const DefaultProject = "aks-cilium"

func (o Options) normalized(results ...*result.Result) Options {
	for _, r := range results {
		if o.Project == "" && r != nil {
			o.Project = r.Project
		}
	}
	if o.Project == "" {
		o.Project = DefaultProject
	}
	switch {
	case o.MaxBytes == 0:
		o.MaxBytes = DefaultMaxBytes
	case o.MaxBytes >= GitHubLimit:
		o.MaxBytes = GitHubLimit - 1
	case o.MaxBytes < MinMaxBytes:
		o.MaxBytes = MinMaxBytes
	}
	return o
}

// Render writes the result of an operation (usually a preview) as the
// GitHub-flavoured Markdown of a pull request comment: the marker line (see
// Marker), a header, the counts per operation, a warning for every
// replacement and deletion, then the property diffs of each resource and
// the diagnostics, folded. The output is deterministic, has no terminal
// codes, and stays within Options.MaxBytes. A nil result renders as an
// empty one.
func Render(r *result.Result, opts Options) string {
	o := opts.normalized(r)
	c := newCleaner(o.Secrets)
	if r == nil {
		r = &result.Result{}
	}
	stack := clip(c.line(r.Stack))
	d := newDoc(c, o, r.Kind, stack)
	d.fixed(Marker(o.Project, r.Stack), "\n",
		"## Pulumi ", opTitle(c, r.Kind), " · ", code(clip(c.line(o.Project))), " / ", code(stack), "\n\n",
		byline(c, o))
	cnt := counts(r)
	d.fixed(countTable(columns(cnt), []row{{counts: cnt}}, false), failedLine(r, c))
	d.fixed(warning(r, c, o.MaxBytes/2), upgradeNote(r, c), acnsRemoval(r, c), armChanges(r, c), driftNote(r, c))
	d.notePlace()
	d.section(resourceSection(r, c, "###"))
	d.section(diagnosticSection(r, c))
	return d.render(o.MaxBytes, c)
}

// RenderFleet writes the results of many stacks as one comment under the
// marker for stack "*" (FleetStack): an overview table with the counts of
// every stack, then a section per stack with its counts, warnings, diffs
// and diagnostics. Stacks are sorted by name; nil results are skipped. The
// size budget is shared: every stack's counts and warnings are kept, and
// the details of all stacks are cut fairly to fit.
func RenderFleet(results []*result.Result, opts Options) string {
	o := opts.normalized(results...)
	c := newCleaner(o.Secrets)
	var rs []*result.Result
	for _, r := range results {
		if r != nil {
			rs = append(rs, r)
		}
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Stack < rs[j].Stack })
	op := result.KindPreview
	if len(rs) > 0 {
		op = rs[0].Kind
	}
	d := newDoc(c, o, op, "<stack>")
	d.fixed(Marker(o.Project, FleetStack), "\n",
		"## Pulumi ", opTitle(c, op), " · ", code(clip(c.line(o.Project))), " · ", plural(len(rs), "stack", "stacks"), "\n\n",
		byline(c, o))
	if len(rs) == 0 {
		d.fixed("No stacks.\n")
		return d.render(o.MaxBytes, c)
	}
	var rows []row
	for _, r := range rs {
		rows = append(rows, row{stack: clip(c.line(r.Stack)), counts: counts(r), attention: attention(r)})
	}
	var all []map[result.Op]int
	for _, rw := range rows {
		all = append(all, rw.counts)
	}
	d.fixed(countTable(columns(all...), rows, true))
	d.notePlace()
	warnBudget := o.MaxBytes / 2 / len(rs)
	for i, r := range rs {
		cnt := rows[i].counts
		d.fixed("### ", code(rows[i].stack), "\n\n", countLine(columns(cnt), cnt), failedLine(r, c), warning(r, c, warnBudget),
			upgradeNote(r, c), acnsRemoval(r, c), armChanges(r, c), driftNote(r, c))
		d.section(resourceSection(r, c, "####"))
		d.section(diagnosticSection(r, c))
	}
	return d.render(o.MaxBytes, c)
}

func newDoc(c cleaner, o Options, op result.Kind, stack string) *doc {
	d := &doc{runURL: linkURL(c.line(o.RunURL))}
	switch {
	case op == result.KindDrift:
		d.cmd = "pulumi preview --refresh --diff --stack " + stack
	case future(op):
		d.cmd = "pulumi preview --diff --stack " + stack
	}
	return d
}

// clip keeps header names to a sane length.
func clip(s string) string { return truncate(s, maxHeaderText) }

// opTitle names the operation in the header.
func opTitle(c cleaner, op result.Kind) string {
	switch op {
	case "", result.KindPreview:
		return "preview"
	case result.KindUp:
		return "update"
	case result.KindDrift:
		return "drift check"
	}
	return mdText(clip(c.line(string(op))))
}

// future reports whether the result is a plan (a preview, or the changes
// a drift check found needed) rather than something that happened.
func future(op result.Kind) bool {
	return op == "" || op == result.KindPreview || op == result.KindDrift
}

var shaRE = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// byline is the title and the commit and CI run line under the header.
func byline(c cleaner, o Options) string {
	var b strings.Builder
	if t := clip(c.line(o.Title)); t != "" {
		b.WriteString("**" + mdText(t) + "**\n\n")
	}
	var parts []string
	if sha := c.line(o.CommitSHA); sha != "" {
		if shaRE.MatchString(sha) {
			parts = append(parts, "Commit "+sha) // plain, so GitHub links it
		} else {
			parts = append(parts, "Commit "+code(clip(sha)))
		}
	}
	if raw := c.line(o.RunURL); raw != "" {
		if u := linkURL(raw); u != "" {
			parts = append(parts, "[CI run]("+u+")")
		} else {
			parts = append(parts, "CI run "+code(clip(raw)))
		}
	}
	if len(parts) > 0 {
		b.WriteString(strings.Join(parts, " · ") + "\n\n")
	}
	return b.String()
}

// linkURL is raw as a Markdown link destination, or "" when it is not an
// absolute http(s) URL.
func linkURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2000 {
		return ""
	}
	return strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", " ", "%20").Replace(u.String())
}

// --- counts ---------------------------------------------------------------

var baseOps = []result.Op{result.OpCreate, result.OpUpdate, result.OpReplace, result.OpDelete, result.OpSame}

// counts is the number of resources per operation: Result.Changes, or,
// when the engine gave none, the steps counted.
func counts(r *result.Result) map[result.Op]int {
	out := map[result.Op]int{}
	if len(r.Changes) > 0 {
		for op, n := range r.Changes {
			if n > 0 {
				out[op] = n
			}
		}
		return out
	}
	for _, s := range r.Steps {
		op := s.Op
		if s.Replaces() {
			op = result.OpReplace
		}
		out[op]++
	}
	return out
}

// columns are the operations to show: the five usual ones, then any other
// with a count (read, import, ...) by name. create-replacement and
// delete-replaced are the halves of a replace and are not shown apart.
func columns(cs ...map[result.Op]int) []result.Op {
	cols := append([]result.Op(nil), baseOps...)
	var extra []string
	seen := map[result.Op]bool{}
	for _, op := range baseOps {
		seen[op] = true
	}
	seen[result.OpCreateReplacement], seen[result.OpDeleteReplaced] = true, true
	for _, cnt := range cs {
		for op, n := range cnt {
			if n > 0 && !seen[op] {
				seen[op] = true
				extra = append(extra, string(op))
			}
		}
	}
	sort.Strings(extra)
	for _, op := range extra {
		cols = append(cols, result.Op(op))
	}
	return cols
}

// changed is the number of resources that change.
func changed(cnt map[result.Op]int) int {
	n := 0
	for _, op := range columns(cnt) {
		if op != result.OpSame {
			n += cnt[op]
		}
	}
	return n
}

type row struct {
	stack     string // for the fleet table
	counts    map[result.Op]int
	attention string // for the fleet table
}

// countTable is a table with a column per operation and, for a fleet, a
// row per stack; a single stack without changes says "No changes" instead.
func countTable(cols []result.Op, rows []row, fleet bool) string {
	if !fleet && changed(rows[0].counts) == 0 {
		return noChangesLine(rows[0].counts)
	}
	var b strings.Builder
	if fleet {
		b.WriteString("| Stack ")
	}
	for _, op := range cols {
		b.WriteString("| " + mdText(string(op)) + " ")
	}
	if fleet {
		b.WriteString("| Needs attention ")
	}
	b.WriteString("|\n")
	if fleet {
		b.WriteString("|:---")
	}
	b.WriteString(strings.Repeat("|---:", len(cols)))
	if fleet {
		b.WriteString("|:---")
	}
	b.WriteString("|\n")
	for _, rw := range rows {
		if fleet {
			b.WriteString("| " + cell(rw.stack) + " ")
		}
		for _, op := range cols {
			b.WriteString("| " + countCell(op, rw.counts[op]) + " ")
		}
		if fleet {
			b.WriteString("| " + rw.attention + " ")
		}
		b.WriteString("|\n")
	}
	b.WriteString("\n")
	return b.String()
}

// countCell bolds a replace or delete count, the ones that need a look.
func countCell(op result.Op, n int) string {
	if n > 0 && (op == result.OpReplace || op == result.OpDelete) {
		return "**" + thousands(n) + "**"
	}
	return thousands(n)
}

// countLine is the counts of one stack of a fleet on one line.
func countLine(cols []result.Op, cnt map[result.Op]int) string {
	if changed(cnt) == 0 {
		return noChangesLine(cnt)
	}
	var parts []string
	for _, op := range cols {
		if n := cnt[op]; n > 0 {
			parts = append(parts, countCell(op, n)+" "+mdText(string(op)))
		}
	}
	return strings.Join(parts, " · ") + "\n\n"
}

func noChangesLine(cnt map[result.Op]int) string {
	if n := cnt[result.OpSame]; n > 0 {
		return "**No changes.** " + plural(n, "resource is", "resources are") + " up to date.\n\n"
	}
	return "**No changes.**\n\n"
}

// failedLine names the steps whose operation failed.
func failedLine(r *result.Result, c cleaner) string {
	var names []string
	for _, s := range sortedSteps(r.Steps) {
		if s.Failed {
			names = append(names, code(c.line(s.Name)))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "**" + plural(len(names), "resource", "resources") + " failed:** " + nameList(names) + ".\n\n"
}

// nameList joins up to maxNames names and counts the rest.
func nameList(names []string) string {
	if len(names) > maxNames {
		return strings.Join(names[:maxNames], ", ") + fmt.Sprintf(" and %s more", thousands(len(names)-maxNames))
	}
	return strings.Join(names, ", ")
}

// attention is the fleet table's short note on what to look at in a stack.
func attention(r *result.Result) string {
	var parts []string
	var clusterReplaced, clusterDeleted bool
	destructive, failed := 0, 0
	for _, s := range r.Steps {
		if s.Replaces() || s.Op == result.OpDelete {
			destructive++
			clusterReplaced = clusterReplaced || s.IsManagedCluster() && s.Replaces()
			clusterDeleted = clusterDeleted || s.IsManagedCluster() && s.Op == result.OpDelete
		}
		if s.Failed {
			failed++
		}
	}
	switch {
	case clusterReplaced:
		parts = append(parts, "**replaces the AKS cluster**")
	case clusterDeleted:
		parts = append(parts, "**deletes the AKS cluster**")
	case destructive > 0:
		parts = append(parts, plural(destructive, "replacement or deletion", "replacements or deletions"))
	}
	if failed > 0 {
		parts = append(parts, plural(failed, "failed resource", "failed resources"))
	}
	if errs, _ := severities(r.Diagnostics); errs > 0 {
		parts = append(parts, plural(errs, "error", "errors"))
	}
	return strings.Join(parts, ", ")
}
