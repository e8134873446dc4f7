package automation_test

import (
	"context"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/structpb"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// The identities a platform team made before the cluster, in the
// simulated directory.
const (
	prodIdentityRG  = "/subscriptions/" + azuresim.DefaultSubscriptionID + "/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
	prodControlID   = prodIdentityRG + "id-prod"
	prodKubeletID   = prodIdentityRG + "id-prod-kubelet"
	prodCPPrincipal = "5a3f0c1e-2b4d-4e6f-8a9b-0c1d2e3f4a5b"
	prodKubeletObj  = "6b4e1d2f-3c5e-4f70-9bac-1d2e3f4a5b6c"
)

// productionSpec is the reference spec with every production setting, as
// the vnet stack uses them: the Standard tier, patch and node-image
// upgrades in weekly windows, a NAT gateway with two public IPs created on
// the node subnet, user-assigned control-plane and kubelet identities, a
// named node resource group, ephemeral OS disks, and ACNS with WireGuard
// and eBPF host routing (Kubernetes 1.34, Azure Linux 3.0).
func productionSpec(name string) spec.Cluster {
	c := referenceSpec(name)
	c.KubernetesVersion = "1.34"
	c.SKU = spec.SKU{Tier: spec.TierStandard}
	window := func(day string) *spec.MaintenanceWindow {
		return &spec.MaintenanceWindow{Schedule: spec.Schedule{Weekly: &spec.WeeklySchedule{DayOfWeek: day, IntervalWeeks: 1}},
			DurationHours: 4, StartTime: "02:00", UTCOffset: "+01:00"}
	}
	c.Upgrades = spec.Upgrades{Channel: spec.UpgradePatch, NodeOSChannel: spec.NodeOSNodeImage,
		ClusterWindow: window("Sunday"), NodeOSWindow: window("Saturday")}
	c.Egress = spec.Egress{OutboundType: spec.OutboundUserAssignedNATGateway, NATGateway: &spec.NATGateway{PublicIPs: 2}}
	c.Identity = spec.Identity{
		ControlPlane: &spec.UserAssignedIdentity{ResourceID: prodControlID, PrincipalID: prodCPPrincipal},
		Kubelet:      &spec.UserAssignedIdentity{ResourceID: prodKubeletID},
	}
	c.NodeResourceGroup = "rg-" + name + "-nodes"
	c.SystemPool.OSDiskType = spec.OSDiskEphemeral
	for i := range c.UserPools {
		c.UserPools[i].OSDiskType = spec.OSDiskEphemeral
	}
	c.ACNS = spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN,
		TransitEncryption: spec.TransitEncryptionWireGuard, Acceleration: spec.AccelerationBpfVeth}
	return c
}

// seedProductionIdentities puts the spec's identities into the simulated
// directory.
func seedProductionIdentities(t *testing.T, sim *azuresim.Simulator) {
	t.Helper()
	require.NoError(t, sim.AddUserAssignedIdentity(prodControlID, prodCPPrincipal, "7c5f2e30-4d6f-4081-8cbd-2e3f4a5b6c7d"))
	require.NoError(t, sim.AddUserAssignedIdentity(prodKubeletID, prodKubeletObj, "8d603f41-5e70-4192-9dce-3f4a5b6c7d8e"))
}

// resourcesOf are the simulator's resources of a type.
func resourcesOf(sim *azuresim.Simulator, token string) []azuresim.Resource {
	var out []azuresim.Resource
	for _, r := range sim.Resources() {
		if r.Type == token {
			out = append(out, r)
		}
	}
	return out
}

// createOrder is the index, in the simulator's operation log, of the first
// successful create that match accepts, or -1.
func createOrder(sim *azuresim.Simulator, match func(azuresim.Operation) bool) int {
	for i, op := range sim.Operations() {
		if op.Op == azuresim.OpCreate && op.Err == "" && match(op) {
			return i
		}
	}
	return -1
}

