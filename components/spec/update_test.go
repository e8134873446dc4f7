package spec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// updateCase changes a deployed spec and names the error ValidateUpdate
// must return for it.
type updateCase struct {
	name        string
	base        string // testdata file; overlay.yaml when empty
	mutate      func(c *Cluster)
	path        string
	code        Code
	detail      string // a substring of the error
	replaceable bool
}

func updateCases() []updateCase {
	const vnetID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub"
	return []updateCase{
		{name: "rename", mutate: func(c *Cluster) { c.Name = "aks-other" }, path: "name", code: CodeRenamed, replaceable: true,
			detail: `cannot change from "aks-overlay": a new name is a new ManagedCluster`},
		{name: "another resource group", mutate: func(c *Cluster) { c.ResourceGroup.Name = "rg-other" }, path: "resourceGroup.name", code: CodeResourceGroupChanged, replaceable: true},
		{name: "another region", mutate: func(c *Cluster) { c.Location = "northeurope" }, path: "location", code: CodeLocationChanged,
			detail: `Invalid value: "northeurope": [SPEC502] cannot change from "westeurope"`},
		{name: "dns prefix", mutate: func(c *Cluster) { c.DNSPrefix = "other" }, path: "dnsPrefix", code: CodeDNSPrefixChanged, detail: "set dnsPrefix: aks-overlay"},
		{name: "service CIDR", mutate: func(c *Cluster) { c.Network.ServiceCIDR, c.Network.DNSServiceIP = "10.1.0.0/16", "10.1.0.10" }, path: "network.serviceCidr", code: CodeServiceCIDRChanged, replaceable: true, detail: "AllowReplace"},
		{name: "dns service IP", mutate: func(c *Cluster) { c.Network.DNSServiceIP = "10.0.0.20" }, path: "network.dnsServiceIP", code: CodeDNSServiceIPChanged, replaceable: true},
		{name: "overlay pod CIDR", mutate: func(c *Cluster) { c.Network.Mode = Overlay{PodCIDR: "172.16.0.0/16"} }, path: "network.mode.overlay.podCidr", code: CodePodCIDRChanged, replaceable: true},
		{name: "overlay to node subnet", mutate: func(c *Cluster) { c.Network.Mode = NodeSubnet{} }, path: "network.mode", code: CodePodIPModeChanged, detail: "only from nodeSubnet to overlay"},
		{name: "pod subnet to overlay", base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.Network.Mode = Overlay{PodCIDR: "192.168.0.0/16"}
			c.SystemPool.PodSubnet, c.UserPools[0].PodSubnet = "", ""
		}, path: "network.mode", code: CodePodIPModeChanged},
		{name: "node subnet to overlay moves the max pods default", base: "nodesubnet.yaml", mutate: func(c *Cluster) {
			c.Network.Mode = Overlay{PodCIDR: "192.168.0.0/16"}
			c.SystemPool.MaxPods = 0
		}, path: "systemPool.maxPods", code: CodeMaxPodsChanged, detail: "set maxPods: 30"},
		{name: "node subnet renamed", mutate: func(c *Cluster) { c.Network.VNet.NodeSubnet.Name = "nodes2" }, path: "network.vnet.nodeSubnet.name", code: CodeNodeSubnetChanged, detail: "agentPoolProfile.vnetSubnetID"},
		{name: "new subnets become existing ones", mutate: func(c *Cluster) {
			c.Network.VNet = VNet{NodeSubnet: Subnet{ID: vnetID + "/subnets/nodes", CIDR: "10.10.0.0/22"}}
		}, path: "network.vnet.nodeSubnet.id", code: CodeNodeSubnetChanged},
		{name: "pool moves to another pod subnet", base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.Network.Mode = PodSubnet{Subnets: []Subnet{{Name: "pods", CIDR: "10.10.16.0/20"}, {Name: "pods2", CIDR: "10.10.32.0/20"}}}
			c.UserPools[0].PodSubnet = "pods2"
		}, path: "userPools[0].podSubnet", code: CodePoolPodSubnetChanged},
		{name: "system pool VM size", mutate: func(c *Cluster) { c.SystemPool.VMSize = "Standard_D8ds_v5" }, path: "systemPool.vmSize", code: CodeSystemVMSizeChanged,
			detail: `Invalid value: "Standard_D8ds_v5": [SPEC510] cannot change from "Standard_D4ds_v5": AKS cannot resize a node pool`},
		{name: "user pool VM size", mutate: func(c *Cluster) { c.UserPools[0].VMSize = "Standard_D16ds_v5" }, path: "userPools[0].vmSize", code: CodePoolVMSizeChanged, replaceable: true, detail: "add a pool with Standard_D16ds_v5"},
		{name: "OS type", mutate: func(c *Cluster) { c.UserPools[0].OSType = "Windows" }, path: "userPools[0].osType", code: CodeOSTypeChanged},
		{name: "zones", mutate: func(c *Cluster) { c.UserPools[0].Zones = []string{"1"} }, path: "userPools[0].zones", code: CodeZonesChanged},
		{name: "max pods", mutate: func(c *Cluster) { c.UserPools[0].MaxPods = 110 }, path: "userPools[0].maxPods", code: CodeMaxPodsChanged, detail: "cannot change from 250"},
		{name: "kubernetes downgrade", mutate: func(c *Cluster) { c.KubernetesVersion = "1.31" }, path: "kubernetesVersion", code: CodeKubernetesDowngrade},
		{name: "kubernetes patch downgrade", mutate: func(c *Cluster) { c.KubernetesVersion = "1.32.2" }, path: "kubernetesVersion", code: CodeKubernetesDowngrade, detail: "patch"},
		{name: "kubernetes skips a minor", mutate: func(c *Cluster) { c.KubernetesVersion = "1.34" }, path: "kubernetesVersion", code: CodeKubernetesSkipsMinor, detail: "upgrade to 1.33 first"},
		{name: "public to private", mutate: func(c *Cluster) {
			c.Security.PrivateCluster = true
			c.Security.AuthorizedIPRanges = nil
		}, path: "security.privateCluster", code: CodePrivateClusterEnabled},
	}
}

