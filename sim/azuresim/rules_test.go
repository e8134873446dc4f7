package azuresim

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each ARM rejection, through the provider interface: the error carries
// ARM's status and code in azure-native's format.
func TestARMRejections(t *testing.T) {
	type step struct {
		token, name string
		inputs      map[string]any
	}
	base := []step{
		{TypeResourceGroup, "rg", rgInputs()},
		{TypeVirtualNetwork, "vnet", vnetInputs()},
	}
	withCluster := append(base[:2:2], step{TypeManagedCluster, "aks", clusterInputs()})
	cases := []struct {
		name    string
		setup   []step
		try     step
		status  int
		code    string
		message string
	}{
		{
			name: "cilium dataplane without cilium policy", setup: base,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{
				"networkProfile": map[string]any{"networkPolicy": "azure"}})},
			status: 400, code: "CiliumDataplaneRequiresNetworkPolicyCilium", message: "Cilium dataplane requires network policy cilium.",
		},
		{
			name: "overlay with an inline pool's pod subnet", setup: base,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{
				"agentPoolProfiles": []any{map[string]any{"name": "system", "vnetSubnetID": testNodeID, "podSubnetID": testPodID}}})},
			status: 400, code: "BadRequest", message: "NetworkPluginMode overlay cannot be used with PodSubnetID.",
		},
		{
			name: "overlay cluster, pool with a pod subnet", setup: withCluster,
			try:    step{TypeAgentPool, "user", with(poolInputs(), map[string]any{"podSubnetID": testPodID})},
			status: 400, code: "BadRequest", message: "NetworkPluginMode overlay cannot be used with PodSubnetID.",
		},
		{
			name: "Windows pool on a Cilium cluster", setup: withCluster,
			try:    step{TypeAgentPool, "win", with(poolInputs(), map[string]any{"agentPoolName": "win", "osType": "Windows"})},
			status: 400, code: "WindowsNotSupportedWithCiliumDataplane", message: "Windows agent pools are not supported",
		},
		{
			name: "Windows inline pool on a Cilium cluster", setup: base,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{
				"agentPoolProfiles": []any{map[string]any{"name": "win", "osType": "Windows"}}})},
			status: 400, code: "WindowsNotSupportedWithCiliumDataplane", message: "Windows agent pools are not supported",
		},
		{
			name: "podCidr without overlay", setup: base,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{
				"networkProfile": map[string]any{"networkPluginMode": nil}})},
			status: 400, code: "InvalidParameter", message: "podCidr can only be set with networkPluginMode overlay",
		},
		{
			name: "agent pool of a cluster that does not exist", setup: base,
			try:    step{TypeAgentPool, "user", poolInputs()},
			status: 404, code: "ParentResourceNotFound", message: "Parent resource 'aks-sim' not found",
		},
		{
			name:   "cluster in a resource group that does not exist",
			try:    step{TypeManagedCluster, "aks", clusterInputs()},
			status: 404, code: "ResourceGroupNotFound", message: "Resource group 'rg-sim' could not be found.",
		},
		{
			name:   "resource group without a location",
			try:    step{TypeResourceGroup, "rg", with(rgInputs(), map[string]any{"location": nil})},
			status: 400, code: "LocationRequired",
		},
		{
			name: "overlapping inline subnets", setup: base[:1],
			try: step{TypeVirtualNetwork, "vnet", with(vnetInputs(), map[string]any{"subnets": []any{
				map[string]any{"name": "a", "addressPrefix": "10.10.0.0/22"},
				map[string]any{"name": "b", "addressPrefix": "10.10.2.0/24"},
			}})},
			status: 400, code: "NetcfgSubnetRangesOverlap", message: "Subnet 'b' is not valid because its IP address range overlaps",
		},
		{
			name: "a subnet outside the VNet", setup: base[:1],
			try: step{TypeVirtualNetwork, "vnet", with(vnetInputs(), map[string]any{"subnets": []any{
				map[string]any{"name": "a", "addressPrefix": "10.11.0.0/24"},
			}})},
			status: 400, code: "NetcfgSubnetRangeOutsideVnet",
		},
		{
			name: "a standalone subnet overlapping an inline one", setup: base,
			try: step{TypeSubnet, "extra", map[string]any{"resourceGroupName": testRG, "virtualNetworkName": "vnet-sim",
				"subnetName": "extra", "addressPrefix": "10.10.1.0/24"}},
			status: 400, code: "NetcfgSubnetRangesOverlap", message: "Subnet 'extra'",
		},
		{
			name: "a subnet of a VNet that does not exist", setup: base[:1],
			try: step{TypeSubnet, "extra", map[string]any{"resourceGroupName": testRG, "virtualNetworkName": "vnet-sim",
				"subnetName": "extra", "addressPrefix": "10.10.1.0/24"}},
			status: 404, code: "ParentResourceNotFound",
		},
		{
			name: "an address prefix that does not parse", setup: base[:1],
			try: step{TypeVirtualNetwork, "vnet", with(vnetInputs(), map[string]any{"subnets": []any{
				map[string]any{"name": "a", "addressPrefix": "10.10.0.0/33"}}})},
			status: 400, code: "InvalidAddressPrefixFormat",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			for _, s := range c.setup {
				f.mustCreate(s.token, s.name, s.inputs)
			}
			before := len(f.sim.Resources())
			_, _, err := f.create(c.try.token, c.try.name, c.try.inputs)
			require.Error(t, err)
			var armErr *ARMError
			require.True(t, errors.As(err, &armErr), "%v", err)
			assert.Equal(t, c.status, armErr.StatusCode)
			assert.Equal(t, c.code, armErr.Reason(), "the code, or AKS's subcode")
			assert.Contains(t, armErr.Message, c.message)
			assert.Contains(t, err.Error(), fmt.Sprintf(`Status=%d Code="%s" Message="`, c.status, armErr.Code))
			assert.Len(t, f.sim.Resources(), before, "a rejected request writes nothing")
		})
	}
}

