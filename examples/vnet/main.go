// Command vnet is a stack-repo program: an AKS cluster with Azure CNI powered
// by Cilium where pods take IPs from dedicated VNet pod subnets (dynamic
// allocation), so Azure resources reach pods directly. Each pool names its
// pod subnet; nodes stay on the node subnet.
//
//	pulumi config set adminGroupObjectId <Entra ID group object ID>
//	pulumi up
package main

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		group, ok := ctx.GetConfig(ctx.Project() + ":adminGroupObjectId")
		if !ok {
			return fmt.Errorf("set the cluster admins: pulumi config set adminGroupObjectId <Entra ID group object ID>")
		}
		p, err := components.NewPlatform(ctx, "vnet", clusterSpec(group))
		if err != nil {
			return err
		}
		for name, value := range p.Outputs() {
			ctx.Export(name, value)
		}
		return nil
	})
}

// clusterSpec is the cluster: node subnet 10.10.0.0/22 and two pod subnets
// in one VNet (created in one ARM call, see components.Network), zonal
// autoscaled pools, and deletion protection.
func clusterSpec(adminGroup string) spec.Cluster {
	return spec.Cluster{
		Name:              "aks-vnet-example",
		Location:          "westeurope",
		ResourceGroup:     spec.ResourceGroup{Name: "rg-aks-vnet-example"},
		KubernetesVersion: "1.35",
		Network: spec.Network{
			Mode: spec.PodSubnet{Subnets: []spec.Subnet{
				{Name: "pods-system", CIDR: "10.10.16.0/22"},
				{Name: "pods-apps", CIDR: "10.10.32.0/20"},
			}},
			ServiceCIDR:  "10.0.0.0/16",
			DNSServiceIP: "10.0.0.10",
			VNet: spec.VNet{
				Name:         "vnet-aks-vnet-example",
				AddressSpace: []string{"10.10.0.0/16"},
				NodeSubnet:   spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/22"},
			},
		},
		SystemPool: spec.NodePool{
			Name:      "system",
			VMSize:    "Standard_D4ds_v5",
			Autoscale: &spec.Autoscale{Min: 3, Max: 6},
			Zones:     []string{"1", "2", "3"},
			PodSubnet: "pods-system",
		},
		UserPools: []spec.NodePool{{
			Name:      "apps",
			VMSize:    "Standard_D8ds_v5",
			Autoscale: &spec.Autoscale{Min: 3, Max: 30},
			Zones:     []string{"1", "2", "3"},
			PodSubnet: "pods-apps",
		}},
		Security:           spec.Security{AdminGroupObjectIDs: []string{adminGroup}},
		DeletionProtection: true,
		Tags:               map[string]string{"example": "vnet"},
	}
}
