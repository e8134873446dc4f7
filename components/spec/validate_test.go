package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// load decodes a testdata spec and applies defaults.
func load(t testing.TB, name string) Cluster {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	c, err := DecodeYAML(data)
	require.NoError(t, err)
	return c.WithDefaults()
}

func TestValidSpecsForEachMode(t *testing.T) {
	for _, file := range []string{"overlay.yaml", "podsubnet.yaml", "nodesubnet.yaml"} {
		t.Run(file, func(t *testing.T) {
			c := load(t, file)
			assert.Empty(t, c.Validate(), "a shipped example spec must be valid")
		})
	}
}

func TestValidExistingSubnets(t *testing.T) {
	c := load(t, "podsubnet.yaml")
	const vnet = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub"
	c.Network.VNet = VNet{NodeSubnet: Subnet{ID: vnet + "/subnets/nodes", CIDR: "10.10.0.0/22"}}
	c.Network.Mode = PodSubnet{Subnets: []Subnet{{ID: vnet + "/subnets/pods", CIDR: "10.10.16.0/20"}}}
	c.UserPools[0].PodSubnet = ""
	c.SystemPool.PodSubnet = ""
	c = c.WithDefaults()
	assert.Equal(t, "nodes", c.Network.VNet.NodeSubnet.Name, "an existing subnet is named after its ID")
	assert.Equal(t, "pods", c.UserPools[0].PodSubnet, "pools default to the first pod subnet")
	assert.Empty(t, c.Validate())
}

// invalidCase changes a valid spec into an invalid one and names the error
// it must produce.
type invalidCase struct {
	name   string
	base   string // testdata file; overlay.yaml when empty
	mutate func(c *Cluster)
	path   string
	detail string // a substring of the error's detail
	typ    field.ErrorType
	code   Code // the rule that must fire
}

