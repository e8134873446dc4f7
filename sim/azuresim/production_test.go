package azuresim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	identityRG     = "rg-identities"
	controlPlaneID = "/subscriptions/" + DefaultSubscriptionID + "/resourceGroups/" + identityRG + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks"
	kubeletID      = "/subscriptions/" + DefaultSubscriptionID + "/resourceGroups/" + identityRG + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-kubelet"
	cpPrincipal    = "11111111-1111-4111-8111-111111111111"
	kubeletObject  = "22222222-2222-4222-8222-222222222222"
	natGatewayID   = "/subscriptions/" + DefaultSubscriptionID + "/resourceGroups/" + testRG + "/providers/Microsoft.Network/natGateways/ng-sim"
	publicIPID     = "/subscriptions/" + DefaultSubscriptionID + "/resourceGroups/" + testRG + "/providers/Microsoft.Network/publicIPAddresses/pip-sim"
	routeTableID   = "/subscriptions/" + DefaultSubscriptionID + "/resourceGroups/" + testRG + "/providers/Microsoft.Network/routeTables/rt-sim"
)

// seedIdentities puts the control-plane and kubelet identities into the
// simulated directory, as they exist in Azure before the cluster.
func seedIdentities(t *testing.T, s *Simulator) {
	t.Helper()
	require.NoError(t, s.AddUserAssignedIdentity(controlPlaneID, cpPrincipal, "33333333-3333-4333-8333-333333333333"))
	require.NoError(t, s.AddUserAssignedIdentity(kubeletID, kubeletObject, "44444444-4444-4444-8444-444444444444"))
}

func publicIPInputs() map[string]any {
	return map[string]any{"resourceGroupName": testRG, "publicIpAddressName": "pip-sim", "location": "westeurope",
		"publicIPAllocationMethod": "Static", "sku": map[string]any{"name": "Standard"}}
}

func natGatewayInputs() map[string]any {
	return map[string]any{"resourceGroupName": testRG, "natGatewayName": "ng-sim", "location": "westeurope",
		"sku": map[string]any{"name": "Standard"}, "idleTimeoutInMinutes": 4.0,
		"publicIpAddresses": []any{map[string]any{"id": publicIPID}}}
}

func routeTableInputs(nextHop string) map[string]any {
	route := map[string]any{"name": "default", "addressPrefix": "0.0.0.0/0", "nextHopType": nextHop}
	if nextHop == "VirtualAppliance" {
		route["nextHopIpAddress"] = "10.10.255.4"
	}
	return map[string]any{"resourceGroupName": testRG, "routeTableName": "rt-sim", "location": "westeurope", "routes": []any{route}}
}

// vnetWithNodeSubnet is vnetInputs with the node subnet's patch (its NAT
// gateway or route table).
func vnetWithNodeSubnet(patch map[string]any) map[string]any {
	v := vnetInputs()
	subnets := list(v, "subnets")
	subnets[0] = with(subnets[0].(map[string]any), patch)
	return v
}

func maintenanceInputs(config string, window map[string]any) map[string]any {
	in := map[string]any{"resourceGroupName": testRG, "resourceName": "aks-sim", "configName": config}
	if window != nil {
		in["maintenanceWindow"] = window
	}
	return in
}

func weeklyWindow(patch map[string]any) map[string]any {
	return with(map[string]any{"durationHours": 4.0, "startTime": "01:00", "utcOffset": "+00:00",
		"schedule": map[string]any{"weekly": map[string]any{"dayOfWeek": "Sunday", "intervalWeeks": 1.0}}}, patch)
}

func userAssignedCluster(patch map[string]any) map[string]any {
	return with(clusterInputs(), with(map[string]any{
		"identity":        map[string]any{"type": "UserAssigned", "userAssignedIdentities": []any{controlPlaneID}},
		"identityProfile": map[string]any{"kubeletidentity": map[string]any{"resourceId": kubeletID}},
	}, patch))
}

