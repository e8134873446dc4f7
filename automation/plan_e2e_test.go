package automation_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// writes counts the simulated Azure's create, update and delete calls.
func writes(sim *azuresim.Simulator) int {
	return sim.CallCount("", azuresim.OpCreate) + sim.CallCount("", azuresim.OpUpdate) + sim.CallCount("", azuresim.OpDelete)
}

// raiseApps is the reference spec with the apps pool's maximum raised and
// the tag changed: two in-place updates.
func raiseApps(c spec.Cluster) spec.Cluster {
	c.UserPools = append([]spec.NodePool(nil), c.UserPools...)
	c.UserPools[0].Autoscale = &spec.Autoscale{Min: 1, Max: 8}
	c.Tags = map[string]string{"environment": "staging"}
	return c
}

// An Up is its guardrail preview and the update that applies that
// preview's plan: two pulumi processes, no output or history reads, and
// the outputs (from the update's events) are the ones Outputs reads.
func TestE2EUpStartsTwoProcesses(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("procs")
	_, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{}) // the stack exists: no `stack init` below
	require.NoError(t, err)

	procs := h.eng.CLI().Processes()
	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(2), h.eng.CLI().Processes()-procs, "the guardrail preview and the update")
	assert.Equal(t, referenceCreates, up.Changes[result.OpCreate], "the change counts come from the update's summary event")
	outs, err := h.eng.Outputs(ctx, "dev")
	require.NoError(t, err)
	assert.Equal(t, outs, up.Outputs, "the outputs from the update's events are the stack's outputs")
	assert.Equal(t, result.Output{Value: result.SecretMask, Secret: true}, up.Outputs[spec.OutputKubeconfig])

	procs = h.eng.CLI().Processes()
	noop, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(2), h.eng.CLI().Processes()-procs, "a no-op Up too")
	assert.False(t, noop.HasChanges(), noop.ChangeSummary())
	assert.Equal(t, outs, noop.Outputs)

	procs = h.eng.CLI().Processes()
	_, err = h.eng.Up(ctx, "dev", raiseApps(c), UpOptions{AllowReplace: true})
	require.NoError(t, err)
	assert.Equal(t, int64(1), h.eng.CLI().Processes()-procs, "without the guardrail, the update alone")
	entries, err := os.ReadDir(h.eng.WorkDir("dev"))
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".plan.json", "Up's own plan file is removed")
	}
}

// A plan saved by a preview is applied exactly: one pulumi process, the
// reviewed changes in (simulated) Azure, nothing else.
func TestE2EPlanAppliedAsReviewed(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("plan")
	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)

	changed := raiseApps(c)
	plan := filepath.Join(t.TempDir(), "dev.plan.json")
	pre, err := h.eng.Preview(ctx, "dev", changed, PreviewOptions{SavePlan: plan})
	require.NoError(t, err)
	assert.Equal(t, 8, pre.Changes[result.OpUpdate],
		"the tag on the 3 components, resource group, VNet, cluster and both pools (the apps pool's maximum too): %s", pre.ChangeSummary())
	info, err := os.Stat(plan)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the plan file is private")

	h.sim.ResetStats()
	procs := h.eng.CLI().Processes()
	up, err := h.eng.Up(ctx, "dev", changed, UpOptions{Plan: plan})
	require.NoError(t, err)
	assert.Equal(t, int64(2), h.eng.CLI().Processes()-procs, "the check preview and the update")
	assert.Equal(t, pre.Changes, up.Changes, "what was reviewed")
	assert.Equal(t, 1, h.sim.CallCount("ManagedCluster", azuresim.OpUpdate))
	assert.Equal(t, 2, h.sim.CallCount("AgentPool", azuresim.OpUpdate))
	assert.Equal(t, 5, writes(h.sim), "an update of each Azure resource, nothing beyond the plan")
	apps, ok := h.sim.Get(clusterID(c) + "/agentPools/apps")
	require.True(t, ok)
	assert.EqualValues(t, 8, apps.Inputs["maxCount"])
	cluster, ok := h.sim.Get(clusterID(c))
	require.True(t, ok)
	assert.Equal(t, "staging", cluster.Inputs["tags"].(map[string]any)["environment"])

	noop, err := h.eng.Preview(ctx, "dev", changed, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, noop.HasChanges(), "the stack is what was reviewed: %s", noop.ChangeSummary())
}