func invalidCases() []invalidCase {
	const vnetID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub"
	return []invalidCase{
		// Names.
		{name: "missing name", code: CodeClusterName, mutate: func(c *Cluster) { c.Name = "" }, path: "name", typ: field.ErrorTypeRequired},
		{name: "name with a dot", code: CodeClusterName, mutate: func(c *Cluster) { c.Name = "aks.prod" }, path: "name", detail: "1-63 letters"},
		{name: "name too long", code: CodeClusterName, mutate: func(c *Cluster) { c.Name = strings.Repeat("a", 64) }, path: "name", detail: "1-63"},
		{name: "location display name", code: CodeLocation, mutate: func(c *Cluster) { c.Location = "West Europe" }, path: "location", detail: `"westeurope"`},
		{name: "missing location", code: CodeLocation, mutate: func(c *Cluster) { c.Location = "" }, path: "location", typ: field.ErrorTypeRequired},
		{name: "missing resource group", code: CodeResourceGroupName, mutate: func(c *Cluster) { c.ResourceGroup.Name = "" }, path: "resourceGroup.name", typ: field.ErrorTypeRequired},
		{name: "resource group ends with dot", code: CodeResourceGroupName, mutate: func(c *Cluster) { c.ResourceGroup.Name = "rg." }, path: "resourceGroup.name", detail: "not ending with '.'"},
		{name: "dns prefix with underscore", code: CodeDNSPrefix, mutate: func(c *Cluster) { c.DNSPrefix = "aks_prod" }, path: "dnsPrefix", detail: "letters, digits or '-'"},
		{name: "dns prefix too long", code: CodeDNSPrefix, mutate: func(c *Cluster) { c.DNSPrefix = strings.Repeat("a", 55) }, path: "dnsPrefix", detail: "1-54"},

		// Versions and feature gates.
		{name: "missing version", code: CodeKubernetesVersionForm, mutate: func(c *Cluster) { c.KubernetesVersion = "" }, path: "kubernetesVersion", typ: field.ErrorTypeRequired},
		{name: "version below table", code: CodeKubernetesVersion, mutate: func(c *Cluster) { c.KubernetesVersion = "1.26.3" }, path: "kubernetesVersion", detail: "supported 1.27 to 1.36"},
		{name: "version above table", code: CodeKubernetesVersion, mutate: func(c *Cluster) { c.KubernetesVersion = "1.37" }, path: "kubernetesVersion", detail: "allowNewerKubernetes"},
		{name: "version garbage", code: CodeKubernetesVersionForm, mutate: func(c *Cluster) { c.KubernetesVersion = "latest" }, path: "kubernetesVersion", detail: "MAJOR.MINOR"},
		{name: "version prerelease", code: CodeKubernetesVersionForm, mutate: func(c *Cluster) { c.KubernetesVersion = "1.32.0-rc.1" }, path: "kubernetesVersion", detail: "MAJOR.MINOR"},
		// Forms ARM does not take are refused (not rewritten), naming the form it takes.
		{name: "version with a v", code: CodeKubernetesVersionForm, mutate: func(c *Cluster) { c.KubernetesVersion = "v1.32" }, path: "kubernetesVersion", detail: `did you mean "1.32"?`},
		{name: "version with a leading zero", code: CodeKubernetesVersionForm, mutate: func(c *Cluster) { c.KubernetesVersion = "01.32" }, path: "kubernetesVersion", detail: `did you mean "1.32"?`},
		{name: "patch version with a leading zero", code: CodeKubernetesVersionForm, mutate: func(c *Cluster) { c.KubernetesVersion = "1.32.04" }, path: "kubernetesVersion", detail: `did you mean "1.32.4"?`},
		{name: "ACNS security before 1.29", code: CodeFeatureGate, base: "podsubnet.yaml", mutate: func(c *Cluster) { c.KubernetesVersion = "1.28" }, path: "acns.security", detail: "1.29 or later"},
		{name: "ACNS security without ACNS", code: CodeACNSEnabled, mutate: func(c *Cluster) { c.ACNS = ACNS{Security: ACNSSecurityFQDN} }, path: "acns.security", detail: "acns.enabled: true"},
		{name: "ACNS L7 without ACNS", code: CodeACNSEnabled, mutate: func(c *Cluster) { c.ACNS = ACNS{Security: ACNSSecurityL7} }, path: "acns.security", detail: "acns.enabled: true"},
		{name: "ACNS L7 before 1.29", code: CodeFeatureGate, base: "podsubnet.yaml", mutate: func(c *Cluster) { c.KubernetesVersion = "1.28"; c.ACNS.Security = ACNSSecurityL7 }, path: "acns.security", detail: "ACNS security L7 needs Kubernetes 1.29"},
		{name: "ACNS unknown security level", code: CodeACNSSecurityLevel, base: "podsubnet.yaml", mutate: func(c *Cluster) { c.ACNS.Security = "HTTP" }, path: "acns.security", typ: field.ErrorTypeNotSupported},
		{name: "ACNS observability without ACNS", code: CodeACNSEnabled, mutate: func(c *Cluster) { c.ACNS = ACNS{Observability: true} }, path: "acns.observability", detail: "acns.enabled: true"},

		// Data plane and policy coupling, modes.
		{name: "dataplane azure", code: CodeDataplane, mutate: func(c *Cluster) { c.Network.Dataplane = "azure" }, path: "network.dataplane", typ: field.ErrorTypeNotSupported},
		{name: "policy calico with cilium", code: CodeNetworkPolicy, mutate: func(c *Cluster) { c.Network.Policy = "calico" }, path: "network.policy", detail: "CiliumDataplaneRequiresNetworkPolicyCilium"},
		{name: "no mode", code: CodePodIPMode, mutate: func(c *Cluster) { c.Network.Mode = nil }, path: "network.mode", typ: field.ErrorTypeRequired},
		{name: "overlay pool with pod subnet", code: CodePoolPodSubnet, mutate: func(c *Cluster) { c.UserPools[0].PodSubnet = "pods" }, path: "userPools[0].podSubnet", detail: "NetworkPluginMode overlay cannot be used with PodSubnetID"},
		{name: "node subnet pool with pod subnet", code: CodePoolPodSubnet, base: "nodesubnet.yaml", mutate: func(c *Cluster) { c.SystemPool.PodSubnet = "pods" }, path: "systemPool.podSubnet", detail: "nodeSubnet mode"},
		{name: "pod subnet mode without subnets", code: CodePodSubnets, base: "podsubnet.yaml", mutate: func(c *Cluster) { c.Network.Mode = PodSubnet{} }, path: "network.mode.podSubnet.subnets", typ: field.ErrorTypeRequired},
		{name: "pool names an unknown pod subnet", code: CodePoolPodSubnet, base: "podsubnet.yaml", mutate: func(c *Cluster) { c.UserPools[0].PodSubnet = "other" }, path: "userPools[0].podSubnet", typ: field.ErrorTypeNotSupported},

		// Linux only.
		{name: "windows os type", code: CodeWindowsPool, mutate: func(c *Cluster) { c.UserPools[0].OSType = "Windows" }, path: "userPools[0].osType", detail: "Windows node pools are not supported"},
		{name: "windows os sku", code: CodeWindowsPool, mutate: func(c *Cluster) { c.UserPools[0].OSSKU = "Windows2022" }, path: "userPools[0].osSku", detail: "Windows node pools are not supported"},
		{name: "unknown os sku", code: CodeOSSKU, mutate: func(c *Cluster) { c.SystemPool.OSSKU = "Debian" }, path: "systemPool.osSku", typ: field.ErrorTypeNotSupported},

		// CIDR syntax.
		{name: "pod CIDR not a CIDR", code: CodeCIDR, mutate: func(c *Cluster) { c.Network.Mode = Overlay{PodCIDR: "192.168.0.0"} }, path: "network.mode.overlay.podCidr", detail: "not a CIDR"},
		{name: "pod CIDR host bits", code: CodeCIDR, mutate: func(c *Cluster) { c.Network.Mode = Overlay{PodCIDR: "192.168.1.0/16"} }, path: "network.mode.overlay.podCidr", detail: "did you mean 192.168.0.0/16"},
		{name: "service CIDR IPv6", code: CodeCIDR, mutate: func(c *Cluster) { c.Network.ServiceCIDR = "fd00::/108" }, path: "network.serviceCidr", detail: "IPv6"},
		{name: "address space /0", code: CodeCIDR, mutate: func(c *Cluster) { c.Network.VNet.AddressSpace = []string{"0.0.0.0/0"} }, path: "network.vnet.addressSpace[0]", detail: "/0"},
		{name: "missing node subnet CIDR", code: CodeCIDR, mutate: func(c *Cluster) { c.Network.VNet.NodeSubnet.CIDR = "" }, path: "network.vnet.nodeSubnet.cidr", typ: field.ErrorTypeRequired},

		// Overlaps and reserved ranges.
		{name: "service CIDR wider than /12", code: CodeServiceCIDRTooWide, mutate: func(c *Cluster) {
			c.Network.ServiceCIDR, c.Network.DNSServiceIP = "100.64.0.0/10", "100.64.0.10"
		}, path: "network.serviceCidr", detail: "at most /12 (1048576 addresses)"},
		{name: "service CIDR inside VNet", code: CodeOverlap, mutate: func(c *Cluster) { c.Network.ServiceCIDR, c.Network.DNSServiceIP = "10.10.128.0/20", "10.10.128.10" }, path: "network.serviceCidr", detail: "VNet address space"},
		{name: "pod CIDR overlaps service CIDR", code: CodeOverlap, mutate: func(c *Cluster) { c.Network.Mode = Overlay{PodCIDR: "10.0.0.0/12"} }, path: "network.serviceCidr", detail: "pod CIDR"},
		{name: "pod CIDR overlaps peered range", code: CodeOverlap, mutate: func(c *Cluster) { c.Network.PeeredRanges = []string{"192.168.10.0/24"} }, path: "network.peeredRanges[0]", detail: "pod CIDR"},
		{name: "VNet overlaps peered range", code: CodeOverlap, mutate: func(c *Cluster) { c.Network.PeeredRanges = []string{"10.10.4.0/24"} }, path: "network.peeredRanges[0]", detail: "VNet address space"},
		{name: "node subnet outside VNet", code: CodeSubnetOutsideVNet, mutate: func(c *Cluster) { c.Network.VNet.NodeSubnet.CIDR = "10.11.0.0/22" }, path: "network.vnet.nodeSubnet.cidr", detail: "inside the VNet address space 10.10.0.0/16"},
		{name: "pod subnet overlaps node subnet", code: CodeOverlap, base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.Network.Mode = PodSubnet{Subnets: []Subnet{{Name: "pods", CIDR: "10.10.2.0/23"}}}
		}, path: "network.mode.podSubnet.subnets[0].cidr", detail: "overlaps 10.10.0.0/22"},
		{name: "pod CIDR in AKS reserved range", code: CodeReservedRange, mutate: func(c *Cluster) { c.Network.Mode = Overlay{PodCIDR: "172.30.0.0/16"} }, path: "network.mode.overlay.podCidr", detail: "reserved by AKS"},
		{name: "service CIDR link-local", code: CodeReservedRange, mutate: func(c *Cluster) { c.Network.ServiceCIDR, c.Network.DNSServiceIP = "169.254.0.0/16", "169.254.0.10" }, path: "network.serviceCidr", detail: "link-local"},
		{name: "VNet in TEST-NET-1", code: CodeReservedRange, mutate: func(c *Cluster) {
			c.Network.VNet.AddressSpace = []string{"192.0.2.0/24"}
			c.Network.VNet.NodeSubnet.CIDR = "192.0.2.0/25"
		}, path: "network.vnet.addressSpace[0]", detail: "192.0.2.0/24"},

		// DNS service IP.
		{name: "DNS IP outside service CIDR", code: CodeDNSServiceIP, mutate: func(c *Cluster) { c.Network.DNSServiceIP = "10.1.0.10" }, path: "network.dnsServiceIP", detail: "inside serviceCidr 10.0.0.0/16, e.g. 10.0.0.10"},
		{name: "DNS IP is the first address", code: CodeDNSServiceIP, mutate: func(c *Cluster) { c.Network.DNSServiceIP = "10.0.0.1" }, path: "network.dnsServiceIP", detail: "kubernetes service"},
		{name: "DNS IP is the network address", code: CodeDNSServiceIP, mutate: func(c *Cluster) { c.Network.DNSServiceIP = "10.0.0.0" }, path: "network.dnsServiceIP", detail: "network address"},
		{name: "DNS IP is broadcast", code: CodeDNSServiceIP, mutate: func(c *Cluster) { c.Network.DNSServiceIP = "10.0.255.255" }, path: "network.dnsServiceIP", detail: "broadcast"},
		{name: "DNS IP not an IP", code: CodeDNSServiceIP, mutate: func(c *Cluster) { c.Network.DNSServiceIP = "kube-dns" }, path: "network.dnsServiceIP", detail: "IPv4 address"},

		// Subnet sizing per mode, counting the autoscaler max and surge.
		{name: "overlay pod CIDR too small for max nodes", code: CodeCapacity, mutate: func(c *Cluster) { c.Network.Mode = Overlay{PodCIDR: "192.168.0.0/20"} }, path: "network.mode.overlay.podCidr", detail: "every node takes a /24 of the pod CIDR; at autoscaler max plus surge (system: 4 nodes, apps: 27 nodes) the pools need 31 /24 blocks but a /20 has 16; use a /19 or larger"},
		{name: "overlay node subnet too small", code: CodeCapacity, mutate: func(c *Cluster) { c.Network.VNet.NodeSubnet.CIDR = "10.10.0.0/27" }, path: "network.vnet.nodeSubnet.cidr", detail: "(system: 4 nodes, apps: 27 nodes) the pools need 31 addresses but a /27 has 27; use a /26"},
		{name: "node subnet mode too small for pods", code: CodeCapacity, base: "nodesubnet.yaml", mutate: func(c *Cluster) { c.Network.VNet.NodeSubnet.CIDR = "10.10.0.0/22" }, path: "network.vnet.nodeSubnet.cidr", detail: "(system: 4 nodes x (30 pods + 1), apps: 33 nodes x (50 pods + 1)) the pools need 1807 addresses but a /22 has 1019; use a /21"},
		{name: "pod subnet too small for batches of 16", code: CodeCapacity, base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.Network.Mode = PodSubnet{Subnets: []Subnet{{Name: "pods", CIDR: "10.10.16.0/24"}}}
		}, path: "network.mode.podSubnet.subnets[0].cidr", detail: "batches of 16"},

		// Pools.
		{name: "max pods above 250", code: CodeMaxPods, mutate: func(c *Cluster) { c.UserPools[0].MaxPods = 300 }, path: "userPools[0].maxPods", detail: "at most 250 pods"},
		{name: "system pool max pods below 30", code: CodeMaxPods, mutate: func(c *Cluster) { c.SystemPool.MaxPods = 20 }, path: "systemPool.maxPods", detail: "30 to 250"},
		{name: "autoscale max below min", code: CodeNodeCount, mutate: func(c *Cluster) { c.UserPools[0].Autoscale = &Autoscale{Min: 5, Max: 2} }, path: "userPools[0].autoscale.max", detail: "at least min (5)"},
		{name: "count outside autoscale", code: CodeNodeCount, mutate: func(c *Cluster) { c.UserPools[0].Count = 40 }, path: "userPools[0].count", detail: "between autoscale.min 2 and autoscale.max 20"},
		{name: "system pool with zero nodes", code: CodeNodeCount, mutate: func(c *Cluster) { c.SystemPool.Count = 0 }, path: "systemPool.count", detail: "1 to 1000"},
		{name: "pool name uppercase", code: CodePoolName, mutate: func(c *Cluster) { c.UserPools[0].Name = "Apps" }, path: "userPools[0].name", detail: "lowercase"},
		{name: "pool name too long", code: CodePoolName, mutate: func(c *Cluster) { c.UserPools[0].Name = "applications1" }, path: "userPools[0].name", detail: "1-12"},
		{name: "duplicate pool names", code: CodePoolName, mutate: func(c *Cluster) { c.UserPools[0].Name = "system" }, path: "userPools[0].name", typ: field.ErrorTypeDuplicate},
		{name: "missing vm size", code: CodeVMSize, mutate: func(c *Cluster) { c.SystemPool.VMSize = "" }, path: "systemPool.vmSize", typ: field.ErrorTypeRequired},
		{name: "bad surge", code: CodeMaxSurge, mutate: func(c *Cluster) { c.UserPools[0].MaxSurge = "150%" }, path: "userPools[0].maxSurge", detail: "1% to 100%"},
		{name: "zone 4", code: CodeZones, mutate: func(c *Cluster) { c.SystemPool.Zones = []string{"1", "4"} }, path: "systemPool.zones[1]", typ: field.ErrorTypeNotSupported},
		{name: "bad taint", code: CodeTaints, mutate: func(c *Cluster) { c.UserPools[0].Taints = []string{"dedicated=gpu"} }, path: "userPools[0].taints[0]", detail: "key=value:Effect"},
		{name: "bad label", code: CodeLabels, mutate: func(c *Cluster) { c.UserPools[0].Labels = map[string]string{"team": "a b"} }, path: "userPools[0].labels[team]", detail: "label value"},

		{name: "os type neither Linux nor Windows", code: CodeWindowsPool, mutate: func(c *Cluster) { c.UserPools[0].OSType = "Darwin" }, path: "userPools[0].osType", typ: field.ErrorTypeNotSupported},
		{name: "zone twice", code: CodeZones, mutate: func(c *Cluster) { c.SystemPool.Zones = []string{"1", "1"} }, path: "systemPool.zones[1]", typ: field.ErrorTypeDuplicate},

		// Azure's tag limits.
		{name: "51 tags", code: CodeTagCount, mutate: func(c *Cluster) {
			c.Tags = map[string]string{}
			for i := range 51 {
				c.Tags[fmt.Sprintf("tag%02d", i)] = "x"
			}
		}, path: "tags", typ: field.ErrorTypeTooMany},
		{name: "tag name of 513 characters", code: CodeTagKey, mutate: func(c *Cluster) { c.Tags = map[string]string{strings.Repeat("k", 513): "x"} }, path: "tags[" + strings.Repeat("k", 64) + "…(513 bytes)]", detail: "at most 512 characters, this one has 513"},
		{name: "tag name with a slash", code: CodeTagKey, mutate: func(c *Cluster) { c.Tags = map[string]string{"team/owner": "x"} }, path: "tags[team/owner]", detail: "< > % & \\ ? /"},
		{name: "tag names equal ignoring case", code: CodeTagKey, mutate: func(c *Cluster) { c.Tags = map[string]string{"Env": "a", "env": "b"} }, path: "tags[env]", detail: `the same name as "Env"`},
		{name: "tag value of 257 characters", code: CodeTagValue, mutate: func(c *Cluster) { c.Tags = map[string]string{"env": strings.Repeat("v", 257)} }, path: "tags[env]", detail: "at most 256 characters"},
		{name: "empty tag name", code: CodeTagKey, mutate: func(c *Cluster) { c.Tags = map[string]string{"": "x"} }, path: "tags[]", detail: "1 to 512"},

		// The VNet's shape.
		{name: "new VNet without name", code: CodeVNetName, mutate: func(c *Cluster) { c.Network.VNet.Name = "" }, path: "network.vnet.name", typ: field.ErrorTypeRequired},
		{name: "new VNet without address space", code: CodeVNetKind, mutate: func(c *Cluster) { c.Network.VNet.AddressSpace = nil }, path: "network.vnet.addressSpace", typ: field.ErrorTypeRequired},
		{name: "VNet name invalid", code: CodeVNetName, mutate: func(c *Cluster) { c.Network.VNet.Name = "-vnet" }, path: "network.vnet.name", detail: "2-64"},
		{name: "pod subnet named like the node subnet", code: CodeSubnetName, base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.Network.Mode = PodSubnet{Subnets: []Subnet{{Name: c.Network.VNet.NodeSubnet.Name, CIDR: "10.10.16.0/20"}}}
			c.SystemPool.PodSubnet, c.UserPools[0].PodSubnet = c.Network.VNet.NodeSubnet.Name, c.Network.VNet.NodeSubnet.Name
		}, path: "network.mode.podSubnet.subnets[0].name", typ: field.ErrorTypeDuplicate},
		{name: "subnet name invalid", code: CodeSubnetName, mutate: func(c *Cluster) { c.Network.VNet.NodeSubnet.Name = "nodes-" }, path: "network.vnet.nodeSubnet.name", detail: "1-80"},
		{name: "mixed new and existing subnets", code: CodeVNetKind, base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.Network.VNet.NodeSubnet.ID = vnetID + "/subnets/nodes"
		}, path: "network.vnet", detail: "every subnet is new"},
		{name: "existing subnet ID not a subnet", code: CodeSubnetID, mutate: func(c *Cluster) {
			c.Network.VNet = VNet{NodeSubnet: Subnet{Name: "nodes", ID: vnetID, CIDR: "10.10.0.0/22"}}
		}, path: "network.vnet.nodeSubnet.id", detail: "subnet resource ID"},
		{name: "pod subnet in another VNet", code: CodePodSubnetVNet, base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.Network.VNet = VNet{NodeSubnet: Subnet{Name: "nodes", ID: vnetID + "/subnets/nodes", CIDR: "10.10.0.0/22"}}
			c.Network.Mode = PodSubnet{Subnets: []Subnet{{Name: "pods", ID: vnetID + "2/subnets/pods", CIDR: "10.10.16.0/20"}}}
		}, path: "network.mode.podSubnet.subnets[0].id", detail: "node subnet's VNet"},

		// Monitoring.
		{name: "log workspace ID of the wrong type", code: CodeARMID, mutate: func(c *Cluster) {
			c.Monitoring.ContainerInsights = &ContainerInsights{WorkspaceID: vnetID}
		}, path: "monitoring.containerInsights.workspaceId", detail: "Microsoft.OperationalInsights/workspaces"},
		{name: "log retention too short", code: CodeRetention, mutate: func(c *Cluster) {
			c.Monitoring.ContainerInsights = &ContainerInsights{WorkspaceName: "log-x1", RetentionDays: 7}
		}, path: "monitoring.containerInsights.retentionDays", detail: "30 to 730"},
		{name: "retention on an existing workspace", code: CodeMonitoringWorkspace, mutate: func(c *Cluster) {
			c.Monitoring.ContainerInsights = &ContainerInsights{RetentionDays: 60,
				WorkspaceID: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/central"}
		}, path: "monitoring.containerInsights.retentionDays", typ: field.ErrorTypeForbidden},
		{name: "prometheus workspace name invalid", code: CodeWorkspaceName, mutate: func(c *Cluster) {
			c.Monitoring.Prometheus = &Prometheus{WorkspaceName: "amw_x"}
		}, path: "monitoring.prometheus.workspaceName", detail: "4-63"},
		{name: "alerts without prometheus", code: CodeAlerts, mutate: func(c *Cluster) { c.Monitoring.Alerts = &Alerts{} }, path: "monitoring.prometheus", typ: field.ErrorTypeRequired},
		{name: "alert severity 7", code: CodeAlerts, mutate: func(c *Cluster) {
			c.Monitoring.Prometheus = &Prometheus{WorkspaceName: "amw-x1"}
			c.Monitoring.Alerts = &Alerts{Severity: ptr(7)}
		}, path: "monitoring.alerts.severity", detail: "0 (critical) to 4"},
		{name: "action group not an action group", code: CodeARMID, mutate: func(c *Cluster) {
			c.Monitoring.Prometheus = &Prometheus{WorkspaceName: "amw-x1"}
			c.Monitoring.Alerts = &Alerts{ActionGroupIDs: []string{"oncall"}}
		}, path: "monitoring.alerts.actionGroupIds[0]", detail: "Microsoft.Insights/actionGroups"},

		// Security.
		{name: "admin group not a GUID", code: CodeEntraID, mutate: func(c *Cluster) { c.Security.AdminGroupObjectIDs = []string{"platform-admins"} }, path: "security.adminGroupObjectIds[0]", detail: "GUID"},
		{name: "tenant not a GUID", code: CodeEntraID, mutate: func(c *Cluster) { c.Security.TenantID = "contoso.onmicrosoft.com" }, path: "security.tenantId", detail: "GUID"},
		{name: "authorized range invalid", code: CodeCIDR, mutate: func(c *Cluster) { c.Security.AuthorizedIPRanges = []string{"203.0.113.7"} }, path: "security.authorizedIpRanges[0]", detail: "/32"},
		{name: "private cluster with authorized ranges", code: CodeAuthorizedIPRanges, mutate: func(c *Cluster) { c.Security.PrivateCluster = true }, path: "security.authorizedIpRanges", typ: field.ErrorTypeForbidden},
		{name: "nobody can administer", code: CodeAdminAccess, mutate: func(c *Cluster) {
			c.Security.AzureRBAC = ptr(false)
			c.Security.AdminGroupObjectIDs = nil
		}, path: "security.azureRbac", detail: "nobody can administer"},
	}
}

