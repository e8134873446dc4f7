package components

import (
	"errors"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Type tokens of the production resources.
const (
	tokNATGateway   = "azure-native:network:NatGateway"
	tokPublicIP     = "azure-native:network:PublicIPAddress"
	tokMaintenance  = "azure-native:containerservice/v20241001:MaintenanceConfiguration"
	testCPIdentity  = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-cp"
	testKubeletID   = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-kubelet"
	testCPPrincipal = "9d6c2a7e-1b3f-4c5d-8e9f-0a1b2c3d4e5f"
	testKubeletObj  = "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d"
	testKubeletApp  = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"
	testRouteTable  = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/routeTables/rt-to-firewall"
	testNATGateway  = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/natGateways/natgw-hub"
)

// productionSpec is podSubnetSpec with every production setting: Standard
// tier, patch upgrades with both windows, a NAT gateway created here,
// user-assigned identities, ephemeral OS disks and a named node resource group.
func productionSpec() spec.Cluster {
	c := podSubnetSpec()
	c.KubernetesVersion = "1.35"
	c.SKU = spec.SKU{Tier: spec.TierStandard}
	c.Upgrades = spec.Upgrades{
		Channel:       spec.UpgradePatch,
		NodeOSChannel: spec.NodeOSSecurityPatch,
		ClusterWindow: &spec.MaintenanceWindow{DurationHours: 4, StartTime: "02:00", UTCOffset: "+01:00", StartDate: "2027-01-04",
			Schedule:        spec.Schedule{Weekly: &spec.WeeklySchedule{DayOfWeek: "Sunday", IntervalWeeks: 1}},
			NotAllowedDates: []spec.DateSpan{{Start: "2026-12-20", End: "2027-01-03"}}},
		NodeOSWindow: &spec.MaintenanceWindow{DurationHours: 6, StartTime: "01:00",
			Schedule: spec.Schedule{Daily: &spec.DailySchedule{IntervalDays: 1}}},
	}
	c.Egress = spec.Egress{OutboundType: spec.OutboundUserAssignedNATGateway, NATGateway: &spec.NATGateway{Zone: "1", PublicIPs: 2}}
	c.Identity = spec.Identity{
		ControlPlane: &spec.UserAssignedIdentity{ResourceID: testCPIdentity, PrincipalID: testCPPrincipal},
		Kubelet:      &spec.UserAssignedIdentity{ResourceID: testKubeletID, PrincipalID: testKubeletObj, ClientID: testKubeletApp},
	}
	c.NodeResourceGroup = "rg-aks-vnet-nodes"
	c.SystemPool.OSDiskType = spec.OSDiskEphemeral
	c.UserPools[0].OSDiskType, c.UserPools[0].OSDiskSizeGB = spec.OSDiskEphemeral, 200
	c.UserPools[0].FIPS = true
	return c
}

func TestProductionFixtureIsValid(t *testing.T) {
	assert.Empty(t, productionSpec().WithDefaults().Validate())
}

// TestProductionClusterInputs: every production setting reaches the
// ManagedCluster and its pools as ARM spells it.
func TestProductionClusterInputs(t *testing.T) {
	m := deploy(t, productionSpec())
	mc := m.one(t, tokManagedCluster).Inputs

	assert.Equal(t, "Base", prop(t, mc, "sku.name"))
	assert.Equal(t, "Standard", prop(t, mc, "sku.tier"))
	assert.Equal(t, "KubernetesOfficial", prop(t, mc, "supportPlan"))
	assert.Equal(t, "patch", prop(t, mc, "autoUpgradeProfile.upgradeChannel"))
	assert.Equal(t, "SecurityPatch", prop(t, mc, "autoUpgradeProfile.nodeOSUpgradeChannel"))
	assert.Equal(t, "rg-aks-vnet-nodes", prop(t, mc, "nodeResourceGroup"))
	assert.Equal(t, "userAssignedNATGateway", prop(t, mc, "networkProfile.outboundType"))

	assert.Equal(t, "UserAssigned", prop(t, mc, "identity.type"))
	assert.Equal(t, []any{testCPIdentity}, prop(t, mc, "identity.userAssignedIdentities"))
	assert.Equal(t, testKubeletID, prop(t, mc, "identityProfile.kubeletidentity.resourceId"))
	assert.Equal(t, testKubeletApp, prop(t, mc, "identityProfile.kubeletidentity.clientId"))
	assert.Equal(t, testKubeletObj, prop(t, mc, "identityProfile.kubeletidentity.objectId"))

	assert.Equal(t, "Ephemeral", prop(t, mc, "agentPoolProfiles[0].osDiskType"))
	absent(t, mc, "agentPoolProfiles[0].osDiskSizeGB") // AKS sizes it to the temp disk
	assert.Equal(t, false, prop(t, mc, "agentPoolProfiles[0].enableFIPS"))
	pool := m.one(t, tokAgentPool).Inputs
	assert.Equal(t, "Ephemeral", prop(t, pool, "osDiskType"))
	assert.Equal(t, float64(200), prop(t, pool, "osDiskSizeGB"))
	assert.Equal(t, true, prop(t, pool, "enableFIPS"))
}

// TestDefaultClusterInputs: without production settings the cluster gets
// ARM's defaults written out, the system-assigned identity, no NAT gateway,
// no maintenance configuration and no OS disk choice (AKS decides).
func TestDefaultClusterInputs(t *testing.T) {
	m := deploy(t, overlaySpec())
	mc := m.one(t, tokManagedCluster).Inputs
	assert.Equal(t, "Free", prop(t, mc, "sku.tier"))
	assert.Equal(t, "KubernetesOfficial", prop(t, mc, "supportPlan"))
	assert.Equal(t, "none", prop(t, mc, "autoUpgradeProfile.upgradeChannel"))
	assert.Equal(t, "NodeImage", prop(t, mc, "autoUpgradeProfile.nodeOSUpgradeChannel"))
	assert.Equal(t, "loadBalancer", prop(t, mc, "networkProfile.outboundType"))
	assert.Equal(t, "SystemAssigned", prop(t, mc, "identity.type"))
	absent(t, mc, "identity.userAssignedIdentities")
	absent(t, mc, "identityProfile")
	absent(t, mc, "nodeResourceGroup")
	absent(t, mc, "agentPoolProfiles[0].osDiskType")
	absent(t, mc, "agentPoolProfiles[0].osDiskSizeGB")
	assert.Empty(t, m.byType(tokMaintenance))
	assert.Empty(t, m.byType(tokNATGateway))
	assert.Empty(t, m.byType(tokPublicIP))
	vnet := m.one(t, tokVNet).Inputs
	absent(t, vnet, "subnets[0].natGateway")
	absent(t, vnet, "subnets[0].routeTable")
	// The roles follow the system-assigned identity, so the cluster waits for none.
	for _, d := range m.one(t, tokManagedCluster).Dependencies {
		assert.NotContains(t, d, tokRoleAssignment, "the cluster waits for no role assignment")
	}
}

// TestMaintenanceConfigurations: one MaintenanceConfiguration per window,
// named as AKS expects, with ARM's fields, after the cluster's last pool
// and one after the other.
func TestMaintenanceConfigurations(t *testing.T) {
	c := productionSpec()
	m := deploy(t, c)
	cfgs := m.byType(tokMaintenance)
	require.Len(t, cfgs, 2)
	byName := map[string]registration{}
	for _, r := range cfgs {
		byName[prop(t, r.Inputs, "configName").(string)] = r
		assert.Equal(t, c.Name, prop(t, r.Inputs, "resourceName"))
		assert.Equal(t, c.ResourceGroup.Name, prop(t, r.Inputs, "resourceGroupName"))
		absent(t, r.Inputs, "timeInWeek")
		absent(t, r.Inputs, "notAllowedTime")
		assert.Equal(t, ClusterType+"/plat-cluster", string(r.ParentURN.Type())+"/"+r.ParentURN.Name())
	}
	cluster := byName["aksManagedAutoUpgradeSchedule"]
	require.NotNil(t, cluster.Inputs)
	in := cluster.Inputs
	assert.Equal(t, float64(4), prop(t, in, "maintenanceWindow.durationHours"))
	assert.Equal(t, "02:00", prop(t, in, "maintenanceWindow.startTime"))
	assert.Equal(t, "+01:00", prop(t, in, "maintenanceWindow.utcOffset"))
	assert.Equal(t, "2027-01-04", prop(t, in, "maintenanceWindow.startDate"))
	assert.Equal(t, "Sunday", prop(t, in, "maintenanceWindow.schedule.weekly.dayOfWeek"))
	assert.Equal(t, float64(1), prop(t, in, "maintenanceWindow.schedule.weekly.intervalWeeks"))
	absent(t, in, "maintenanceWindow.schedule.daily")
	assert.Equal(t, []any{map[string]any{"start": "2026-12-20", "end": "2027-01-03"}}, prop(t, in, "maintenanceWindow.notAllowedDates"))
	assert.Contains(t, cluster.Dependencies, urnOf(t, m, tokAgentPool), "after the last pool operation")

	nodeOS := byName["aksManagedNodeOSUpgradeSchedule"]
	require.NotNil(t, nodeOS.Inputs)
	assert.Equal(t, float64(1), prop(t, nodeOS.Inputs, "maintenanceWindow.schedule.daily.intervalDays"))
	assert.Equal(t, "+00:00", prop(t, nodeOS.Inputs, "maintenanceWindow.utcOffset"), "the default offset is written out")
	assert.Contains(t, nodeOS.Dependencies, urnOf(t, m, tokMaintenance, "plat-cluster-maint-cluster"), "one configuration at a time")
}

// TestNATGatewayCreatedAndAssociated: userAssignedNATGateway on a VNet
// created here creates the NAT gateway and its public IPs in the spec's
// zone and associates it with the node subnet only.
func TestNATGatewayCreatedAndAssociated(t *testing.T) {
	m := deploy(t, productionSpec())
	gw := m.one(t, tokNATGateway)
	assert.Equal(t, "natgw-aks-vnet", prop(t, gw.Inputs, "natGatewayName"))
	assert.Equal(t, "Standard", prop(t, gw.Inputs, "sku.name"))
	assert.Equal(t, []any{"1"}, prop(t, gw.Inputs, "zones"))
	assert.Equal(t, float64(4), prop(t, gw.Inputs, "idleTimeoutInMinutes"))
	assert.Equal(t, NetworkType+"/plat-network", string(gw.ParentURN.Type())+"/"+gw.ParentURN.Name())
	pips := m.byType(tokPublicIP)
	require.Len(t, pips, 2)
	var pipIDs []any
	for _, p := range pips {
		assert.Equal(t, "Standard", prop(t, p.Inputs, "sku.name"))
		assert.Equal(t, "Static", prop(t, p.Inputs, "publicIPAllocationMethod"))
		assert.Equal(t, []any{"1"}, prop(t, p.Inputs, "zones"), "a zonal NAT gateway takes public IPs of its zone")
		pipIDs = append(pipIDs, map[string]any{"id": p.Name + "-id"})
	}
	assert.ElementsMatch(t, pipIDs, prop(t, gw.Inputs, "publicIpAddresses"))
	vnet := m.one(t, tokVNet).Inputs
	assert.Equal(t, "plat-network-natgw-id", prop(t, vnet, "subnets[0].natGateway.id"), "the node subnet egresses through it")
	absent(t, vnet, "subnets[1].natGateway")
	absent(t, vnet, "subnets[0].routeTable")
}

// TestEgressOnExistingResources: an existing NAT gateway or the user's route
// table is associated with the node subnet of a VNet created here and
// nothing more is created; with existing subnets nothing is associated.
func TestEgressOnExistingResources(t *testing.T) {
	c := podSubnetSpec()
	c.Egress = spec.Egress{OutboundType: spec.OutboundUserAssignedNATGateway, NATGateway: &spec.NATGateway{ID: testNATGateway}}
	m := deploy(t, c)
	assert.Empty(t, m.byType(tokNATGateway))
	assert.Equal(t, testNATGateway, prop(t, m.one(t, tokVNet).Inputs, "subnets[0].natGateway.id"))

	c.Egress = spec.Egress{OutboundType: spec.OutboundUserDefinedRouting, RouteTableID: testRouteTable}
	m = deploy(t, c)
	vnet := m.one(t, tokVNet).Inputs
	assert.Equal(t, testRouteTable, prop(t, vnet, "subnets[0].routeTable.id"))
	absent(t, vnet, "subnets[0].natGateway")
	assert.Equal(t, "userDefinedRouting", prop(t, m.one(t, tokManagedCluster).Inputs, "networkProfile.outboundType"))

	e := existingSubnetsSpec()
	e.Egress = spec.Egress{OutboundType: spec.OutboundUserDefinedRouting, RouteTableID: testRouteTable}
	m = deploy(t, e)
	assert.Empty(t, m.byType(tokVNet), "existing subnets: nothing of the network is created or changed")
	assert.Equal(t, "userDefinedRouting", prop(t, m.one(t, tokManagedCluster).Inputs, "networkProfile.outboundType"))
}

// TestUserAssignedIdentityRolesBeforeCluster: with a user-assigned
// control-plane identity its roles name its principal and the cluster
// waits for every one of them; the kubelet identity gets Managed Identity
// Operator from it, scoped to the kubelet identity; UDR adds Network
// Contributor on the route table.
func TestUserAssignedIdentityRolesBeforeCluster(t *testing.T) {
	c := productionSpec()
	c.Egress = spec.Egress{OutboundType: spec.OutboundUserDefinedRouting, RouteTableID: testRouteTable}
	m := deploy(t, c)
	mcDeps := m.one(t, tokManagedCluster).Dependencies
	ras := m.byType(tokRoleAssignment)
	require.Len(t, ras, 5, "nodes, two pod subnets, the route table, the kubelet identity")
	scopes := map[string]string{}
	for _, ra := range ras {
		in := ra.Inputs
		assert.Equal(t, testCPPrincipal, prop(t, in, "principalId"), "the user-assigned identity's principal, %s", ra.Name)
		assert.Equal(t, "ServicePrincipal", prop(t, in, "principalType"))
		assert.Contains(t, mcDeps, urnOf(t, m, tokRoleAssignment, ra.Name), "the cluster waits for %s", ra.Name)
		scopes[ra.Name] = prop(t, in, "scope").(string) + " " + prop(t, in, "roleDefinitionId").(string)
		scope := prop(t, in, "scope").(string)
		role := prop(t, in, "roleDefinitionId").(string)
		assert.Equal(t, roleAssignmentName(scope, testCPPrincipal, role[len(role)-36:]), prop(t, in, "roleAssignmentName"))
	}
	roleDef := func(role string) string {
		return "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/" + role
	}
	assert.Equal(t, testRouteTable+" "+roleDef(NetworkContributorRoleID), scopes["plat-cluster-netcontrib-routetable"])
	assert.Equal(t, testKubeletID+" "+roleDef(ManagedIdentityOperatorRoleID), scopes["plat-cluster-mi-operator-kubelet"])
	assert.Equal(t, vnetSubnetID(c, "nodes")+" "+roleDef(NetworkContributorRoleID), scopes["plat-cluster-netcontrib-nodes"])
}

// TestStableChannelIgnoresVersion: with a channel that moves the minor, the
// program does not fight AKS's upgrades.
func TestStableChannelIgnoresVersion(t *testing.T) {
	c := overlaySpec()
	c.Upgrades.Channel = spec.UpgradeStable
	m := deploy(t, c)
	assert.ElementsMatch(t, []string{ACNSIgnorePath, "kubernetesVersion", "agentPoolProfiles[0].orchestratorVersion"}, m.one(t, tokManagedCluster).IgnoreChanges)
	assert.ElementsMatch(t, []string{"orchestratorVersion", "count"}, m.one(t, tokAgentPool).IgnoreChanges)

	c.Upgrades.Channel = spec.UpgradePatch // the minor stays the spec's
	m = deploy(t, c)
	assert.Equal(t, []string{ACNSIgnorePath}, m.one(t, tokManagedCluster).IgnoreChanges)
}

// TestInvalidProductionSpecRegistersNothing: a refused egress registers
// nothing at all, with the reason.
func TestInvalidProductionSpecRegistersNothing(t *testing.T) {
	c := podSubnetSpec()
	c.Egress.OutboundType = spec.OutboundManagedNATGateway
	c.Upgrades.ClusterWindow = &spec.MaintenanceWindow{DurationHours: 2, StartTime: "02:00",
		Schedule: spec.Schedule{Weekly: &spec.WeeklySchedule{DayOfWeek: "Sunday", IntervalWeeks: 1}}}
	m := newMocks()
	err := run(t, m, func(ctx *pulumi.Context) error {
		_, err := NewPlatform(ctx, "plat", c)
		return err
	})
	var inv *spec.InvalidError
	require.True(t, errors.As(err, &inv), "%v", err)
	assert.Contains(t, inv.Codes(), spec.CodeManagedNATGateway)
	assert.Contains(t, inv.Codes(), spec.CodeMaintenanceWindow)
	assert.Contains(t, inv.Codes(), spec.CodeWindowChannel)
	assert.Contains(t, err.Error(), "ManagedNATGatewayWithCustomVNetNotAllowed")
	assert.Contains(t, err.Error(), "upgrades.clusterWindow.durationHours")
	assert.Contains(t, err.Error(), "upgrades.clusterWindow: Invalid value")
	assert.Empty(t, m.all(), "nothing registered")
}
