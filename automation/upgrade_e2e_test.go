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
// preview, and the PR comment renders the note. 1.31 to 1.32 moves the
// Cilium minimum from 1.16.16 to 1.17.9 and turns Cilium Endpoint Slices on.
func TestE2EUpgradeNote(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("upgrade")
	c.KubernetesVersion = "1.31"
	pre, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.Empty(t, pre.Upgrades, "a first deploy is no upgrade")
	_, err = h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)

	next := c
	next.KubernetesVersion = "1.32"
	r, err := h.eng.Preview(ctx, "dev", next, PreviewOptions{})
	require.NoError(t, err)
	require.Len(t, r.Upgrades, 1, "%+v", r.Upgrades)
	u := r.Upgrades[0]
	assert.Equal(t, "platform-cluster-aks", u.Resource)
	assert.Equal(t, []string{"1.31", "1.32", "1.16.16", "1.17.9"}, []string{u.FromKubernetes, u.ToKubernetes, u.FromMinCilium, u.ToMinCilium})
	assert.Equal(t, []result.GatedFeature{
		{Feature: "CiliumEndpointSlices", Title: "Cilium Endpoint Slices", MinKubernetes: "1.32"},
	}, u.Enabled)
	assert.Empty(t, u.Disabled)
	md := prcomment.Render(r, prcomment.Options{})
	assert.Contains(t, md, "**Kubernetes 1.31 → 1.32** on `platform-cluster-aks`: the minimum Cilium version moves from **≥ 1.16.16** to **≥ 1.17.9**")
	assert.Contains(t, md, "Turns on: **Cilium Endpoint Slices** (Kubernetes 1.32+)")

	up, err := h.eng.Up(ctx, "dev", next, UpOptions{})
	require.NoError(t, err)
	require.Len(t, up.Upgrades, 1, "the Up's result carries the note too")
	assert.Equal(t, "1.17.9", up.Outputs["minCiliumVersion"].Value)
}