func TestValidateUpdateRefusesImmutableChanges(t *testing.T) {
	for _, tc := range updateCases() {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base
			if base == "" {
				base = "overlay.yaml"
			}
			old := load(t, base)
			if tc.code == CodeKubernetesDowngrade && tc.detail == "patch" {
				old.KubernetesVersion = "1.32.4"
			}
			c := load(t, base)
			c.UserPools = append([]NodePool(nil), c.UserPools...)
			tc.mutate(&c)
			errs := ValidateUpdate(old, c)
			var found *field.Error
			for _, e := range errs {
				if e.Field == tc.path {
					found = e
				}
			}
			require.NotNil(t, found, "want an error at %q, got:\n%v", tc.path, errs.ToAggregate())
			assert.Equal(t, tc.code, CodeOf(found), found.Error())
			assert.Equal(t, tc.replaceable, Replaceable(found), "the rule's replaceable flag")
			assert.Contains(t, found.Error(), "cannot change from", "the old value is named")
			if tc.detail != "" {
				assert.Contains(t, found.Error(), tc.detail)
			}
		})
	}
}

func TestValidateUpdateAllowsInPlaceChanges(t *testing.T) {
	old := load(t, "overlay.yaml")
	same := load(t, "overlay.yaml")
	assert.Empty(t, ValidateUpdate(old, same), "no change")

	c := load(t, "overlay.yaml")
	c.UserPools = append([]NodePool(nil), c.UserPools...)
	c.UserPools[0].Autoscale = &Autoscale{Min: 1, Max: 30}
	c.UserPools[0].Labels = map[string]string{"team": "shop"}
	c.UserPools[0].OSSKU = "Ubuntu" // AKS migrates Linux OS SKUs in place
	c.Tags = map[string]string{"env": "prod"}
	c.KubernetesVersion = "1.33"
	c.ACNS = ACNS{Enabled: true, Observability: true}
	c.UserPools = append(c.UserPools, NodePool{Name: "batch", VMSize: "Standard_D8ds_v5", Count: 1})
	assert.Empty(t, ValidateUpdate(old, c), "in-place changes and a new pool")

	alias := load(t, "overlay.yaml")
	old.KubernetesVersion = "1.32.4"
	alias.KubernetesVersion = "1.32"
	assert.Empty(t, ValidateUpdate(old, alias), "1.32.4 to 1.32 (the latest patch) is no downgrade")

	removed := load(t, "overlay.yaml")
	removed.UserPools = nil
	assert.Empty(t, ValidateUpdate(load(t, "overlay.yaml"), removed), "removing a user pool is always possible")

	ns := load(t, "nodesubnet.yaml")
	toOverlay := load(t, "nodesubnet.yaml")
	toOverlay.Network.Mode = Overlay{PodCIDR: "192.168.0.0/16"}
	assert.Empty(t, ValidateUpdate(ns, toOverlay), "node subnet to overlay, max pods kept: AKS migrates it in place")
}

func TestValidateUpdateOfARenameReportsOnlyTheRename(t *testing.T) {
	old := load(t, "overlay.yaml")
	c := load(t, "overlay.yaml")
	c.Name = "aks-new"
	c.SystemPool.VMSize = "Standard_D8ds_v5"
	c.Network.ServiceCIDR = "10.1.0.0/16"
	errs := ValidateUpdate(old, c)
	require.Len(t, errs, 1, "a new cluster takes every new value: %v", errs)
	assert.Equal(t, CodeRenamed, CodeOf(errs[0]))
}
