package azuresim

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// The production resources aks-cilium's components create beside the
// cluster (components/egress.go, maintenance.go), as the azure-native
// 2.88.0 Go SDK registers them.
const (
	// TypeNatGateway is a NAT gateway (network/v2, API 2024-05-01).
	TypeNatGateway = "azure-native:network:NatGateway"
	// TypePublicIPAddress is a public IP of a NAT gateway (network/v2).
	TypePublicIPAddress = "azure-native:network:PublicIPAddress"
	// TypeRouteTable is a route table (network/v2): the user's, for
	// outboundType userDefinedRouting; tests create one.
	TypeRouteTable = "azure-native:network:RouteTable"
	// TypeMaintenanceConfiguration is a cluster's planned maintenance
	// window (containerservice/v2/v20241001).
	TypeMaintenanceConfiguration = "azure-native:containerservice/v20241001:MaintenanceConfiguration"
	// TypeUserAssignedIdentity is a user-assigned managed identity. The
	// provider does not serve it (the managedidentity SDK is not available
	// to aks-cilium): identities exist in the simulated directory through
	// AddUserAssignedIdentity, as they exist in Azure before the cluster.
	TypeUserAssignedIdentity = "azure-native:managedidentity:UserAssignedIdentity"
)

// productionTypes join resourceTypes (init). Their forceNew lists are
// azure-native v2's (location for the network types: provider/pkg/
// provider/diff.go force-new on location for tracked resources); a
// MaintenanceConfiguration has only its path parameters.
var productionTypes = []*typeSpec{
	{
		token:       TypeNatGateway,
		armType:     "Microsoft.Network/natGateways",
		path:        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/natGateways/{natGatewayName}",
		forceNew:    []string{"location"},
		hasLocation: true,
		outputs:     natGatewayOutputs,
	},
	{
		token:       TypePublicIPAddress,
		armType:     "Microsoft.Network/publicIPAddresses",
		path:        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/publicIPAddresses/{publicIpAddressName}",
		forceNew:    []string{"location"},
		hasLocation: true,
		outputs:     publicIPOutputs,
	},
	{
		token:       TypeRouteTable,
		armType:     "Microsoft.Network/routeTables",
		path:        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/routeTables/{routeTableName}",
		forceNew:    []string{"location"},
		hasLocation: true,
		outputs:     routeTableOutputs,
	},
	{
		token:    TypeMaintenanceConfiguration,
		armType:  "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
		path:     "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/maintenanceConfigurations/{configName}",
		forceNew: []string{},
		parent:   TypeManagedCluster,
		outputs:  func(c *outputCtx, out map[string]any) {},
	},
}

func init() {
	for _, t := range productionTypes {
		resourceTypes[t.token] = t
	}
	rules = append(rules, productionRules...)
}

func natGatewayOutputs(c *outputCtx, out map[string]any) {
	out["provisioningState"] = "Succeeded"
	out["resourceGuid"] = guid("natgw", strings.ToLower(c.id))
	out["etag"] = etag(c.id)
	if _, ok := out["idleTimeoutInMinutes"]; !ok {
		out["idleTimeoutInMinutes"] = 4.0 // ARM's default
	}
}

func publicIPOutputs(c *outputCtx, out map[string]any) {
	out["provisioningState"] = "Succeeded"
	out["etag"] = etag(c.id)
	h := hexHash(4, "pip", strings.ToLower(c.id))
	out["ipAddress"] = fmt.Sprintf("20.%d.%d.%d", int(h[0])%200+10, int(h[1])+int(h[2]), int(h[3])%250+1)
	if str(out, "publicIPAllocationMethod") == "" {
		out["publicIPAllocationMethod"] = "Static"
	}
}

func routeTableOutputs(c *outputCtx, out map[string]any) {
	out["provisioningState"] = "Succeeded"
	out["etag"] = etag(c.id)
	var routes []any
	for _, r := range list(c.inputs, "routes") {
		if rm, ok := r.(map[string]any); ok {
			o := cloneMap(rm)
			o["id"] = c.id + "/routes/" + str(rm, "name")
			o["provisioningState"] = "Succeeded"
			routes = append(routes, o)
		}
	}
	if routes != nil {
		out["routes"] = routes
	}
}

