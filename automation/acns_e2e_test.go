package automation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/migrate"
	"github.com/aks-cilium/aks-cilium/automation/prcomment"
	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// advancedNetworking is the simulated cluster's ACNS as ARM (API
// 2025-10-01) holds it.
func advancedNetworking(t *testing.T, sim *azuresim.Simulator, c spec.Cluster) map[string]any {
	t.Helper()
	mc, ok := sim.Get(clusterID(c))
	require.True(t, ok, "the cluster exists")
	an, _ := mc.Outputs["networkProfile"].(map[string]any)["advancedNetworking"].(map[string]any)
	return an
}

func security(an map[string]any) map[string]any {
	s, _ := an["security"].(map[string]any)
	return s
}

// upReference deploys the reference spec (ACNS off) as stack dev of a new
// harness.
func upReference(t *testing.T, name string) (*harness, spec.Cluster) {
	t.Helper()
	h := newHarness(t, harnessOptions{})
	c := referenceSpec(name)
	_, err := h.eng.Up(t.Context(), "dev", c, UpOptions{})
	require.NoError(t, err)
	return h, c
}

// requireNoChanges asserts the state, the program and the cluster agree:
// the next preview plans nothing, in Pulumi or through ARM.
func requireNoChanges(t *testing.T, h *harness, stack string, c spec.Cluster) {
	t.Helper()
	pre, err := h.eng.Preview(t.Context(), stack, c, PreviewOptions{})
	require.NoError(t, err)
	require.False(t, pre.HasChanges(), "preview after the ARM update: %s %+v %+v", pre.ChangeSummary(), pre.ARMChanges, pre.Steps)
	require.Empty(t, pre.ARMChanges)
}

// TestE2EACNSL7ThroughARM: the spec asks for the L7 level, which API
// 2024-10-01 cannot express. Up creates the cluster with FQDN filtering
// (security.enabled), the Engine sets advancedNetworkPolicies L7 through
// the simulator's ARM front end (API 2025-10-01), refreshes the stack, and
// the next preview shows no changes. A later Pulumi update of the cluster
// goes out with API 2024-10-01, which the simulator reads strictly (the L7
// level is reset): the Engine puts it back.
func TestE2EACNSL7ThroughARM(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("acnsl7")
	c.ACNS = spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityL7}

	pre, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	require.Len(t, pre.ARMChanges, 1, "the preview says L7 goes through ARM")
	assert.Equal(t, result.ARMChange{Resource: c.Name, Property: "networkProfile.advancedNetworking", New: "on (observability, security L7)",
		Note: pre.ARMChanges[0].Note}, pre.ARMChanges[0])
	md := prcomment.Render(pre, prcomment.Options{})
	assert.Contains(t, md, "Through Azure Resource Manager, outside the Pulumi plan")
	assert.Contains(t, md, "`on (observability, security L7)`")

	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	require.Len(t, up.ARMChanges, 1)
	a := up.ARMChanges[0]
	assert.True(t, a.Applied)
	assert.Equal(t, clusterID(c), a.Resource)
	assert.Equal(t, "on (observability, security FQDN)", a.Old, "what Pulumi could create: security.enabled is FQDN at API 2024-10-01")
	assert.Equal(t, "on (observability, security L7)", a.New)
	an := advancedNetworking(t, h.sim, c)
	assert.Equal(t, true, an["enabled"])
	assert.Equal(t, true, security(an)["enabled"])
	assert.Equal(t, "L7", security(an)["advancedNetworkPolicies"], "set through ARM")
	assert.Contains(t, h.progress.String(), "refresh (after the ACNS update through ARM) of stack dev", "the stack was refreshed after the ARM update")

	requireNoChanges(t, h, "dev", c)
	again, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	assert.Empty(t, again.ARMChanges, "idempotent: a cluster at L7 is not written again")

	// A Pulumi update of the cluster (a tag) resets L7 in the simulator;
	// the preview says the Engine checks it, and the up restores it.
	tagged := c
	tagged.Tags = map[string]string{"environment": "staging"}
	pre, err = h.eng.Preview(ctx, "dev", tagged, PreviewOptions{})
	require.NoError(t, err)
	require.Len(t, pre.ARMChanges, 1, "an update through API 2024-10-01 may reset L7")
	up, err = h.eng.Up(ctx, "dev", tagged, UpOptions{})
	require.NoError(t, err)
	require.Len(t, up.ARMChanges, 1, "the Engine re-applied L7")
	assert.Equal(t, "on (observability, security FQDN)", up.ARMChanges[0].Old)
	assert.Equal(t, "L7", security(advancedNetworking(t, h.sim, c))["advancedNetworkPolicies"])
	requireNoChanges(t, h, "dev", tagged)
}

