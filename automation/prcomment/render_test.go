package prcomment

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/<name>.md, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".md")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run: go test ./automation/prcomment -update")
	require.Equal(t, string(want), got, "output differs from %s; if the change is intended, run: go test ./automation/prcomment -update", path)
}

// ciOptions are the options a GitHub Actions job passes.
var ciOptions = Options{
	CommitSHA: "3f9c2a4b7d1e8f60a5b4c3d2e1f0a9b8c7d6e5f4",
	RunURL:    "https://github.com/aks-cilium/platform-stacks/actions/runs/9876543210",
}

func withTitle(o Options, title string) Options {
	o.Title = title
	return o
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name   string
		result *result.Result
		opts   Options
	}{
		{"no-changes", noChanges(), ciOptions},
		{"creates-first-deploy", firstDeploy(), withTitle(ciOptions, "Add the dev cluster (overlay, Cilium)")},
		{"update-in-place", inPlaceUpdate(), withTitle(ciOptions, "Kubernetes 1.32 and a bigger user pool")},
		{"replace-managed-cluster", dataplaneReplace(), withTitle(ciOptions, "Switch prod to the Cilium data plane")},
		{"delete-pool", deletion(), withTitle(ciOptions, "Remove the batch pool")},
		{"diagnostics", diagnostics(), withTitle(ciOptions, "Enable ACNS on prod")},
		{"huge", huge(), withTitle(ciOptions, "Tag every tenant cluster")},
		{"hostile-input", hostile(), Options{Title: "**Fix** <img src=x> @octocat `x` | y", CommitSHA: "not a sha<b>", RunURL: "javascript:alert(1)"}},
		{"secrets", leaky(), Options{Secrets: []string{canary, "abc", ""}}},
		{"minimal-options", firstDeploy(), Options{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Render(tc.result, tc.opts)
			golden(t, tc.name, got)
			checkWellFormed(t, got, DefaultMaxBytes)
		})
	}
	t.Run("fleet", func(t *testing.T) {
		got := RenderFleet(fleet(), withTitle(ciOptions, "Cilium for prod; Kubernetes 1.32 for staging"))
		golden(t, "fleet", got)
		checkWellFormed(t, got, DefaultMaxBytes)
	})
}

// checkWellFormed holds for every comment: the marker first, within budget,
// no terminal codes, every <details> closed and every code fence closed.
func checkWellFormed(t *testing.T, got string, max int) {
	t.Helper()
	_, _, ok := FindMarker(got)
	assert.True(t, ok, "marker on the first line")
	assert.LessOrEqual(t, len(got), max)
	assert.NotContains(t, got, "\x1b")
	prose, closed := stripCode(got)
	assert.True(t, closed, "every code fence is closed")
	assert.Equal(t, strings.Count(prose, "<details"), strings.Count(prose, "</details>"), "every <details> is closed")
}

// stripCode removes fenced code blocks and inline code spans (as CommonMark
// reads them) from md, leaving what GitHub would treat as Markdown and HTML;
// closed is false when a fence is left open.
func stripCode(md string) (prose string, closed bool) {
	var b strings.Builder
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		run := line[:len(line)-len(strings.TrimLeft(line, "`"))]
		switch {
		case fence != "":
			if len(run) >= len(fence) && strings.TrimSpace(line[len(run):]) == "" {
				fence = ""
			}
			continue
		case len(run) >= 3:
			fence = run
			continue
		}
		b.WriteString(stripSpans(line) + "\n")
	}
	return b.String(), fence == ""
}

// stripSpans removes the inline code spans of one line.
func stripSpans(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' {
			b.WriteByte(line[i])
			i++
			continue
		}
		n := len(line[i:]) - len(strings.TrimLeft(line[i:], "`"))
		opener := line[i : i+n]
		end := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := len(line[j:]) - len(strings.TrimLeft(line[j:], "`"))
			if m == n {
				end = j + m
				break
			}
			j += m
		}
		if end < 0 {
			b.WriteString(opener)
			i += n
			continue
		}
		b.WriteString("<CODE>")
		i = end
	}
	return b.String()
}

func TestNoChanges(t *testing.T) {
	got := Render(noChanges(), Options{})
	assert.Contains(t, got, "**No changes.** 8 resources are up to date.")
	assert.NotContains(t, got, "[!WARNING]")
	assert.NotContains(t, got, "[!CAUTION]")
	assert.NotContains(t, got, "Resource changes")
}