// AddUserAssignedIdentity puts a user-assigned managed identity into the
// simulated directory, as one that exists in Azure before the cluster
// does: a cluster may name it (identity.userAssignedIdentities,
// identityProfile.kubeletidentity) and role assignments may grant its
// principal roles. It returns the identity's resource ID.
func (s *Simulator) AddUserAssignedIdentity(resourceID, principalID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.state.sync(); err != nil {
		return err
	}
	if !strings.Contains(strings.ToLower(resourceID), "/providers/microsoft.managedidentity/userassignedidentities/") {
		return fmt.Errorf("azure simulator: %q is not a user-assigned identity ID", resourceID)
	}
	out := map[string]any{"principalId": principalID, "clientId": clientID, "tenantId": s.tenantID(),
		"name": lastSegment(resourceID), "type": "Microsoft.ManagedIdentity/userAssignedIdentities"}
	s.state.put(&Resource{ID: resourceID, Type: TypeUserAssignedIdentity, ARMType: "Microsoft.ManagedIdentity/userAssignedIdentities",
		Name: lastSegment(resourceID), ResourceGroup: resourceGroupName(resourceID), Inputs: map[string]any{}, Outputs: out, Simulated: true})
	s.logf("user-assigned identity %s in the simulated directory", resourceID)
	return s.state.save()
}

// identityOf is a user-assigned identity of the simulated directory, or nil.
func identityOf(lookup func(string) *Resource, id string) *Resource {
	if r := lookup(id); r != nil && r.Type == TypeUserAssignedIdentity {
		return r
	}
	return nil
}

// subnetBody is a subnet as the simulated network holds it: a standalone
// Subnet resource or an inline subnet of its VNet; nil when unknown.
func subnetBody(st *store, id string) map[string]any {
	if r := st.get(id); r != nil && r.Type == TypeSubnet {
		return r.Inputs
	}
	vnet := st.get(parentID(id))
	if vnet == nil || vnet.Type != TypeVirtualNetwork {
		return nil
	}
	for _, s := range list(vnet.Inputs, "subnets") {
		if sm, ok := s.(map[string]any); ok && strings.EqualFold(str(sm, "name"), lastSegment(id)) {
			return sm
		}
	}
	return nil
}