// TestE2EACNSOnAndOff switches ACNS on and off on an existing cluster, each
// direction through ARM (a Pulumi update would replace the cluster: a
// nested update under networkProfile, or do nothing: ARM disables ACNS only
// when enabled: false is spelled out). Each up replaces nothing, ARM ends
// with what the spec says, and the next preview shows no changes.
func TestE2EACNSOnAndOff(t *testing.T) {
	ctx := t.Context()
	h, off := upReference(t, "acnsonoff")
	assert.Nil(t, advancedNetworking(t, h.sim, off), "created without ACNS")

	on := off
	on.ACNS = spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN}
	pre, err := h.eng.Preview(ctx, "dev", on, PreviewOptions{})
	require.NoError(t, err)
	assert.Zero(t, pre.Changes[result.OpReplace], "no replacement planned")
	assert.Empty(t, result.Guarded(pre.Steps), "nothing for the guardrail to refuse")
	require.Len(t, pre.ARMChanges, 1)
	assert.Equal(t, "off", pre.ARMChanges[0].Old)
	assert.Equal(t, "on (observability, security FQDN)", pre.ARMChanges[0].New)

	up, err := h.eng.Up(ctx, "dev", on, UpOptions{})
	require.NoError(t, err)
	assert.Zero(t, up.Changes[result.OpReplace]+up.Changes[result.OpCreateReplacement])
	require.Len(t, up.ARMChanges, 1)
	an := advancedNetworking(t, h.sim, on)
	assert.Equal(t, true, an["enabled"])
	assert.Equal(t, map[string]any{"enabled": true}, an["observability"])
	assert.Equal(t, "FQDN", security(an)["advancedNetworkPolicies"])
	requireNoChanges(t, h, "dev", on)

	// Off: ARM gets enabled: false spelled out (pulumi-azure-native#4206).
	up, err = h.eng.Up(ctx, "dev", off, UpOptions{})
	require.NoError(t, err)
	assert.Zero(t, up.Changes[result.OpReplace]+up.Changes[result.OpCreateReplacement])
	require.Len(t, up.ARMChanges, 1)
	assert.Equal(t, "off", up.ARMChanges[0].New)
	an = advancedNetworking(t, h.sim, off)
	assert.Equal(t, false, an["enabled"], "disabled explicitly")
	assert.Equal(t, false, security(an)["enabled"])
	requireNoChanges(t, h, "dev", off)

	// And on again, from an explicit off.
	_, err = h.eng.Up(ctx, "dev", on, UpOptions{})
	require.NoError(t, err)
	assert.Equal(t, true, advancedNetworking(t, h.sim, on)["enabled"])
	requireNoChanges(t, h, "dev", on)
}

// TestE2EACNSThroughMigrate: the migrate path's ACNS switch agrees with the
// Engine's: migrate.ApplyToStack sets ACNS (with the L7 level) through ARM
// and refreshes; the spec then says the same, and the preview plans
// nothing, in Pulumi or through ARM (it reads the cluster's ACNS, already
// there), and the next up writes nothing.
func TestE2EACNSThroughMigrate(t *testing.T) {
	ctx := t.Context()
	h, c := upReference(t, "acnsmigrate")

	client, err := migrate.NewClient(migrate.ClientOptions{
		Credential: &azfake.TokenCredential{},
		ARM:        arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: h.sim.ARMTransport()}},
	})
	require.NoError(t, err)
	want := spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityL7}
	plan, err := client.Plan(ctx, azuresim.DefaultSubscriptionID, c.ResourceGroup.Name, c.Name, migrate.PlanOptions{Change: migrate.Change{ACNS: &want}})
	require.NoError(t, err)
	require.False(t, plan.Blocked(), "%+v", plan.Blockers)
	res, err := migrate.ApplyToStack(ctx, h.eng, "dev", client, plan, migrate.ApplyOptions{PollInterval: time.Millisecond})
	require.NoError(t, err)
	assert.True(t, res.AfterUpdateRan, "the stack was refreshed")
	assert.Equal(t, "L7", security(advancedNetworking(t, h.sim, c))["advancedNetworkPolicies"])

	// The spec says it too: only the components' inputs (the spec) change;
	// no Azure resource does, and nothing goes through ARM.
	c.ACNS = want
	pre, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.Empty(t, pre.ARMChanges, "the preview read the cluster: already at the spec")
	for _, s := range pre.Steps {
		if !strings.HasPrefix(s.Type, "aks-cilium:") {
			assert.Equal(t, result.OpSame, s.Op, "%s %s", s.Type, s.Name)
		}
	}
	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	assert.Empty(t, up.ARMChanges, "already at the spec: nothing sent")
	requireNoChanges(t, h, "dev", c)
}