func TestManagedClusterReplacement(t *testing.T) {
	got := Render(dataplaneReplace(), Options{})
	head, _, _ := strings.Cut(got, "### Resource changes")
	// The warning is above the details, names the cluster, the key and the
	// leaf paths, and points at the in-place path.
	assert.Contains(t, head, "> [!CAUTION]")
	assert.Contains(t, head, "> **This change would replace 2 resources.**")
	assert.Contains(t, head, "`platform-cluster-aks` · `azure-native:containerservice/v20241001:ManagedCluster`")
	assert.Contains(t, head, "because `networkProfile` changed:")
	assert.Contains(t, head, "`networkProfile.networkDataplane`: `\"azure\"` → `\"cilium\"`")
	assert.Contains(t, head, "**The AKS cluster `platform-cluster-aks` would be replaced:**")
	assert.Contains(t, head, "in-place migration path")
	assert.Contains(t, head, "pulumi/pulumi-azure-native#4756")
	// Replacements come first in the details.
	details := got[len(head):]
	assert.Less(t, strings.Index(details, "platform-cluster-aks"), strings.Index(details, "<code>platform</code>"))
}

func TestDeletionIsAWarning(t *testing.T) {
	got := Render(deletion(), Options{})
	assert.Contains(t, got, "> [!WARNING]\n> **This change would delete 1 resource.**")
	assert.Contains(t, got, "> - **delete** `platform-cluster-pool-batch` · `azure-native:containerservice/v20241001:AgentPool`: no longer declared in the program")
	assert.NotContains(t, got, "[!CAUTION]", "a pool is not a cluster")
}

func TestDiagnostics(t *testing.T) {
	got := Render(diagnostics(), Options{})
	assert.Contains(t, got, "<details open>\n<summary><b>Diagnostics</b>: 1 error, 3 warnings</summary>")
	assert.Contains(t, got, "**1 resource failed:** `platform-cluster-aks`.")
	assert.NotContains(t, got, "Downloading provider", "info messages are left out")
	assert.Less(t, strings.Index(got, "**error**"), strings.Index(got, "**warning**"), "errors first")
}

func TestHugeStaysInBudget(t *testing.T) {
	r := huge()
	got := Render(r, withTitle(ciOptions, "Tag every tenant cluster"))
	t.Logf("huge preview: %d steps, %d bytes", len(r.Steps), len(got))
	assert.Less(t, len(got), DefaultMaxBytes)
	checkWellFormed(t, got, DefaultMaxBytes)

	// Header, counts and the full warning are kept.
	assert.True(t, strings.HasPrefix(got, "<!-- aks-cilium:preview project=aks-cilium stack=tenants -->\n## Pulumi preview"))
	assert.Contains(t, got, "| 400 | 1,592 | **3** | **5** | 0 |")
	assert.Contains(t, got, "> **This change would replace 3 resources and delete 5 resources.**")
	for _, name := range []string{"tenant-007-cluster-aks", "tenant-157-cluster-aks", "tenant-307-cluster-aks", "tenant-323-cluster-pool-spot"} {
		assert.Contains(t, got, "> - **", name)
		assert.Contains(t, got, "`"+name+"`")
	}
	// The note says what was left out, and so does the end of the list.
	note := regexp.MustCompile(`This comment is shortened\*\* to stay under GitHub's size limit: ([\d,]+) of 2,000 changed resources (and [\d,]+ of 150 diagnostics )?are not shown`)
	assert.Regexp(t, note, got)
	assert.Contains(t, got, "more changed resources, not shown to keep this comment under GitHub's size limit._")
	assert.Contains(t, got, "The full output is in the [CI run](https://github.com/aks-cilium/platform-stacks/actions/runs/9876543210).")
}

