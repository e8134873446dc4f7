package automation_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/prcomment"
	"github.com/aks-cilium/aks-cilium/automation/result"
)

// A preview of a Kubernetes version change says what it does to Cilium:
// the Engine reads the cluster's version diff from the engine's own
// preview, and the PR comment renders the note.
func TestE2EUpgradeNote(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("upgrade")
	pre, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.Empty(t, pre.Upgrades, "a first deploy is no upgrade")
	_, err = h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)

	to134 := c
	to134.KubernetesVersion = "1.34"
	r, err := h.eng.Preview(ctx, "dev", to134, PreviewOptions{})
	require.NoError(t, err)
	require.Len(t, r.Upgrades, 1, "%+v", r.Upgrades)
	u := r.Upgrades[0]
	assert.Equal(t, "platform-cluster-aks", u.Resource)
	assert.Equal(t, []string{"1.32", "1.34", "1.17.9", "1.18.6"}, []string{u.FromKubernetes, u.ToKubernetes, u.FromMinCilium, u.ToMinCilium})
	assert.Equal(t, []result.GatedFeature{
		{Feature: "ContainerNetworkFlowLogs", Title: "container network flow logs", MinKubernetes: "1.33", Requires: "ACNS enabled with observability", Condition: "not met"},
		{Feature: "EBPFHostRouting", Title: "eBPF host routing", MinKubernetes: "1.33", Requires: "Azure Linux 3 or Ubuntu 24.04 nodes", Condition: "unknown"},
	}, u.Enabled)
	assert.Equal(t, []string{"1.33"}, u.SkippedMinors)
	md := prcomment.Render(r, prcomment.Options{})
	assert.Contains(t, md, "**Kubernetes 1.32 → 1.34** on `platform-cluster-aks`: the minimum Cilium version moves from **≥ 1.17.9** to **≥ 1.18.6**")
	assert.Contains(t, md, "**This skips Kubernetes 1.33.**")

	to133 := c
	to133.KubernetesVersion = "1.33"
	to133.ACNS.Enabled, to133.ACNS.Observability = true, true
	r, err = h.eng.Preview(ctx, "dev", to133, PreviewOptions{})
	require.NoError(t, err)
	require.Len(t, r.Upgrades, 1)
	assert.Equal(t, "1.17.9", r.Upgrades[0].ToMinCilium, "1.32 and 1.33 share a minimum")
	assert.Empty(t, r.Upgrades[0].SkippedMinors)
	assert.Equal(t, "met", r.Upgrades[0].Enabled[0].Condition, "ACNS observability is on in this spec")
	assert.Contains(t, prcomment.Render(r, prcomment.Options{}), "the minimum Cilium version stays **≥ 1.17.9**")
}