// nodeSubnets are the subnet IDs a cluster request puts its nodes on.
func nodeSubnets(r *armRequest) []string {
	var out []string
	for _, p := range poolsOf(r) {
		if id := str(p, "vnetSubnetID"); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// invalidReference is NRP's answer to a reference to a resource that does
// not exist (AKS troubleshooting, "InvalidResourceReference error code":
// "Resource <id> referenced by resource <id> was not found. Please make sure
// that the referenced resource exists, and that both resources are in the
// same region.").
func invalidReference(ref, by string) *ARMError {
	return armError(400, "InvalidResourceReference",
		"Resource %s referenced by resource %s was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", ref, by)
}

var (
	maintenanceStartRE  = regexp.MustCompile(`^\d{2}:\d{2}$`)
	maintenanceOffsetRE = regexp.MustCompile(`^(-|\+)[0-9]{2}:[0-9]{2}$`)
	maintenanceNames    = []string{"default", "aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"}
)

// productionRules are ARM's rejections of the production settings, in the
// rules table after the base rules (init). Where AKS's exact code or text is
// not public, the answer is InvalidParameter with the simulator's own text,
// and the source says so.
var productionRules = []rule{
	{
		name:   "a maintenance configuration's cluster exists",
		source: "ARM: ParentResourceNotFound (Azure Resource Manager error reference, common deployment errors), as for agent pools",
		types:  []string{TypeMaintenanceConfiguration},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			if st.get(parentID(r.id)) != nil {
				return nil
			}
			return armError(404, "ParentResourceNotFound",
				"Can not perform requested operation on nested resource. Parent resource '%s' not found.", lastSegment(parentID(r.id)))
		},
	},
	{
		name:   "a maintenance configuration is one AKS knows, with a window",
		source: "AKS docs: planned maintenance (three configuration types: default, aksManagedAutoUpgradeSchedule, aksManagedNodeOSUpgradeSchedule; the two aksManaged ones take a maintenanceWindow, timeInWeek and notAllowedTime are the default configuration's). The message is the simulator's",
		types:  []string{TypeMaintenanceConfiguration},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			name := lastSegment(r.id)
			if !slices.Contains(maintenanceNames, name) {
				return aksError(400, "BadRequest", "InvalidParameter", "name",
					"Maintenance configuration name '%s' is not supported; use one of %s.", name, strings.Join(maintenanceNames, ", "))
			}
			if name != "default" && obj(r.inputs, "maintenanceWindow") == nil {
				return aksError(400, "BadRequest", "InvalidParameter", "properties.maintenanceWindow",
					"Maintenance configuration '%s' requires maintenanceWindow.", name)
			}
			return nil
		},
	},
	{
		name:   "a maintenance window is in ARM's ranges",
		source: "REST spec 2024-10-01, MaintenanceWindow and its schedules (Azure/bicep-types-az generated/containerservice_1/microsoft.containerservice/2024-10-01/types.md): durationHours 4 to 24, startTime ^\\d{2}:\\d{2}$, utcOffset ^(-|\\+)[0-9]{2}:[0-9]{2}$, intervalDays 1 to 7, intervalWeeks 1 to 4, dayOfMonth 1 to 31, intervalMonths 1 to 6; AKS docs, planned maintenance: one schedule type per window, all its fields required. The message is the simulator's",
		types:  []string{TypeMaintenanceConfiguration},
		ops:    writes,
		check:  checkMaintenanceWindow,
	},
	{
		name:   "managedNATGateway only on a VNet AKS creates",
		source: "AKS: \"Outbound type is managedNATGateway but agent pool '' is using custom VNet, which is not allowed.\", subcode ManagedNATGatewayWithCustomVNetNotAllowed, target properties.vnetSubnetID (kubernetes-sigs/cluster-api-provider-azure#5429); AKS docs, NAT gateway: a managed NAT gateway is for the VNet AKS creates",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			if str(obj(r.inputs, "networkProfile"), "outboundType") != "managedNATGateway" {
				return nil
			}
			for _, p := range poolsOf(r) {
				if str(p, "vnetSubnetID") != "" {
					return aksError(400, "BadRequest", "ManagedNATGatewayWithCustomVNetNotAllowed", "properties.vnetSubnetID",
						"Outbound type is managedNATGateway but agent pool '%s' is using custom VNet, which is not allowed.", poolName(r, p))
				}
			}
			return nil
		},
	},
	{
		name:   "userAssignedNATGateway needs a NAT gateway on the node subnet",
		source: "AKS docs, NAT gateway: userAssignedNATGateway needs bring-your-own networking with the NAT gateway associated with the subnet before the cluster. The message is the simulator's",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			if str(obj(r.inputs, "networkProfile"), "outboundType") != "userAssignedNATGateway" {
				return nil
			}
			subnets := nodeSubnets(r)
			if len(subnets) == 0 {
				return aksError(400, "BadRequest", "InvalidParameter", "networkProfile.outboundType",
					"Outbound type userAssignedNATGateway requires agent pools on a custom VNet subnet with a NAT gateway.")
			}
			for _, id := range subnets {
				sub := subnetBody(st, id)
				if sub == nil {
					continue // an unknown subnet is the subnet rules' matter
				}
				if str(obj(sub, "natGateway"), "id") == "" {
					return aksError(400, "BadRequest", "InvalidParameter", "networkProfile.outboundType",
						"Outbound type userAssignedNATGateway requires a NAT gateway associated with subnet %s; none is.", id)
				}
			}
			return nil
		},
	},
	{
		name:   "userDefinedRouting needs a route table with a default route to an appliance",
		source: "AKS: 400 ExistingRouteTableNotAssociatedWithSubnet \"An existing route table has not been associated with subnet <id>. Please update the route table association\" (AKS docs, egress with a user-defined route table: the route table must be associated with the subnet before the cluster); RouteTableInvalidNextHop \"Default route 0.0.0.0/0 has a next hop of Internet but only next hops of VirtualAppliance or VirtualNetworkGateway are allowed\" (hashicorp/terraform-provider-azurerm#8609); a route table without a 0.0.0.0/0 route (Azure/AKS#1842) is InvalidParameter with the simulator's message",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check:  checkUDR,
	},
	{
		name:   "a subnet's NAT gateway and route table exist",
		source: "Network: InvalidResourceReference \"Resource <id> referenced by resource <id> was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.\" (AKS troubleshooting: InvalidResourceReference error code)",
		types:  []string{TypeVirtualNetwork, TypeSubnet},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			bodies := []map[string]any{r.inputs}
			if r.spec.token == TypeVirtualNetwork {
				bodies = nil
				for _, s := range list(r.inputs, "subnets") {
					if sm, ok := s.(map[string]any); ok {
						bodies = append(bodies, sm)
					}
				}
			}
			for _, b := range bodies {
				for _, ref := range []string{str(obj(b, "natGateway"), "id"), str(obj(b, "routeTable"), "id")} {
					if ref != "" && st.get(ref) == nil {
						return invalidReference(ref, r.id)
					}
				}
			}
			return nil
		},
	},
	{
		name:   "a NAT gateway is zonal, with 16 public IPs at most",
		source: "AKS docs, NAT gateway: a NAT gateway is zonal (\"can't be used across multiple availability zones\"; ARM refuses zones [\"1\",\"2\"], hashicorp/terraform-provider-azurerm#21696), \"a maximum of 16 IP addresses\", idle timeout 4 to 120 minutes; a public IP that does not exist is InvalidResourceReference. The messages are the simulator's",
		types:  []string{TypeNatGateway},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			if z := list(r.inputs, "zones"); len(z) > 1 {
				return armError(400, "InvalidParameter", "A Standard NAT gateway can be deployed to one availability zone at most; zones has %d.", len(z))
			}
			if n := len(list(r.inputs, "publicIpAddresses")) + len(list(r.inputs, "publicIpPrefixes")); n > 16 {
				return armError(400, "InvalidParameter", "A NAT gateway takes at most 16 public IP addresses; the request has %d.", n)
			}
			if t, ok := r.inputs["idleTimeoutInMinutes"].(float64); ok && (t < 4 || t > 120) {
				return armError(400, "InvalidParameter", "idleTimeoutInMinutes must be 4 to 120, got %v.", t)
			}
			for _, ip := range list(r.inputs, "publicIpAddresses") {
				if ref := str(asMap(ip), "id"); ref != "" && st.get(ref) == nil {
					return invalidReference(ref, r.id)
				}
			}
			return nil
		},
	},
	{
		name:   "long-term support and the Premium tier go together",
		source: "AKS docs, long-term support: \"Enabling LTS requires moving your cluster to the Premium tier and explicitly selecting the LTS support plan\"; pricing tiers: \"When you create a cluster in the Premium tier, you must also enable the LTS plan ... Enable or disable LTS and the Premium tier together\" (MicrosoftDocs/azure-aks-docs articles/aks/free-standard-pricing-tiers.md at fb060abe). The messages are the simulator's",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			tier, plan := str(obj(r.inputs, "sku"), "tier"), str(r.inputs, "supportPlan")
			lts, premium := plan == "AKSLongTermSupport", strings.EqualFold(tier, "Premium")
			switch {
			case lts && !premium:
				return aksError(400, "BadRequest", "InvalidParameter", "properties.supportPlan",
					"Support plan AKSLongTermSupport requires sku.tier Premium; the request has %q.", tier)
			case premium && !lts:
				return aksError(400, "BadRequest", "InvalidParameter", "properties.supportPlan",
					"sku.tier Premium requires support plan AKSLongTermSupport; the request has %q.", plan)
			}
			return nil
		},
	},
	{
		name:   "the node resource group name is at most 80 characters, not the cluster's group",
		source: "AKS: InvalidParameter \"The length of the node resource group name is too long. The maximum length is 80 and the length of the value provided is 89. Please see https://aka.ms/aks-naming-rules for more details.\" (rancher/rancher#21264), for a given name and AKS's default MC_<group>_<cluster>_<location> alike (Azure-Terraform/terraform-azurerm-kubernetes#33); NodeResourceGroupSameAsResourceGroup (AKS error codes; AKS FAQ: the node resource group is not an existing group)",
		types:  []string{TypeManagedCluster},
		ops:    []Op{OpCreate},
		check: func(st *store, r *armRequest) *ARMError {
			name := str(r.inputs, "nodeResourceGroup")
			if name == "" {
				name = fmt.Sprintf("MC_%s_%s_%s", resourceGroupName(r.id), lastSegment(r.id), str(r.inputs, "location"))
			}
			if len(name) > 80 {
				return aksError(400, "InvalidParameter", "", "properties.nodeResourceGroup",
					"The length of the node resource group name is too long. The maximum length is 80 and the length of the value provided is %d. Please see https://aka.ms/aks-naming-rules for more details.", len(name))
			}
			if strings.EqualFold(name, resourceGroupName(r.id)) {
				return aksError(400, "BadRequest", "NodeResourceGroupSameAsResourceGroup", "properties.nodeResourceGroup",
					"The node resource group '%s' cannot be the cluster's resource group.", name)
			}
			return nil
		},
	},
	{
		name:   "a cluster's user-assigned identities exist",
		source: "AKS docs, managed identity: a user-assigned identity must exist before the cluster that uses it; ARM answers a reference to a missing resource with InvalidResourceReference (AKS troubleshooting of that name). The directory's identities are AddUserAssignedIdentity's",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check: func(st *store, r *armRequest) *ARMError {
			for _, id := range clusterIdentities(r.inputs) {
				if identityOf(st.get, id) == nil && !strings.EqualFold(id, currentKubelet(r)) {
					return invalidReference(id, r.id)
				}
			}
			return nil
		},
	},
	{
		name:   "a kubelet identity needs a user-assigned control plane with Managed Identity Operator on it",
		source: "AKS: CustomKubeletIdentityOnlySupportedOnUserAssignedMSICluster, and CustomKubeletIdentityMissingPermissionError \"The cluster using user-assigned managed identity must be granted 'Managed Identity Operator' role to assign kubelet identity. You can run 'az role assignment create --assignee <control-plane-identity-principal-id> --role 'Managed Identity Operator' --scope <kubelet-identity-resource-id>' to grant the permission.\" (AKS docs, managed identity: use a pre-created kubelet identity; the error codes of the AKS troubleshooting docs)",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check:  checkKubeletIdentity,
	},
	{
		name:   "eBPF host routing needs Cilium, ACNS, Kubernetes 1.33 and Azure Linux 3.0 or Ubuntu 24.04 on every pool",
		source: "REST spec 2026-01-01, AdvancedNetworkingPerformance.accelerationMode: \"This can be enabled only with Cilium dataplane\" (Azure/bicep-types-az generated/containerservice_1/microsoft.containerservice/2026-01-01/types.md); AKS docs, how-to-enable-ebpf-host-routing, requirements: Kubernetes \"1.33 or later\", node OS \"Azure Linux 3.0 or Ubuntu 24.04\", an ACNS cluster; container-network-performance-ebpf-host-routing, limitations (\"incompatible with nodes running OSes other than Ubuntu 24.04, or Azure Linux 3.0\"). The code and message are the simulator's",
		types:  aks,
		ops:    writes,
		check:  checkBpfVeth,
	},
	{
		name:   "WireGuard transit encryption needs Cilium and ACNS",
		source: "REST spec 2026-01-01, AdvancedNetworkingSecurityTransitEncryption.type: \"This can be enabled only on Cilium-based clusters\" (Azure/bicep-types-az generated/containerservice_1/microsoft.containerservice/2026-01-01/types.md); AKS docs, how-to-apply-wireguard: an ACNS feature. WireGuard \"isn't FIPS compliant\" (container-network-security-wireguard-encryption-concepts) is a warning there, not a refusal, so the simulator does not refuse FIPS pools. The code and message are the simulator's",
		types:  []string{TypeManagedCluster},
		ops:    writes,
		check:  checkWireGuard,
	},
}