// identityOperator is the Managed Identity Operator assignment of the
// control-plane identity on the kubelet identity.
func identityOperator() map[string]any {
	return map[string]any{"scope": kubeletID, "roleAssignmentName": "5d0c1a0e-6b8e-5f6c-9c0a-3e4b5c6d7e8f",
		"principalId": cpPrincipal, "principalType": "ServicePrincipal",
		"roleDefinitionId": "/subscriptions/" + DefaultSubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/" + managedIdentityOperator}
}

func acnsCluster(version, osSKU string, advanced map[string]any) map[string]any {
	return with(clusterInputs(), map[string]any{
		"kubernetesVersion": version,
		"agentPoolProfiles": []any{with(list(clusterInputs(), "agentPoolProfiles")[0].(map[string]any), map[string]any{"osSKU": osSKU})},
		"networkProfile":    map[string]any{"advancedNetworking": advanced},
	})
}

// The production rules, each with ARM's code (or AKS's subcode) and
// message; each case fails when its rule is removed from the table.
func TestProductionRules(t *testing.T) {
	type step struct {
		token, name string
		inputs      map[string]any
	}
	network := []step{{TypeResourceGroup, "rg", rgInputs()}, {TypeVirtualNetwork, "vnet", vnetInputs()}}
	withCluster := append(network[:2:2], step{TypeManagedCluster, "aks", clusterInputs()})
	natReady := []step{{TypeResourceGroup, "rg", rgInputs()}, {TypePublicIPAddress, "pip", publicIPInputs()}, {TypeNatGateway, "ng", natGatewayInputs()}}
	onACNS := map[string]any{"enabled": true, "observability": map[string]any{"enabled": true}, "security": map[string]any{"enabled": true}}
	cases := []struct {
		name       string
		identities bool
		setup      []step
		try        step
		status     int
		reason     string
		message    string
	}{
		{
			name: "a maintenance window of a cluster that does not exist", setup: network,
			try:    step{TypeMaintenanceConfiguration, "mw", maintenanceInputs("aksManagedAutoUpgradeSchedule", weeklyWindow(nil))},
			status: 404, reason: "ParentResourceNotFound", message: "Parent resource 'aks-sim' not found.",
		},
		{
			name: "a maintenance configuration AKS does not know", setup: withCluster,
			try:    step{TypeMaintenanceConfiguration, "mw", maintenanceInputs("weekends", weeklyWindow(nil))},
			status: 400, reason: "InvalidParameter", message: "Maintenance configuration name 'weekends' is not supported",
		},
		{
			name: "an aksManaged schedule without a window", setup: withCluster,
			try:    step{TypeMaintenanceConfiguration, "mw", maintenanceInputs("aksManagedNodeOSUpgradeSchedule", nil)},
			status: 400, reason: "InvalidParameter", message: "requires maintenanceWindow",
		},
		{
			name: "a maintenance window of three hours", setup: withCluster,
			try:    step{TypeMaintenanceConfiguration, "mw", maintenanceInputs("aksManagedAutoUpgradeSchedule", weeklyWindow(map[string]any{"durationHours": 3.0}))},
			status: 400, reason: "InvalidParameter", message: "durationHours must be 4 to 24, got 3.",
		},
		{
			name: "a maintenance window starting at 24:00", setup: withCluster,
			try:    step{TypeMaintenanceConfiguration, "mw", maintenanceInputs("aksManagedAutoUpgradeSchedule", weeklyWindow(map[string]any{"startTime": "24:00"}))},
			status: 400, reason: "InvalidParameter", message: `startTime "24:00" must be from 00:00 to 23:59.`,
		},
		{
			name: "a UTC offset without a sign", setup: withCluster,
			try:    step{TypeMaintenanceConfiguration, "mw", maintenanceInputs("aksManagedAutoUpgradeSchedule", weeklyWindow(map[string]any{"utcOffset": "05:30"}))},
			status: 400, reason: "InvalidParameter", message: `utcOffset "05:30" must be +/-HH:mm.`,
		},
		{
			name: "two schedules in one window", setup: withCluster,
			try: step{TypeMaintenanceConfiguration, "mw", maintenanceInputs("aksManagedAutoUpgradeSchedule", weeklyWindow(map[string]any{
				"schedule": map[string]any{"daily": map[string]any{"intervalDays": 1.0}}}))},
			status: 400, reason: "InvalidParameter", message: "schedule must set exactly one of daily, weekly, absoluteMonthly, relativeMonthly; it sets 2.",
		},
		{
			name: "every fifth week", setup: withCluster,
			try: step{TypeMaintenanceConfiguration, "mw", maintenanceInputs("aksManagedAutoUpgradeSchedule", weeklyWindow(map[string]any{
				"schedule": map[string]any{"weekly": map[string]any{"intervalWeeks": 5.0}}}))},
			status: 400, reason: "InvalidParameter", message: "intervalWeeks 1 to 4",
		},
		{
			name: "managedNATGateway on the user's VNet", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"outboundType": "managedNATGateway"}})},
			status: 400, reason: "ManagedNATGatewayWithCustomVNetNotAllowed", message: "Outbound type is managedNATGateway but agent pool 'system' is using custom VNet, which is not allowed.",
		},
		{
			name: "userAssignedNATGateway without a NAT gateway on the subnet", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"outboundType": "userAssignedNATGateway"}})},
			status: 400, reason: "InvalidParameter", message: "requires a NAT gateway associated with subnet " + testNodeID,
		},
		{
			name: "userDefinedRouting without a route table", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"outboundType": "userDefinedRouting"}})},
			status: 400, reason: "ExistingRouteTableNotAssociatedWithSubnet", message: "An existing route table has not been associated with subnet " + testNodeID,
		},
		{
			name: "userDefinedRouting with the default route to the Internet",
			setup: []step{{TypeResourceGroup, "rg", rgInputs()}, {TypeRouteTable, "rt", routeTableInputs("Internet")},
				{TypeVirtualNetwork, "vnet", vnetWithNodeSubnet(map[string]any{"routeTable": map[string]any{"id": routeTableID}})}},
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"outboundType": "userDefinedRouting"}})},
			status: 400, reason: "RouteTableInvalidNextHop", message: "Default route 0.0.0.0/0 has a next hop of Internet but only next hops of VirtualAppliance or VirtualNetworkGateway are allowed.",
		},
		{
			name: "userDefinedRouting with no default route",
			setup: []step{{TypeResourceGroup, "rg", rgInputs()}, {TypeRouteTable, "rt", with(routeTableInputs("VirtualAppliance"), map[string]any{"routes": []any{
				map[string]any{"name": "onprem", "addressPrefix": "172.16.0.0/12", "nextHopType": "VirtualNetworkGateway"}}})},
				{TypeVirtualNetwork, "vnet", vnetWithNodeSubnet(map[string]any{"routeTable": map[string]any{"id": routeTableID}})}},
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"outboundType": "userDefinedRouting"}})},
			status: 400, reason: "InvalidParameter", message: "to have a 0.0.0.0/0 route to a virtual appliance or gateway",
		},
		{
			name: "a subnet naming a NAT gateway that does not exist", setup: network[:1],
			try:    step{TypeVirtualNetwork, "vnet", vnetWithNodeSubnet(map[string]any{"natGateway": map[string]any{"id": natGatewayID}})},
			status: 400, reason: "InvalidResourceReference", message: "Resource " + natGatewayID + " referenced by resource " + testVNetID + " was not found.",
		},
		{
			name: "a NAT gateway in two zones", setup: natReady[:2],
			try:    step{TypeNatGateway, "ng", with(natGatewayInputs(), map[string]any{"zones": []any{"1", "2"}})},
			status: 400, reason: "InvalidParameter", message: "one availability zone at most; zones has 2.",
		},
		{
			name: "a NAT gateway with 17 public IPs", setup: natReady[:2],
			try: step{TypeNatGateway, "ng", with(natGatewayInputs(), map[string]any{"publicIpAddresses": func() []any {
				ips := make([]any, 17)
				for i := range ips {
					ips[i] = map[string]any{"id": publicIPID}
				}
				return ips
			}()})},
			status: 400, reason: "InvalidParameter", message: "at most 16 public IP addresses; the request has 17.",
		},
		{
			name: "a NAT gateway idle for 200 minutes", setup: natReady[:2],
			try:    step{TypeNatGateway, "ng", with(natGatewayInputs(), map[string]any{"idleTimeoutInMinutes": 200.0})},
			status: 400, reason: "InvalidParameter", message: "idleTimeoutInMinutes must be 4 to 120, got 200.",
		},
		{
			name: "a NAT gateway whose public IP does not exist", setup: natReady[:1],
			try:    step{TypeNatGateway, "ng", natGatewayInputs()},
			status: 400, reason: "InvalidResourceReference", message: "Resource " + publicIPID + " referenced by resource " + natGatewayID,
		},
		{
			name: "long-term support on the Standard tier", setup: network,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{
				"sku": map[string]any{"name": "Base", "tier": "Standard"}, "supportPlan": "AKSLongTermSupport"})},
			status: 400, reason: "InvalidParameter", message: `Support plan AKSLongTermSupport requires sku.tier Premium; the request has "Standard".`,
		},
		{
			name: "the Premium tier without long-term support", setup: network,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{
				"sku": map[string]any{"name": "Base", "tier": "Premium"}, "supportPlan": "KubernetesOfficial"})},
			status: 400, reason: "InvalidParameter", message: `sku.tier Premium requires support plan AKSLongTermSupport; the request has "KubernetesOfficial".`,
		},
		{
			name: "a node resource group name of 81 characters", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"nodeResourceGroup": strings.Repeat("n", 81)})},
			status: 400, reason: "InvalidParameter", message: "The maximum length is 80 and the length of the value provided is 81.",
		},
		{
			name: "AKS's default node resource group name over 80 characters", setup: network,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{
				"resourceName": "aks-" + strings.Repeat("x", 59), "dnsPrefix": "long"})},
			status: 400, reason: "InvalidParameter", message: "The maximum length is 80 and the length of the value provided is 84.",
		},
		{
			name: "the cluster's own resource group as node resource group", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"nodeResourceGroup": testRG})},
			status: 400, reason: "NodeResourceGroupSameAsResourceGroup", message: "cannot be the cluster's resource group",
		},
		{
			name: "a user-assigned identity that does not exist", setup: network,
			try:    step{TypeManagedCluster, "aks", userAssignedCluster(map[string]any{"identityProfile": nil})},
			status: 400, reason: "InvalidResourceReference", message: "Resource " + controlPlaneID + " referenced by resource " + testClusterID + " was not found.",
		},
		{
			name: "a kubelet identity on a system-assigned cluster", identities: true, setup: network,
			try:    step{TypeManagedCluster, "aks", userAssignedCluster(map[string]any{"identity": map[string]any{"type": "SystemAssigned", "userAssignedIdentities": nil}})},
			status: 400, reason: "CustomKubeletIdentityOnlySupportedOnUserAssignedMSICluster", message: "supported only on a cluster with a user-assigned managed identity",
		},
		{
			name: "a kubelet identity without Managed Identity Operator", identities: true, setup: network,
			try:    step{TypeManagedCluster, "aks", userAssignedCluster(nil)},
			status: 400, reason: "CustomKubeletIdentityMissingPermissionError",
			message: "must be granted 'Managed Identity Operator' role to assign kubelet identity. You can run 'az role assignment create --assignee <control-plane-identity-principal-id> --role 'Managed Identity Operator' --scope " + kubeletID + "'",
		},
		{
			name: "eBPF host routing on Kubernetes 1.32", setup: network,
			try:    step{TypeManagedCluster, "aks", acnsCluster("1.32", "AzureLinux", with(onACNS, map[string]any{"performance": map[string]any{"accelerationMode": "BpfVeth"}}))},
			status: 400, reason: "InvalidParameter", message: `eBPF host routing needs Kubernetes 1.33 or later; agent pool 'system' runs "1.32".`,
		},
		{
			name: "eBPF host routing on Ubuntu 22.04", setup: network,
			try:    step{TypeManagedCluster, "aks", acnsCluster("1.33", "Ubuntu", with(onACNS, map[string]any{"performance": map[string]any{"accelerationMode": "BpfVeth"}}))},
			status: 400, reason: "InvalidParameter", message: `agent pool 'system' (osSKU "Ubuntu", Kubernetes 1.33) runs Ubuntu 22.04.`,
		},
		{
			name: "eBPF host routing on a user pool of Ubuntu 22.04",
			setup: append(network[:2:2], step{TypeManagedCluster, "aks",
				acnsCluster("1.33", "AzureLinux", with(onACNS, map[string]any{"performance": map[string]any{"accelerationMode": "BpfVeth"}}))}),
			try:    step{TypeAgentPool, "user", with(poolInputs(), map[string]any{"osSKU": "Ubuntu2204"})},
			status: 400, reason: "InvalidParameter", message: `agent pool 'user' (osSKU "Ubuntu2204", Kubernetes 1.33) runs Ubuntu 22.04.`,
		},
		{
			name: "eBPF host routing without ACNS", setup: network,
			try:    step{TypeManagedCluster, "aks", acnsCluster("1.33", "AzureLinux", map[string]any{"performance": map[string]any{"accelerationMode": "BpfVeth"}})},
			status: 400, reason: "InvalidParameter", message: "needs networkProfile.advancedNetworking.enabled true",
		},
		{
			name: "WireGuard without ACNS", setup: network,
			try: step{TypeManagedCluster, "aks", acnsCluster("1.33", "AzureLinux", map[string]any{"enabled": false,
				"security": map[string]any{"transitEncryption": map[string]any{"type": "WireGuard"}}})},
			status: 400, reason: "InvalidParameter", message: "WireGuard transit encryption is an Advanced Container Networking Services feature",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			if c.identities {
				seedIdentities(t, f.sim)
			}
			for _, s := range c.setup {
				f.mustCreate(s.token, s.name, s.inputs)
			}
			_, _, err := f.create(c.try.token, c.try.name, c.try.inputs)
			armErr := requireARMError(t, err, c.status, c.reason)
			assert.Contains(t, armErr.Message, c.message)
		})
	}
}