func TestBudgetAlwaysHolds(t *testing.T) {
	r := huge()
	for _, max := range []int{MinMaxBytes, 5000, 10000, 30000, 60000, GitHubLimit - 1} {
		got := Render(r, Options{MaxBytes: max})
		assert.LessOrEqual(t, len(got), max, "MaxBytes %d", max)
		assert.Contains(t, got, "> [!CAUTION]", "MaxBytes %d keeps the warning", max)
		assert.Contains(t, got, "| create | update | replace | delete | same |", "MaxBytes %d keeps the counts", max)
		assert.Contains(t, got, "**The AKS clusters `tenant-007-cluster-aks`", "MaxBytes %d keeps the cluster sentence", max)
		assert.NotContains(t, got, "(cut: comment size limit)", "MaxBytes %d needs no hard cut", max)
		checkWellFormed(t, got, max)
	}
	// Beyond GitHub's limit the budget is lowered to fit.
	got := Render(r, Options{MaxBytes: 1 << 20})
	assert.Less(t, len(got), GitHubLimit)
	// A destroy of thousands keeps the warning bounded too.
	d := huge()
	d.Kind = "destroy"
	for i := range d.Steps {
		d.Steps[i].Op = "delete"
		d.Steps[i].ReplaceKeys = nil
	}
	d.Changes = changes("delete", len(d.Steps))
	got = Render(d, Options{})
	assert.Less(t, len(got), DefaultMaxBytes)
	assert.Contains(t, got, "> **This destroy deleted 2,000 resources.**")
	assert.Regexp(t, `> - … and [\d,]+ more replacements or deletions`, got)
}

func TestFleetBudget(t *testing.T) {
	var rs []*result.Result
	for _, s := range []string{"eu", "us", "asia"} {
		rs = append(rs, onStack(huge(), s))
	}
	got := RenderFleet(rs, ciOptions)
	assert.Less(t, len(got), DefaultMaxBytes)
	checkWellFormed(t, got, DefaultMaxBytes)
	assert.True(t, strings.HasPrefix(got, Marker("aks-cilium", "*")+"\n"))
	for _, s := range []string{"asia", "eu", "us"} {
		assert.Contains(t, got, "### `"+s+"`")
		assert.Contains(t, got, "| `"+s+"` | 400 | 1,592 | **3** | **5** | 0 | **replaces the AKS cluster** |")
	}
	assert.Equal(t, 3, strings.Count(got, "> [!CAUTION]"), "every stack keeps its warning")
	assert.Contains(t, got, "of 6,000 changed resources and")
	// Many stacks: each keeps its counts and warning (in a shorter form).
	var many []*result.Result
	for i := 0; i < 40; i++ {
		many = append(many, onStack(dataplaneReplace(), fmt.Sprintf("region-%02d", i)))
	}
	got40 := RenderFleet(many, Options{})
	assert.Less(t, len(got40), DefaultMaxBytes)
	assert.Equal(t, 40, strings.Count(got40, "> [!CAUTION]"))
	assert.Equal(t, 40, strings.Count(got40, "> **The AKS cluster `platform-cluster-aks` would be replaced"))
	assert.NotContains(t, got40, "(cut: comment size limit)")

	// Every stack gets a share of the details.
	for _, s := range []string{"asia", "eu", "us"} {
		_, after, _ := strings.Cut(got, "### `"+s+"`")
		section, _, _ := strings.Cut(after, "\n### ")
		assert.Contains(t, section, "<details>", "stack %s shows some details", s)
	}
}

func TestHostileInputIsNeutralised(t *testing.T) {
	got := Render(hostile(), Options{Title: "**Fix** <img src=x> @octocat", RunURL: "javascript:alert(1)"})
	for _, bad := range []string{"\x1b", "<{%", "\u202e"} {
		assert.NotContains(t, got, bad)
	}
	// Outside code, where GitHub would read it as Markdown or HTML.
	prose, closed := stripCode(got)
	require.True(t, closed)
	for _, bad := range []string{"<img", "<script", "<b>bold", "<!-- hide", "](javascript:", "@octocat"} {
		assert.NotContains(t, prose, bad)
	}
	assert.Equal(t, 1, strings.Count(prose, "<!--"), "only the marker is an HTML comment")
	assert.Equal(t, 3, strings.Count(prose, "<details"), "two resources, diagnostics: the hostile </details> stayed inside code")
	// The marker cannot be closed early by a stack name.
	assert.True(t, strings.HasPrefix(got, "<!-- aks-cilium:preview project=aks-cilium stack=prod--_ -->\n"))
	// A pipe in a name does not split a table cell; backticks do not end a
	// code span; a value's ``` does not end its diff block.
	assert.Contains(t, got, "<code>pool|x`y`&lt;/details&gt;&lt;img src=x onerror=alert(1)&gt;</code>")
	assert.Contains(t, got, "````diff\n")
	assert.Contains(t, got, "&lt;img src=x&gt; \\*\\*bold\\*\\* \\| a \\| b \\|")
}

