package spec

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// OSDiskType is a pool's OS disk type (agentPoolProfile.osDiskType).
type OSDiskType string

// The OS disk types.
const (
	// OSDiskEphemeral: the OS disk lives on the VM's local (temp) storage:
	// faster node start, scale and reimage, no disk cost; it needs a VM size
	// whose local storage holds the OS disk.
	OSDiskEphemeral OSDiskType = "Ephemeral"
	// OSDiskManaged: a managed disk (Premium SSD), replicated to Azure Storage.
	OSDiskManaged OSDiskType = "Managed"
)

// OSDiskTypes are the valid OS disk types.
var OSDiskTypes = []OSDiskType{OSDiskEphemeral, OSDiskManaged}

// Limits of nodes, pools and API server access. Source: AKS docs,
// "Quotas, virtual machine size restrictions, and region availability in
// AKS" (quotas-skus-regions), service quotas and limits: 1,000 nodes per
// node pool, 100 node pools per cluster, 5,000 nodes per cluster (default
// quota 1,000; more needs a quota increase; 1,000 on the Free tier, see
// SKU.MaxNodes), 250 pods per node with Azure
// CNI; and "API server authorized IP ranges" (up to 200 ranges, not with
// private clusters). OS disks: API 2024-10-01 osDiskSizeGB maxValue 2048;
// AKS's minimum is 30 GB ("the minimum value is 30 GB", AKS docs:
// node-auto-provisioning-aksnodeclass), its default 128 GB ("The default node
// OS disk configuration in AKS uses 128 GB", AKS docs: create-node-pools).
// The node resource group name is at most 80 characters (ARM:
// "InvalidParameter: The length of the node resource group name is too
// long. The maximum length is 80", quoted in rancher/rancher#21264 and
// Azure-Terraform/terraform-azurerm-kubernetes#33).
const (
	MaxPoolsPerCluster         = 100
	DefaultNodesPerClusterCap  = 1000
	MaxAuthorizedIPRanges      = 200
	MinOSDiskSizeGB            = 30
	MaxOSDiskSizeGB            = 2048
	DefaultOSDiskSizeGB        = 128
	MaxNodeResourceGroupLength = 80
	// FreeTierRecommendedNodes: "Recommended node limit of 10 nodes per
	// cluster" on the Free tier (the same page); a recommendation, not a limit.
	FreeTierRecommendedNodes = 10
)

// osSKUVersions are the Kubernetes minors each versioned OS SKU supports
// and the OS release a SKU gives on a minor. AKS docs, upgrade-os-version
// (2026-08): Ubuntu2404 "supported in Kubernetes 1.32 to 1.38"; Ubuntu2204
// "1.25 to 1.36"; AzureLinux3 "1.28 to 1.36"; Ubuntu is 22.04 on 1.25 to 1.34
// and 24.04 on 1.35 and later; AzureLinux is Azure Linux 3.0 on 1.32 and
// later (2.0 before).
var osSKUVersions = map[string]struct{ min, max string }{
	"Ubuntu2404":  {"1.32", "1.38"},
	"Ubuntu2204":  {"1.25", "1.36"},
	"AzureLinux3": {"1.28", "1.36"},
}

// NodeOS is the OS release a pool runs on a Kubernetes version: "Azure
// Linux 3.0", "Ubuntu 24.04", ...
func NodeOS(osSKU string, k KubernetesVersion) string {
	switch osSKU {
	case "AzureLinux":
		if k.AtLeast("1.32") {
			return "Azure Linux 3.0"
		}
		return "Azure Linux 2.0"
	case "AzureLinux3":
		return "Azure Linux 3.0"
	case "Ubuntu":
		if k.AtLeast("1.35") {
			return "Ubuntu 24.04"
		}
		return "Ubuntu 22.04"
	case "Ubuntu2404":
		return "Ubuntu 24.04"
	case "Ubuntu2204":
		return "Ubuntu 22.04"
	}
	return osSKU
}

// validateOSSKUVersion refuses a versioned OS SKU outside its minors.
func validateOSSKUVersion(p NodePool, k8s *KubernetesVersion, path *field.Path) field.ErrorList {
	r, ok := osSKUVersions[p.OSSKU]
	if !ok || k8s == nil || k8s.NewerThanTable {
		return nil
	}
	if !k8s.AtLeast(r.min) || k8s.AtLeast(nextMinor(r.max)) {
		return field.ErrorList{CodeOSSKUVersion.Invalid(path.Child("osSku"), p.OSSKU, fmt.Sprintf(
			"%s is supported on Kubernetes %s to %s (AKS docs: upgrade-os-version), the cluster runs %s; use Ubuntu or AzureLinux, which follow the Kubernetes version",
			p.OSSKU, r.min, r.max, k8s.Minor))}
	}
	return nil
}

