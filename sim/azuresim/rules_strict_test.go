package azuresim

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nodeSubnetCluster is clusterInputs in Azure CNI node subnet mode.
func nodeSubnetCluster() map[string]any {
	return with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"networkPluginMode": nil, "podCidr": nil}})
}

// podSubnetCluster is clusterInputs in Azure CNI pod subnet mode.
func podSubnetCluster() map[string]any {
	return with(clusterInputs(), map[string]any{
		"networkProfile":    map[string]any{"networkPluginMode": nil, "podCidr": nil},
		"agentPoolProfiles": []any{map[string]any{"name": "system", "mode": "System", "count": 1.0, "vnetSubnetID": testNodeID, "podSubnetID": testPodID}},
	})
}

// The rules AKS and the network provider apply to a request, each with its
// real code (or AKS's subcode) and message. Each case fails when its rule
// is removed from the table.
func TestStrictARMRules(t *testing.T) {
	type step struct {
		token, name string
		inputs      map[string]any
	}
	network := []step{{TypeResourceGroup, "rg", rgInputs()}, {TypeVirtualNetwork, "vnet", vnetInputs()}}
	withCluster := append(network[:2:2], step{TypeManagedCluster, "aks", clusterInputs()})
	withPool := append(withCluster[:3:3], step{TypeAgentPool, "user", poolInputs()})
	otherVNet := step{TypeVirtualNetwork, "other", map[string]any{
		"resourceGroupName": testRG, "virtualNetworkName": "vnet-other", "location": "westeurope",
		"addressSpace": map[string]any{"addressPrefixes": []any{"10.20.0.0/16"}},
		"subnets":      []any{map[string]any{"name": "pods", "addressPrefix": "10.20.0.0/20"}},
	}}
	otherPodID := "/subscriptions/" + DefaultSubscriptionID + "/resourceGroups/" + testRG + "/providers/Microsoft.Network/virtualNetworks/vnet-other/subnets/pods"
	systemPool := func(patch map[string]any) map[string]any {
		return with(list(clusterInputs(), "agentPoolProfiles")[0].(map[string]any), patch)
	}
	cases := []struct {
		name    string
		setup   []step
		update  bool // update the setup resource of the same name instead of creating
		try     step
		status  int
		reason  string
		message string
	}{
		{
			name: "network policy cilium without the cilium dataplane", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"networkDataplane": "azure"}})},
			status: 400, reason: "NetworkPolicyCiliumRequiresCiliumDataplane", message: "Network Policy cilium requires NetworkDataplane cilium",
		},
		{
			name: "an agent pool's node subnet changed in place", setup: withPool, update: true,
			try:    step{TypeAgentPool, "user", with(poolInputs(), map[string]any{"vnetSubnetID": testPodID})},
			status: 400, reason: "PropertyChangeNotAllowed", message: "Changing property 'agentPoolProfile.vnetSubnetID' is not allowed.",
		},
		{
			name: "an agent pool's maxPods changed in place", setup: withPool, update: true,
			try:    step{TypeAgentPool, "user", with(poolInputs(), map[string]any{"maxPods": 110.0})},
			status: 400, reason: "PropertyChangeNotAllowed", message: "Changing property 'agentPoolProfile.maxPods' is not allowed.",
		},
		{
			name: "the system pool's VM size changed through the cluster", setup: withCluster, update: true,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{
				"agentPoolProfiles": []any{systemPool(map[string]any{"vmSize": "Standard_D8s_v5"})}})},
			status: 400, reason: "PropertyChangeNotAllowed", message: "Changing property 'agentPoolProfile.vmSize' is not allowed.",
		},
		{
			name: "the cluster's DNS prefix changed in place", setup: withCluster, update: true,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"dnsPrefix": "other"})},
			status: 400, reason: "PropertyChangeNotAllowed", message: "Changing property 'dnsPrefix' is not allowed.",
		},
		{
			name: "a pool added through the cluster", setup: withCluster, update: true,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"agentPoolProfiles": []any{
				systemPool(nil), map[string]any{"name": "extra", "mode": "User", "count": 1.0, "vnetSubnetID": testNodeID}}})},
			status: 400, reason: "BadRequest", message: "A new agent pool was introduced.",
		},
		{
			name: "overlay back to the node subnet", setup: withCluster, update: true,
			try:    step{TypeManagedCluster, "aks", nodeSubnetCluster()},
			status: 400, reason: "NetworkPluginModeUpdateNotSupported", message: "from overlay to azure is not supported",
		},
		{
			name: "the node subnet to overlay with a data plane change at once",
			setup: append(network[:2:2], step{TypeManagedCluster, "aks", with(nodeSubnetCluster(), map[string]any{
				"networkProfile": map[string]any{"networkDataplane": "azure", "networkPolicy": "azure"}})}), update: true,
			try:    step{TypeManagedCluster, "aks", clusterInputs()},
			status: 400, reason: "BadRequest", message: "network dataplane and the network plugin mode in the same operation",
		},
		{
			name: "a Kubernetes version with a v", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"kubernetesVersion": "v1.32"})},
			status: 400, reason: "AgentPoolK8sVersionNotSupported", message: "Version v1.32 is not supported in this region.",
		},
		{
			name: "a retired Kubernetes version on a pool", setup: withCluster,
			try:    step{TypeAgentPool, "user", with(poolInputs(), map[string]any{"orchestratorVersion": "1.20.7"})},
			status: 400, reason: "AgentPoolK8sVersionNotSupported", message: "Version 1.20.7 is not supported in this region.",
		},
		{
			name: "maxPods above 250", setup: withCluster,
			try:    step{TypeAgentPool, "user", with(poolInputs(), map[string]any{"maxPods": 300.0})},
			status: 400, reason: "InvalidParameter", message: "agentPoolProfile.maxPods is invalid",
		},
		{
			name: "maxPods below 10", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"agentPoolProfiles": []any{systemPool(map[string]any{"maxPods": 5.0})}})},
			status: 400, reason: "InvalidParameter", message: "agentPoolProfile.maxPods is invalid",
		},
		{
			name: "a node subnet that does not exist", setup: withCluster,
			try:    step{TypeAgentPool, "user", with(poolInputs(), map[string]any{"vnetSubnetID": testVNetID + "/subnets/missing"})},
			status: 400, reason: "SubnetNotFound", message: "Could not find subnet missing in vnet vnet-sim from resource group rg-sim of subscription " + DefaultSubscriptionID + ".",
		},
		{
			name: "a pod subnet in another VNet", setup: append(network[:2:2], otherVNet),
			try: step{TypeManagedCluster, "aks", with(podSubnetCluster(), map[string]any{"agentPoolProfiles": []any{
				map[string]any{"name": "system", "mode": "System", "count": 1.0, "vnetSubnetID": testNodeID, "podSubnetID": otherPodID}}})},
			status: 400, reason: "InvalidPodSubnet", message: "must be in the virtual network of its node subnet",
		},
		{
			name: "a pod CIDR inside the VNet", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"podCidr": "10.10.128.0/17"}})},
			status: 400, reason: "NetworkProfileCIDROverlapVNET", message: "NetworkProfile CIDR 10.10.128.0/17 overlaps with reserved VNET CIDR 10.10.0.0/16",
		},
		{
			name: "a service CIDR over the node subnet", setup: network,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"networkProfile": map[string]any{
				"serviceCidr": "10.10.0.0/24", "dnsServiceIP": "10.10.0.10"}})},
			status: 400, reason: "ServiceCidrOverlapExistingSubnetsCidr", message: "service CIDR 10.10.0.0/24 is conflicted with an existing subnet CIDR 10.10.0.0/22",
		},
		{
			name: "a DNS service IP outside the service CIDR", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"dnsServiceIP": "10.1.0.10"}})},
			status: 400, reason: "InvalidDNSServiceIP", message: "must be an address inside the service CIDR 10.0.0.0/16",
		},
		{
			name: "the service CIDR's network address as DNS service IP", setup: network,
			try:    step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"dnsServiceIP": "10.0.0.0"}})},
			status: 400, reason: "InvalidDNSServiceIP", message: "other than its network address",
		},
		{
			// AKS-Construction#701's numbers: 5 nodes (4 + 10% surge) x a /24 in a /22 pod CIDR.
			name: "an overlay pod CIDR too small for the nodes", setup: network,
			try: step{TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{
				"networkProfile":    map[string]any{"podCidr": "192.168.0.0/22"},
				"agentPoolProfiles": []any{systemPool(map[string]any{"count": 4.0})}})},
			status: 400, reason: "InsufficientSubnetSize",
			message: "Pre-allocated IPs 1280 exceeds IPs available 1024 in Subnet Cidr 192.168.0.0/22, Subnet Name networkProfile.podCIDR.",
		},
		{
			// Node subnet mode: (8 + 1 surge) x (30 pods + 1) in a /24 (251 usable).
			name: "a node subnet too small for the pods", setup: []step{{TypeResourceGroup, "rg", rgInputs()},
				{TypeVirtualNetwork, "vnet", with(vnetInputs(), map[string]any{"subnets": []any{map[string]any{"name": "nodes", "addressPrefix": "10.10.0.0/24"}}})}},
			try: step{TypeManagedCluster, "aks", with(nodeSubnetCluster(), map[string]any{
				"agentPoolProfiles": []any{systemPool(map[string]any{"count": 8.0})}})},
			status: 400, reason: "InsufficientSubnetSize", message: "Pre-allocated IPs 279 exceeds IPs available 251 in Subnet Cidr 10.10.0.0/24, Subnet Name nodes.",
		},
		{
			// Autoscaler max counts: 200 + 20 surge nodes and the system pool's 1 + 1 take 16 pod IPs each from a /21 (2043 usable).
			name: "a dynamic pod subnet too small at the autoscaler's max", setup: append(network[:2:2], step{TypeManagedCluster, "aks", podSubnetCluster()}),
			try: step{TypeAgentPool, "user", with(poolInputs(), map[string]any{"podSubnetID": testPodID,
				"enableAutoScaling": true, "minCount": 1.0, "maxCount": 200.0})},
			status: 400, reason: "InsufficientSubnetSize", message: "Pre-allocated IPs 3552 exceeds IPs available 2043 in Subnet Cidr 10.10.8.0/21, Subnet Name pods.",
		},
		{
			name: "the prefix of a subnet in use removed", setup: withCluster, update: true,
			try: step{TypeVirtualNetwork, "vnet", with(vnetInputs(), map[string]any{"subnets": []any{
				map[string]any{"name": "nodes", "addressPrefix": "10.10.4.0/22"}, list(vnetInputs(), "subnets")[1]}})},
			status: 400, reason: "InUsePrefixCannotBeDeleted", message: "IpPrefix 10.10.0.0/22 on Subnet nodes has active allocations and cannot be deleted.",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			ids, olds := map[string]string{}, map[string]map[string]any{}
			for _, s := range c.setup {
				id, _ := f.mustCreate(s.token, s.name, s.inputs)
				ids[s.name], olds[s.name] = id, s.inputs
			}
			var err error
			if c.update {
				_, err = f.update(c.try.token, c.try.name, ids[c.try.name], olds[c.try.name], c.try.inputs)
			} else {
				_, _, err = f.create(c.try.token, c.try.name, c.try.inputs)
			}
			armErr := requireARMError(t, err, c.status, c.reason)
			assert.Contains(t, armErr.Message, c.message)
			assert.Contains(t, err.Error(), fmt.Sprintf(`Status=%d Code="%s" Message="`, c.status, armErr.Code))
		})
	}
}