// currentKubelet is the kubelet identity the cluster has before r ("" for
// a create): a PUT built from a GET sends it back, which ARM takes.
func currentKubelet(r *armRequest) string {
	if r.existing == nil {
		return ""
	}
	return str(obj(obj(r.existing.Outputs, "identityProfile"), "kubeletidentity"), "resourceId")
}

// clusterIdentities are the user-assigned identities a cluster request
// names: its control-plane identities (the SDK's list of IDs, or ARM's map)
// and its kubelet identity.
func clusterIdentities(in map[string]any) []string {
	var ids []string
	if id := obj(in, "identity"); strings.EqualFold(str(id, "type"), "UserAssigned") {
		ids = append(ids, userAssignedIDs(id)...)
	}
	if k := str(obj(obj(in, "identityProfile"), "kubeletidentity"), "resourceId"); k != "" {
		ids = append(ids, k)
	}
	return ids
}

// userAssignedIDs are identity.userAssignedIdentities' IDs: a list in the
// SDK's input, a map keyed by ID in ARM's shape.
func userAssignedIDs(identity map[string]any) []string {
	var ids []string
	for _, v := range list(identity, "userAssignedIdentities") {
		if s, ok := v.(string); ok {
			ids = append(ids, s)
		}
	}
	for k := range obj(identity, "userAssignedIdentities") {
		ids = append(ids, k)
	}
	slices.Sort(ids)
	return ids
}