// Valid shapes of the three IP modes pass the rules.
func TestARMAcceptsTheThreeModes(t *testing.T) {
	podSubnet := with(clusterInputs(), map[string]any{
		"networkProfile":    map[string]any{"networkPluginMode": nil, "podCidr": nil},
		"agentPoolProfiles": []any{map[string]any{"name": "system", "vnetSubnetID": testNodeID, "podSubnetID": testPodID}},
	})
	nodeSubnet := with(clusterInputs(), map[string]any{
		"networkProfile": map[string]any{"networkPluginMode": nil, "podCidr": nil},
	})
	for name, cluster := range map[string]map[string]any{"overlay": clusterInputs(), "pod subnet": podSubnet, "node subnet": nodeSubnet} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, Options{})
			f.mustCreate(TypeResourceGroup, "rg", rgInputs())
			f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
			f.mustCreate(TypeManagedCluster, "aks", cluster)
			pool := poolInputs()
			if name == "pod subnet" {
				pool["podSubnetID"] = testPodID
			}
			f.mustCreate(TypeAgentPool, "user", pool)
		})
	}
}

func TestDeleteRejections(t *testing.T) {
	f := newFixture(t, Options{})
	rgID, vnetID, clusterID, _ := f.deploy()
	subnetID, _ := f.mustCreate(TypeSubnet, "extra", map[string]any{"resourceGroupName": testRG,
		"virtualNetworkName": "vnet-sim", "subnetName": "extra", "addressPrefix": "10.10.4.0/24"})
	pool2, _ := f.mustCreate(TypeAgentPool, "extra", with(poolInputs(), map[string]any{"agentPoolName": "extra", "vnetSubnetID": subnetID}))

	code := func(err error) string {
		t.Helper()
		var armErr *ARMError
		require.True(t, errors.As(err, &armErr), "%v", err)
		return armErr.Code
	}
	err := f.delete(TypeVirtualNetwork, "vnet", vnetID)
	assert.Equal(t, "InUseSubnetCannotBeDeleted", code(err))
	assert.Contains(t, err.Error(), "Subnet nodes is in use by "+clusterID+"/agentPools/")
	assert.Equal(t, "InUseSubnetCannotBeDeleted", code(f.delete(TypeSubnet, "extra", subnetID)))

	// Dropping an in-use subnet from the VNet's inline subnets is a delete too.
	vnet := vnetInputs()
	_, err = f.update(TypeVirtualNetwork, "vnet", vnetID, vnet, with(vnet, map[string]any{"subnets": list(vnet, "subnets")[1:]}))
	assert.Equal(t, "InUseSubnetCannotBeDeleted", code(err))

	assert.Equal(t, "ResourceGroupNotEmpty", code(f.delete(TypeResourceGroup, "rg", rgID)))

	require.NoError(t, f.delete(TypeAgentPool, "extra", pool2))
	require.NoError(t, f.delete(TypeSubnet, "extra", subnetID))
	require.NoError(t, f.delete(TypeManagedCluster, "aks", clusterID))
	require.NoError(t, f.delete(TypeVirtualNetwork, "vnet", vnetID))
	require.NoError(t, f.delete(TypeResourceGroup, "rg", rgID))
	assert.Empty(t, f.sim.Resources())
}
