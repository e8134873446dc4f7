package spec

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// updateProduction is ValidateUpdate's part for the production settings:
// the outbound type and the node resource group, which only a replacement
// changes through Pulumi, and a pool's OS disk, which AKS fixes at the pool's
// creation. The tier, support plan, channels, windows, identities and FIPS
// change in place (AKS docs: each setting's update command); so does a
// change of NAT gateway or route table within one outbound type (a subnet
// update).
func updateProduction(o, n Cluster) field.ErrorList {
	var errs field.ErrorList
	if o.Egress.OutboundType != n.Egress.OutboundType {
		errs = append(errs, changed(CodeOutboundTypeChanged, field.NewPath("egress", "outboundType"), string(o.Egress.OutboundType), string(n.Egress.OutboundType),
			"azure-native 2.88.0 forces a new cluster on any change under networkProfile (pulumi-azure-native#4756), so Pulumi replaces the cluster (UpOptions.AllowReplace) for it. "+
				"AKS itself migrates loadBalancer, userAssignedNATGateway and userDefinedRouting into each other in place on your VNet (`az aks update --outbound-type`, AKS docs: egress-outboundtype, changing the egress IPs); "+
				"after such a migration and a refresh, an Up with AllowReplace plans no replacement"))
	}
	if before, after := o.EffectiveNodeResourceGroup(), n.EffectiveNodeResourceGroup(); before != after {
		errs = append(errs, changed(CodeNodeResourceGroupChanged, field.NewPath("nodeResourceGroup"), before, after,
			"AKS names the node resource group at creation and cannot rename it (AKS FAQ); azure-native forces a new cluster on it: allow the replacement (UpOptions.AllowReplace) or keep the name"))
	}
	old := map[string]NodePool{}
	for _, p := range o.Pools() {
		old[p.Name] = p
	}
	for i, p := range n.Pools() {
		before, ok := old[p.Name]
		if !ok {
			continue
		}
		path := poolPath(i)
		if before.OSDiskType != "" && p.OSDiskType != "" && before.OSDiskType != p.OSDiskType {
			errs = append(errs, changed(CodeOSDiskChanged, path.Child("osDiskType"), string(before.OSDiskType), string(p.OSDiskType),
				"a pool's OS disk type is fixed at its creation (API 2024-10-01: 'May not be changed after creation'): add a pool with the new disk and remove this one"))
		}
		if before.OSDiskSizeGB != 0 && p.OSDiskSizeGB != 0 && before.OSDiskSizeGB != p.OSDiskSizeGB {
			errs = append(errs, changed(CodeOSDiskChanged, path.Child("osDiskSizeGB"), before.OSDiskSizeGB, p.OSDiskSizeGB,
				fmt.Sprintf("a pool's OS disk size is fixed at its creation (AKS docs: concepts-storage, 'You can't change the OS disk size after cluster or node pool creation'): add a pool with %d GB and remove this one", p.OSDiskSizeGB)))
		}
	}
	return errs
}