// managedIdentityOperator is the built-in role's GUID.
const managedIdentityOperator = "f1a07417-d97a-45cb-824c-7a7467783830"

func checkKubeletIdentity(st *store, r *armRequest) *ARMError {
	kubelet := str(obj(obj(r.inputs, "identityProfile"), "kubeletidentity"), "resourceId")
	if kubelet == "" || strings.EqualFold(kubelet, currentKubelet(r)) {
		return nil // none, or the one the cluster has (a PUT built from a GET)
	}
	id := obj(r.inputs, "identity")
	if !strings.EqualFold(str(id, "type"), "UserAssigned") {
		return aksError(400, "BadRequest", "CustomKubeletIdentityOnlySupportedOnUserAssignedMSICluster", "properties.identityProfile",
			"A custom kubelet identity is supported only on a cluster with a user-assigned managed identity.")
	}
	var principals []string
	for _, s := range userAssignedIDs(id) {
		if ident := identityOf(st.get, s); ident != nil {
			principals = append(principals, str(ident.Outputs, "principalId"))
		}
	}
	for _, ra := range st.all() {
		if ra.Type != TypeRoleAssignment || !strings.EqualFold(str(ra.Inputs, "scope"), kubelet) ||
			!strings.HasSuffix(strings.ToLower(str(ra.Inputs, "roleDefinitionId")), managedIdentityOperator) {
			continue
		}
		for _, p := range principals {
			if strings.EqualFold(str(ra.Inputs, "principalId"), p) {
				return nil
			}
		}
	}
	return aksError(400, "BadRequest", "CustomKubeletIdentityMissingPermissionError", "properties.identityProfile",
		"The cluster using user-assigned managed identity must be granted 'Managed Identity Operator' role to assign kubelet identity. "+
			"You can run 'az role assignment create --assignee <control-plane-identity-principal-id> --role 'Managed Identity Operator' --scope %s' to grant the permission.", kubelet)
}