// A plan is refused when the spec Up is given is not the one the plan was
// made for: before any process runs, naming the fields that differ. A plan
// of another stack is refused the same way.
func TestE2EPlanRefusedAfterSpecChanged(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("planspec")
	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	plan := filepath.Join(t.TempDir(), "dev.plan.json")
	_, err = h.eng.Preview(ctx, "dev", raiseApps(c), PreviewOptions{SavePlan: plan})
	require.NoError(t, err)

	other := raiseApps(c)
	other.Tags = map[string]string{"environment": "prod"}
	other.UserPools[1].Count = 3
	h.sim.ResetStats()
	procs := h.eng.CLI().Processes()
	_, err = h.eng.Up(ctx, "dev", other, UpOptions{Plan: plan})
	var violation *PlanViolationError
	require.ErrorAs(t, err, &violation)
	assert.Equal(t, plan, violation.Plan)
	assert.Empty(t, violation.Resources, "found in the configuration, before any resource")
	assert.Equal(t, []string{
		`spec.tags.environment: "staging" -> "prod"`,
		`spec.userPools[1].count: 1 -> 3`,
	}, violation.SpecDiffs)
	assert.Contains(t, err.Error(), "nothing was changed")
	assert.Contains(t, err.Error(), "preview again")
	assert.Zero(t, h.eng.CLI().Processes()-procs, "refused before any pulumi process")
	assert.Zero(t, writes(h.sim))

	// The plan of stack dev does not apply to stack prod.
	_, err = h.eng.Up(ctx, "prod", raiseApps(c), UpOptions{Plan: plan})
	require.ErrorAs(t, err, &violation)
	assert.Contains(t, violation.Reason, `the plan is for stack "dev"`)

	// A spec that only spells out defaults is the same spec.
	same := raiseApps(c).WithDefaults()
	_, err = h.eng.Up(ctx, "dev", same, UpOptions{Plan: plan})
	require.NoError(t, err, "the reviewed spec, defaults spelled out")
}

// deployAndReviewTag deploys c to stack dev, then previews a tag change
// and saves its plan, as a reviewed pull request would: it returns the
// tagged spec and the plan file.
func deployAndReviewTag(t *testing.T, h *harness, c spec.Cluster) (spec.Cluster, string) {
	t.Helper()
	_, err := h.eng.Up(t.Context(), "dev", c, UpOptions{})
	require.NoError(t, err)
	tagged := c
	tagged.Tags = map[string]string{"environment": "staging"}
	plan := filepath.Join(t.TempDir(), "dev.plan.json")
	_, err = h.eng.Preview(t.Context(), "dev", tagged, PreviewOptions{SavePlan: plan})
	require.NoError(t, err)
	return tagged, plan
}

