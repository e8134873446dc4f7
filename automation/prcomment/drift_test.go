package prcomment

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// drifted: a tag edited in the portal and a node pool deleted; an update
// with refresh would set the tag back and create the pool again.
func drifted() *result.Result {
	_, _, _, _, _, mc, pool, _ := platformResources("platform")
	r := &result.Result{Stack: "prod", Kind: result.KindDrift, Changes: changes("update", 1, "create", 1, "same", 6)}
	r.Drift = []result.Drift{
		{URN: urn("prod", mc), Type: mc.typ, Name: mc.name, Diffs: []result.PropertyDiff{diff("tags.environment", "update", `"prod"`, `"edited-in-portal"`)}},
		{URN: urn("prod", pool), Type: pool.typ, Name: pool.name, Deleted: true},
	}
	r.Steps = []result.Step{
		step("prod", mc, result.OpUpdate, diff("tags.environment", "update", `"edited-in-portal"`, `"prod"`)),
		step("prod", pool, result.OpCreate),
	}
	return r
}

// checkDriftWellFormed: the drift marker first, within budget, fences and
// <details> closed.
func checkDriftWellFormed(t *testing.T, got, stack string, max int) {
	t.Helper()
	assert.True(t, strings.HasPrefix(got, DriftMarker(DefaultProject, stack)+"\n"), "the drift marker comes first")
	assert.LessOrEqual(t, len(got), max)
	prose, closed := stripCode(got)
	assert.True(t, closed, "every code fence is closed")
	assert.Equal(t, strings.Count(prose, "<details"), strings.Count(prose, "</details>"), "every <details> is closed")
}

func TestRenderDrift(t *testing.T) {
	got := RenderDrift(drifted(), withTitle(ciOptions, "Nightly drift check"))
	golden(t, "drift", got)
	checkDriftWellFormed(t, got, "prod", DefaultMaxBytes)
	assert.Contains(t, got, "> [!CAUTION]", "a drifted cluster is a prominent warning")
	assert.Contains(t, got, "**2 resources have drifted**")
	assert.Contains(t, got, "`platform-cluster-pool-user` (**deleted**)", "deleted resources are named")
	assert.Contains(t, got, "`platform-cluster-aks` (changed: `tags.environment`)", "changed ones with their properties")
	assert.Contains(t, got, "- \"prod\"\n+ \"edited-in-portal\"", "the state's value, then Azure's")

	clean := &result.Result{Stack: "prod", Kind: result.KindDrift, Changes: changes("same", 8)}
	got = RenderDrift(clean, Options{})
	golden(t, "no-drift", got)
	checkDriftWellFormed(t, got, "prod", DefaultMaxBytes)
	assert.Contains(t, got, "**No drift.**")
	assert.NotContains(t, got, "[!WARNING]")
	assert.NotContains(t, got, "[!CAUTION]")

	got = RenderDrift(nil, Options{})
	checkDriftWellFormed(t, got, "", DefaultMaxBytes)
}

// Drift values are escaped and masked like a preview's, and a huge drift
// stays within the budget with a note.
func TestRenderDriftHostileAndHuge(t *testing.T) {
	r := drifted()
	r.Drift[0].Diffs[0].New = `"` + canary + `</details><img src=x>"`
	r.Drift[1].Name = "pool`<b>x</b>"
	got := RenderDrift(r, Options{Secrets: []string{canary}})
	checkDriftWellFormed(t, got, "prod", DefaultMaxBytes)
	assert.NotContains(t, got, canary)
	prose, _ := stripCode(got) // inside code spans and fences, markup is text
	assert.NotContains(t, prose, "<img")
	assert.NotContains(t, prose, "<b>x</b>")

	_, _, _, _, _, mc, _, _ := platformResources("platform")
	huge := &result.Result{Stack: "prod", Kind: result.KindDrift}
	for i := range 400 {
		x := mc
		x.name = mc.name + strings.Repeat("x", i%7) + "-" + string(rune('a'+i%26)) + strings.Repeat("y", i/26)
		huge.Drift = append(huge.Drift, result.Drift{URN: urn("prod", x), Type: x.typ, Name: x.name,
			Diffs: []result.PropertyDiff{diff("tags.big", "update", `"`+strings.Repeat("a", 500)+`"`, `"`+strings.Repeat("b", 500)+`"`)}})
	}
	got = RenderDrift(huge, Options{MaxBytes: 20000})
	checkDriftWellFormed(t, got, "prod", 20000)
	assert.Contains(t, got, "**This comment is shortened**")
	assert.Contains(t, got, "drifted resources are not shown")
}

// A preview that read Azure first (a saved plan's) says what drifted.
func TestRenderPreviewNamesDrift(t *testing.T) {
	r := drifted()
	r.Kind = result.KindPreview
	got := Render(r, Options{})
	assert.Contains(t, got, "drifted")
	assert.Contains(t, got, "`platform-cluster-pool-user` (**deleted**)")
	assert.NotContains(t, Render(inPlaceUpdate(), Options{}), "drifted")
}