func checkUDR(st *store, r *armRequest) *ARMError {
	if str(obj(r.inputs, "networkProfile"), "outboundType") != "userDefinedRouting" {
		return nil
	}
	for _, id := range nodeSubnets(r) {
		sub := subnetBody(st, id)
		if sub == nil {
			continue // an unknown subnet is the subnet rules' matter
		}
		rtID := str(obj(sub, "routeTable"), "id")
		rt := st.get(rtID)
		if rtID == "" || rt == nil {
			return aksError(400, "ExistingRouteTableNotAssociatedWithSubnet", "", "networkProfile.outboundType",
				"An existing route table has not been associated with subnet %s. Please update the route table association", id)
		}
		found := false
		for _, route := range list(rt.Inputs, "routes") {
			rm, _ := route.(map[string]any)
			pfx, err := netip.ParsePrefix(str(rm, "addressPrefix"))
			if err != nil || pfx.Bits() != 0 {
				continue
			}
			found = true
			if hop := str(rm, "nextHopType"); hop != "VirtualAppliance" && hop != "VirtualNetworkGateway" {
				return aksError(400, "RouteTableInvalidNextHop", "", "networkProfile.outboundType",
					"Default route 0.0.0.0/0 has a next hop of %s but only next hops of VirtualAppliance or VirtualNetworkGateway are allowed. Please see http://aka.ms/aks/outboundtype for more details", hop)
			}
		}
		if !found {
			return aksError(400, "BadRequest", "InvalidParameter", "networkProfile.outboundType",
				"Outbound type userDefinedRouting requires route table %s on subnet %s to have a 0.0.0.0/0 route to a virtual appliance or gateway.", rtID, id)
		}
	}
	return nil
}