// The production-like deployment goes through: user-assigned identities
// from the directory with Managed Identity Operator on the kubelet identity,
// a NAT gateway with its public IP on the node subnet, the Standard tier, a
// node resource group, both maintenance windows; the outputs carry the
// directory's IDs. A route table with a default route to an appliance
// passes userDefinedRouting. A cluster that grows into eBPF host routing on
// Kubernetes 1.33 with Azure Linux passes.
func TestProductionRulesLetTheValidThrough(t *testing.T) {
	f := newFixture(t, Options{})
	seedIdentities(t, f.sim)
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypePublicIPAddress, "pip", publicIPInputs())
	_, ng := f.mustCreate(TypeNatGateway, "ng", with(natGatewayInputs(), map[string]any{"zones": []any{"1"}}))
	assert.Equal(t, "Succeeded", ng["provisioningState"])
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetWithNodeSubnet(map[string]any{"natGateway": map[string]any{"id": natGatewayID}}))
	_, ra := f.mustCreate(TypeRoleAssignment, "mio", identityOperator())
	assert.Equal(t, kubeletID, ra["scope"], "the directory's identity is a principal ARM knows")
	id, out := f.mustCreate(TypeManagedCluster, "aks", userAssignedCluster(map[string]any{
		"sku": map[string]any{"name": "Base", "tier": "Standard"}, "supportPlan": "KubernetesOfficial",
		"nodeResourceGroup": "rg-sim-nodes",
		"networkProfile":    map[string]any{"outboundType": "userAssignedNATGateway"},
	}))
	assert.Equal(t, "rg-sim-nodes", out["nodeResourceGroup"])
	assert.Equal(t, cpPrincipal, str(obj(obj(obj(out, "identity"), "userAssignedIdentities"), controlPlaneID), "principalId"))
	kubelet := obj(obj(out, "identityProfile"), "kubeletidentity")
	assert.Equal(t, kubeletID, kubelet["resourceId"])
	assert.Equal(t, kubeletObject, kubelet["objectId"])
	for _, config := range []string{"aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"} {
		f.mustCreate(TypeMaintenanceConfiguration, config, maintenanceInputs(config, weeklyWindow(nil)))
	}
	_, ok := f.sim.Get(id + "/maintenanceConfigurations/aksManagedNodeOSUpgradeSchedule")
	assert.True(t, ok)

	g := newFixture(t, Options{})
	g.mustCreate(TypeResourceGroup, "rg", rgInputs())
	g.mustCreate(TypeRouteTable, "rt", routeTableInputs("VirtualAppliance"))
	g.mustCreate(TypeVirtualNetwork, "vnet", vnetWithNodeSubnet(map[string]any{"routeTable": map[string]any{"id": routeTableID}}))
	g.mustCreate(TypeManagedCluster, "aks", with(acnsCluster("1.33", "AzureLinux", map[string]any{"enabled": true,
		"performance": map[string]any{"accelerationMode": "BpfVeth"}, "security": map[string]any{"transitEncryption": map[string]any{"type": "WireGuard"}}}),
		map[string]any{"networkProfile": map[string]any{"outboundType": "userDefinedRouting"}}))
}

