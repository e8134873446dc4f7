package automation_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/prcomment"
	"github.com/aks-cilium/aks-cilium/automation/result"
)

// stateFiles reads every file of the Engine's file backend, by path.
func stateFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = data
		return err
	}))
	return files
}

// A change behind Pulumi's back (a tag edited in the portal, a node pool
// deleted) is found by Drift and named, with the properties that differ;
// the stack's state is byte for byte what it was, and nothing is written
// to Azure. A plain Up does not see drift; an Up with Refresh puts Azure
// back, and Drift then finds nothing.
func TestE2EDrift(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("drift")
	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)

	clean, err := h.eng.Drift(ctx, "dev", c, DriftOptions{})
	require.NoError(t, err)
	// The refresh reads the user pools into the cluster's agentPoolProfiles
	// (pulumi-azure-native#2719, which the simulator reproduces): that is
	// neither drift nor a change.
	assert.False(t, clean.Drifted(), "no drift right after an Up: %+v", clean.Drift)
	assert.False(t, clean.HasChanges(), clean.ChangeSummary())

	require.NoError(t, h.sim.PatchOutOfBand(clusterID(c), map[string]any{"tags": map[string]any{"environment": "edited-in-portal"}}))
	_, err = h.sim.DeleteOutOfBand(clusterID(c) + "/agentPools/batch")
	require.NoError(t, err)
	before := stateFiles(t, h.eng.StateDir())
	require.Contains(t, before, filepath.Join(h.eng.StateDir(), ".pulumi", "stacks", DefaultProject, "dev.json"))
	h.sim.ResetStats()
	procs := h.eng.CLI().Processes()

	r, err := h.eng.Drift(ctx, "dev", c, DriftOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), h.eng.CLI().Processes()-procs, "one pulumi process")
	assert.Equal(t, result.KindDrift, r.Kind)
	require.True(t, r.Drifted())
	mcURN := "urn:pulumi:dev::" + DefaultProject + "::aks-cilium:index:Platform$aks-cilium:azure:Cluster$" + typeManagedCluster + "::platform-cluster-aks"
	poolURN := "urn:pulumi:dev::" + DefaultProject + "::aks-cilium:index:Platform$aks-cilium:azure:Cluster$" + typeAgentPool + "::platform-cluster-pool-batch"
	assert.Equal(t, []result.Drift{
		{URN: poolURN, Type: typeAgentPool, Name: "platform-cluster-pool-batch", Deleted: true},
		{URN: mcURN, Type: typeManagedCluster, Name: "platform-cluster-aks",
			Diffs: []result.PropertyDiff{{Path: "tags.environment", Kind: "update", Old: `"test"`, New: `"edited-in-portal"`}}},
	}, r.Drift)
	assert.Equal(t, result.OpUpdate, stepOf(r, "platform-cluster-aks").Op, "an Up would set the tag back")
	assert.Contains(t, stepOf(r, "platform-cluster-aks").Diffs,
		result.PropertyDiff{Path: "tags.environment", Kind: "update", Old: `"edited-in-portal"`, New: `"test"`})
	assert.Equal(t, result.OpCreate, stepOf(r, "platform-cluster-pool-batch").Op, "an Up would create the pool again")

	md := prcomment.RenderDrift(r, prcomment.Options{})
	assert.Contains(t, md, "`platform-cluster-pool-batch` (**deleted**)")
	assert.Contains(t, md, "`platform-cluster-aks` (changed: `tags.environment`)")

	assert.Equal(t, before, stateFiles(t, h.eng.StateDir()), "the state is byte for byte unchanged")
	assert.Zero(t, writes(h.sim), "nothing written to Azure")
	assert.Positive(t, h.sim.CallCount("", "read"), "Azure was read")

	plain, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	assert.False(t, plain.HasChanges(), "without a refresh, Up compares with the state only: %s", plain.ChangeSummary())
	fixed, err := h.eng.Up(ctx, "dev", c, UpOptions{Refresh: true})
	require.NoError(t, err)
	assert.Equal(t, 1, fixed.Changes[result.OpCreate], fixed.ChangeSummary())
	assert.Equal(t, 1, h.sim.CallCount("AgentPool", "create"), "the pool is back")
	after, err := h.eng.Drift(ctx, "dev", c, DriftOptions{})
	require.NoError(t, err)
	assert.False(t, after.Drifted(), "%+v", after.Drift)
	assert.False(t, after.HasChanges(), after.ChangeSummary())
}
