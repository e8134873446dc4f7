package spec

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

//go:generate go run ../internal/rulesdoc -o ../../docs/rules.md

// Rule is one validation rule: its stable code, the fields it checks, what
// it refuses, and where the fact behind it comes from. Rules is the list;
// docs/rules.md is generated from it (go generate ./components/spec).
type Rule struct {
	// Code is the rule's stable code, in every error it makes.
	Code Code
	// Fields are the spec paths it checks ("userPools[*].osType").
	Fields string
	// Summary says what the rule refuses, and what to do instead.
	Summary string
	// Source is the document, specification or code the rule rests on.
	Source string
	// Replaceable marks an update rule (ValidateUpdate) whose change is
	// valid as a replacement that Pulumi plans: UpOptions.AllowReplace lets
	// it through. Every other immutable change has no valid path in place.
	Replaceable bool
}

// The codes of the cluster spec's rules. Decoding: SPEC001-009; names:
// SPEC010-019; versions: SPEC020-029; network: SPEC1xx; node pools:
// SPEC2xx; security, ACNS, monitoring and tags: SPEC3xx; the production
// settings (tier, upgrades, egress, identities, node resource group, cluster
// limits): SPEC4xx; updates (ValidateUpdate): SPEC5xx. netpol's baseline
// policy rules are POLnnn.
const (
	CodeSyntax            Code = "SPEC001"
	CodeUnknownField      Code = "SPEC002"
	CodeDuplicateKey      Code = "SPEC003"
	CodeMultipleDocuments Code = "SPEC004"
	CodeWrongType         Code = "SPEC005"

	CodeClusterName       Code = "SPEC010"
	CodeLocation          Code = "SPEC011"
	CodeResourceGroupName Code = "SPEC012"
	CodeDNSPrefix         Code = "SPEC013"
	CodeVNetName          Code = "SPEC014"
	CodeSubnetName        Code = "SPEC015"
	CodePoolName          Code = "SPEC016"
	CodeWorkspaceName     Code = "SPEC017"

	CodeKubernetesVersionForm Code = "SPEC020"
	CodeKubernetesVersion     Code = "SPEC021"
	CodeFeatureGate           Code = "SPEC022"
	CodeSupportWindow         Code = "SPEC023"

	CodeDataplane          Code = "SPEC100"
	CodeNetworkPolicy      Code = "SPEC101"
	CodePodIPMode          Code = "SPEC102"
	CodePodSubnets         Code = "SPEC103"
	CodePoolPodSubnet      Code = "SPEC104"
	CodeCIDR               Code = "SPEC105"
	CodeSubnetID           Code = "SPEC106"
	CodeVNetKind           Code = "SPEC107"
	CodePodSubnetVNet      Code = "SPEC108"
	CodeReservedRange      Code = "SPEC109"
	CodeSubnetOutsideVNet  Code = "SPEC110"
	CodeOverlap            Code = "SPEC111"
	CodeServiceCIDRTooWide Code = "SPEC112"
	CodeDNSServiceIP       Code = "SPEC113"
	CodeCapacity           Code = "SPEC114"

	CodeVMSize          Code = "SPEC200"
	CodeWindowsPool     Code = "SPEC201"
	CodeOSSKU           Code = "SPEC202"
	CodeNodeCount       Code = "SPEC203"
	CodeMaxPods         Code = "SPEC204"
	CodeMaxSurge        Code = "SPEC205"
	CodeZones           Code = "SPEC206"
	CodeLabels          Code = "SPEC207"
	CodeTaints          Code = "SPEC208"
	CodeOSDisk          Code = "SPEC209"
	CodeEphemeralOSDisk Code = "SPEC210"
	CodeOSSKUVersion    Code = "SPEC211"

	CodeEntraID                Code = "SPEC300"
	CodeAuthorizedIPRanges     Code = "SPEC301"
	CodeAdminAccess            Code = "SPEC302"
	CodeACNSEnabled            Code = "SPEC303"
	CodeMonitoringWorkspace    Code = "SPEC304"
	CodeARMID                  Code = "SPEC305"
	CodeRetention              Code = "SPEC306"
	CodeAlerts                 Code = "SPEC307"
	CodeTagCount               Code = "SPEC308"
	CodeTagKey                 Code = "SPEC309"
	CodeTagValue               Code = "SPEC310"
	CodeACNSSecurityLevel      Code = "SPEC311"
	CodeAuthorizedIPRangeCount Code = "SPEC312"
	CodeTransitEncryption      Code = "SPEC313"
	CodeAcceleration           Code = "SPEC314"

	CodeTier                Code = "SPEC400"
	CodeSupportPlan         Code = "SPEC401"
	CodeUpgradeChannel      Code = "SPEC402"
	CodeNodeOSChannel       Code = "SPEC403"
	CodePinnedPatch         Code = "SPEC404"
	CodeMaintenanceWindow   Code = "SPEC405"
	CodeMaintenanceSchedule Code = "SPEC406"
	CodeWindowChannel       Code = "SPEC407"
	CodeOutboundType        Code = "SPEC408"
	CodeManagedNATGateway   Code = "SPEC409"
	CodeNATGateway          Code = "SPEC410"
	CodeRouteTable          Code = "SPEC411"
	CodeIdentity            Code = "SPEC412"
	CodeKubeletIdentity     Code = "SPEC413"
	CodeNodeResourceGroup   Code = "SPEC414"
	CodePoolsPerCluster     Code = "SPEC415"
	CodeNodesPerCluster     Code = "SPEC416"

	CodeRenamed                  Code = "SPEC500"
	CodeResourceGroupChanged     Code = "SPEC501"
	CodeLocationChanged          Code = "SPEC502"
	CodeDNSPrefixChanged         Code = "SPEC503"
	CodeServiceCIDRChanged       Code = "SPEC504"
	CodeDNSServiceIPChanged      Code = "SPEC505"
	CodePodCIDRChanged           Code = "SPEC506"
	CodePodIPModeChanged         Code = "SPEC507"
	CodeNodeSubnetChanged        Code = "SPEC508"
	CodePoolPodSubnetChanged     Code = "SPEC509"
	CodeSystemVMSizeChanged      Code = "SPEC510"
	CodePoolVMSizeChanged        Code = "SPEC511"
	CodeOSTypeChanged            Code = "SPEC512"
	CodeZonesChanged             Code = "SPEC513"
	CodeMaxPodsChanged           Code = "SPEC514"
	CodeKubernetesDowngrade      Code = "SPEC515"
	CodeKubernetesSkipsMinor     Code = "SPEC516"
	CodePrivateClusterEnabled    Code = "SPEC517"
	CodeOutboundTypeChanged      Code = "SPEC518"
	CodeNodeResourceGroupChanged Code = "SPEC519"
	CodeOSDiskChanged            Code = "SPEC520"
)