// TestE2EProductionStack deploys every production setting through the real
// engine onto the strict simulator: the role assignments of the
// user-assigned control-plane identity (Network Contributor on the subnet,
// Managed Identity Operator on the kubelet identity) are created before the
// cluster, which ARM would refuse otherwise
// (CustomKubeletIdentityMissingPermissionError); the NAT gateway and its
// public IPs sit on the node subnet before the cluster
// (userAssignedNATGateway); the maintenance windows follow the last pool;
// WireGuard and eBPF host routing are set through ARM at API 2026-01-01
// after the up. The next preview plans nothing; a second up writes nothing.
func TestE2EProductionStack(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	seedProductionIdentities(t, h.sim)
	c := productionSpec("prod")

	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	require.Len(t, up.ARMChanges, 1, "WireGuard and eBPF host routing go through ARM")
	assert.True(t, up.ARMChanges[0].Applied)
	assert.Contains(t, up.ARMChanges[0].New, "WireGuard")

	mc, ok := h.sim.Get(clusterID(c))
	require.True(t, ok)
	out := mc.Outputs
	assert.Equal(t, "Standard", out["sku"].(map[string]any)["tier"])
	assert.Equal(t, "KubernetesOfficial", out["supportPlan"])
	assert.Equal(t, map[string]any{"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"}, out["autoUpgradeProfile"])
	assert.Equal(t, "rg-prod-nodes", out["nodeResourceGroup"])
	identity := out["identity"].(map[string]any)
	assert.Equal(t, "UserAssigned", identity["type"])
	assert.Equal(t, prodCPPrincipal, identity["userAssignedIdentities"].(map[string]any)[prodControlID].(map[string]any)["principalId"])
	kubelet := out["identityProfile"].(map[string]any)["kubeletidentity"].(map[string]any)
	assert.Equal(t, prodKubeletID, kubelet["resourceId"])
	assert.Equal(t, prodKubeletObj, kubelet["objectId"], "the directory's identity")
	np := out["networkProfile"].(map[string]any)
	assert.Equal(t, "userAssignedNATGateway", np["outboundType"])
	for _, p := range out["agentPoolProfiles"].([]any) {
		assert.Equal(t, "Ephemeral", p.(map[string]any)["osDiskType"], p.(map[string]any)["name"])
	}
	an := np["advancedNetworking"].(map[string]any)
	assert.Equal(t, map[string]any{"type": "WireGuard"}, an["security"].(map[string]any)["transitEncryption"], "set at API 2026-01-01")
	assert.Equal(t, map[string]any{"accelerationMode": "BpfVeth"}, an["performance"])

	// The NAT gateway with its two public IPs, on the node subnet.
	gws := resourcesOf(h.sim, azuresim.TypeNatGateway)
	require.Len(t, gws, 1)
	assert.Len(t, gws[0].Inputs["publicIpAddresses"], 2)
	assert.Len(t, resourcesOf(h.sim, azuresim.TypePublicIPAddress), 2)
	vnets := resourcesOf(h.sim, azuresim.TypeVirtualNetwork)
	require.Len(t, vnets, 1)
	nodes := vnets[0].Inputs["subnets"].([]any)[0].(map[string]any)
	assert.Equal(t, gws[0].ID, nodes["natGateway"].(map[string]any)["id"])

	// Both maintenance windows.
	var configs []string
	for _, r := range resourcesOf(h.sim, azuresim.TypeMaintenanceConfiguration) {
		configs = append(configs, r.Name)
	}
	assert.ElementsMatch(t, []string{spec.MaintenanceClusterAutoUpgrade, spec.MaintenanceNodeOSUpgrade}, configs)

	// The control-plane identity's roles, granted before the cluster.
	clusterCreated := createOrder(h.sim, func(op azuresim.Operation) bool { return op.Type == azuresim.TypeManagedCluster })
	require.GreaterOrEqual(t, clusterCreated, 0)
	for role, scope := range map[string]string{
		components.NetworkContributorRoleID:      clusterID(c)[:strings.Index(clusterID(c), "/providers/")] + "/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/nodes",
		components.ManagedIdentityOperatorRoleID: prodKubeletID,
	} {
		var found bool
		for _, ra := range resourcesOf(h.sim, azuresim.TypeRoleAssignment) {
			if strings.EqualFold(ra.Inputs["scope"].(string), scope) && strings.HasSuffix(ra.Inputs["roleDefinitionId"].(string), role) {
				found = true
				assert.Equal(t, prodCPPrincipal, ra.Inputs["principalId"])
				granted := createOrder(h.sim, func(op azuresim.Operation) bool { return op.ID == ra.ID })
				assert.Less(t, granted, clusterCreated, "role %s on %s before the cluster", role, scope)
			}
		}
		assert.True(t, found, "role %s on %s", role, scope)
	}

	requireNoChanges(t, h, "dev", c)
	again, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	assert.Empty(t, again.ARMChanges, "idempotent: the cluster has WireGuard and eBPF host routing")
}