// A plan is refused when the stack moved since the preview: another update
// applied a change the plan did not see. Up's check preview finds it before
// anything is written.
func TestE2EPlanRefusedAfterStackMoved(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("planmoved")
	tagged, plan := deployAndReviewTag(t, h, c)

	// Meanwhile another pull request raises the batch pool to 3 nodes.
	moved := c
	moved.UserPools = append([]spec.NodePool(nil), c.UserPools...)
	moved.UserPools[1].Count = 3
	_, err := h.eng.Up(ctx, "dev", moved, UpOptions{})
	require.NoError(t, err)

	h.sim.ResetStats()
	procs := h.eng.CLI().Processes()
	_, err = h.eng.Up(ctx, "dev", tagged, UpOptions{Plan: plan})
	var violation *PlanViolationError
	require.ErrorAs(t, err, &violation, "%v", err)
	require.Len(t, violation.Resources, 1, "%v", err)
	assert.Equal(t, "platform-cluster-pool-batch", violation.Resources[0].Name)
	assert.Equal(t, typeAgentPool, violation.Resources[0].Type)
	assert.Equal(t, "the planned update changes otherwise now: count", violation.Resources[0].Reason)
	assert.Contains(t, err.Error(), "nothing was changed")
	assert.Equal(t, int64(1), h.eng.CLI().Processes()-procs, "found by the check preview")
	assert.Zero(t, writes(h.sim), "nothing was written to Azure: not the reviewed tags, not the batch pool shrunk back")
	batch, _ := h.sim.Get(clusterID(c) + "/agentPools/batch")
	assert.EqualValues(t, 3, batch.Inputs["count"])
}

// A plan is refused when Azure changed since the preview: the update
// refreshes first, and the refreshed state differs from the plan's.
// Nothing is written to Azure.
func TestE2EPlanRefusedAfterAzureChanged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, sim *azuresim.Simulator, c spec.Cluster)
		target string // the resource the violation names
		reason string
	}{
		{"a pool patched in the portal", func(t *testing.T, sim *azuresim.Simulator, c spec.Cluster) {
			require.NoError(t, sim.PatchOutOfBand(clusterID(c)+"/agentPools/apps", map[string]any{"maxCount": 7}))
		}, "platform-cluster-pool-apps", "the planned update changes otherwise now: maxCount"},
		{"a pool deleted", func(t *testing.T, sim *azuresim.Simulator, c spec.Cluster) {
			_, err := sim.DeleteOutOfBand(clusterID(c) + "/agentPools/batch")
			require.NoError(t, err)
		}, "platform-cluster-pool-batch", "planned update, now create"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			ctx := t.Context()
			c := referenceSpec("planazure")
			tagged, plan := deployAndReviewTag(t, h, c)

			tc.change(t, h.sim, c)
			h.sim.ResetStats()
			_, err := h.eng.Up(ctx, "dev", tagged, UpOptions{Plan: plan})
			var violation *PlanViolationError
			require.ErrorAs(t, err, &violation, "%v", err)
			require.Len(t, violation.Resources, 1, "%v", err)
			assert.Equal(t, tc.target, violation.Resources[0].Name)
			assert.Equal(t, tc.reason, violation.Resources[0].Reason)
			assert.Empty(t, violation.Applied)
			assert.Contains(t, err.Error(), "nothing was changed")
			assert.Zero(t, writes(h.sim), "nothing was written to Azure")
			assert.Positive(t, h.sim.CallCount("", azuresim.OpRead), "the update refreshed first")
		})
	}
}

// A saved plan that replaces the cluster is refused before any process
// runs: the spec check (spec.ValidateUpdate) refuses the new pod CIDR
// unless replacements are allowed, and the guardrail on the plan's own
// operations is the second line (TestPlanGuardrail).
func TestE2EPlanGuardrail(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("planguard")
	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	replacing := c
	replacing.Network.Mode = spec.Overlay{PodCIDR: "172.16.0.0/16"}
	plan := filepath.Join(t.TempDir(), "dev.plan.json")
	pre, err := h.eng.Preview(ctx, "dev", replacing, PreviewOptions{SavePlan: plan})
	require.NoError(t, err)
	require.True(t, stepOf(pre, "platform-cluster-aks").Replaces())

	h.sim.ResetStats()
	procs := h.eng.CLI().Processes()
	_, err = h.eng.Up(ctx, "dev", replacing, UpOptions{Plan: plan})
	var invalid *InvalidSpecError
	require.ErrorAs(t, err, &invalid)
	assert.Contains(t, err.Error(), "network.mode.overlay.podCidr")
	assert.Zero(t, h.eng.CLI().Processes()-procs, "refused before any process")
	assert.Zero(t, writes(h.sim))
}
