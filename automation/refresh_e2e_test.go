package automation_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
)

// A ManagedCluster read back lists every pool in agentPoolProfiles,
// including those managed as AgentPool resources
// (pulumi/pulumi-azure-native#2719), and azure-native's refresh carries
// them into the cluster's inputs. Engine.Refresh keeps them out (ARM keeps
// a pool a cluster PUT leaves out: #579, #1686), so a refresh never plans a
// change to the cluster, and a cluster update after a pool was removed does
// not reintroduce it ("A new agent pool was introduced", #2719).
func TestE2ERefreshLeavesAgentPoolsOutOfTheCluster(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("refresh")
	step := stepTimer(t)

	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	cluster, ok := h.sim.Get(clusterID(c))
	require.True(t, ok)
	assert.Len(t, cluster.Outputs["agentPoolProfiles"], 3, "ARM lists the system pool and the two AgentPools")
	step("up")

	_, err = h.eng.Refresh(ctx, "dev", RefreshOptions{})
	require.NoError(t, err)
	pre, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, pre.HasChanges(), "a refresh plans no change: %s %v", pre.ChangeSummary(), stepOf(pre, "platform-cluster-aks"))
	step("refresh, no-op preview")

	// Remove a pool, then change the cluster: the cluster's PUT names
	// only the system pool.
	removed := c
	removed.UserPools = c.UserPools[:1]
	_, err = h.eng.Up(ctx, "dev", removed, UpOptions{})
	require.NoError(t, err)
	removed.Tags = map[string]string{"environment": "after-removal"}
	_, err = h.eng.Up(ctx, "dev", removed, UpOptions{})
	require.NoError(t, err, "the cluster update does not reintroduce the removed pool")
	_, err = h.eng.Refresh(ctx, "dev", RefreshOptions{})
	require.NoError(t, err)
	pre, err = h.eng.Preview(ctx, "dev", removed, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, pre.HasChanges(), pre.ChangeSummary())
	assert.Equal(t, 1, simTypes(h.sim)["AgentPool"], "the removed pool is gone")
	step("pool removed, cluster updated, refresh, no-op preview")
}