// nextMinor is "1.39" for "1.38".
func nextMinor(minor string) string {
	var maj, mn int
	fmt.Sscanf(minor, "%d.%d", &maj, &mn)
	return fmt.Sprintf("%d.%d", maj, mn+1)
}

// validateOSDisk checks a pool's OS disk type and size, and that an
// ephemeral OS disk fits the VM size's local storage (vmSizes).
func validateOSDisk(p NodePool, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	tp, sp := path.Child("osDiskType"), path.Child("osDiskSizeGB")
	if p.OSDiskType != "" && !slices.Contains(OSDiskTypes, p.OSDiskType) {
		errs = append(errs, CodeOSDisk.NotSupported(tp, p.OSDiskType, names(OSDiskTypes)))
	}
	if p.OSDiskSizeGB != 0 && (p.OSDiskSizeGB < MinOSDiskSizeGB || p.OSDiskSizeGB > MaxOSDiskSizeGB) {
		errs = append(errs, CodeOSDisk.Invalid(sp, p.OSDiskSizeGB, fmt.Sprintf("must be %d to %d GB (0 or unset: AKS's default)", MinOSDiskSizeGB, MaxOSDiskSizeGB)))
	}
	if p.OSDiskType != OSDiskEphemeral || p.VMSize == "" {
		return errs
	}
	st, known := LookupVMStorage(p.VMSize)
	switch {
	case !known:
		// Not in the table: AKS checks it when the pool is created.
	case st.TempGiB == 0:
		errs = append(errs, CodeEphemeralOSDisk.Invalid(tp, p.OSDiskType, fmt.Sprintf(
			"VM size %s has no local (temp) storage, so it cannot hold an ephemeral OS disk; use a size with local storage (the 'd' sizes, such as %s) or osDiskType %s",
			p.VMSize, withLocalStorage(p.VMSize), OSDiskManaged)))
	case p.OSDiskSizeGB > st.TempGiB:
		errs = append(errs, CodeEphemeralOSDisk.Invalid(sp, p.OSDiskSizeGB, fmt.Sprintf(
			"an ephemeral OS disk must fit VM size %s's %d GiB of temp storage; set osDiskSizeGB to at most %d, use a larger size, or osDiskType %s",
			p.VMSize, st.TempGiB, st.TempGiB, OSDiskManaged)))
	case p.OSDiskSizeGB == 0 && st.TempGiB < DefaultOSDiskSizeGB:
		errs = append(errs, CodeEphemeralOSDisk.Required(sp, fmt.Sprintf(
			"VM size %s has %d GiB of temp storage, less than AKS's default OS disk of %d GB; set osDiskSizeGB to at most %d for an ephemeral OS disk, or use osDiskType %s",
			p.VMSize, st.TempGiB, DefaultOSDiskSizeGB, st.TempGiB, OSDiskManaged)))
	}
	return errs
}

// withLocalStorage suggests the local-storage sibling of a size:
// Standard_D4s_v5 -> Standard_D4ds_v5.
func withLocalStorage(vmSize string) string {
	lower := strings.ToLower(vmSize)
	if i := strings.Index(lower, "s_v"); i > 0 {
		candidate := vmSize[:i] + "ds" + vmSize[i+1:]
		if _, ok := LookupVMStorage(candidate); ok {
			return candidate
		}
	}
	return "Standard_D4ds_v5"
}

// OSDisk says a pool's OS disk as AKS will make it: "Ephemeral 150 GiB",
// "Managed 128 GB", or "AKS default (ephemeral if ...)" for an unset type.
func (p NodePool) OSDisk() string {
	size := func(def string) string {
		if p.OSDiskSizeGB > 0 {
			return fmt.Sprintf("%d GB", p.OSDiskSizeGB)
		}
		return def
	}
	switch p.OSDiskType {
	case OSDiskManaged:
		return "Managed " + size("(AKS's size for the VM's vCPUs)")
	case OSDiskEphemeral:
		if st, ok := LookupVMStorage(p.VMSize); ok && p.OSDiskSizeGB == 0 {
			return fmt.Sprintf("Ephemeral %d GiB (the VM's temp storage)", st.TempGiB)
		}
		return "Ephemeral " + size("(AKS's size)")
	}
	if st, ok := LookupVMStorage(p.VMSize); ok {
		switch {
		case p.OSDiskSizeGB == 0 && st.TempGiB >= DefaultOSDiskSizeGB:
			return fmt.Sprintf("AKS default: Ephemeral %d GiB (the VM's temp storage)", st.TempGiB)
		case p.OSDiskSizeGB > 0 && st.TempGiB >= p.OSDiskSizeGB:
			return fmt.Sprintf("AKS default: Ephemeral %d GB", p.OSDiskSizeGB)
		}
		return "AKS default: Managed " + size(fmt.Sprintf("%d GB", DefaultOSDiskSizeGB))
	}
	return "AKS default for " + p.VMSize + " (not in the VM size table)"
}

