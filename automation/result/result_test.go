package result

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const (
	typeManagedCluster = "azure-native:containerservice/v20241001:ManagedCluster"
	typeVirtualNetwork = "azure-native:network:VirtualNetwork"
	urnCluster         = "urn:pulumi:prod::aks-cilium::aks-cilium:index:Platform$aks-cilium:azure:Cluster$" + typeManagedCluster + "::platform-cluster"
	urnVNet            = "urn:pulumi:prod::aks-cilium::aks-cilium:index:Platform$aks-cilium:azure:Network$" + typeVirtualNetwork + "::platform-network-vnet"
)

func TestGuarded(t *testing.T) {
	replaceCluster := Step{URN: urnCluster, Type: typeManagedCluster, Op: OpReplace, ReplaceKeys: []string{"networkProfile"}}
	updateCluster := Step{URN: urnCluster, Type: typeManagedCluster, Op: OpUpdate}
	deleteCluster := Step{URN: urnCluster, Type: typeManagedCluster, Op: OpDelete}
	replaceVNet := Step{URN: urnVNet, Type: typeVirtualNetwork, Op: OpReplace, ReplaceKeys: []string{"location"}}
	deleteVNet := Step{URN: urnVNet, Type: typeVirtualNetwork, Op: OpDelete}
	createRG := Step{Type: "azure-native:resources:ResourceGroup", Op: OpCreate}

	assert.Equal(t, []Step{replaceCluster}, Guarded([]Step{createRG, replaceCluster}))
	assert.Empty(t, Guarded([]Step{updateCluster, createRG}), "in-place updates pass")
	assert.Equal(t, []Step{deleteCluster}, Guarded([]Step{deleteCluster}), "a deleted cluster is guarded")
	assert.Equal(t, []Step{replaceVNet}, Guarded([]Step{updateCluster, replaceVNet}), "a VNet in use by a cluster that stays")
	assert.Empty(t, Guarded([]Step{replaceVNet}), "a VNet with no cluster in the stack is not in use")
	assert.Equal(t, []Step{deleteCluster}, Guarded([]Step{deleteCluster, deleteVNet}),
		"with the cluster going too, the VNet is not in use; the cluster is still guarded")

	other := Step{Type: "azure-native:containerservice:ManagedCluster", Op: OpReplace}
	assert.Len(t, Guarded([]Step{other}), 1, "any API version of ManagedCluster is guarded")
	versionedSubnet := Step{Type: "azure-native:network/v20240301:Subnet", Op: OpReplace}
	assert.Len(t, Guarded([]Step{updateCluster, versionedSubnet}), 1, "any API version of Subnet is guarded")
}

func TestTypePredicates(t *testing.T) {
	for token, want := range map[string][3]bool{
		"azure-native:containerservice:ManagedCluster":           {true, false, false},
		"azure-native:containerservice/v20241001:ManagedCluster": {true, false, false},
		"azure-native:containerservice/v20241001:AgentPool":      {false, true, false},
		"azure-native:network:VirtualNetwork":                    {false, false, true},
		"azure-native:network/v20240301:VirtualNetwork":          {false, false, true},
		"azure-native:network:Subnet":                            {false, false, true},
		"azure-native:networkcloud:VirtualNetwork":               {false, false, false},
		"azure-native:containerservicefleet:ManagedCluster":      {false, false, false},
		"azure:network:Subnet":                                   {false, false, false},
		"azure-native:network:SubnetX":                           {false, false, false},
	} {
		s := Step{Type: token}
		assert.Equal(t, want, [3]bool{s.IsManagedCluster(), s.IsAgentPool(), s.IsNetwork()}, token)
	}
}

func TestResultSummary(t *testing.T) {
	r := &Result{Changes: map[Op]int{"same": 3}}
	assert.False(t, r.HasChanges())
	assert.Equal(t, "no changes", r.ChangeSummary())
	r.Changes = map[Op]int{"update": 1, "create": 2, "same": 4, "replace": 1}
	assert.True(t, r.HasChanges())
	assert.Equal(t, "2 create, 1 replace, 1 update", r.ChangeSummary())
}