// rawARM is an azcore ARM client on the simulator's front end: requests at
// any api-version, as automation/acns sends them at 2026-01-01.
type rawARM struct {
	t  *testing.T
	cl *arm.Client
}

func newRawARM(t *testing.T, s *Simulator) rawARM {
	cl, err := arm.NewClient("azuresim-test", "v0.0.1", &azfake.TokenCredential{},
		&arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: s.ARMTransport()}})
	require.NoError(t, err)
	return rawARM{t: t, cl: cl}
}

func (r rawARM) do(method, path, version string, body map[string]any, header map[string]string) (*http.Response, map[string]any) {
	r.t.Helper()
	req, err := runtime.NewRequest(r.t.Context(), method, runtime.JoinPaths(r.cl.Endpoint(), path))
	require.NoError(r.t, err)
	q := req.Raw().URL.Query()
	q.Set("api-version", version)
	req.Raw().URL.RawQuery = q.Encode()
	for k, v := range header {
		req.Raw().Header.Set(k, v)
	}
	if body != nil {
		require.NoError(r.t, runtime.MarshalAsJSON(req, body))
	}
	resp, err := r.cl.Pipeline().Do(req)
	require.NoError(r.t, err)
	data, err := io.ReadAll(resp.Body)
	require.NoError(r.t, err)
	var out map[string]any
	if len(bytes.TrimSpace(data)) > 0 {
		require.NoError(r.t, json.Unmarshal(data, &out), string(data))
	}
	return resp, out
}

