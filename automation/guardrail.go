package automation

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// Guarded resource types. azure-native v2.88.0 replaces a ManagedCluster on
// any change under networkProfile (pulumi-azure-native issue 4756), so a
// harmless-looking edit can plan a new cluster; a replaced VNet or subnet
// takes the cluster's nodes with it.
const (
	typeManagedCluster = "azure-native:containerservice/v20241001:ManagedCluster"
	typeVirtualNetwork = "azure-native:network:VirtualNetwork"
	typeSubnet         = "azure-native:network:Subnet"
)

// guarded returns the steps Up must refuse without AllowReplace: a replace
// or delete of a ManagedCluster (of any API version), and of a VNet or
// subnet while a cluster in the stack stays (it is in use).
func guarded(steps []Step) []Step {
	clusterStays := false
	for _, s := range steps {
		if isManagedCluster(s.Type) && s.Op != apitype.OpDelete {
			clusterStays = true
		}
	}
	var refused []Step
	for _, s := range steps {
		destructive := s.Replaces() || s.Op == apitype.OpDelete
		switch {
		case !destructive:
		case isManagedCluster(s.Type):
			refused = append(refused, s)
		case s.IsNetwork() && clusterStays:
			refused = append(refused, s)
		}
	}
	return refused
}

func isManagedCluster(t string) bool {
	return strings.HasPrefix(t, "azure-native:containerservice") && strings.HasSuffix(t, ":ManagedCluster")
}

// IsManagedCluster reports whether the step is on an AKS ManagedCluster
// (of any API version): replacing it recreates the cluster.
func (s Step) IsManagedCluster() bool { return isManagedCluster(s.Type) }

// IsNetwork reports whether the step is on a VNet or a subnet: replacing
// one that a cluster uses takes the cluster's nodes with it.
func (s Step) IsNetwork() bool { return s.Type == typeVirtualNetwork || s.Type == typeSubnet }
