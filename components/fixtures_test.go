package components

import (
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Valid specs, one per pod IP mode, with realistic values. The service range
// 10.0.0.0/16 is outside the VNet 10.10.0.0/16.

const (
	testAdminGroup = "6f1a9a3e-3c1b-4a53-9d43-2f0c2b7e8a11"
	testTenant     = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testSubPrefix  = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared-net" +
		"/providers/Microsoft.Network/virtualNetworks/vnet-shared/subnets/"
)

// overlaySpec: pods from 192.168.0.0/16, nodes on 10.10.0.0/22.
func overlaySpec() spec.Cluster {
	return spec.Cluster{
		Name:              "aks-overlay",
		Location:          "westeurope",
		ResourceGroup:     spec.ResourceGroup{Name: "rg-aks-overlay"},
		KubernetesVersion: "1.32",
		Network: spec.Network{
			Mode:         spec.Overlay{PodCIDR: "192.168.0.0/16"},
			ServiceCIDR:  "10.0.0.0/16",
			DNSServiceIP: "10.0.0.10",
			VNet: spec.VNet{
				Name:         "vnet-aks-overlay",
				AddressSpace: []string{"10.10.0.0/16"},
				NodeSubnet:   spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/22"},
			},
		},
		SystemPool: spec.NodePool{
			Name:   "system",
			VMSize: "Standard_D4ds_v5",
			Count:  3,
			Zones:  []string{"1", "2", "3"},
			Taints: []string{"CriticalAddonsOnly=true:NoSchedule"},
		},
		UserPools: []spec.NodePool{{
			Name:      "apps",
			VMSize:    "Standard_D8ds_v5",
			Count:     2,
			Autoscale: &spec.Autoscale{Min: 2, Max: 10},
			Zones:     []string{"1", "2", "3"},
			Labels:    map[string]string{"workload": "apps"},
		}},
		Security: spec.Security{AdminGroupObjectIDs: []string{testAdminGroup}},
		Tags:     map[string]string{"env": "test", "owner": "platform"},
	}
}

// podSubnetSpec: pods from dedicated subnets 10.10.16.0/20 and 10.10.32.0/20
// (the user pool takes the second), with ACNS on.
func podSubnetSpec() spec.Cluster {
	return spec.Cluster{
		Name:              "aks-vnet",
		Location:          "westeurope",
		ResourceGroup:     spec.ResourceGroup{Name: "rg-aks-vnet"},
		KubernetesVersion: "1.32",
		Network: spec.Network{
			Mode: spec.PodSubnet{Subnets: []spec.Subnet{
				{Name: "pods", CIDR: "10.10.16.0/20"},
				{Name: "podsapps", CIDR: "10.10.32.0/20"},
			}},
			ServiceCIDR:  "10.0.0.0/16",
			DNSServiceIP: "10.0.0.10",
			VNet: spec.VNet{
				Name:         "vnet-aks-vnet",
				AddressSpace: []string{"10.10.0.0/16"},
				NodeSubnet:   spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/22"},
			},
		},
		SystemPool: spec.NodePool{Name: "system", VMSize: "Standard_D4ds_v5", Count: 3, Zones: []string{"1", "2", "3"}},
		UserPools: []spec.NodePool{{
			Name:      "apps",
			VMSize:    "Standard_D8ds_v5",
			Count:     3,
			Autoscale: &spec.Autoscale{Min: 3, Max: 12},
			PodSubnet: "podsapps",
		}},
		Security: spec.Security{AdminGroupObjectIDs: []string{testAdminGroup}, TenantID: testTenant},
		ACNS:     spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityL7},
		Tags:     map[string]string{"env": "test"},
	}
}

// nodeSubnetSpec: pods share the node subnet 10.10.0.0/20, 30 pods a node.
func nodeSubnetSpec() spec.Cluster {
	return spec.Cluster{
		Name:              "aks-nodesubnet",
		Location:          "northeurope",
		ResourceGroup:     spec.ResourceGroup{Name: "rg-aks-nodesubnet"},
		KubernetesVersion: "1.31",
		Network: spec.Network{
			Mode:         spec.NodeSubnet{},
			ServiceCIDR:  "10.0.0.0/16",
			DNSServiceIP: "10.0.0.10",
			VNet: spec.VNet{
				Name:         "vnet-aks-nodesubnet",
				AddressSpace: []string{"10.10.0.0/16"},
				NodeSubnet:   spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/20"},
			},
		},
		SystemPool: spec.NodePool{Name: "system", VMSize: "Standard_D4ds_v5", Count: 3, MaxPods: 30},
		UserPools: []spec.NodePool{{
			Name:    "apps",
			VMSize:  "Standard_D8ds_v5",
			Count:   4,
			MaxPods: 30,
			Taints:  []string{"dedicated=apps:NoSchedule"},
		}},
		Security: spec.Security{AdminGroupObjectIDs: []string{testAdminGroup}},
	}
}

// existingSubnetsSpec is podSubnetSpec on subnets that already exist in a
// shared VNet, in an existing resource group: nothing of the network is created.
func existingSubnetsSpec() spec.Cluster {
	c := podSubnetSpec()
	c.ResourceGroup = spec.ResourceGroup{Name: "rg-aks-vnet", Existing: true}
	c.Network.VNet = spec.VNet{
		AddressSpace: []string{"10.10.0.0/16"},
		NodeSubnet:   spec.Subnet{ID: testSubPrefix + "nodes", CIDR: "10.10.0.0/22"},
	}
	c.Network.Mode = spec.PodSubnet{Subnets: []spec.Subnet{
		{ID: testSubPrefix + "pods", CIDR: "10.10.16.0/20"},
		{ID: testSubPrefix + "podsapps", CIDR: "10.10.32.0/20"},
	}}
	return c
}

// modeSpecs are the valid fixtures by mode.
var modeSpecs = []struct {
	mode spec.ModeKind
	spec func() spec.Cluster
}{
	{spec.KindOverlay, overlaySpec},
	{spec.KindPodSubnet, podSubnetSpec},
	{spec.KindNodeSubnet, nodeSubnetSpec},
}