func checkMaintenanceWindow(st *store, r *armRequest) *ARMError {
	w := obj(r.inputs, "maintenanceWindow")
	if w == nil {
		return nil
	}
	bad := func(format string, args ...any) *ARMError {
		return aksError(400, "BadRequest", "InvalidParameter", "properties.maintenanceWindow", "maintenanceWindow: "+format, args...)
	}
	if d, _ := w["durationHours"].(float64); d < 4 || d > 24 {
		return bad("durationHours must be 4 to 24, got %v.", w["durationHours"])
	}
	if !maintenanceStartRE.MatchString(str(w, "startTime")) || str(w, "startTime") > "23:59" {
		return bad("startTime %q must be from 00:00 to 23:59.", str(w, "startTime"))
	}
	if off := str(w, "utcOffset"); off != "" && !maintenanceOffsetRE.MatchString(off) {
		return bad("utcOffset %q must be +/-HH:mm.", off)
	}
	s := obj(w, "schedule")
	set := 0
	inRange := func(m map[string]any, key string, lo, hi float64) bool {
		v, ok := m[key].(float64)
		return ok && v >= lo && v <= hi
	}
	if d := obj(s, "daily"); d != nil {
		set++
		if !inRange(d, "intervalDays", 1, 7) {
			return bad("schedule.daily.intervalDays must be 1 to 7.")
		}
	}
	if wk := obj(s, "weekly"); wk != nil {
		set++
		if !inRange(wk, "intervalWeeks", 1, 4) || str(wk, "dayOfWeek") == "" {
			return bad("schedule.weekly needs dayOfWeek and intervalWeeks 1 to 4.")
		}
	}
	if a := obj(s, "absoluteMonthly"); a != nil {
		set++
		if !inRange(a, "dayOfMonth", 1, 31) || !inRange(a, "intervalMonths", 1, 6) {
			return bad("schedule.absoluteMonthly needs dayOfMonth 1 to 31 and intervalMonths 1 to 6.")
		}
	}
	if rm := obj(s, "relativeMonthly"); rm != nil {
		set++
		if !inRange(rm, "intervalMonths", 1, 6) || str(rm, "dayOfWeek") == "" || str(rm, "weekIndex") == "" {
			return bad("schedule.relativeMonthly needs dayOfWeek, weekIndex and intervalMonths 1 to 6.")
		}
	}
	if set != 1 {
		return bad("schedule must set exactly one of daily, weekly, absoluteMonthly, relativeMonthly; it sets %d.", set)
	}
	return nil
}

// userAssignedOutputs is identity.userAssignedIdentities as ARM reports it:
// a map from each identity's ID to its principal and client IDs, those of
// the simulated directory (AddUserAssignedIdentity) when it has the
// identity. The SDK's input is the list of IDs.
func userAssignedOutputs(c *outputCtx, identity map[string]any) map[string]any {
	m := map[string]any{}
	for _, k := range userAssignedIDs(identity) {
		principal, client := guid("principal", k), guid("client", k)
		if ident := identityOf(c.lookup, k); ident != nil {
			principal, client = str(ident.Outputs, "principalId"), str(ident.Outputs, "clientId")
		}
		m[k] = map[string]any{"principalId": principal, "clientId": client}
	}
	return m
}

// kubeletOutputs is identityProfile.kubeletidentity: the spec's kubelet
// identity (its IDs from the simulated directory) or the one AKS creates in
// the node resource group, <cluster>-agentpool, also when a PUT built from
// a GET sends that one back.
func kubeletOutputs(c *outputCtx, in map[string]any, nodeRG, cluster, seed string) map[string]any {
	aksOwn := map[string]any{
		"resourceId": fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ManagedIdentity/userAssignedIdentities/%s-agentpool",
			c.sim.subscriptionID(), nodeRG, cluster),
		"clientId": guid("kubelet-client", seed),
		"objectId": guid("kubelet-object", seed),
	}
	k := str(obj(obj(in, "identityProfile"), "kubeletidentity"), "resourceId")
	if k == "" || strings.EqualFold(k, str(aksOwn, "resourceId")) {
		return aksOwn
	}
	out := map[string]any{"resourceId": k, "clientId": guid("client", k), "objectId": guid("principal", k)}
	if ident := identityOf(c.lookup, k); ident != nil {
		out["clientId"], out["objectId"] = str(ident.Outputs, "clientId"), str(ident.Outputs, "principalId")
	}
	return out
}