// DefaultNodeResourceGroup is the name AKS gives the node resource group
// when the spec sets none: MC_<resource group>_<cluster>_<location> (AKS
// FAQ, "Why are two resource groups created with AKS?").
func (c Cluster) DefaultNodeResourceGroup() string {
	return fmt.Sprintf("MC_%s_%s_%s", c.ResourceGroup.Name, c.Name, c.Location)
}

// EffectiveNodeResourceGroup is the spec's node resource group or AKS's default name.
func (c Cluster) EffectiveNodeResourceGroup() string {
	if c.NodeResourceGroup != "" {
		return c.NodeResourceGroup
	}
	return c.DefaultNodeResourceGroup()
}

// validateNodeResourceGroup checks the node resource group's name: a
// resource group name AKS creates (not an existing group: "you can't
// specify an existing resource group for the node resource group", AKS FAQ),
// at most 80 characters, the default name included.
func validateNodeResourceGroup(c Cluster) field.ErrorList {
	p := field.NewPath("nodeResourceGroup")
	name := c.EffectiveNodeResourceGroup()
	if c.NodeResourceGroup == "" {
		if len(name) > MaxNodeResourceGroupLength && c.Name != "" && c.ResourceGroup.Name != "" {
			return field.ErrorList{CodeNodeResourceGroup.Required(p, fmt.Sprintf(
				"AKS's default node resource group name %s has %d characters, more than AKS's %d; set nodeResourceGroup to a shorter name, or shorten the cluster or resource group name",
				show(name), len(name), MaxNodeResourceGroupLength))}
		}
		return nil
	}
	var errs field.ErrorList
	if !resourceGroupRE.MatchString(name) {
		errs = append(errs, CodeNodeResourceGroup.Invalid(p, name, "must be letters, digits, '-', '_', '.', '(' or ')', not ending with '.'"))
	}
	if len(name) > MaxNodeResourceGroupLength {
		errs = append(errs, CodeNodeResourceGroup.TooLong(p, name, MaxNodeResourceGroupLength, fmt.Sprintf("AKS allows at most %d characters (InvalidParameter: the length of the node resource group name is too long)", MaxNodeResourceGroupLength)))
	}
	if strings.EqualFold(name, c.ResourceGroup.Name) {
		errs = append(errs, CodeNodeResourceGroup.Invalid(p, name, "is the cluster's own resource group; AKS creates the node resource group and cannot use an existing one"))
	}
	return errs
}

// validateLimits checks the cluster-wide limits AKS states: pools per
// cluster, nodes per cluster, authorized IP ranges.
func validateLimits(c Cluster) field.ErrorList {
	var errs field.ErrorList
	if pools := 1 + len(c.UserPools); pools > MaxPoolsPerCluster {
		errs = append(errs, CodePoolsPerCluster.TooMany(field.NewPath("userPools"), pools-1, MaxPoolsPerCluster-1,
			fmt.Sprintf("AKS allows %d node pools per cluster, the system pool included", MaxPoolsPerCluster)))
	}
	total := 0
	for _, p := range c.Pools() {
		total += p.MaxNodes()
	}
	if max := c.SKU.MaxNodes(); total > max {
		hint := "lower the pools' maximums or split the workloads across clusters"
		if c.SKU.Tier == TierFree && total <= MaxNodesPerCluster {
			hint = fmt.Sprintf("set sku.tier %s (up to %d nodes), or lower the pools' maximums", TierStandard, MaxNodesPerCluster)
		}
		errs = append(errs, CodeNodesPerCluster.Invalid(field.NewPath("userPools"), fmt.Sprintf("%d nodes", total), fmt.Sprintf(
			"the pools reach %d nodes at their maximum, more than AKS's %d per cluster on the %s tier; %s", total, max, c.SKU.Tier, hint)))
	}
	if n := len(c.Security.AuthorizedIPRanges); n > MaxAuthorizedIPRanges {
		errs = append(errs, CodeAuthorizedIPRangeCount.TooMany(field.NewPath("security", "authorizedIpRanges"), n, MaxAuthorizedIPRanges,
			fmt.Sprintf("AKS allows %d authorized IP ranges; API server VNet integration allows 2,000", MaxAuthorizedIPRanges)))
	}
	return errs
}
