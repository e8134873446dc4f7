package azuresim

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// armRequest is one ARM write or delete as the rules judge it: the same for
// a call from the Pulumi engine (gRPC) and for one through the ARM front end
// (the Azure SDK for Go).
type armRequest struct {
	op   Op
	spec *typeSpec
	id   string
	// inputs is the request body in the SDK's flattened shape; nil for a delete.
	inputs map[string]any
	// existing is the resource as ARM holds it before the request (nil for
	// a create).
	existing *Resource
	// ifMatch and ifNoneMatch are the request's conditional headers (the
	// ARM front end; azure-native sends neither).
	ifMatch, ifNoneMatch string
}

// rule is one thing ARM refuses. check returns ARM's answer, or nil.
type rule struct {
	// name says what is checked.
	name string
	// source is where the behaviour is documented (REST spec, AKS doc,
	// an issue quoting the real answer, provider source).
	source string
	// types and ops select the requests it judges.
	types []string
	ops   []Op
	check func(st *store, r *armRequest) *ARMError
}

var (
	writes  = []Op{OpCreate, OpUpdate}
	updates = []Op{OpUpdate}
	deletes = []Op{OpDelete}
	aks     = []string{TypeManagedCluster, TypeAgentPool}
)

// rules are ARM's own rejections the simulator reproduces, in the order ARM
// checks them closely enough: the first that objects answers. Every rule
// names its source; docs/simulator.md lists them with the test that shows
// each. The concurrency rule (OperationNotAllowed) and eTags are judged by
// the operation pipeline (operations.go) before these.
var rules = []rule{
	{
		name:   "the resource group exists",
		source: "ARM: ResourceGroupNotFound (Azure Resource Manager error reference, common deployment errors)",
		types:  []string{TypeVirtualNetwork, TypeSubnet, TypeManagedCluster, TypeAgentPool},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			if st.get(resourceGroupID(r.id)) != nil {
				return nil
			}
			return armError(404, "ResourceGroupNotFound", "Resource group '%s' could not be found.", resourceGroupName(r.id))
		},
	},
	{
		name:   "the parent resource exists",
		source: "ARM: ParentResourceNotFound (Azure Resource Manager error reference, common deployment errors)",
		types:  []string{TypeSubnet, TypeAgentPool},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			parent := parentID(r.id)
			if st.get(parent) != nil {
				return nil
			}
			return armError(404, "ParentResourceNotFound",
				"Can not perform requested operation on nested resource. Parent resource '%s' not found.", lastSegment(parent))
		},
	},
	{
		name:   "a resource group location is known",
		source: "ARM: LocationRequired (Microsoft.Resources REST spec: resourceGroups PUT requires location)",
		types:  []string{TypeResourceGroup},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			if str(r.inputs, "location") != "" {
				return nil
			}
			return armError(400, "LocationRequired", "The location property is required for this definition.")
		},
	},
	{
		name:   "immutable properties keep their value",
		source: "AKS: PropertyChangeNotAllowed (Azure/AKS#695 quotes \"Changing property 'agentPoolProfile.vnetSubnetID' is not allowed.\"; fields per immutableFields)",
		types:  aks,
		ops:    updates,
		check:  checkImmutable,
	},
	{
		name:   "a cluster update introduces no agent pool",
		source: "AKS: \"A new agent pool was introduced. Adding agent pools to an existing cluster is not allowed through managed cluster operations\" (pulumi/pulumi-azure-nextgen#168, microsoft/tyger#121); an omitted pool is kept (pulumi/pulumi-azure-native#579, #1686)",
		types:  []string{TypeManagedCluster},
		ops:    updates,
		check:  checkNoNewPool,
	},
	{
		name:   "networkDataplane cilium requires networkPolicy cilium",
		source: "AKS: BadRequest/CiliumDataplaneRequiresNetworkPolicyCilium (body quoted in Azure/bicep-registry-modules#3361)",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check: ciliumNeeds("networkDataplane", "networkPolicy", aksError(400, "BadRequest", "CiliumDataplaneRequiresNetworkPolicyCilium",
			"networkProfile.networkPolicy", "Cilium dataplane requires network policy cilium.")),
	},
	{
		name:   "networkPolicy cilium requires networkDataplane cilium",
		source: "AKS: NetworkPolicyNotSupported/NetworkPolicyCiliumRequiresCiliumDataplane (body quoted in AdminTurnedDevOps/DevOps-The-Hard-Way-Azure#1)",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check: ciliumNeeds("networkPolicy", "networkDataplane", aksError(400, "NetworkPolicyNotSupported", "NetworkPolicyCiliumRequiresCiliumDataplane",
			"networkProfile.networkPolicy", "Network Policy cilium requires NetworkDataplane cilium")),
	},
	{
		name:   "the IP address management changes only toward overlay",
		source: "AKS docs: Azure CNI Overlay, \"Upgrade an existing cluster to CNI Overlay\" (node subnet or kubenet to overlay only; no way back); migrating the data plane and the IPAM mode in one update is not supported (AKS docs: Azure CNI powered by Cilium, upgrade an existing cluster)",
		types:  []string{TypeManagedCluster},
		ops:    updates,
		check:  checkIPAMChange,
	},
	{
		name:   "podCidr only with overlay",
		source: "azure-cli refuses --pod-cidr with --network-plugin azure without overlay (Azure/azure-cli#26237); the REST spec: podCidr applies to kubenet and to azure only in overlay mode (Azure/azure-rest-api-specs#23987). ARM's own answer is not documented; the simulator refuses it as the CLI does",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			np := obj(r.inputs, "networkProfile")
			if str(np, "podCidr") == "" || !strings.EqualFold(str(np, "networkPlugin"), "azure") ||
				strings.EqualFold(str(np, "networkPluginMode"), "overlay") {
				return nil
			}
			return aksError(400, "BadRequest", "InvalidParameter", "networkProfile.podCidr",
				"networkProfile.podCidr can only be set with networkPluginMode overlay when networkPlugin is azure "+
					"(Azure CNI takes pod IPs from the VNet). Note that the azure-native SDK fills podCidr with 10.244.0.0/16 when it is unset.")
		},
	},
	{
		name:   "overlay excludes a pod subnet",
		source: "AKS: BadRequest \"NetworkPluginMode overlay cannot be used with PodSubnetID.\" (Azure/bicep-registry-modules#3860)",
		types:  aks,
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			if !strings.EqualFold(str(clusterNetwork(st, r), "networkPluginMode"), "overlay") {
				return nil
			}
			for _, p := range poolsOf(r) {
				if str(p, "podSubnetID") != "" {
					return aksError(400, "BadRequest", "", "agentPoolProfile.podSubnetID",
						"NetworkPluginMode overlay cannot be used with PodSubnetID.")
				}
			}
			return nil
		},
	},
	{
		name:   "no Windows pools with Cilium",
		source: "AKS docs: Azure CNI powered by Cilium, limitations: \"Available only for Linux and not for Windows\" (learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium); the error text is the simulator's. The library's own check is spec.IsWindowsPool (spec.CodeWindowsPool)",
		types:  aks,
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			if !strings.EqualFold(str(clusterNetwork(st, r), "networkDataplane"), "cilium") {
				return nil
			}
			for _, p := range poolsOf(r) {
				if strings.EqualFold(str(p, "osType"), "Windows") {
					return aksError(400, "BadRequest", "WindowsNotSupportedWithCiliumDataplane", "agentPoolProfile.osType",
						"Windows agent pools are not supported with Azure CNI Powered by Cilium (networkDataplane cilium); agent pool '%s' has osType Windows.", poolName(r, p))
				}
			}
			return nil
		},
	},
	{
		name:   "supported Kubernetes versions",
		source: "AKS: AgentPoolK8sVersionNotSupported \"Version 1.20.7 is not supported in this region...\" (dspace-group/simphera-reference-architecture-azure#29); the supported minors are supportedKubernetesMinors (AKS docs: supported Kubernetes versions)",
		types:  aks,
		ops:    writes,
		check:  checkKubernetesVersions,
	},
	{
		name:   "maxPods in AKS's range",
		source: "AKS docs: configure Azure CNI / CNI Overlay, maximum pods per node (10 to 250); the error text is the simulator's",
		types:  aks,
		ops:    writes,
		check:  checkMaxPods,
	},
	{
		name:   "pool subnets exist",
		source: "AKS: SubnetNotFound \"Could not find subnet ... in vnet ... from resource group ... of subscription ...\" (sassoftware/viya4-iac-azure#163)",
		types:  aks,
		ops:    writes,
		check:  checkSubnetsExist,
	},
	{
		name:   "pod subnets are in the node subnet's VNet",
		source: "AKS docs: Azure CNI dynamic IP allocation (the pod subnet is a subnet of the cluster's VNet); the error text is the simulator's",
		types:  aks,
		ops:    writes,
		check:  checkPodSubnetVNet,
	},
	{
		name:   "the pod CIDR does not overlap the VNet",
		source: "AKS: NetworkProfileCIDROverlapVNET \"NetworkProfile CIDR 10.240.100.0/24 overlaps with reserved VNET CIDR 10.240.0.0/16\" (Azure/AKS-Construction#403)",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check:  checkPodCIDROverlap,
	},
	{
		name:   "the service CIDR does not overlap a subnet",
		source: "AKS: ServiceCidrOverlapExistingSubnetsCidr (Azure/AKS#1117); REST spec networkProfile.serviceCidr: \"It must not overlap with any Subnet IP ranges\"",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check:  checkServiceCIDROverlap,
	},
	{
		name:   "dnsServiceIP inside the service CIDR, not its network address",
		source: "REST spec networkProfile.dnsServiceIP: \"It must be within the Kubernetes service address range specified in serviceCidr\"; the network address is refused since Azure/AKS#2579; the error text is the simulator's",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check:  checkDNSServiceIP,
	},
	{
		name:   "subnets are large enough for the pools",
		source: "AKS: InsufficientSubnetSize \"Pre-allocated IPs 1280 exceeds IPs available 1024 in Subnet Cidr ...\" (Azure/AKS-Construction#701, Azure/AKS#1795); AKS docs: plan IP addressing (nodes x (maxPods + 1) in node subnet mode, a /24 per node in overlay, batches of 16 in a dynamic pod subnet, autoscaler max counts, surge; Azure keeps 5 addresses per subnet)",
		types:  aks,
		ops:    writes,
		check:  checkSubnetSizes,
	},
	{
		name:   "a role assignment's principal exists",
		source: "Azure RBAC troubleshooting (learn.microsoft.com/azure/role-based-access-control/troubleshooting): \"PrincipalNotFound: Principal <id> does not exist in the directory\"; the principals the simulated directory knows are the clusters' managed identities",
		types:  []string{TypeRoleAssignment},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			principal := str(r.inputs, "principalId")
			if knownPrincipal(st, principal) {
				return nil
			}
			return armError(400, "PrincipalNotFound",
				"Principal %s does not exist in the directory. Check that you have the correct principal ID.", strings.ReplaceAll(principal, "-", ""))
		},
	},
	{
		name:   "a role assignment's principal and role do not change",
		source: "Azure RBAC troubleshooting: \"RoleAssignmentUpdateNotPermitted: Tenant ID, application ID, principal ID, and scope are not allowed to be updated.\" (the scope is in the ID, so a new scope is a new assignment)",
		types:  []string{TypeRoleAssignment},
		ops:    []Op{OpUpdate},
		check: func(st *store, r *armRequest) *ARMError {
			old := st.get(r.id)
			if old == nil || (strings.EqualFold(str(old.Inputs, "principalId"), str(r.inputs, "principalId")) &&
				strings.EqualFold(str(old.Inputs, "roleDefinitionId"), str(r.inputs, "roleDefinitionId"))) {
				return nil
			}
			return armError(400, "RoleAssignmentUpdateNotPermitted",
				"Tenant ID, application ID, principal ID, and scope are not allowed to be updated.")
		},
	},
	{
		name:   "subnets fit the VNet and do not overlap",
		source: "Network: NetcfgSubnetRangesOverlap, NetcfgSubnetRangeOutsideVnet (Azure Virtual Network error reference)",
		types:  []string{TypeVirtualNetwork, TypeSubnet},
		ops:    writes,
		check:  checkSubnetRanges,
	},
	{
		name:   "the prefix of a subnet in use is not removed",
		source: "Network: InUsePrefixCannotBeDeleted \"IpPrefix 10.2.0.0/24 on Subnet default has active allocations and cannot be deleted.\" (hashicorp/terraform-provider-azurerm#11211; earlier InUseSubnetCannotBeUpdated, #7687)",
		types:  []string{TypeVirtualNetwork, TypeSubnet},
		ops:    updates,
		check:  checkPrefixInUse,
	},
	{
		name:   "a subnet in use cannot be deleted",
		source: "Network: InUseSubnetCannotBeDeleted (Azure Virtual Network error reference, aka.ms/deletesubnet)",
		types:  []string{TypeVirtualNetwork, TypeSubnet},
		ops:    append(slices.Clone(writes), OpDelete),
		check:  checkSubnetInUse,
	},
	{
		name:   "a resource group that still holds resources is not deleted",
		source: "none: stricter than ARM, which deletes a group's content with it; it catches a destroy in the wrong order",
		types:  []string{TypeResourceGroup},
		ops:    deletes,
		check: func(st *store, r *armRequest) *ARMError {
			held := st.children(r.id)
			if len(held) == 0 {
				return nil
			}
			ids := make([]string, 0, len(held))
			for _, h := range held {
				ids = append(ids, h.ID)
			}
			return armError(409, "ResourceGroupNotEmpty", "Resource group '%s' still holds %d resource(s) and is not deleted by the simulator: %s.",
				lastSegment(r.id), len(held), strings.Join(ids, ", "))
		},
	},
}