// Sources the rules share.
const (
	srcNaming        = "Azure naming rules (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules)"
	srcMCRest        = "AKS REST API 2024-10-01, ManagedClusters (Azure/azure-rest-api-specs, specification/containerservice, managedClusters.json)"
	srcCiliumDocs    = "AKS docs: Azure CNI powered by Cilium, Limitations (learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium)"
	srcAKSNetwork    = "AKS docs: Azure CNI networking, IP address planning (learn.microsoft.com/azure/aks/concepts-network-ip-address-planning)"
	srcDesign        = "AKS guide: Azure CNI powered by Cilium, IP planning (SourceGuide)"
	srcQuotas        = "AKS docs: quotas, SKU and region limits (learn.microsoft.com/azure/aks/quotas-skus-regions)"
	srcTags          = "ARM docs: tag resources, Limitations (learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations)"
	srcK8sLabels     = "Kubernetes: labels and selectors syntax (k8s.io/apimachinery validation)"
	srcEntra         = "AKS-managed Microsoft Entra integration (learn.microsoft.com/azure/aks/managed-azure-ad)"
	srcMonitor       = "Azure Monitor: Container Insights and managed Prometheus for AKS (learn.microsoft.com/azure/azure-monitor/containers)"
	srcDecode        = "aks-cilium: a typo or a second value must not be silently ignored"
	srcNativeDiff    = "pulumi-azure-native 2.88.0 provider/pkg/provider/diff.go: a path parameter or a forced-new property replaces; ManagedCluster.networkProfile is forced-new, so a nested update replaces (pulumi-azure-native#4756); AgentPool forces new on vmSize; a replacement deletes first (same ARM ID)"
	srcAKSUpgrades   = "AKS REST API, ManagedClusterProperties.kubernetesVersion: minor versions cannot be skipped; AKS docs: supported Kubernetes versions FAQ (learn.microsoft.com/azure/aks/supported-kubernetes-versions)"
	srcPoolImmutable = "AKS docs: manage node pools, Limitations: the VM size of a node pool cannot change after it is created (learn.microsoft.com/azure/aks/manage-node-pools); resize node pools (learn.microsoft.com/azure/aks/resize-node-pool)"
	srcTiers         = "AKS docs: Free, Standard and Premium pricing tiers (learn.microsoft.com/azure/aks/free-standard-pricing-tiers); long-term support (learn.microsoft.com/azure/aks/long-term-support)"
	srcUpgrades      = "AKS docs: automatically upgrade a cluster (auto-upgrade-cluster) and node OS images (auto-upgrade-node-os-image)"
	srcMaintenance   = "AKS REST API 2024-10-01, MaintenanceWindow and its schedules (Azure/bicep-types-az generated/containerservice/microsoft.containerservice/2024-10-01/types.md: durationHours 4-24, startTime ^\\d{2}:\\d{2}$, utcOffset ^(-|\\+)[0-9]{2}:[0-9]{2}$, intervalDays 1-7, intervalWeeks 1-4, dayOfMonth 1-31, intervalMonths 1-6); AKS docs: planned maintenance"
	srcEgress        = "AKS docs: customize cluster egress with outbound types (egress-outboundtype), NAT gateway (nat-gateway), user-defined routing (egress-udr)"
	srcIdentity      = "AKS docs: managed identity overview (managed-identity-overview), pre-created kubelet identity (pre-created-kubelet-managed-identity)"
	srcACNS2026      = "AKS REST API 2026-01-01, AdvancedNetworkingSecurityTransitEncryption and AdvancedNetworkingPerformance (Azure/bicep-types-az, 2026-01-01/types.md)"
)