// TestE2EUserDefinedRouting: egress through the user's firewall. The route
// table exists before the stack (made here through the simulated provider,
// in a hub resource group); the Network component associates it with the
// node subnet and the cluster identity gets Network Contributor on it. A
// default route to the Internet is refused by ARM at the cluster's create
// (RouteTableInvalidNextHop) with ARM's text; once the route points at the
// firewall, the same up goes through.
func TestE2EUserDefinedRouting(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	hub := "/subscriptions/" + azuresim.DefaultSubscriptionID + "/resourceGroups/rg-hub"
	routeTable := hub + "/providers/Microsoft.Network/routeTables/rt-firewall"
	srv := h.sim.Server(nil)
	create := func(token, name string, inputs map[string]any) {
		t.Helper()
		props, err := structpb.NewStruct(inputs)
		require.NoError(t, err)
		_, err = srv.Create(context.Background(), &pulumirpc.CreateRequest{
			Urn: "urn:pulumi:hub::hub::" + token + "::" + name, Type: token, Name: name, Properties: props})
		require.NoError(t, err)
	}
	create(azuresim.TypeResourceGroup, "hub", map[string]any{"resourceGroupName": "rg-hub", "location": "westeurope"})
	create(azuresim.TypeRouteTable, "rt", map[string]any{"resourceGroupName": "rg-hub", "routeTableName": "rt-firewall", "location": "westeurope",
		"routes": []any{map[string]any{"name": "default", "addressPrefix": "0.0.0.0/0", "nextHopType": "Internet"}}})

	c := referenceSpec("udr")
	c.Egress = spec.Egress{OutboundType: spec.OutboundUserDefinedRouting, RouteTableID: routeTable}
	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "RouteTableInvalidNextHop")
	assert.Contains(t, err.Error(), "Default route 0.0.0.0/0 has a next hop of Internet but only next hops of VirtualAppliance or VirtualNetworkGateway are allowed")

	require.NoError(t, h.sim.PatchOutOfBand(routeTable, map[string]any{"routes": []any{map[string]any{
		"name": "default", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.20.0.4"}}}))
	_, err = h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	mc, ok := h.sim.Get(clusterID(c))
	require.True(t, ok)
	assert.Equal(t, "userDefinedRouting", mc.Outputs["networkProfile"].(map[string]any)["outboundType"])
	vnets := resourcesOf(h.sim, azuresim.TypeVirtualNetwork)
	require.Len(t, vnets, 1)
	assert.Equal(t, routeTable, vnets[0].Inputs["subnets"].([]any)[0].(map[string]any)["routeTable"].(map[string]any)["id"])
	principal := mc.Outputs["identity"].(map[string]any)["principalId"]
	var onRouteTable bool
	for _, ra := range resourcesOf(h.sim, azuresim.TypeRoleAssignment) {
		if ra.Inputs["scope"] == routeTable {
			onRouteTable = true
			assert.Equal(t, principal, ra.Inputs["principalId"])
			assert.True(t, strings.HasSuffix(ra.Inputs["roleDefinitionId"].(string), components.NetworkContributorRoleID))
		}
	}
	assert.True(t, onRouteTable, "Network Contributor on the route table")
	requireNoChanges(t, h, "dev", c)
}