// knownPrincipal reports whether a principal is one of the simulated
// directory's: a user-assigned identity added to it
// (AddUserAssignedIdentity), a cluster's system- or user-assigned identity,
// or its kubelet identity.
func knownPrincipal(st *store, principal string) bool {
	if principal == "" {
		return false
	}
	for _, r := range st.all() {
		if r.Type == TypeUserAssignedIdentity && strings.EqualFold(str(r.Outputs, "principalId"), principal) {
			return true
		}
		if r.Type != TypeManagedCluster {
			continue
		}
		id := obj(r.Outputs, "identity")
		if strings.EqualFold(str(id, "principalId"), principal) {
			return true
		}
		for _, u := range obj(id, "userAssignedIdentities") {
			if um, ok := u.(map[string]any); ok && strings.EqualFold(str(um, "principalId"), principal) {
				return true
			}
		}
		if strings.EqualFold(str(obj(obj(r.Outputs, "identityProfile"), "kubeletidentity"), "objectId"), principal) {
			return true
		}
	}
	return false
}

// ciliumNeeds is a check that answers refusal when networkProfile.has is
// cilium and networkProfile.needs is not.
func ciliumNeeds(has, needs string, refusal *ARMError) func(*store, *armRequest) *ARMError {
	return func(_ *store, r *armRequest) *ARMError {
		np := obj(r.inputs, "networkProfile")
		if strings.EqualFold(str(np, has), "cilium") && !strings.EqualFold(str(np, needs), "cilium") {
			e := *refusal
			return &e
		}
		return nil
	}
}