func TestValidateRejectsInvalidSpecs(t *testing.T) {
	cases := invalidCases()
	require.GreaterOrEqual(t, len(cases), 40)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base
			if base == "" {
				base = "overlay.yaml"
			}
			c := load(t, base)
			tc.mutate(&c)
			errs := c.Validate()
			var found *field.Error
			for _, e := range errs {
				if e.Field == tc.path {
					found = e
					break
				}
			}
			require.NotNil(t, found, "want an error at %q, got:\n%v", tc.path, errs.ToAggregate())
			require.NotEmpty(t, tc.code, "every case names its rule")
			assert.Equal(t, tc.code, CodeOf(found), found.Error())
			if tc.typ != "" {
				assert.Equal(t, tc.typ, found.Type, found.Error())
			}
			if tc.detail != "" {
				assert.Contains(t, found.Error(), tc.detail)
			}
		})
	}
}

func TestValidateReportsEveryErrorAtOnce(t *testing.T) {
	c := load(t, "overlay.yaml")
	c.Name = "bad.name"
	c.Network.DNSServiceIP = "10.0.0.1"
	c.UserPools[0].OSType = "Windows"
	c.ACNS.Security = ACNSSecurityFQDN
	errs := c.Validate()
	var paths []string
	for _, e := range errs {
		paths = append(paths, e.Field)
	}
	assert.ElementsMatch(t, []string{"name", "network.dnsServiceIP", "userPools[0].osType", "acns.security"}, paths)
	// The aggregate names each path and value, as users will read it.
	msg := errs.ToAggregate().Error()
	for _, want := range []string{`name: Invalid value: "bad.name"`, `network.dnsServiceIP: Invalid value: "10.0.0.1"`, `userPools[0].osType: Invalid value: "Windows"`} {
		assert.Contains(t, msg, want)
	}
}

func TestNewerKubernetesWithOverride(t *testing.T) {
	c := load(t, "overlay.yaml")
	c.KubernetesVersion = "1.38.1"
	require.NotEmpty(t, c.Validate())
	c.AllowNewerKubernetes = true
	assert.Empty(t, c.Validate())
	v, err := c.MinCiliumVersion()
	require.NoError(t, err)
	assert.Equal(t, Versions[len(Versions)-1].MinCilium, v)
}
