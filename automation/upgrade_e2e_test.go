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
// preview, and the PR comment renders the note. 1.32 to 1.33 keeps the
// Cilium minimum (1.17.9) and opens the two 1.33 gates; 1.33 to 1.34 moves
// it to 1.18.6.
func TestE2EUpgradeNote(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("upgrade")
	pre, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.Empty(t, pre.Upgrades, "a first deploy is no upgrade")
	_, err = h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)

	to133 := c
	to133.KubernetesVersion = "1.33"
	r, err := h.eng.Preview(ctx, "dev", to133, PreviewOptions{})
	require.NoError(t, err)
	require.Len(t, r.Upgrades, 1, "%+v", r.Upgrades)
	u := r.Upgrades[0]
	assert.Equal(t, "platform-cluster-aks", u.Resource)
	assert.Equal(t, []string{"1.32", "1.33", "1.17.9", "1.17.9"}, []string{u.FromKubernetes, u.ToKubernetes, u.FromMinCilium, u.ToMinCilium})
	assert.Equal(t, []result.GatedFeature{
		{Feature: "ContainerNetworkFlowLogs", Title: "container network flow logs", MinKubernetes: "1.33", Requires: "ACNS enabled with observability", Condition: "not met"},
		{Feature: "EBPFHostRouting", Title: "eBPF host routing", MinKubernetes: "1.33", Requires: "Azure Linux 3 or Ubuntu 24.04 nodes", Condition: "unknown"},
	}, u.Enabled)
	assert.Empty(t, u.Disabled)
	md := prcomment.Render(r, prcomment.Options{})
	assert.Contains(t, md, "**Kubernetes 1.32 → 1.33** on `platform-cluster-aks`: the minimum Cilium version stays **≥ 1.17.9**")
	assert.Contains(t, md, "Turns on: **container network flow logs** (Kubernetes 1.33+; needs ACNS enabled with observability: off in this spec, so it stays off)")

	up, err := h.eng.Up(ctx, "dev", to133, UpOptions{})
	require.NoError(t, err)
	require.Len(t, up.Upgrades, 1, "the Up's result carries the note too")

	to134 := c
	to134.KubernetesVersion = "1.34"
	r, err = h.eng.Preview(ctx, "dev", to134, PreviewOptions{})
	require.NoError(t, err)
	require.Len(t, r.Upgrades, 1)
	assert.Equal(t, []string{"1.33", "1.34", "1.17.9", "1.18.6"},
		[]string{r.Upgrades[0].FromKubernetes, r.Upgrades[0].ToKubernetes, r.Upgrades[0].FromMinCilium, r.Upgrades[0].ToMinCilium})
	assert.Empty(t, r.Upgrades[0].Enabled)
	assert.Contains(t, prcomment.Render(r, prcomment.Options{}),
		"**Kubernetes 1.33 → 1.34** on `platform-cluster-aks`: the minimum Cilium version moves from **≥ 1.17.9** to **≥ 1.18.6**")
}
