package azuresim

import (
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
)

func TestDiff(t *testing.T) {
	f := newFixture(t, Options{})
	type kinds = map[string]pulumirpc.PropertyDiff_Kind
	cases := []struct {
		name     string
		token    string
		olds     map[string]any
		patch    map[string]any
		outputs  map[string]any // old outputs; olds when nil
		replaces []string
		detailed kinds
		diffs    []string // when set, the expected Diffs
	}{
		{
			name: "no change", token: TypeManagedCluster, olds: clusterInputs(),
			detailed: kinds{},
		},
		{
			name: "tags update in place", token: TypeManagedCluster, olds: clusterInputs(),
			patch:    map[string]any{"tags": map[string]any{"env": "prod"}},
			detailed: kinds{"tags.env": pulumirpc.PropertyDiff_UPDATE},
		},
		{
			name: "tag with a non-identifier key", token: TypeResourceGroup, olds: rgInputs(),
			patch:    map[string]any{"tags": map[string]any{"kubernetes.io/role": "x"}},
			detailed: kinds{"tags.kubernetes.io/role": pulumirpc.PropertyDiff_ADD}, // unquoted, as azure-native joins paths
		},
		{
			name: "networkDataplane replaces the cluster", token: TypeManagedCluster, olds: clusterInputs(),
			patch:    map[string]any{"networkProfile": map[string]any{"networkDataplane": "azure"}},
			replaces: []string{"networkProfile.networkDataplane"},
			detailed: kinds{"networkProfile.networkDataplane": pulumirpc.PropertyDiff_UPDATE_REPLACE},
		},
		{
			name: "podCidr replaces the cluster", token: TypeManagedCluster, olds: clusterInputs(),
			patch:    map[string]any{"networkProfile": map[string]any{"podCidr": "172.16.0.0/16"}},
			replaces: []string{"networkProfile.podCidr"},
			detailed: kinds{"networkProfile.podCidr": pulumirpc.PropertyDiff_UPDATE_REPLACE},
		},
		{
			name: "adding ACNS under networkProfile is an update (a nested add is not promoted)", token: TypeManagedCluster, olds: clusterInputs(),
			patch:    map[string]any{"networkProfile": map[string]any{"advancedNetworking": map[string]any{"enabled": true}}},
			detailed: kinds{"networkProfile.advancedNetworking": pulumirpc.PropertyDiff_ADD},
		},
		{
			name: "removing ACNS is a delete, not a replacement", token: TypeManagedCluster,
			olds:     with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"advancedNetworking": map[string]any{"enabled": true}}}),
			patch:    map[string]any{"networkProfile": map[string]any{"advancedNetworking": nil}},
			detailed: kinds{"networkProfile.advancedNetworking": pulumirpc.PropertyDiff_DELETE},
		},
		{
			name: "changing ACNS security replaces the cluster (issue 4756)", token: TypeManagedCluster,
			olds: with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"advancedNetworking": map[string]any{
				"enabled": true, "security": map[string]any{"enabled": true}}}}),
			patch: map[string]any{"networkProfile": map[string]any{"advancedNetworking": map[string]any{
				"security": map[string]any{"enabled": false}, "observability": map[string]any{"enabled": true}}}},
			replaces: []string{"networkProfile.advancedNetworking.security.enabled"},
			detailed: kinds{
				"networkProfile.advancedNetworking.security.enabled": pulumirpc.PropertyDiff_UPDATE_REPLACE,
				"networkProfile.advancedNetworking.observability":    pulumirpc.PropertyDiff_ADD,
			},
		},
		{
			name: "adding the whole networkProfile replaces (a top-level add of a replace key)", token: TypeManagedCluster,
			olds:     with(clusterInputs(), map[string]any{"networkProfile": nil}),
			patch:    map[string]any{"networkProfile": obj(clusterInputs(), "networkProfile")},
			replaces: []string{"networkProfile"},
			detailed: kinds{"networkProfile": pulumirpc.PropertyDiff_ADD_REPLACE},
		},
		{
			name: "location casing and spaces are no change", token: TypeManagedCluster, olds: clusterInputs(),
			patch:    map[string]any{"location": "West Europe"},
			detailed: kinds{},
		},
		{
			name: "location replaces", token: TypeResourceGroup, olds: rgInputs(),
			patch:    map[string]any{"location": "northeurope"},
			replaces: []string{"location"},
			detailed: kinds{"location": pulumirpc.PropertyDiff_UPDATE_REPLACE},
		},
		{
			name: "resource group name replaces", token: TypeManagedCluster, olds: clusterInputs(),
			patch:    map[string]any{"resourceGroupName": "other"},
			replaces: []string{"resourceGroupName"},
			detailed: kinds{"resourceGroupName": pulumirpc.PropertyDiff_UPDATE_REPLACE},
		},
		{
			name: "inline pool count updates in place", token: TypeManagedCluster, olds: clusterInputs(),
			patch: map[string]any{"agentPoolProfiles": []any{map[string]any{
				"name": "system", "mode": "System", "count": 3.0, "vmSize": "Standard_D4s_v5",
				"osType": "Linux", "vnetSubnetID": testNodeID,
			}}},
			detailed: kinds{"agentPoolProfiles[0].count": pulumirpc.PropertyDiff_UPDATE},
		},
		{
			name: "a nodeResourceGroup input stating the current output is no replacement", token: TypeManagedCluster,
			olds:     clusterInputs(),
			outputs:  with(clusterInputs(), map[string]any{"nodeResourceGroup": "MC_rg-sim_aks-sim_westeurope"}),
			patch:    map[string]any{"nodeResourceGroup": "MC_rg-sim_aks-sim_westeurope"},
			detailed: kinds{"nodeResourceGroup": pulumirpc.PropertyDiff_ADD},
		},
		{
			name: "pool count updates in place", token: TypeAgentPool, olds: poolInputs(),
			patch:    map[string]any{"count": 5.0},
			detailed: kinds{"count": pulumirpc.PropertyDiff_UPDATE},
		},
		{
			name: "pool vmSize replaces", token: TypeAgentPool, olds: poolInputs(),
			patch:    map[string]any{"vmSize": "Standard_D8s_v5"},
			replaces: []string{"vmSize"},
			detailed: kinds{"vmSize": pulumirpc.PropertyDiff_UPDATE_REPLACE},
		},
		{
			name: "pool pod subnet is planned as an update (AKS then refuses it)", token: TypeAgentPool, olds: poolInputs(),
			patch:    map[string]any{"podSubnetID": testPodID},
			detailed: kinds{"podSubnetID": pulumirpc.PropertyDiff_ADD},
		},
		{
			name: "pool node subnet and OS are planned as updates", token: TypeAgentPool, olds: poolInputs(),
			patch:    map[string]any{"vnetSubnetID": testPodID, "osType": "Windows"},
			detailed: kinds{"vnetSubnetID": pulumirpc.PropertyDiff_UPDATE, "osType": pulumirpc.PropertyDiff_UPDATE},
		},
		{
			name: "inline pool vmSize is planned as an update of the cluster", token: TypeManagedCluster, olds: clusterInputs(),
			patch: map[string]any{"agentPoolProfiles": []any{with(list(clusterInputs(), "agentPoolProfiles")[0].(map[string]any),
				map[string]any{"vmSize": "Standard_D8s_v5"})}},
			detailed: kinds{"agentPoolProfiles[0].vmSize": pulumirpc.PropertyDiff_UPDATE},
		},
		{
			name: "pool networkProfile replaces", token: TypeAgentPool, olds: poolInputs(),
			patch:    map[string]any{"networkProfile": map[string]any{"allowedHostPorts": []any{}}},
			replaces: []string{"networkProfile"},
			detailed: kinds{"networkProfile": pulumirpc.PropertyDiff_ADD_REPLACE},
		},
		{
			name: "an unknown new value of a replace key replaces", token: TypeAgentPool, olds: poolInputs(),
			patch:    map[string]any{"resourceName": unknown},
			replaces: []string{"resourceName"},
			detailed: kinds{"resourceName": pulumirpc.PropertyDiff_UPDATE_REPLACE},
		},
		{
			name: "a VNet subnet prefix updates in place", token: TypeVirtualNetwork, olds: vnetInputs(),
			patch: map[string]any{"subnets": []any{
				map[string]any{"name": "nodes", "addressPrefix": "10.10.0.0/21"},
				list(vnetInputs(), "subnets")[1],
			}},
			detailed: kinds{"subnets[0].addressPrefix": pulumirpc.PropertyDiff_UPDATE},
			diffs:    []string{"subnets[0]"}, // the first segment of the path, as azure-native splits it on "."
		},
		{
			name: "a new subnet is an add", token: TypeVirtualNetwork, olds: vnetInputs(),
			patch: map[string]any{"subnets": append(list(vnetInputs(), "subnets"),
				map[string]any{"name": "extra", "addressPrefix": "10.10.16.0/24"})},
			detailed: kinds{"subnets[2]": pulumirpc.PropertyDiff_ADD},
		},
		{
			name: "a subnet's name replaces it", token: TypeSubnet,
			olds:     map[string]any{"resourceGroupName": testRG, "virtualNetworkName": "vnet-sim", "subnetName": "a", "addressPrefix": "10.10.4.0/24"},
			patch:    map[string]any{"subnetName": "b"},
			replaces: []string{"subnetName"},
			detailed: kinds{"subnetName": pulumirpc.PropertyDiff_UPDATE_REPLACE},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			news := with(c.olds, c.patch)
			resp := f.diff(c.token, c.olds, news, c.outputs)
			got := kinds{}
			for k, v := range resp.GetDetailedDiff() {
				got[k] = v.GetKind()
				assert.True(t, v.GetInputDiff(), k)
			}
			assert.Equal(t, c.detailed, got)
			assert.True(t, resp.GetHasDetailedDiff())
			if c.diffs != nil {
				assert.Equal(t, c.diffs, resp.GetDiffs())
			}
			if c.replaces == nil {
				assert.Empty(t, resp.GetReplaces())
				assert.False(t, resp.GetDeleteBeforeReplace())
			} else {
				assert.Equal(t, c.replaces, resp.GetReplaces())
				assert.True(t, resp.GetDeleteBeforeReplace(), "the replacement has the same ARM ID")
			}
			if len(c.detailed) == 0 {
				assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, resp.GetChanges())
			} else {
				assert.Equal(t, pulumirpc.DiffResponse_DIFF_SOME, resp.GetChanges())
			}
		})
	}
}