func TestSecretsAreMasked(t *testing.T) {
	r := leaky()
	r.Stack = "prod"
	got := Render(r, Options{Title: "rotate " + canary, RunURL: "https://ci.example/run?token=" + canary, Secrets: []string{canary}})
	assert.NotContains(t, got, canary)
	assert.NotContains(t, got, "7f3a9c1e", "not even a part of it")
	assert.Contains(t, got, "[secret]")
	fleetGot := RenderFleet([]*result.Result{leaky()}, Options{Secrets: []string{canary}})
	assert.NotContains(t, fleetGot, canary)
	// Long values are masked before they are cut, so no prefix leaks.
	long := leaky()
	long.Steps[0].Diffs[0].Old = `"` + strings.Repeat("a", maxValueBytes-10) + canary + `"`
	assert.NotContains(t, Render(long, Options{Secrets: []string{canary}}), "canary-7f")
}

func TestDeterministic(t *testing.T) {
	want := Render(huge(), ciOptions)
	r := huge()
	rand.New(rand.NewSource(1)).Shuffle(len(r.Steps), func(i, j int) { r.Steps[i], r.Steps[j] = r.Steps[j], r.Steps[i] })
	rand.New(rand.NewSource(2)).Shuffle(len(r.Diagnostics), func(i, j int) { r.Diagnostics[i], r.Diagnostics[j] = r.Diagnostics[j], r.Diagnostics[i] })
	assert.Equal(t, want, Render(r, ciOptions), "step and diagnostic order do not matter")

	fs := fleet()
	fs[0], fs[3] = fs[3], fs[0]
	assert.Equal(t, RenderFleet(fleet(), ciOptions), RenderFleet(fs, ciOptions), "stack order does not matter")
}

func TestCountsWithoutChanges(t *testing.T) {
	// A Result built by hand without Changes is counted from its steps.
	r := dataplaneReplace()
	r.Changes = nil
	got := Render(r, Options{})
	assert.Contains(t, got, "| 0 | 3 | **2** | 0 | 0 |")
}

func TestNilAndEmpty(t *testing.T) {
	got := Render(nil, Options{})
	assert.True(t, strings.HasPrefix(got, "<!-- aks-cilium:preview project=aks-cilium stack=_ -->\n"))
	assert.Contains(t, got, "**No changes.**")
	got = RenderFleet(nil, Options{})
	assert.Contains(t, got, "No stacks.")
}

func TestMarker(t *testing.T) {
	m := Marker("aks-cilium", "prod")
	assert.Equal(t, "<!-- aks-cilium:preview project=aks-cilium stack=prod -->", m)
	for _, tc := range []struct {
		body, project, stack string
		ok                   bool
	}{
		{m + "\n## Pulumi preview", "aks-cilium", "prod", true},
		{"\n  " + Marker("p", "*") + "\n", "p", "*", true},
		{Marker("org/p", "a b-->c") + "\n", "org/p", "a_b--_c", true},
		{"Thanks!\n" + m, "", "", false}, // only on the first line
		{"", "", "", false},
		{"<!-- aks-cilium:preview project=p -->", "", "", false},
	} {
		p, s, ok := FindMarker(tc.body)
		assert.Equal(t, tc.ok, ok, tc.body)
		assert.Equal(t, tc.project, p, tc.body)
		assert.Equal(t, tc.stack, s, tc.body)
	}
}

func TestTextHelpers(t *testing.T) {
	assert.Equal(t, "`a`", code("a"))
	assert.Equal(t, "``a`b``", code("a`b"))
	assert.Equal(t, "`` `x` ``", code("`x`"))
	assert.Equal(t, "`a \\| b`", cell("a | b"))
	assert.Equal(t, "x\\_y \\*z\\* &lt;b&gt; @\u200bme", mdText("x_y *z* <b> @me"))
	assert.Equal(t, "&lt;/summary&gt;", htmlText("</summary>"))
	assert.Equal(t, "````text\n```\n````\n", fenced("text", "```"))
	assert.Equal(t, "1,234,567", thousands(1234567))
	assert.Equal(t, "héllo… (2 more bytes)", truncate("héllo!!", 6)) // é is two bytes
	assert.Equal(t, "ok", newCleaner(nil).text("\x1b[1;31mo\x1b[0mk\u202e"))
	assert.Equal(t, "a [secret] b", newCleaner([]string{"hunter22"}).line("a hunter22\n b"))
	assert.Equal(t, "", linkURL("javascript:alert(1)"))
	assert.Equal(t, "https://x.example/a%28b%29", linkURL("https://x.example/a(b)"))
}

