package prcomment

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// kubernetesUpgrade: 1.32 to 1.33, and a second cluster 1.33 to 1.34, as
// the Engine notes them.
func kubernetesUpgrade() *result.Result {
	_, _, _, _, _, mc, _, _ := platformResources("platform")
	r := &result.Result{Stack: "prod", Kind: result.KindPreview, Changes: changes("update", 1, "same", 7)}
	r.Steps = []result.Step{step("prod", mc, result.OpUpdate, diff("kubernetesVersion", "update", `"1.32"`, `"1.33"`))}
	r.Upgrades = []result.Upgrade{{
		Resource: mc.name, FromKubernetes: "1.32", ToKubernetes: "1.33", FromMinCilium: "1.17.9", ToMinCilium: "1.17.9",
		Enabled: []result.GatedFeature{
			{Feature: "ContainerNetworkFlowLogs", Title: "container network flow logs", MinKubernetes: "1.33", Requires: "ACNS enabled with observability", Condition: "not met"},
			{Feature: "EBPFHostRouting", Title: "eBPF host routing", MinKubernetes: "1.33", Requires: "Azure Linux 3 or Ubuntu 24.04 nodes", Condition: "unknown"},
		},
	}, {
		Resource: "other-aks", FromKubernetes: "1.33", ToKubernetes: "1.34", FromMinCilium: "1.17.9", ToMinCilium: "1.18.6",
	}}
	return r
}

// A Kubernetes version change reads as what it does to Cilium: the
// minimum version moving (or not), and the gated features that turn on.
func TestRenderUpgrade(t *testing.T) {
	got := Render(kubernetesUpgrade(), withTitle(ciOptions, "Kubernetes 1.33 for prod"))
	golden(t, "upgrade", got)
	checkWellFormed(t, got, DefaultMaxBytes)
	assert.Contains(t, got, "> [!IMPORTANT]")
	assert.Contains(t, got, "**Kubernetes 1.32 → 1.33** on `platform-cluster-aks`: the minimum Cilium version stays **≥ 1.17.9**")
	assert.Contains(t, got, "Turns on: **container network flow logs** (Kubernetes 1.33+; needs ACNS enabled with observability: off in this spec, so it stays off)")
	assert.Contains(t, got, "**eBPF host routing** (Kubernetes 1.33+; needs Azure Linux 3 or Ubuntu 24.04 nodes: not known from the spec)")
	assert.Contains(t, got, "**Kubernetes 1.33 → 1.34** on `other-aks`: the minimum Cilium version moves from **≥ 1.17.9** to **≥ 1.18.6**")

	down := kubernetesUpgrade()
	down.Upgrades[0] = result.Upgrade{Resource: "platform-cluster-aks", FromKubernetes: "1.33", ToKubernetes: "1.32", FromMinCilium: "1.17.9", ToMinCilium: "1.17.9",
		Disabled: []result.GatedFeature{{Title: "eBPF host routing", MinKubernetes: "1.33", Requires: "x", Condition: "met"}}}
	got = Render(down, Options{})
	assert.Contains(t, got, "the minimum Cilium version stays **≥ 1.17.9**")
	assert.Contains(t, got, "Turns off: **eBPF host routing** (Kubernetes 1.33+; needs x: on in this spec)")

	fleet := RenderFleet([]*result.Result{kubernetesUpgrade(), onStack(noChanges(), "dev")}, Options{})
	assert.Contains(t, fleet, "**Kubernetes 1.33 → 1.34** on `other-aks`", "a fleet comment notes it in the stack's section")
	assert.NotContains(t, Render(inPlaceUpdate(), Options{}), "[!IMPORTANT]", "no note without a version change")
}