// Diff must compare the old inputs with the news: the old outputs carry
// everything ARM computed, which is never a change.
func TestDiffComparesOldInputsNotOutputs(t *testing.T) {
	f := newFixture(t, Options{})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	_, outs := f.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	resp := f.diff(TypeManagedCluster, clusterInputs(), clusterInputs(), outs)
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, resp.GetChanges())
	assert.Empty(t, resp.GetDetailedDiff())
}

func TestReplaceKeys(t *testing.T) {
	assert.Equal(t, []string{"diskEncryptionSetID", "dnsPrefix", "fqdnSubdomain", "linuxProfile", "location",
		"networkProfile", "nodeResourceGroup", "resourceGroupName", "resourceName", "windowsProfile"},
		resourceTypes[TypeManagedCluster].replaceKeys())
	assert.Equal(t, []string{"agentPoolName", "gpuInstanceProfile", "networkProfile", "resourceGroupName", "resourceName", "vmSize"},
		resourceTypes[TypeAgentPool].replaceKeys())
	assert.Equal(t, []string{"location", "resourceGroupName", "virtualNetworkName"}, resourceTypes[TypeVirtualNetwork].replaceKeys())
	assert.Equal(t, []string{"location", "resourceGroupName"}, resourceTypes[TypeResourceGroup].replaceKeys())
	assert.Equal(t, []string{"resourceGroupName", "subnetName", "virtualNetworkName"}, resourceTypes[TypeSubnet].replaceKeys())
}