func TestWarningVariants(t *testing.T) {
	_, _, _, vnet, _, mc, _, _ := platformResources("platform")

	// A cluster replaced for a reason outside networkProfile.
	r := &result.Result{Stack: "prod", Kind: "preview", Steps: []result.Step{
		replaceStep("prod", mc, []string{"location"}, diff("location", "update-replace", `"westeurope"`, `"northeurope"`)),
	}}
	got := Render(r, Options{})
	assert.Contains(t, got, "because `location` changed:\n>   - `location`: `\"westeurope\"` → `\"northeurope\"`")
	assert.Contains(t, got, "Where AKS can make the change in place")
	assert.NotContains(t, got, "#4756")

	// After an up, in the past tense and without the guardrail advice.
	r.Kind = "up"
	got = Render(r, Options{})
	assert.Contains(t, got, "> **This update replaced 1 resource.**")
	assert.Contains(t, got, "**The AKS cluster `platform-cluster-aks` was replaced:**")
	assert.NotContains(t, got, "AllowReplace")

	// A VNet deleted while the cluster stays is a CAUTION.
	r = &result.Result{Stack: "prod", Kind: "preview", Steps: []result.Step{step("prod", vnet, "delete")}}
	got = Render(r, Options{})
	assert.Contains(t, got, "> [!CAUTION]")
	assert.Contains(t, got, "cuts off the nodes in it; the cluster stays but loses its network.")

	// No replace keys and no replace diffs: say the provider did not tell.
	r = &result.Result{Stack: "prod", Kind: "preview", Steps: []result.Step{replaceStep("prod", vnet, nil)}}
	assert.Contains(t, Render(r, Options{}), "(the provider did not say which property forces the replacement)")
}

func BenchmarkRenderHuge(b *testing.B) {
	r := huge()
	for b.Loop() {
		Render(r, ciOptions)
	}
}

// ARM changes outside the Pulumi plan are listed, planned or made, with
// values cleaned like the rest of the comment.
func TestRenderARMChanges(t *testing.T) {
	r := &result.Result{Stack: "prod", Kind: result.KindPreview, ARMChanges: []result.ARMChange{{
		Resource: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-prod",
		Property: "networkProfile.advancedNetworking", Old: "off", New: "on (observability, security L7)", Note: "API 2024-10-01 cannot\nset it",
	}}}
	md := Render(r, Options{})
	assert.Contains(t, md, "**Through Azure Resource Manager, outside the Pulumi plan** (the Engine makes these after the update and refreshes the stack):")
	assert.Contains(t, md, "- `networkProfile.advancedNetworking` of `aks-prod`: `off` → `on (observability, security L7)`. API 2024-10-01 cannot set it\n")
	r.Kind = result.KindUp
	r.ARMChanges[0].Applied = true
	assert.Contains(t, Render(r, Options{}), "(made after the update; the stack was refreshed)")
	assert.NotContains(t, Render(&result.Result{Stack: "prod"}, Options{}), "Through Azure Resource Manager")
}

// Removing advancedNetworking is planned in place and does nothing in ARM:
// the comment says so.
func TestRenderACNSRemovalNote(t *testing.T) {
	r := &result.Result{Stack: "prod", Kind: result.KindPreview, Changes: map[result.Op]int{result.OpUpdate: 1}, Steps: []result.Step{{
		URN: "urn:pulumi:prod::p::azure-native:containerservice/v20241001:ManagedCluster::aks", Type: "azure-native:containerservice/v20241001:ManagedCluster",
		Name: "aks", Op: result.OpUpdate, Diffs: []result.PropertyDiff{{Path: "networkProfile.advancedNetworking", Kind: "delete", Old: "{enabled: true}"}},
	}}}
	md := Render(r, Options{})
	assert.Contains(t, md, "Removing `networkProfile.advancedNetworking` from `aks` does not turn ACNS off")
	r.Steps[0].Diffs[0].Kind = "update"
	assert.NotContains(t, Render(r, Options{}), "does not turn ACNS off")
}