// Rules lists every rule of the cluster spec: Validate, the decoders and
// ValidateUpdate. netpol.ConfigRules lists the baseline policies' rules.
var Rules = []Rule{
	{Code: CodeSyntax, Fields: "(document)", Summary: "the spec is not valid JSON or YAML", Source: "RFC 8259 (JSON), YAML 1.2"},
	{Code: CodeUnknownField, Fields: "(any)", Summary: "an unknown field (a typo, or a field of another version) is refused, not ignored", Source: srcDecode},
	{Code: CodeDuplicateKey, Fields: "(any)", Summary: "a key given twice in one object is refused (JSON and YAML decoders would keep the last one silently)", Source: srcDecode + "; RFC 8259 section 4: names within an object SHOULD be unique; YAML 1.2: mapping keys are unique"},
	{Code: CodeMultipleDocuments, Fields: "(document)", Summary: "a YAML stream with more than one document is refused (only the first would be read)", Source: srcDecode},
	{Code: CodeWrongType, Fields: "(any)", Summary: "a value of the wrong type (a string for a number, an object for a list)", Source: srcDecode},

	{Code: CodeClusterName, Fields: "name", Summary: "the ManagedCluster name: 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit", Source: srcMCRest + ": resourceName pattern; " + srcNaming},
	{Code: CodeLocation, Fields: "location", Summary: "an Azure region name in its lowercase form without spaces (westeurope, not West Europe)", Source: "ARM: region names of `az account list-locations` (name column)"},
	{Code: CodeResourceGroupName, Fields: "resourceGroup.name", Summary: "1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'", Source: srcNaming + ": Microsoft.Resources/resourcegroups"},
	{Code: CodeDNSPrefix, Fields: "dnsPrefix", Summary: "1-54 letters, digits or '-', starting and ending with a letter or digit", Source: "AKS: DNS name prefix limits (Azure portal; MicrosoftDocs/azure-docs#47952)"},
	{Code: CodeVNetName, Fields: "network.vnet.name", Summary: "2-64 letters, digits, '-', '_' or '.', starting with a letter or digit, ending with a letter, digit or '_'", Source: srcNaming + ": Microsoft.Network/virtualNetworks"},
	{Code: CodeSubnetName, Fields: "network.vnet.nodeSubnet.name, network.mode.podSubnet.subnets[*].name", Summary: "1-80 letters, digits, '-', '_' or '.', each subnet named once", Source: srcNaming + ": Microsoft.Network/virtualNetworks/subnets"},
	{Code: CodePoolName, Fields: "systemPool.name, userPools[*].name", Summary: "1-12 lowercase letters and digits starting with a letter, each pool named once", Source: "AKS REST API, AgentPools: agentPoolName pattern ^[a-z][a-z0-9]{0,11}$ (learn.microsoft.com/rest/api/aks/agent-pools/create-or-update)"},
	{Code: CodeWorkspaceName, Fields: "monitoring.containerInsights.workspaceName, monitoring.prometheus.workspaceName", Summary: "4-63 letters, digits or '-', starting and ending with a letter or digit", Source: srcNaming + ": Microsoft.OperationalInsights/workspaces"},

	{Code: CodeKubernetesVersionForm, Fields: "kubernetesVersion", Summary: "MAJOR.MINOR or MAJOR.MINOR.PATCH as ARM takes it: no 'v' prefix, no leading zeros, no pre-release; refused, not rewritten", Source: srcMCRest + ": kubernetesVersion, 'Both patch version <major.minor.patch> (e.g. 1.20.13) and <major.minor> (e.g. 1.20) are supported'"},
	{Code: CodeKubernetesVersion, Fields: "kubernetesVersion, policies.kubernetesVersion", Summary: fmt.Sprintf("a Kubernetes minor in the version table (%s to %s), or newer with allowNewerKubernetes", Versions[0].Kubernetes, Versions[len(Versions)-1].Kubernetes), Source: "the version table (versions.go): the AKS guide and the AKS docs' Cilium version table"},
	{Code: CodeSupportWindow, Fields: "kubernetesVersion, sku", Summary: "a new cluster (or a new minor) only on a version AKS creates that day: GA, in community support, or in long-term support with sku.tier Premium and supportPlan AKSLongTermSupport (ValidateAt, ValidateSupport; the dates are in the error)", Source: string(SourceAKSCalendar) + "; AKS docs: supported Kubernetes versions, platform support 'Cluster creation: Not supported'; long-term support FAQ"},
	{Code: CodeFeatureGate, Fields: "acns.security", Summary: "a feature used on a Kubernetes version before its gate (FeatureGates), e.g. ACNS security before 1.29", Source: "FeatureGates (versions.go); AKS docs: Advanced Container Networking Services, requirements"},

	{Code: CodeDataplane, Fields: "network.dataplane", Summary: "the data plane is cilium (this library is Azure CNI powered by Cilium)", Source: srcCiliumDocs},
	{Code: CodeNetworkPolicy, Fields: "network.policy", Summary: "networkDataplane cilium requires networkPolicy cilium (ARM: CiliumDataplaneRequiresNetworkPolicyCilium)", Source: srcCiliumDocs + "; ARM error CiliumDataplaneRequiresNetworkPolicyCilium"},
	{Code: CodePodIPMode, Fields: "network.mode", Summary: "exactly one pod IP mode: overlay (with podCidr), podSubnet (with subnets) or nodeSubnet", Source: srcCiliumDocs + ": the three IP assignment options"},
	{Code: CodePodSubnets, Fields: "network.mode.podSubnet.subnets", Summary: "pod subnet mode needs at least one pod subnet", Source: srcCiliumDocs + ": assign IP addresses from a virtual network"},
	{Code: CodePoolPodSubnet, Fields: "systemPool.podSubnet, userPools[*].podSubnet", Summary: "a pool's pod subnet: one of the pod subnets in podSubnet mode; none in overlay (ARM: NetworkPluginMode overlay cannot be used with PodSubnetID) or nodeSubnet mode", Source: "ARM error 'NetworkPluginMode overlay cannot be used with PodSubnetID'; " + srcCiliumDocs},
	{Code: CodeCIDR, Fields: "network.* CIDRs, security.authorizedIpRanges[*]", Summary: "an IPv4 CIDR in canonical form (10.0.0.1/16 suggests 10.0.0.0/16), not /0, not IPv6", Source: "RFC 4632; this library is IPv4 only"},
	{Code: CodeSubnetID, Fields: "network.vnet.nodeSubnet.id, network.mode.podSubnet.subnets[*].id", Summary: "an existing subnet's ARM resource ID", Source: "ARM resource ID of Microsoft.Network/virtualNetworks/subnets"},
	{Code: CodeVNetKind, Fields: "network.vnet", Summary: "either every subnet is new (a VNet name and address space, subnets by CIDR) or every subnet exists (ID and CIDR, no VNet name)", Source: "aks-cilium: a VNet is created whole or not at all"},
	{Code: CodePodSubnetVNet, Fields: "network.mode.podSubnet.subnets[*].id", Summary: "pod subnets are in the node subnet's VNet", Source: "AKS docs: Azure CNI with dynamic IP allocation, pod subnets in the cluster's VNet (learn.microsoft.com/azure/aks/configure-azure-cni-dynamic-ip-allocation)"},
	{Code: CodeReservedRange, Fields: "network.* CIDRs", Summary: "no cluster range in an AKS-reserved range: " + reservedList(), Source: srcAKSNetwork + "; " + srcDesign},
	{Code: CodeSubnetOutsideVNet, Fields: "network.vnet.nodeSubnet.cidr, network.mode.podSubnet.subnets[*].cidr", Summary: "every subnet inside the VNet address space", Source: "Azure Virtual Network: a subnet is a range of the VNet's address space"},
	{Code: CodeOverlap, Fields: "network.* CIDRs, network.peeredRanges[*]", Summary: "no overlap among the VNet, subnets, pod CIDR, service CIDR and peered ranges", Source: srcAKSNetwork + "; " + srcDesign},
	{Code: CodeServiceCIDRTooWide, Fields: "network.serviceCidr", Summary: fmt.Sprintf("the service CIDR is a /%d or smaller: the API server refuses a larger range", MinServiceCIDRBits), Source: "kube-apiserver cmd/kube-apiserver/app/options/validation.go (maxCIDRBits 20: 'for 32-bit addresses, the mask must be >= 12'); AKS docs: 'Service address CIDR must be smaller than /12' (MicrosoftDocs/azure-docs#13444)"},
	{Code: CodeDNSServiceIP, Fields: "network.dnsServiceIP", Summary: "kube-dns's IP inside the service CIDR, not its network, first (the kubernetes service) or broadcast address", Source: srcAKSNetwork},
	{Code: CodeCapacity, Fields: "network.vnet.nodeSubnet.cidr, network.mode.overlay.podCidr, network.mode.podSubnet.subnets[*].cidr", Summary: "each range holds the pools at their autoscaler maximum plus surge (the numbers and the prefix that fits are in the error)", Source: srcDesign + "; " + srcAKSNetwork},

	{Code: CodeVMSize, Fields: "systemPool.vmSize, userPools[*].vmSize", Summary: "every pool names its VM size", Source: "AKS REST API, AgentPools: vmSize"},
	{Code: CodeWindowsPool, Fields: "systemPool.osType, systemPool.osSku, userPools[*].osType, userPools[*].osSku", Summary: WindowsPoolsUnsupported + " (IsWindowsPool: the migration pre-flight uses the same definition)", Source: srcCiliumDocs + ": 'Available only for Linux and not for Windows'"},
	{Code: CodeOSSKU, Fields: "systemPool.osSku, userPools[*].osSku", Summary: "a Linux OS SKU: " + strings.Join(SupportedOSSKUs, ", "), Source: "AKS REST API, AgentPools: osSKU"},
	{Code: CodeNodeCount, Fields: "*.count, *.autoscale.min, *.autoscale.max", Summary: fmt.Sprintf("counts and autoscaler bounds from 0 (1 for the system pool) to %d, the count between min and max", MaxNodesPerPool), Source: srcQuotas + ": maximum nodes per node pool 1000; AKS: a system pool has at least one node"},
	{Code: CodeMaxPods, Fields: "*.maxPods", Summary: fmt.Sprintf("max pods from %d (%d for the system pool) to %d", MinMaxPods, MinMaxPodsSystem, MaxMaxPods), Source: srcQuotas + ": maximum pods per node 250; AKS docs: system node pools need at least 30 pods"},
	{Code: CodeMaxSurge, Fields: "*.maxSurge", Summary: "a node count (\"1\") or a percentage from 1% to 100%", Source: "AKS REST API, AgentPoolUpgradeSettings.maxSurge"},
	{Code: CodeZones, Fields: "*.zones[*]", Summary: "availability zones 1, 2 or 3, each once", Source: "AKS docs: availability zones (learn.microsoft.com/azure/aks/availability-zones)"},
	{Code: CodeLabels, Fields: "*.labels", Summary: "Kubernetes label keys and values", Source: srcK8sLabels},
	{Code: CodeOSDisk, Fields: "*.osDiskType, *.osDiskSizeGB", Summary: fmt.Sprintf("OS disk type Ephemeral or Managed, size %d to %d GB (0: AKS's default)", MinOSDiskSizeGB, MaxOSDiskSizeGB), Source: srcMCRest + ": osDiskType, osDiskSizeGB (maxValue 2048); AKS docs: node-auto-provisioning-aksnodeclass ('the minimum value is 30 GB')"},
	{Code: CodeEphemeralOSDisk, Fields: "*.osDiskType, *.osDiskSizeGB", Summary: fmt.Sprintf("an ephemeral OS disk fits the VM size's local storage (the VM size table; a size it does not know is left to AKS); without osDiskSizeGB the temp disk holds AKS's %d GB default", DefaultOSDiskSizeGB), Source: string(SourceVMSizes) + "; AKS docs: concepts-storage, ephemeral OS disks; create-node-pools ('The default node OS disk configuration in AKS uses 128 GB')"},
	{Code: CodeOSSKUVersion, Fields: "*.osSku", Summary: "a versioned OS SKU (Ubuntu2204, Ubuntu2404, AzureLinux3) only on the Kubernetes minors AKS supports it on", Source: "AKS docs: upgrade-os-version, OS SKU table (2026-08)"},
	{Code: CodeTaints, Fields: "*.taints[*]", Summary: "key=value:Effect with a Kubernetes key and value and Effect NoSchedule, PreferNoSchedule or NoExecute", Source: srcK8sLabels + "; Kubernetes taint effects"},

	{Code: CodeEntraID, Fields: "security.adminGroupObjectIds[*], security.tenantId", Summary: "Entra ID object and tenant IDs are GUIDs", Source: srcEntra},
	{Code: CodeAuthorizedIPRanges, Fields: "security.authorizedIpRanges", Summary: "authorized IP ranges apply to a public API server only", Source: "AKS docs: API server authorized IP ranges (learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges)"},
	{Code: CodeAdminAccess, Fields: "security.azureRbac", Summary: "with Azure RBAC off and local accounts disabled, admin groups are required (nobody could administer the cluster)", Source: srcEntra + "; AKS docs: disable local accounts"},
	{Code: CodeACNSEnabled, Fields: "acns.observability, acns.security", Summary: "ACNS observability and security need acns.enabled (a paid, explicit opt-in)", Source: "AKS REST API, AdvancedNetworking; AKS docs: Advanced Container Networking Services"},
	{Code: CodeACNSSecurityLevel, Fields: "acns.security", Summary: "the ACNS security level is one of " + strings.Join(acnsLevelNames(), ", "), Source: "AKS REST API 2025-08-01 and later, AdvancedNetworkingSecurity.advancedNetworkPolicies (FQDN, L7; docs/acns.md)"},
	{Code: CodeAuthorizedIPRangeCount, Fields: "security.authorizedIpRanges", Summary: fmt.Sprintf("at most %d authorized IP ranges", MaxAuthorizedIPRanges), Source: "AKS docs: API server authorized IP ranges, 'You can specify up to 200 authorized IP ranges'"},
	{Code: CodeTransitEncryption, Fields: "acns.transitEncryption, *.fips", Summary: "transit encryption None or WireGuard; WireGuard needs acns.enabled and no FIPS pool ('WireGuard isn't FIPS compliant')", Source: srcACNS2026 + "; AKS docs: WireGuard encryption concepts, considerations and limitations"},
	{Code: CodeAcceleration, Fields: "acns.acceleration, *.osSku", Summary: "acceleration None or BpfVeth; eBPF host routing needs acns.enabled, Kubernetes 1.33 or later and every pool on Azure Linux 3.0 or Ubuntu 24.04", Source: srcACNS2026 + "; AKS docs: how-to-enable-ebpf-host-routing (requirements), container-network-performance-ebpf-host-routing (limitations)"},
	{Code: CodeMonitoringWorkspace, Fields: "monitoring.*.workspaceId, monitoring.*.workspaceName, monitoring.containerInsights.retentionDays", Summary: "an existing workspace by ID or a new one by name, not both; retention applies to a created workspace only", Source: srcMonitor},
	{Code: CodeARMID, Fields: "monitoring.*.workspaceId, monitoring.alerts.actionGroupIds[*], egress.natGateway.id, egress.routeTableId, identity.*.resourceId", Summary: "the ARM ID of a resource of the right type", Source: "ARM resource IDs"},
	{Code: CodeRetention, Fields: "monitoring.containerInsights.retentionDays", Summary: "30 to 730 days", Source: "Log Analytics workspace retentionInDays (learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure)"},
	{Code: CodeAlerts, Fields: "monitoring.alerts, monitoring.prometheus", Summary: "alerts need managed Prometheus; severity 0 to 4", Source: "Azure Monitor Prometheus rule groups (learn.microsoft.com/azure/azure-monitor/essentials/prometheus-rule-groups)"},
	{Code: CodeTagCount, Fields: "tags", Summary: fmt.Sprintf("at most %d tags per resource", MaxTags), Source: srcTags + ": 'Each resource, resource group, and subscription can have a maximum of 50 tag name-value pairs'"},
	{Code: CodeTagKey, Fields: "tags", Summary: fmt.Sprintf("a tag name of 1 to %d characters without %s, unique ignoring case", MaxTagKeyLength, strings.Join(strings.Split(TagKeyForbidden, ""), " ")), Source: srcTags + ": 'The tag name has a limit of 512 characters', 'Tag names can't contain these characters: <, >, %, &, \\, ?, /', tag names are case-insensitive"},
	{Code: CodeTagValue, Fields: "tags", Summary: fmt.Sprintf("a tag value of at most %d characters", MaxTagValueLength), Source: srcTags + ": 'the tag value has a limit of 256 characters'"},

	{Code: CodeTier, Fields: "sku.tier", Summary: "the pricing tier is Free, Standard or Premium", Source: srcTiers},
	{Code: CodeSupportPlan, Fields: "sku.supportPlan", Summary: "the support plan is KubernetesOfficial or AKSLongTermSupport; LTS and tier Premium go together (the plan defaults to AKSLongTermSupport with Premium)", Source: srcTiers + ": 'Enabling LTS requires moving your cluster to the Premium tier and explicitly selecting the LTS support plan'; 'When you create a cluster in the Premium tier, you must also enable the LTS plan ... Enable or disable LTS and the Premium tier together'"},
	{Code: CodeUpgradeChannel, Fields: "upgrades.channel", Summary: "the cluster auto-upgrade channel is none, patch, stable, rapid or node-image", Source: srcUpgrades},
	{Code: CodeNodeOSChannel, Fields: "upgrades.nodeOSChannel", Summary: "the node OS channel is None, Unmanaged, SecurityPatch or NodeImage; channel node-image forces NodeImage", Source: srcUpgrades + ": node OS channel known limitations"},
	{Code: CodePinnedPatch, Fields: "kubernetesVersion, upgrades.channel", Summary: "with channel patch, stable or rapid the version is MAJOR.MINOR: AKS moves the patch, and a pinned one would be reverted (a downgrade ARM refuses)", Source: srcMCRest + ": kubernetesVersion, 'Updating the cluster with the same <major.minor> once it has been created ... will not trigger an upgrade'; " + srcUpgrades},
	{Code: CodeMaintenanceWindow, Fields: "upgrades.clusterWindow, upgrades.nodeOSWindow", Summary: "a window of 4 to 24 hours starting HH:MM (00:00-23:59), a UTC offset from -12:00 to +14:00, dates YYYY-MM-DD, blackout spans that end after they start", Source: srcMaintenance},
	{Code: CodeMaintenanceSchedule, Fields: "upgrades.*Window.schedule", Summary: "exactly one recurrence (daily, weekly, absoluteMonthly, relativeMonthly) with its fields in ARM's ranges", Source: srcMaintenance},
	{Code: CodeWindowChannel, Fields: "upgrades.clusterWindow, upgrades.nodeOSWindow", Summary: "a window schedules upgrades a channel makes: the cluster window needs a channel other than none, the node OS window NodeImage or SecurityPatch", Source: "AKS docs: planned maintenance ('enabling or disabling planned maintenance doesn't enable or disable automatic upgrades'); " + srcUpgrades + " (Unmanaged follows the OS's own schedule)"},
	{Code: CodeOutboundType, Fields: "egress.outboundType, egress.natGateway, egress.routeTableId", Summary: "the outbound type is loadBalancer, userAssignedNATGateway or userDefinedRouting, with only its own settings", Source: srcEgress},
	{Code: CodeManagedNATGateway, Fields: "egress.outboundType", Summary: "managedNATGateway needs a VNet AKS creates, and every cluster here is on your VNet: use userAssignedNATGateway", Source: "ARM: 'Outbound type is managedNATGateway but agent pool ... is using custom VNet, which is not allowed' (subcode ManagedNATGatewayWithCustomVNetNotAllowed, kubernetes-sigs/cluster-api-provider-azure#5429, MicrosoftDocs/azure-docs#83858)"},
	{Code: CodeNATGateway, Fields: "egress.natGateway", Summary: "userAssignedNATGateway needs a NAT gateway: an existing one by ID (the only choice with existing subnets: it must already be associated) or a new one in at most one zone, 1 to 16 public IPs, idle timeout 4 to 120 minutes", Source: srcEgress + "; AKS docs, NAT gateway: 'the NAT gateway is preconfigured on the subnet', 'a maximum of 16 IP addresses'; Standard NAT gateways are zonal (hashicorp/terraform-provider-azurerm#21696)"},
	{Code: CodeRouteTable, Fields: "egress.routeTableId", Summary: "userDefinedRouting needs the ID of a route table with a 0.0.0.0/0 route to a firewall or appliance", Source: "AKS docs, egress-udr: 'Outbound type of UDR requires a route for 0.0.0.0/0 and a next hop destination of NVA'; ARM: ExistingRouteTableNotAssociatedWithSubnet, RouteTableInvalidNextHop (hashicorp/terraform-provider-azurerm#8609)"},
	{Code: CodeIdentity, Fields: "identity.controlPlane, identity.kubelet", Summary: "a user-assigned identity by resource ID, with GUID principal and client IDs; the control-plane identity gives its principal ID (its roles are made before the cluster)", Source: srcIdentity},
	{Code: CodeKubeletIdentity, Fields: "identity.kubelet, identity.controlPlane", Summary: "a kubelet identity needs a user-assigned control-plane identity, and is another identity", Source: srcIdentity + "; azure-cli: '--assign-kubelet-identity can only be specified when --assign-identity is specified' (Azure/azure-cli#18615)"},
	{Code: CodeNodeResourceGroup, Fields: "nodeResourceGroup", Summary: fmt.Sprintf("the node resource group (the spec's, or AKS's default MC_<group>_<cluster>_<location>) is a resource group name of at most %d characters, not the cluster's own group", MaxNodeResourceGroupLength), Source: "ARM: 'The length of the node resource group name is too long. The maximum length is 80' (rancher/rancher#21264); AKS FAQ: the node resource group cannot be an existing group"},
	{Code: CodePoolsPerCluster, Fields: "userPools", Summary: fmt.Sprintf("at most %d node pools per cluster", MaxPoolsPerCluster), Source: srcQuotas + ": maximum node pools per cluster 100"},
	{Code: CodeNodesPerCluster, Fields: "systemPool, userPools", Summary: fmt.Sprintf("at most %d nodes per cluster at the pools' maximum (%d on the Free tier)", MaxNodesPerCluster, MaxNodesPerClusterFree), Source: srcQuotas + ": maximum nodes per cluster 5000 across all node pools; " + srcTiers + ": Free 'Supports up to 1,000 nodes'"},

	{Code: CodeRenamed, Fields: "name", Replaceable: true, Summary: "a new name is a new ManagedCluster: Pulumi replaces the cluster (with AllowReplace) or keep the name", Source: srcNativeDiff},
	{Code: CodeResourceGroupChanged, Fields: "resourceGroup.name", Replaceable: true, Summary: "another resource group is a new cluster and network: Pulumi replaces them (with AllowReplace) or keep the group", Source: srcNativeDiff},
	{Code: CodeLocationChanged, Fields: "location", Summary: "a cluster cannot move to another region: deploy a new stack there and move the workloads", Source: "ARM: a resource's location is fixed at creation (learn.microsoft.com/azure/azure-resource-manager/management/move-region)"},
	{Code: CodeDNSPrefixChanged, Fields: "dnsPrefix", Summary: "the DNS prefix cannot change once the cluster exists (ARM: PropertyChangeNotAllowed); set the old value explicitly", Source: srcMCRest + ": dnsPrefix 'cannot be updated once the Managed Cluster has been created'; rancher/rancher#34758"},
	{Code: CodeServiceCIDRChanged, Fields: "network.serviceCidr", Replaceable: true, Summary: "the service CIDR is fixed at creation: only a replacement of the cluster (with AllowReplace) changes it", Source: "AKS: changing the service CIDR is not supported, the cluster must be recreated (MicrosoftDocs/azure-docs#47617); " + srcNativeDiff},
	{Code: CodeDNSServiceIPChanged, Fields: "network.dnsServiceIP", Replaceable: true, Summary: "kube-dns's IP is fixed at creation: only a replacement of the cluster (with AllowReplace) changes it", Source: srcAKSNetwork + "; " + srcNativeDiff},
	{Code: CodePodCIDRChanged, Fields: "network.mode.overlay.podCidr", Replaceable: true, Summary: "the overlay pod CIDR is given at creation: only a replacement of the cluster (with AllowReplace) changes it", Source: "AKS docs: Azure CNI Overlay, 'Pods receive IPs from a private CIDR provided at the time of cluster creation' (learn.microsoft.com/azure/aks/azure-cni-overlay); " + srcNativeDiff},
	{Code: CodePodIPModeChanged, Fields: "network.mode", Summary: "the pod IP mode changes in place only from nodeSubnet to overlay; any other change needs a new cluster (a new name)", Source: "AKS docs: update Azure CNI IPAM mode, 'The IPAM mode can only be migrated to Azure CNI Overlay' from node subnet or kubenet, one way (learn.microsoft.com/azure/aks/upgrade-aks-ipam-and-dataplane)"},
	{Code: CodeNodeSubnetChanged, Fields: "network.vnet.nodeSubnet.name, network.vnet.nodeSubnet.id", Summary: "pools cannot move to another subnet (ARM: Changing property 'agentPoolProfile.vnetSubnetID' is not allowed); keep the node subnet", Source: "ARM PropertyChangeNotAllowed on agentPoolProfile.vnetSubnetID (Azure/AKS#695)"},
	{Code: CodePoolPodSubnetChanged, Fields: "systemPool.podSubnet, userPools[*].podSubnet", Summary: "a pool's pod subnet cannot change; add a pool on the other pod subnet and remove this one", Source: "ARM PropertyChangeNotAllowed on agentPoolProfile.podSubnetID, as for vnetSubnetID (Azure/AKS#695)"},
	{Code: CodeSystemVMSizeChanged, Fields: "systemPool.vmSize", Summary: "a node pool's VM size cannot change, and the inline system pool has no replacement path; keep the size (or deploy a new cluster under a new name)", Source: srcPoolImmutable + "; azure-native plans an update of the inline pool that ARM refuses"},
	{Code: CodePoolVMSizeChanged, Fields: "userPools[*].vmSize", Replaceable: true, Summary: "a node pool's VM size cannot change: add a pool with the new size and remove this one, or let Pulumi replace the pool (AllowReplace; its nodes go first)", Source: srcPoolImmutable + "; " + srcNativeDiff},
	{Code: CodeOSTypeChanged, Fields: "systemPool.osType, userPools[*].osType", Summary: "a pool's OS type cannot change (the OS SKU may change between Linux SKUs in place)", Source: "AKS REST API, AgentPools: osType; AKS in-place OS SKU migration between Linux SKUs (Azure/AKS#3927)"},
	{Code: CodeZonesChanged, Fields: "systemPool.zones, userPools[*].zones", Summary: "a pool's availability zones are set at creation; add a pool with the new zones and remove this one", Source: "AKS docs: availability zones, 'You can only define availability zones during creation of the cluster or node pool' (learn.microsoft.com/azure/aks/availability-zones)"},
	{Code: CodeMaxPodsChanged, Fields: "systemPool.maxPods, userPools[*].maxPods", Summary: "a pool's max pods is set at creation (a mode change may move its default: set the old value); add a pool and remove this one", Source: "AKS docs: Azure CNI, maximum pods per node, 'configure the maximum pods per node at cluster create time or when creating new node pools'"},
	{Code: CodeKubernetesDowngrade, Fields: "kubernetesVersion", Summary: "a Kubernetes version cannot go down", Source: srcAKSUpgrades + "; Kubernetes version skew policy (kubernetes.io/releases/version-skew-policy)"},
	{Code: CodeKubernetesSkipsMinor, Fields: "kubernetesVersion", Summary: "an upgrade goes one minor version at a time", Source: srcAKSUpgrades},
	{Code: CodeOutboundTypeChanged, Fields: "egress.outboundType", Replaceable: true, Summary: "a new outbound type replaces the cluster through Pulumi (networkProfile is forced-new); AKS migrates some types in place with az aks update --outbound-type, after which a refresh and an Up plan no replacement", Source: srcNativeDiff + "; AKS docs: egress-outboundtype, 'Update outboundType after cluster creation' (supported migration paths)"},
	{Code: CodeNodeResourceGroupChanged, Fields: "nodeResourceGroup", Replaceable: true, Summary: "the node resource group is named at creation: only a replacement of the cluster (with AllowReplace) renames it", Source: "AKS FAQ: 'Change the node resource group name after you create the cluster' is not possible; azure-native 2.88.0 ManagedCluster forceNew list (nodeResourceGroup)"},
	{Code: CodeOSDiskChanged, Fields: "*.osDiskType, *.osDiskSizeGB", Summary: "a pool's OS disk type and size are fixed at its creation: add a pool with the new disk and remove this one", Source: srcMCRest + ": osDiskType 'May not be changed after creation'; AKS docs: concepts-storage, 'You can't change the OS disk size after cluster or node pool creation'"},
	{Code: CodePrivateClusterEnabled, Fields: "security.privateCluster", Summary: "an existing public cluster cannot become a private cluster; deploy a new cluster", Source: "AKS docs: private clusters, Limitations, 'No support for converting existing AKS clusters into private clusters' (learn.microsoft.com/azure/aks/private-clusters)"},
}

// RuleFor returns the rule of a code among Rules.
func RuleFor(code Code) (Rule, bool) {
	i := slices.IndexFunc(Rules, func(r Rule) bool { return r.Code == code })
	if i < 0 {
		return Rule{}, false
	}
	return Rules[i], true
}

// Replaceable reports whether an error of ValidateUpdate is a change that a
// replacement makes valid (its rule is Replaceable): UpOptions.AllowReplace
// lets such a change through to Pulumi, which replaces the resource.
func Replaceable(e *field.Error) bool {
	r, ok := RuleFor(CodeOf(e))
	return ok && r.Replaceable
}