// The ARM front end at API 2026-01-01: a GET, a change of ACNS's WireGuard
// and eBPF host routing, a PUT with If-Match. The rules judge it (BpfVeth
// on Ubuntu 22.04 is refused, with AKS's flat body); a stale eTag is 412;
// the 2024-10-01 provider and the 2025-10-01 SDK do not see the new
// properties, and a v8 PUT resets them.
func TestARMFrontEndAtAPI2026(t *testing.T) {
	f := newFixture(t, Options{})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	f.mustCreate(TypeManagedCluster, "aks", acnsCluster("1.33", "Ubuntu", map[string]any{"enabled": true}))
	raw := newRawARM(t, f.sim)
	path := testClusterID

	resp, mc := raw.do(http.MethodGet, path, API2026, nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%v", mc)
	etag := str(mc, "eTag")
	require.NotEmpty(t, etag)
	assert.Equal(t, etag, resp.Header.Get("ETag"))
	props := obj(mc, "properties")
	require.Equal(t, true, obj(obj(props, "networkProfile"), "advancedNetworking")["enabled"])

	// eBPF host routing on Ubuntu 22.04 (osSKU Ubuntu on 1.33): refused.
	adv := obj(obj(props, "networkProfile"), "advancedNetworking")
	adv["performance"] = map[string]any{"accelerationMode": "BpfVeth"}
	adv["security"] = map[string]any{"enabled": false, "transitEncryption": map[string]any{"type": "WireGuard"}}
	resp, body := raw.do(http.MethodPut, path, API2026, mc, map[string]string{"If-Match": etag})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "BadRequest", resp.Header.Get("x-ms-error-code"))
	assert.Contains(t, fmt.Sprint(body["message"]), "runs Ubuntu 22.04", "%v", body)

	// WireGuard alone goes through; the eTag changes.
	delete(adv, "performance")
	resp, body = raw.do(http.MethodPut, path, API2026, mc, map[string]string{"If-Match": etag})
	require.Equal(t, http.StatusOK, resp.StatusCode, "%v", body)
	assert.Equal(t, "Succeeded", str(obj(body, "properties"), "provisioningState"))
	assert.NotEqual(t, etag, str(body, "eTag"))
	_, again := raw.do(http.MethodGet, path, API2026, nil, nil)
	assert.Equal(t, "WireGuard", transitEncryption(obj(obj(again, "properties"), "networkProfile")))
	assert.Equal(t, obj(props, "identityProfile"), obj(obj(again, "properties"), "identityProfile"),
		"AKS's own kubelet identity, sent back as read, is kept with its IDs (a refresh sees no change)")

	// The same PUT with the old eTag: 412.
	resp, _ = raw.do(http.MethodPut, path, API2026, mc, map[string]string{"If-Match": etag})
	assert.Equal(t, http.StatusPreconditionFailed, resp.StatusCode)

	// The provider (2024-10-01) does not see it.
	rec, ok := f.sim.Get(testClusterID)
	require.True(t, ok)
	assert.Equal(t, "WireGuard", transitEncryption(obj(rec.Outputs, "networkProfile")), "ARM has it")
	assert.Empty(t, transitEncryption(obj(asSeenByProvider(TypeManagedCluster, rec.Outputs), "networkProfile")), "the provider does not")

	// armcontainerservice v8 (2025-10-01) has no field for it: its PUT
	// built from its GET resets it.
	clusters, err := acs.NewManagedClustersClient(DefaultSubscriptionID, &azfake.TokenCredential{},
		&arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: f.sim.ARMTransport()}})
	require.NoError(t, err)
	got, err := clusters.Get(t.Context(), testRG, "aks-sim", nil)
	require.NoError(t, err)
	poller, err := clusters.BeginCreateOrUpdate(t.Context(), testRG, "aks-sim", got.ManagedCluster, nil)
	require.NoError(t, err)
	_, err = poller.PollUntilDone(t.Context(), &runtime.PollUntilDoneOptions{Frequency: 1})
	require.NoError(t, err)
	_, after := raw.do(http.MethodGet, path, API2026, nil, nil)
	assert.Empty(t, transitEncryption(obj(obj(after, "properties"), "networkProfile")), "a 2025-10-01 PUT cannot carry it")

	// What the front end does not model at that version says so.
	resp, body = raw.do(http.MethodGet, path+"/agentPools/system", API2026, nil, nil)
	assert.Equal(t, http.StatusNotImplemented, resp.StatusCode)
	assert.Contains(t, fmt.Sprint(obj(body, "error")["message"]), "serves only managed-cluster GET and PUT")
}