// The valid counterparts of the rules pass: a pool omitted from a cluster
// PUT is kept, a prefix may be added to a subnet in use, the node subnet
// moves to overlay on its own, a patch version is fine.
func TestStrictRulesLetTheValidThrough(t *testing.T) {
	f := newFixture(t, Options{})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	two := with(nodeSubnetCluster(), map[string]any{"agentPoolProfiles": []any{
		list(clusterInputs(), "agentPoolProfiles")[0], map[string]any{"name": "second", "mode": "User", "count": 1.0, "vnetSubnetID": testNodeID},
	}})
	id, _ := f.mustCreate(TypeManagedCluster, "aks", two)
	one := with(nodeSubnetCluster(), map[string]any{"kubernetesVersion": "1.32.4"})
	_, err := f.update(TypeManagedCluster, "aks", id, two, one)
	require.NoError(t, err)
	mc, _ := f.sim.Get(id)
	assert.Len(t, list(mc.Outputs, "agentPoolProfiles"), 2, "a pool the PUT leaves out is kept (pulumi-azure-native#579, #1686)")

	_, err = f.update(TypeManagedCluster, "aks", id, one, clusterInputs())
	require.NoError(t, err, "node subnet to overlay")

	vnet := vnetInputs()
	grown := with(vnet, map[string]any{"subnets": []any{
		map[string]any{"name": "nodes", "addressPrefixes": []any{"10.10.0.0/22", "10.10.4.0/22"}}, list(vnet, "subnets")[1]}})
	_, err = f.update(TypeVirtualNetwork, "vnet", testVNetID, vnet, grown)
	require.NoError(t, err, "a prefix added to a subnet in use")
}

