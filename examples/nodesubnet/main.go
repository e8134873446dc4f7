// Command nodesubnet is a stack-repo program: an AKS cluster with Azure CNI
// powered by Cilium where pods share IPs with the nodes in one subnet. The
// subnet is sized on (nodes + surge) x (maxPods + 1), so maxPods stays small.
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
		p, err := components.NewPlatform(ctx, "nodesubnet", clusterSpec(group))
		if err != nil {
			return err
		}
		for name, value := range p.Outputs() {
			ctx.Export(name, value)
		}
		return nil
	})
}

// clusterSpec is the cluster: one /20 node subnet for nodes and pods, 30 pods
// a node (room for about 130 nodes including surge).
func clusterSpec(adminGroup string) spec.Cluster {
	return spec.Cluster{
		Name:              "aks-nodesubnet-example",
		Location:          "northeurope",
		ResourceGroup:     spec.ResourceGroup{Name: "rg-aks-nodesubnet-example"},
		KubernetesVersion: "1.35",
		Network: spec.Network{
			Mode:         spec.NodeSubnet{},
			ServiceCIDR:  "10.0.0.0/16",
			DNSServiceIP: "10.0.0.10",
			VNet: spec.VNet{
				Name:         "vnet-aks-nodesubnet-example",
				AddressSpace: []string{"10.10.0.0/16"},
				NodeSubnet:   spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/20"},
			},
		},
		SystemPool: spec.NodePool{Name: "system", VMSize: "Standard_D4ds_v5", Count: 3, MaxPods: 30},
		UserPools: []spec.NodePool{{
			Name:      "apps",
			VMSize:    "Standard_D8ds_v5",
			Autoscale: &spec.Autoscale{Min: 3, Max: 20},
			MaxPods:   30,
		}},
		Security: spec.Security{AdminGroupObjectIDs: []string{adminGroup}},
		Tags:     map[string]string{"example": "nodesubnet"},
	}
}