// checkRules returns the first rule's objection to r, or nil.
func checkRules(st *store, r *armRequest) *ARMError {
	for _, rl := range rules {
		if slices.Contains(rl.types, r.spec.token) && slices.Contains(rl.ops, r.op) {
			if err := rl.check(st, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// immutableFields are the properties AKS refuses to change in place
// (PropertyChangeNotAllowed), as paths in the SDK shape. Pool fields apply
// to an AgentPool and to every inline pool of a cluster (matched by name).
// To add one, add its path here with its source in docs/simulator.md.
var immutableFields = map[string][]string{
	TypeManagedCluster: {
		"dnsPrefix",                                   // REST spec: "This cannot be updated once the Managed Cluster has been created."
		"fqdnSubdomain",                               // REST spec: "This cannot be updated once the Managed Cluster has been created."
		"nodeResourceGroup",                           // AKS docs: the node resource group name is set at creation
		"networkProfile.serviceCidr",                  // AKS docs: the service CIDR cannot be changed after creation
		"networkProfile.dnsServiceIP",                 // AKS docs: set with the service CIDR at creation
		"apiServerAccessProfile.enablePrivateCluster", // AKS docs: private clusters, cannot convert an existing cluster (without API server VNet integration)
	},
	TypeAgentPool: poolImmutableFields,
}

// poolImmutableFields are an agent pool's create-only properties.
var poolImmutableFields = []string{
	"vmSize",             // AKS docs, manage node pools, limitations: "You can't change the VM size of a node pool after you create it."
	"osType",             // AKS docs: a pool's OS is chosen at creation
	"vnetSubnetID",       // Azure/AKS#695: "Changing property 'agentPoolProfile.vnetSubnetID' is not allowed."
	"podSubnetID",        // AKS docs, dynamic IP allocation: a pool's pod subnet is set at creation
	"maxPods",            // AKS docs, configure Azure CNI: maximum pods per node is set at pool creation
	"availabilityZones",  // AKS docs, availability zones: a pool's zones are set at creation
	"osDiskType",         // AKS docs: OS disk type is set at pool creation
	"osDiskSizeGB",       // AKS docs: OS disk size is set at pool creation
	"gpuInstanceProfile", // AKS docs, multi-instance GPU: "You can't change the applied GPU instance profile after node pool creation."
}

// checkImmutable refuses an update that changes an immutable property of the
// cluster, of one of its pools (inline, or an AgentPool named in a cluster
// PUT), or of an agent pool. The old value is what ARM reports (the outputs:
// a value AKS defaulted counts), the new one the request's; a property the
// request leaves out keeps its value.
func checkImmutable(st *store, r *armRequest) *ARMError {
	if r.existing == nil {
		return nil
	}
	old := r.existing.Outputs
	for _, path := range immutableFields[r.spec.token] {
		if differs(valueAt(old, path), valueAt(r.inputs, path)) {
			target := path
			if r.spec.token == TypeAgentPool {
				target = "agentPoolProfile." + path
			}
			return propertyChange(target)
		}
	}
	if r.spec.token == TypeManagedCluster {
		oldPools := poolsByName(list(old, "agentPoolProfiles"))
		for _, ap := range agentPoolsOf(st, r.id) {
			oldPools[strings.ToLower(lastSegment(ap.ID))] = ap.Outputs
		}
		for _, p := range poolsOf(r) {
			op, ok := oldPools[strings.ToLower(str(p, "name"))]
			if !ok {
				continue
			}
			for _, path := range poolImmutableFields {
				if differs(valueAt(op, path), valueAt(p, path)) {
					return propertyChange("agentPoolProfile." + path)
				}
			}
		}
	}
	return nil
}

func propertyChange(target string) *ARMError {
	return aksError(400, "PropertyChangeNotAllowed", "", target, "Changing property '%s' is not allowed.", target)
}

// differs reports whether an update changes a create-only value; a value
// missing on either side is no change (the request keeps what ARM has).
func differs(old, new any) bool {
	if old == nil || new == nil {
		return false // unset on either side: AKS keeps what it has
	}
	if os, ok := old.(string); ok {
		if ns, ok := new.(string); ok {
			return !strings.EqualFold(os, ns)
		}
	}
	return !equal(old, new)
}

// valueAt is the value at a dotted path, or nil.
func valueAt(m map[string]any, path string) any {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		o, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = o[k]
	}
	return cur
}

// checkNoNewPool refuses a cluster update whose agentPoolProfiles name a pool
// the cluster does not have (inline or as an agent pool resource).
func checkNoNewPool(st *store, r *armRequest) *ARMError {
	if r.existing == nil {
		return nil
	}
	have := map[string]bool{}
	for _, p := range list(r.existing.Inputs, "agentPoolProfiles") {
		if pm, ok := p.(map[string]any); ok {
			have[strings.ToLower(str(pm, "name"))] = true
		}
	}
	for _, ap := range agentPoolsOf(st, r.id) {
		have[strings.ToLower(lastSegment(ap.ID))] = true
	}
	for _, p := range poolsOf(r) {
		if !have[strings.ToLower(str(p, "name"))] {
			return aksError(400, "BadRequest", "", "agentPoolProfiles",
				"A new agent pool was introduced. Adding agent pools to an existing cluster is not allowed through managed cluster operations. For agent pool specific change, please use per agent pool operations: https://aka.ms/agent-pool-rest-api")
		}
	}
	return nil
}

// checkIPAMChange allows a cluster's pod IP assignment to move only toward
// overlay (node subnet or kubenet to Azure CNI Overlay), and not in the same
// update as a data plane change.
func checkIPAMChange(st *store, r *armRequest) *ARMError {
	if r.existing == nil {
		return nil
	}
	oldNP, newNP := obj(r.existing.Inputs, "networkProfile"), obj(r.inputs, "networkProfile")
	oldMode, newMode := ipamMode(oldNP), ipamMode(newNP)
	if oldMode == newMode {
		return nil
	}
	if newMode != "overlay" {
		return aksError(400, "BadRequest", "NetworkPluginModeUpdateNotSupported", "networkProfile.networkPluginMode",
			"Changing the pod IP assignment from %s to %s is not supported: an existing cluster can only move to Azure CNI Overlay.", oldMode, newMode)
	}
	if !strings.EqualFold(str(oldNP, "networkDataplane"), str(newNP, "networkDataplane")) {
		return aksError(400, "BadRequest", "", "networkProfile.networkDataplane",
			"Updating the network dataplane and the network plugin mode in the same operation is not supported; update them one at a time.")
	}
	return nil
}

// ipamMode names a networkProfile's pod IP assignment: overlay, kubenet or
// azure (node subnet or pod subnet).
func ipamMode(np map[string]any) string {
	switch {
	case strings.EqualFold(str(np, "networkPluginMode"), "overlay"):
		return "overlay"
	case strings.EqualFold(str(np, "networkPlugin"), "kubenet"), str(np, "networkPlugin") == "":
		return "kubenet"
	}
	return "azure"
}

// supportedKubernetesMinors are the minors the simulated region offers. AKS
// supports three GA minors plus long-term-support ones (AKS docs:
// supported Kubernetes versions, long-term support); the list matches the
// versions aks-cilium's spec table knows (components/spec), which includes
// minors real regions may have retired: keep it in step with the docs.
var supportedKubernetesMinors = []string{"1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36"}

// checkKubernetesVersions refuses a cluster or pool version the region does
// not offer. AKS takes <major.minor> or <major.minor.patch>, without a "v".
func checkKubernetesVersions(st *store, r *armRequest) *ARMError {
	versions := []string{}
	if r.spec.token == TypeManagedCluster {
		versions = append(versions, str(r.inputs, "kubernetesVersion"))
	}
	for _, p := range poolsOf(r) {
		versions = append(versions, str(p, "orchestratorVersion"))
	}
	for _, v := range versions {
		if v == "" || supportedVersion(v) {
			continue
		}
		return aksError(400, "AgentPoolK8sVersionNotSupported", "", "",
			"Version %s is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list", v)
	}
	return nil
}

func supportedVersion(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || strconv.Itoa(n) != p {
			return false // "v1.32", "01.32", "1.x"
		}
	}
	return slices.Contains(supportedKubernetesMinors, parts[0]+"."+parts[1])
}

// maxPodsRange is AKS's range of maxPods per node for Azure CNI (node
// subnet, pod subnet and overlay) and kubenet.
const (
	minMaxPods = 10
	maxMaxPods = 250
)

func checkMaxPods(st *store, r *armRequest) *ARMError {
	for _, p := range poolsOf(r) {
		v, ok := p["maxPods"].(float64)
		if !ok {
			continue
		}
		if v < minMaxPods || v > maxMaxPods || v != math.Trunc(v) {
			return aksError(400, "BadRequest", "InvalidParameter", "agentPoolProfile.maxPods",
				"The value of parameter agentPoolProfile.maxPods is invalid: %v is outside %d to %d (agent pool '%s').", v, minMaxPods, maxMaxPods, poolName(r, p))
		}
	}
	return nil
}

// subnetInfo is a subnet as the network resource provider has it.
type subnetInfo struct {
	id       string
	vnetID   string
	prefixes []netip.Prefix
}

// lookupSubnet finds a subnet by ID: a Subnet resource, or an inline subnet
// of its VNet.
func lookupSubnet(st *store, id string) (subnetInfo, bool) {
	vnetID := parentID(id)
	if s := st.get(id); s != nil && s.Type == TypeSubnet {
		p, _ := prefixesOf(s.Inputs)
		return subnetInfo{id: id, vnetID: vnetID, prefixes: p}, true
	}
	vnet := st.get(vnetID)
	if vnet == nil || vnet.Type != TypeVirtualNetwork {
		return subnetInfo{}, false
	}
	for _, s := range list(vnet.Inputs, "subnets") {
		sm, _ := s.(map[string]any)
		if strings.EqualFold(str(sm, "name"), lastSegment(id)) {
			p, _ := prefixesOf(sm)
			return subnetInfo{id: id, vnetID: vnetID, prefixes: p}, true
		}
	}
	return subnetInfo{}, false
}

// checkSubnetsExist refuses a pool whose node or pod subnet does not exist.
// Subnets outside the simulated subscription are taken on trust.
func checkSubnetsExist(st *store, r *armRequest) *ARMError {
	for _, p := range poolsOf(r) {
		for _, k := range []string{"vnetSubnetID", "podSubnetID"} {
			id := str(p, k)
			if id == "" || id == unknown || !st.simulatesSubnet(id) {
				continue
			}
			if _, ok := lookupSubnet(st, id); !ok {
				return aksError(400, "SubnetNotFound", "", "agentPoolProfile."+k,
					"Could not find subnet %s in vnet %s from resource group %s of subscription %s.",
					lastSegment(id), lastSegment(parentID(id)), resourceGroupName(id), subscriptionOf(id))
			}
		}
	}
	return nil
}

// simulatesSubnet reports whether a subnet ID is in a resource group the
// simulator holds (anything else, a subnet in a real subscription or a
// shared hub, is not judged).
func (st *store) simulatesSubnet(id string) bool {
	return st.get(resourceGroupID(id)) != nil
}

func subscriptionOf(id string) string {
	parts := strings.Split(id, "/")
	if len(parts) > 2 {
		return parts[2]
	}
	return ""
}

// checkPodSubnetVNet refuses a pod subnet in another VNet than the pool's
// node subnet.
func checkPodSubnetVNet(st *store, r *armRequest) *ARMError {
	for _, p := range poolsOf(r) {
		node, pod := str(p, "vnetSubnetID"), str(p, "podSubnetID")
		if node == "" || pod == "" || node == unknown || pod == unknown {
			continue
		}
		if !strings.EqualFold(parentID(node), parentID(pod)) {
			return aksError(400, "BadRequest", "InvalidPodSubnet", "agentPoolProfile.podSubnetID",
				"The pod subnet %s of agent pool '%s' must be in the virtual network of its node subnet (%s).",
				pod, poolName(r, p), parentID(node))
		}
	}
	return nil
}

// clusterVNets are the address spaces of the VNets the cluster's pool
// subnets are in, and those subnets' prefixes, by lower-cased ID.
func clusterVNets(st *store, r *armRequest) (vnets map[string][]netip.Prefix, subnets map[string][]netip.Prefix) {
	vnets, subnets = map[string][]netip.Prefix{}, map[string][]netip.Prefix{}
	for _, p := range effectivePools(st, r) {
		for _, k := range []string{"vnetSubnetID", "podSubnetID"} {
			id := str(p, k)
			if id == "" || id == unknown {
				continue
			}
			if s, ok := lookupSubnet(st, id); ok {
				subnets[strings.ToLower(id)] = s.prefixes
				if v := st.get(s.vnetID); v != nil {
					space, _ := prefixesOf(map[string]any{"addressPrefixes": list(obj(v.Inputs, "addressSpace"), "addressPrefixes")})
					vnets[strings.ToLower(s.vnetID)] = space
				}
			}
		}
	}
	return vnets, subnets
}

func checkPodCIDROverlap(st *store, r *armRequest) *ARMError {
	np := obj(r.inputs, "networkProfile")
	if !strings.EqualFold(str(np, "networkPluginMode"), "overlay") {
		return nil
	}
	pod, err := netip.ParsePrefix(str(np, "podCidr"))
	if err != nil {
		return nil
	}
	vnets, _ := clusterVNets(st, r)
	if space, ok := firstOverlap(vnets, pod); ok {
		return aksError(400, "NetworkProfileCIDROverlapVNET", "", "networkProfile.podCIDR",
			"NetworkProfile CIDR %s overlaps with reserved VNET CIDR %s", pod.Masked(), space)
	}
	return nil
}

// firstOverlap is the first range (by key, then in order) that overlaps p.
func firstOverlap(ranges map[string][]netip.Prefix, p netip.Prefix) (netip.Prefix, bool) {
	for _, id := range sortedKeys(ranges) {
		for _, r := range ranges[id] {
			if r.Overlaps(p) {
				return r, true
			}
		}
	}
	return netip.Prefix{}, false
}

func checkServiceCIDROverlap(st *store, r *armRequest) *ARMError {
	svc, err := netip.ParsePrefix(str(obj(r.inputs, "networkProfile"), "serviceCidr"))
	if err != nil {
		return nil
	}
	_, subnets := clusterVNets(st, r)
	if s, ok := firstOverlap(subnets, svc); ok {
		return aksError(400, "ServiceCidrOverlapExistingSubnetsCidr", "", "networkProfile.serviceCIDR",
			"The specified service CIDR %s is conflicted with an existing subnet CIDR %s", svc.Masked(), s)
	}
	return nil
}

func checkDNSServiceIP(st *store, r *armRequest) *ARMError {
	np := obj(r.inputs, "networkProfile")
	raw := str(np, "dnsServiceIP")
	if raw == "" || raw == unknown {
		return nil
	}
	svc, err := netip.ParsePrefix(str(np, "serviceCidr"))
	if err != nil {
		return nil
	}
	svc = svc.Masked()
	ip, err := netip.ParseAddr(raw)
	if err == nil && svc.Contains(ip) && ip != svc.Addr() {
		return nil
	}
	return aksError(400, "BadRequest", "InvalidDNSServiceIP", "networkProfile.dnsServiceIP",
		"The DNS service IP %s must be an address inside the service CIDR %s other than its network address.", raw, svc)
}

// checkSubnetSizes refuses a cluster whose pools cannot fit their subnets
// at their maximum size plus surge, the way AKS pre-allocates: node subnet
// mode needs (nodes) x (maxPods + 1) addresses, the other modes one address
// per node in the node subnet; overlay needs a /24 of the pod CIDR per
// node; a dynamic pod subnet 16 addresses per node. Azure keeps 5 addresses
// of every subnet.
func checkSubnetSizes(st *store, r *armRequest) *ARMError {
	np := clusterNetwork(st, r)
	overlay := strings.EqualFold(str(np, "networkPluginMode"), "overlay")
	need := map[string]int64{}
	var podCIDRNeed int64
	for _, p := range effectivePools(st, r) {
		nodes := poolNodes(p)
		node, pod := strings.ToLower(str(p, "vnetSubnetID")), strings.ToLower(str(p, "podSubnetID"))
		maxPods := int64(defaultMaxPods(p, np))
		switch {
		case overlay:
			need[node] += nodes
			podCIDRNeed += nodes * 256
		case pod != "":
			need[node] += nodes
			need[pod] += nodes * 16
		default:
			need[node] += nodes * (maxPods + 1)
		}
	}
	for _, id := range sortedKeys(need) {
		if id == "" || id == strings.ToLower(unknown) {
			continue
		}
		s, ok := lookupSubnet(st, id)
		if !ok || len(s.prefixes) == 0 {
			continue
		}
		var available int64
		for _, p := range s.prefixes {
			available += int64(1)<<(32-p.Bits()) - 5
		}
		if need[id] > available {
			return insufficient(need[id], available, s.prefixes[0].String(), lastSegment(s.id), "agentPoolProfile.count")
		}
	}
	if overlay && podCIDRNeed > 0 {
		if pod, err := netip.ParsePrefix(str(np, "podCidr")); err == nil {
			available := int64(1) << (32 - pod.Bits())
			if podCIDRNeed > available {
				return insufficient(podCIDRNeed, available, pod.Masked().String(), "networkProfile.podCIDR", "networkProfile.podCIDR")
			}
		}
	}
	return nil
}

func insufficient(need, available int64, cidr, name, target string) *ARMError {
	return aksError(400, "InsufficientSubnetSize", "", target,
		"Pre-allocated IPs %d exceeds IPs available %d in Subnet Cidr %s, Subnet Name %s. If Autoscaler is enabled, the max-count from each nodepool is counted towards this total (which means that pre-allocated IPs count represents a theoretical max value, not the actual number of IPs requested). http://aka.ms/aks/insufficientsubnetsize",
		need, available, cidr, name)
}

// poolNodes is a pool's node count for IP planning: the autoscaler's max
// (or the count), plus the upgrade surge (maxSurge, AKS's default 10%:
// REST spec AgentPoolUpgradeSettings.maxSurge).
func poolNodes(p map[string]any) int64 {
	n, _ := p["count"].(float64)
	if truthy(p, "enableAutoScaling") {
		if m, ok := p["maxCount"].(float64); ok {
			n = m
		}
	}
	if n <= 0 {
		n = 1
	}
	surge := str(obj(p, "upgradeSettings"), "maxSurge")
	if surge == "" {
		surge = "10%"
	}
	var extra float64
	if pct, ok := strings.CutSuffix(surge, "%"); ok {
		v, _ := strconv.ParseFloat(pct, 64)
		extra = math.Ceil(n * v / 100)
	} else {
		v, _ := strconv.ParseFloat(surge, 64)
		extra = v
	}
	return int64(n + extra)
}

// defaultMaxPods is a pool's maxPods, or AKS's default for the mode (30 for
// Azure CNI node subnet, 250 for overlay and pod subnet).
func defaultMaxPods(p, clusterNP map[string]any) float64 {
	if v, ok := p["maxPods"].(float64); ok {
		return v
	}
	if strings.EqualFold(str(clusterNP, "networkPluginMode"), "overlay") || str(p, "podSubnetID") != "" {
		return 250
	}
	return 30
}

// clusterNetwork is the networkProfile that governs r: the request's own for
// a cluster, the parent cluster's for an agent pool.
func clusterNetwork(st *store, r *armRequest) map[string]any {
	if r.spec.token == TypeManagedCluster {
		return obj(r.inputs, "networkProfile")
	}
	if cluster := st.get(parentID(r.id)); cluster != nil {
		return obj(cluster.Inputs, "networkProfile")
	}
	return nil
}

// poolsOf is the agent pools in r: a cluster's inline pools, or the pool.
func poolsOf(r *armRequest) []map[string]any {
	if r.spec.token == TypeAgentPool {
		if r.inputs == nil {
			return nil
		}
		return []map[string]any{r.inputs}
	}
	var out []map[string]any
	for _, p := range list(r.inputs, "agentPoolProfiles") {
		if m, ok := p.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// effectivePools is every pool the cluster has once r is applied: for a
// cluster its inline pools (the request's, plus kept ones) and its agent
// pool resources; for an agent pool, the cluster's other pools and this one.
func effectivePools(st *store, r *armRequest) []map[string]any {
	clusterID := r.id
	if r.spec.token == TypeAgentPool {
		clusterID = parentID(r.id)
	}
	var inline []any
	external := map[string]map[string]any{}
	if r.spec.token == TypeManagedCluster {
		var req []any
		req, external = splitPools(st, clusterID, list(r.inputs, "agentPoolProfiles"))
		inline = req
		if r.existing != nil {
			inline = mergePools(list(r.existing.Inputs, "agentPoolProfiles"), req)
		}
	} else if c := st.get(clusterID); c != nil {
		inline = list(c.Inputs, "agentPoolProfiles")
	}
	var out []map[string]any
	for _, p := range inline {
		if m, ok := p.(map[string]any); ok {
			out = append(out, m)
		}
	}
	for _, ap := range agentPoolsOf(st, clusterID) {
		if r.spec.token == TypeAgentPool && strings.EqualFold(ap.ID, r.id) {
			continue
		}
		if e, ok := external[strings.ToLower(lastSegment(ap.ID))]; ok {
			out = append(out, mergeBody(ap.Inputs, e))
			continue
		}
		out = append(out, ap.Inputs)
	}
	if r.spec.token == TypeAgentPool && r.inputs != nil {
		out = append(out, r.inputs)
	}
	return out
}

func poolName(r *armRequest, p map[string]any) string {
	if r.spec.token == TypeAgentPool {
		return lastSegment(r.id)
	}
	return str(p, "name")
}

// poolsByName indexes pool bodies by lower-cased name.
func poolsByName(pools []any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, p := range pools {
		if m, ok := p.(map[string]any); ok {
			out[strings.ToLower(str(m, "name"))] = m
		}
	}
	return out
}

// subnetRange is one subnet's prefixes, by name.
type subnetRange struct {
	name     string
	prefixes []netip.Prefix
}

// prefixesOf parses addressPrefix and addressPrefixes of a subnet body.
func prefixesOf(m map[string]any) ([]netip.Prefix, *ARMError) {
	var raw []string
	if p := str(m, "addressPrefix"); p != "" {
		raw = append(raw, p)
	}
	for _, p := range list(m, "addressPrefixes") {
		if s, ok := p.(string); ok {
			raw = append(raw, s)
		}
	}
	out := make([]netip.Prefix, 0, len(raw))
	for _, s := range raw {
		if s == unknown {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, armError(400, "InvalidAddressPrefixFormat", "Address prefix %s does not have a valid format.", s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// checkSubnetRanges refuses subnets outside their VNet's address space or
// overlapping another subnet of the same VNet (ARM's NetcfgSubnetRange*).
func checkSubnetRanges(st *store, r *armRequest) *ARMError {
	var vnetName string
	var space []netip.Prefix
	var existing, proposed []subnetRange
	switch r.spec.token {
	case TypeVirtualNetwork:
		vnetName = lastSegment(r.id)
		var err *ARMError
		if space, err = prefixesOf(map[string]any{"addressPrefixes": list(obj(r.inputs, "addressSpace"), "addressPrefixes")}); err != nil {
			return err
		}
		for _, s := range list(r.inputs, "subnets") {
			sm, _ := s.(map[string]any)
			p, err := prefixesOf(sm)
			if err != nil {
				return err
			}
			proposed = append(proposed, subnetRange{str(sm, "name"), p})
		}
		// Standalone subnets of this VNet stay when the VNet is updated.
		for _, c := range st.children(r.id) {
			p, _ := prefixesOf(c.Inputs)
			existing = append(existing, subnetRange{lastSegment(c.ID), p})
		}
	case TypeSubnet:
		vnetID := parentID(r.id)
		vnet := st.get(vnetID)
		if vnet == nil {
			return nil // the parent rule answers
		}
		vnetName = lastSegment(vnetID)
		space, _ = prefixesOf(map[string]any{"addressPrefixes": list(obj(vnet.Inputs, "addressSpace"), "addressPrefixes")})
		p, err := prefixesOf(r.inputs)
		if err != nil {
			return err
		}
		proposed = []subnetRange{{lastSegment(r.id), p}}
		for _, s := range list(vnet.Inputs, "subnets") {
			sm, _ := s.(map[string]any)
			p, _ := prefixesOf(sm)
			existing = append(existing, subnetRange{str(sm, "name"), p})
		}
		for _, c := range st.children(vnetID) {
			p, _ := prefixesOf(c.Inputs)
			existing = append(existing, subnetRange{lastSegment(c.ID), p})
		}
	}
	for i, s := range proposed {
		for _, p := range s.prefixes {
			if len(space) > 0 && !within(p, space) {
				return armError(400, "NetcfgSubnetRangeOutsideVnet",
					"Subnet '%s' is not valid because its IP address range is outside the IP address range of virtual network '%s'.", s.name, vnetName)
			}
		}
		others := append(slices.Clone(proposed[:i]), existing...)
		for _, o := range others {
			if strings.EqualFold(o.name, s.name) {
				continue
			}
			if overlaps(s.prefixes, o.prefixes) {
				return armError(400, "NetcfgSubnetRangesOverlap",
					"Subnet '%s' is not valid because its IP address range overlaps with that of an existing subnet in virtual network '%s'.", s.name, vnetName)
			}
		}
	}
	return nil
}

func within(p netip.Prefix, space []netip.Prefix) bool {
	for _, s := range space {
		if s.Bits() <= p.Bits() && s.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

func overlaps(a, b []netip.Prefix) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Overlaps(y) {
				return true
			}
		}
	}
	return false
}

// checkPrefixInUse refuses an update that removes an address prefix from a
// subnet an agent pool uses (a prefix may be added).
func checkPrefixInUse(st *store, r *armRequest) *ARMError {
	if r.existing == nil {
		return nil
	}
	type change struct {
		id       string
		old, new []netip.Prefix
	}
	var changes []change
	switch r.spec.token {
	case TypeSubnet:
		o, _ := prefixesOf(r.existing.Inputs)
		n, _ := prefixesOf(r.inputs)
		changes = append(changes, change{r.id, o, n})
	case TypeVirtualNetwork:
		newSubnets := map[string]map[string]any{}
		for _, s := range list(r.inputs, "subnets") {
			sm, _ := s.(map[string]any)
			newSubnets[strings.ToLower(str(sm, "name"))] = sm
		}
		for _, s := range list(r.existing.Inputs, "subnets") {
			sm, _ := s.(map[string]any)
			ns, ok := newSubnets[strings.ToLower(str(sm, "name"))]
			if !ok {
				continue // a dropped subnet: checkSubnetInUse answers
			}
			o, _ := prefixesOf(sm)
			n, _ := prefixesOf(ns)
			changes = append(changes, change{r.id + "/subnets/" + str(sm, "name"), o, n})
		}
	}
	users := subnetUsers(st)
	for _, c := range changes {
		used := false
		for _, u := range users {
			if strings.EqualFold(u.subnetID, c.id) {
				used = true
			}
		}
		if !used {
			continue
		}
		for _, p := range c.old {
			if !slices.Contains(c.new, p) {
				return armError(400, "InUsePrefixCannotBeDeleted",
					"IpPrefix %s on Subnet %s has active allocations and cannot be deleted.", p, lastSegment(c.id))
			}
		}
	}
	return nil
}

// checkSubnetInUse refuses to delete a subnet (alone, with its VNet, or by
// dropping it from a VNet's inline subnets) while an agent pool uses it.
func checkSubnetInUse(st *store, r *armRequest) *ARMError {
	var gone []string // IDs of the subnets that would disappear
	switch {
	case r.spec.token == TypeSubnet && r.op == OpDelete:
		gone = []string{r.id}
	case r.spec.token == TypeVirtualNetwork && r.op == OpDelete:
		gone = []string{r.id + "/subnets/"}
	case r.spec.token == TypeVirtualNetwork:
		old := st.get(r.id)
		if old == nil {
			return nil
		}
		keep := map[string]bool{}
		for _, s := range list(r.inputs, "subnets") {
			sm, _ := s.(map[string]any)
			keep[strings.ToLower(str(sm, "name"))] = true
		}
		for _, s := range list(old.Inputs, "subnets") {
			sm, _ := s.(map[string]any)
			if !keep[strings.ToLower(str(sm, "name"))] {
				gone = append(gone, r.id+"/subnets/"+str(sm, "name"))
			}
		}
	default:
		return nil
	}
	for _, user := range subnetUsers(st) {
		for _, g := range gone {
			sub := strings.ToLower(user.subnetID)
			g = strings.ToLower(g)
			if sub == g || (strings.HasSuffix(g, "/") && strings.HasPrefix(sub, g)) {
				return armError(409, "InUseSubnetCannotBeDeleted",
					"Subnet %s is in use by %s and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.",
					lastSegment(user.subnetID), user.by)
			}
		}
	}
	return nil
}

type subnetUser struct{ subnetID, by string }

// subnetUsers lists every subnet an agent pool references (inline cluster
// pools and AgentPool resources, node and pod subnets).
func subnetUsers(st *store) []subnetUser {
	var out []subnetUser
	add := func(by string, p map[string]any) {
		for _, k := range []string{"vnetSubnetID", "podSubnetID"} {
			if id := str(p, k); id != "" {
				out = append(out, subnetUser{id, by})
			}
		}
	}
	for _, r := range st.all() {
		switch r.Type {
		case TypeManagedCluster:
			for _, p := range list(r.Inputs, "agentPoolProfiles") {
				if pm, ok := p.(map[string]any); ok {
					add(r.ID+"/agentPools/"+str(pm, "name"), pm)
				}
			}
		case TypeAgentPool:
			add(r.ID, r.Inputs)
		}
	}
	return out
}

// agentPoolsOf is the AgentPool resources of a cluster, in creation order.
func agentPoolsOf(st *store, clusterID string) []*Resource {
	var out []*Resource
	for _, c := range st.children(clusterID) {
		if c.Type == TypeAgentPool {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b *Resource) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.ID), strings.ToLower(b.ID))
	})
	return out
}

// mergePools is a cluster's inline pools after a managed cluster PUT: the
// old pools in their order with those the request names replaced; pools the
// request omits are kept (AKS does not delete a pool left out of a PUT:
// pulumi/pulumi-azure-native#579, #1686). Pools the request names that the
// cluster lacks are refused before (checkNoNewPool) except on create.
func mergePools(old, req []any) []any {
	byName := poolsByName(req)
	out := make([]any, 0, len(old))
	seen := map[string]bool{}
	for _, p := range old {
		pm, ok := p.(map[string]any)
		if !ok {
			continue
		}
		name := strings.ToLower(str(pm, "name"))
		seen[name] = true
		if n, ok := byName[name]; ok {
			out = append(out, n)
		} else {
			out = append(out, pm)
		}
	}
	for _, p := range req {
		if pm, ok := p.(map[string]any); ok && !seen[strings.ToLower(str(pm, "name"))] {
			out = append(out, pm)
		}
	}
	return out
}

// splitPools splits the agentPoolProfiles of a cluster PUT into the inline
// pools and the entries that name the cluster's AgentPool resources (by
// lower-cased name): a GET lists every pool, so a PUT built from one carries
// them all (pulumi/pulumi-azure-native#2719).
func splitPools(st *store, clusterID string, req []any) (inline []any, external map[string]map[string]any) {
	resources := map[string]bool{}
	for _, ap := range agentPoolsOf(st, clusterID) {
		resources[strings.ToLower(lastSegment(ap.ID))] = true
	}
	external = map[string]map[string]any{}
	for _, p := range req {
		pm, ok := p.(map[string]any)
		if !ok {
			continue
		}
		if name := strings.ToLower(str(pm, "name")); resources[name] {
			external[name] = pm
			continue
		}
		inline = append(inline, pm)
	}
	return inline, external
}

// mergeBody is a pool body with the writable fields of a cluster PUT's
// entry for it applied (name, type and read-only fields are not).
func mergeBody(body, entry map[string]any) map[string]any {
	out := cloneMap(body)
	for k, v := range entry {
		if k == "name" || k == "type" || readOnlyPoolFields[k] {
			continue
		}
		out[k] = clone(v)
	}
	return out
}

// describeRules lists every rule with its source, for docs and tests.
func describeRules() []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = fmt.Sprintf("%s: %s", r.name, r.source)
	}
	return out
}