// The ARM front end goes through the same rules and concurrency, and adds
// ARM's optimistic concurrency: If-Match and If-None-Match on the eTag that
// changes with every write (412 PreconditionFailed).
func TestARMFrontEndIsAsStrictAsTheProvider(t *testing.T) {
	f := newFixture(t, Options{})
	f.deploy()
	opts := &arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: f.sim.ARMTransport()}}
	clusters, err := acs.NewManagedClustersClient(DefaultSubscriptionID, &azfake.TokenCredential{}, opts)
	require.NoError(t, err)
	pools, err := acs.NewAgentPoolsClient(DefaultSubscriptionID, &azfake.TokenCredential{}, opts)
	require.NoError(t, err)
	ctx := t.Context()

	got, err := clusters.Get(ctx, testRG, "aks-sim", nil)
	require.NoError(t, err)
	mc := got.ManagedCluster
	require.NotNil(t, mc.ETag)
	require.Len(t, mc.Properties.AgentPoolProfiles, 2, "the GET lists the inline pool and the AgentPool")
	first := *mc.ETag

	// A rule: the Cilium data plane needs Cilium network policy.
	bad := mc
	np := *bad.Properties.NetworkProfile
	np.NetworkPolicy = ptr(acs.NetworkPolicyAzure)
	bad.Properties = &acs.ManagedClusterProperties{}
	*bad.Properties = *mc.Properties
	bad.Properties.NetworkProfile = &np
	_, err = clusters.BeginCreateOrUpdate(ctx, testRG, "aks-sim", bad, nil)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, http.StatusBadRequest, re.StatusCode)
	assert.Equal(t, "BadRequest", re.ErrorCode)
	body, _ := runtime.Payload(re.RawResponse)
	assert.Contains(t, string(body), `"subcode":"CiliumDataplaneRequiresNetworkPolicyCilium"`)

	// If-Match with the current eTag: the PUT goes through and the eTag changes.
	poller, err := clusters.BeginCreateOrUpdate(ctx, testRG, "aks-sim", mc, &acs.ManagedClustersClientBeginCreateOrUpdateOptions{IfMatch: &first})
	require.NoError(t, err)
	done, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: 1})
	require.NoError(t, err)
	require.NotNil(t, done.ETag)
	assert.NotEqual(t, first, *done.ETag, "the eTag changes with every write")
	assert.Len(t, done.Properties.AgentPoolProfiles, 2, "the AgentPool named in the PUT is left as it is")

	// A stale eTag, or If-None-Match on an existing cluster: 412.
	for name, o := range map[string]*acs.ManagedClustersClientBeginCreateOrUpdateOptions{
		"stale If-Match":  {IfMatch: &first},
		"If-None-Match *": {IfNoneMatch: ptr("*")},
	} {
		_, err = clusters.BeginCreateOrUpdate(ctx, testRG, "aks-sim", mc, o)
		require.True(t, errors.As(err, &re), "%s: %v", name, err)
		assert.Equal(t, http.StatusPreconditionFailed, re.StatusCode, name)
		assert.Equal(t, "PreconditionFailed", re.ErrorCode, name)
	}

	// Agent pools: get, and a PUT that changes an immutable field.
	pool, err := pools.Get(ctx, testRG, "aks-sim", "user", nil)
	require.NoError(t, err)
	require.NotNil(t, pool.Properties.ETag)
	assert.Equal(t, acs.AgentPoolTypeVirtualMachineScaleSets, *pool.Properties.Type, "the pool type, not the ARM type")
	system, err := pools.Get(ctx, testRG, "aks-sim", "system", nil)
	require.NoError(t, err, "an inline pool is an agent pool too")
	assert.Equal(t, "system", *system.Name)
	changedPool := pool.AgentPool
	changedPool.Properties.VMSize = ptr("Standard_D16s_v5")
	_, err = pools.BeginCreateOrUpdate(ctx, testRG, "aks-sim", "user", changedPool, nil)
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, "PropertyChangeNotAllowed", re.ErrorCode)

	// A DELETE with a stale eTag is refused too; with the current one it goes.
	_, err = clusters.BeginDelete(ctx, testRG, "aks-sim", &acs.ManagedClustersClientBeginDeleteOptions{IfMatch: &first})
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, http.StatusPreconditionFailed, re.StatusCode)
	deleting, err := pools.BeginDelete(ctx, testRG, "aks-sim", "user", &acs.AgentPoolsClientBeginDeleteOptions{IfMatch: pool.Properties.ETag})
	require.NoError(t, err)
	_, err = deleting.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: 1})
	require.NoError(t, err)
	_, ok := f.sim.Get(testClusterID + "/agentPools/user")
	assert.False(t, ok)
}

func ptr[T any](v T) *T { return &v }
