// Command overlay is a stack-repo program: an AKS cluster with Azure CNI
// powered by Cilium in overlay mode. Pods take IPs from the private range
// 192.168.0.0/16, so the VNet only needs room for the nodes.
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
		p, err := components.NewPlatform(ctx, "overlay", clusterSpec(group))
		if err != nil {
			return err
		}
		for name, value := range p.Outputs() {
			ctx.Export(name, value)
		}
		return nil
	})
}

// clusterSpec is the cluster: a VNet with one node subnet, a system pool and
// an autoscaled user pool. Unset fields take spec.WithDefaults' values
// (Cilium data plane and policy, Azure Linux, Entra ID with Azure RBAC, local
// accounts off, workload identity on).
func clusterSpec(adminGroup string) spec.Cluster {
	return spec.Cluster{
		Name:              "aks-overlay-example",
		Location:          "westeurope",
		ResourceGroup:     spec.ResourceGroup{Name: "rg-aks-overlay-example"},
		KubernetesVersion: "1.35",
		Network: spec.Network{
			Mode:         spec.Overlay{PodCIDR: "192.168.0.0/16"},
			ServiceCIDR:  "10.0.0.0/16",
			DNSServiceIP: "10.0.0.10",
			VNet: spec.VNet{
				Name:         "vnet-aks-overlay-example",
				AddressSpace: []string{"10.10.0.0/16"},
				NodeSubnet:   spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/22"},
			},
		},
		SystemPool: spec.NodePool{Name: "system", VMSize: "Standard_D4ds_v5", Count: 2},
		UserPools: []spec.NodePool{{
			Name:      "apps",
			VMSize:    "Standard_D4ds_v5",
			Autoscale: &spec.Autoscale{Min: 1, Max: 5},
		}},
		Security: spec.Security{AdminGroupObjectIDs: []string{adminGroup}},
		Tags:     map[string]string{"example": "overlay"},
	}
}
