package azuresim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ARMError is an error as Azure Resource Manager answers it, formatted the
// way azure-native surfaces ARM errors:
//
//	Status=400 Code="CiliumDataplaneRequiresNetworkPolicyCilium" Message="..."
//
// Use errors.As to inspect one returned by the simulator's own API; through
// the engine it arrives as that text inside the operation's error.
type ARMError struct {
	// StatusCode is the HTTP status ARM answered (400, 404, 409, 429, 500).
	StatusCode int
	// Code is ARM's error code.
	Code string
	// Message is ARM's message.
	Message string
}

// Error renders the error like azure-native does.
func (e *ARMError) Error() string {
	return fmt.Sprintf(`Status=%d Code="%s" Message="%s"`, e.StatusCode, e.Code, e.Message)
}

// armRequest is one ARM write the rules judge.
type armRequest struct {
	op     Op
	spec   *typeSpec
	id     string
	inputs map[string]any // the request body in SDK shape; nil for a delete
}

// rule is one thing ARM refuses. check returns ARM's answer, or nil.
type rule struct {
	name  string
	types []string // the tokens it judges
	ops   []Op     // the operations it judges
	check func(st *store, r *armRequest) *ARMError
}

var (
	writes  = []Op{OpCreate, OpUpdate}
	deletes = []Op{OpDelete}
)

// rules are ARM's own rejections the simulator reproduces. They run in order
// and the first that objects answers. Codes and messages follow AKS and ARM
// where they are documented (DESIGN.md section 3); where AKS answers with a
// generic code the simulator uses InvalidParameter.
var rules = []rule{
	{
		name:  "the resource group exists",
		types: []string{TypeVirtualNetwork, TypeSubnet, TypeManagedCluster, TypeAgentPool},
		ops:   writes,
		check: func(st *store, r *armRequest) *ARMError {
			if st.get(resourceGroupID(r.id)) != nil {
				return nil
			}
			return &ARMError{404, "ResourceGroupNotFound",
				fmt.Sprintf("Resource group '%s' could not be found.", resourceGroupName(r.id))}
		},
	},
	{
		name:  "the parent resource exists",
		types: []string{TypeSubnet, TypeAgentPool},
		ops:   writes,
		check: func(st *store, r *armRequest) *ARMError {
			parent := parentID(r.id)
			if st.get(parent) != nil {
				return nil
			}
			return &ARMError{404, "ParentResourceNotFound",
				fmt.Sprintf("Can not perform requested operation on nested resource. Parent resource '%s' not found.", lastSegment(parent))}
		},
	},
	{
		name:  "a resource group location is known",
		types: []string{TypeResourceGroup},
		ops:   writes,
		check: func(st *store, r *armRequest) *ARMError {
			if str(r.inputs, "location") != "" {
				return nil
			}
			return &ARMError{400, "LocationRequired", "The location property is required for this definition."}
		},
	},
	{
		name:  "networkDataplane cilium requires networkPolicy cilium",
		types: []string{TypeManagedCluster},
		ops:   writes,
		check: func(st *store, r *armRequest) *ARMError {
			np := obj(r.inputs, "networkProfile")
			if !strings.EqualFold(str(np, "networkDataplane"), "cilium") || strings.EqualFold(str(np, "networkPolicy"), "cilium") {
				return nil
			}
			return &ARMError{400, "CiliumDataplaneRequiresNetworkPolicyCilium",
				fmt.Sprintf("Cilium dataplane requires network policy cilium; networkProfile.networkPolicy is '%s'.", str(np, "networkPolicy"))}
		},
	},
	{
		name:  "podCidr only with overlay",
		types: []string{TypeManagedCluster},
		ops:   writes,
		check: func(st *store, r *armRequest) *ARMError {
			np := obj(r.inputs, "networkProfile")
			if str(np, "podCidr") == "" || !strings.EqualFold(str(np, "networkPlugin"), "azure") ||
				strings.EqualFold(str(np, "networkPluginMode"), "overlay") {
				return nil
			}
			return &ARMError{400, "InvalidParameter",
				"networkProfile.podCidr can only be set with networkPluginMode overlay when networkPlugin is azure " +
					"(Azure CNI takes pod IPs from the VNet). Note that the azure-native SDK fills podCidr with 10.244.0.0/16 when it is unset."}
		},
	},
	{
		name:  "overlay excludes a pod subnet",
		types: []string{TypeManagedCluster, TypeAgentPool},
		ops:   writes,
		check: func(st *store, r *armRequest) *ARMError {
			if !strings.EqualFold(str(clusterNetwork(st, r), "networkPluginMode"), "overlay") {
				return nil
			}
			for _, p := range poolsOf(r) {
				if str(p, "podSubnetID") != "" {
					return &ARMError{400, "InvalidParameter",
						fmt.Sprintf("NetworkPluginMode overlay cannot be used with PodSubnetID (agent pool '%s').", poolName(r, p))}
				}
			}
			return nil
		},
	},
	{
		// ARM's side of the Linux-only rule; the library's own check is
		// spec.IsWindowsPool (spec.CodeWindowsPool). Source: AKS docs, Azure
		// CNI powered by Cilium, Limitations: "Available only for Linux and
		// not for Windows" (learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium).
		name:  "no Windows pools with Cilium",
		types: []string{TypeManagedCluster, TypeAgentPool},
		ops:   writes,
		check: func(st *store, r *armRequest) *ARMError {
			if !strings.EqualFold(str(clusterNetwork(st, r), "networkDataplane"), "cilium") {
				return nil
			}
			for _, p := range poolsOf(r) {
				if strings.EqualFold(str(p, "osType"), "Windows") {
					return &ARMError{400, "InvalidParameter",
						fmt.Sprintf("Windows agent pools are not supported with Azure CNI Powered by Cilium (networkDataplane cilium); agent pool '%s' has osType Windows.", poolName(r, p))}
				}
			}
			return nil
		},
	},
	{
		// Azure RBAC troubleshooting (learn.microsoft.com/azure/role-based-
		// access-control/troubleshooting): "PrincipalNotFound: Principal
		// <id> does not exist in the directory". The principals the
		// simulated directory knows are the clusters' managed identities.
		name:  "a role assignment's principal exists",
		types: []string{TypeRoleAssignment},
		ops:   writes,
		check: func(st *store, r *armRequest) *ARMError {
			principal := str(r.inputs, "principalId")
			if knownPrincipal(st, principal) {
				return nil
			}
			return &ARMError{400, "PrincipalNotFound",
				fmt.Sprintf("Principal %s does not exist in the directory. Check that you have the correct principal ID.", strings.ReplaceAll(principal, "-", ""))}
		},
	},
	{
		// The same page: "RoleAssignmentUpdateNotPermitted: Tenant ID,
		// application ID, principal ID, and scope are not allowed to be
		// updated." (the scope is in the ID, so a new scope is a new
		// assignment).
		name:  "a role assignment's principal and role do not change",
		types: []string{TypeRoleAssignment},
		ops:   []Op{OpUpdate},
		check: func(st *store, r *armRequest) *ARMError {
			old := st.get(r.id)
			if old == nil || (strings.EqualFold(str(old.Inputs, "principalId"), str(r.inputs, "principalId")) &&
				strings.EqualFold(str(old.Inputs, "roleDefinitionId"), str(r.inputs, "roleDefinitionId"))) {
				return nil
			}
			return &ARMError{400, "RoleAssignmentUpdateNotPermitted",
				"Tenant ID, application ID, principal ID, and scope are not allowed to be updated."}
		},
	},
	{
		name:  "subnets fit the VNet and do not overlap",
		types: []string{TypeVirtualNetwork, TypeSubnet},
		ops:   writes,
		check: checkSubnetRanges,
	},
	{
		name:  "a subnet in use cannot be deleted",
		types: []string{TypeVirtualNetwork, TypeSubnet},
		ops:   append(slices.Clone(writes), OpDelete),
		check: checkSubnetInUse,
	},
	{
		name:  "a resource group that still holds resources is not deleted",
		types: []string{TypeResourceGroup},
		ops:   deletes,
		check: func(st *store, r *armRequest) *ARMError {
			held := st.children(r.id)
			if len(held) == 0 {
				return nil
			}
			ids := make([]string, 0, len(held))
			for _, h := range held {
				ids = append(ids, h.ID)
			}
			return &ARMError{409, "ResourceGroupNotEmpty",
				fmt.Sprintf("Resource group '%s' still holds %d resource(s) and is not deleted by the simulator: %s.",
					lastSegment(r.id), len(held), strings.Join(ids, ", "))}
		},
	},
}

// knownPrincipal reports whether a principal is one of the simulated
// directory's: a cluster's system- or user-assigned identity, or its
// kubelet identity.
func knownPrincipal(st *store, principal string) bool {
	if principal == "" {
		return false
	}
	for _, r := range st.all() {
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

func poolName(r *armRequest, p map[string]any) string {
	if r.spec.token == TypeAgentPool {
		return lastSegment(r.id)
	}
	return str(p, "name")
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
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, &ARMError{400, "InvalidAddressPrefixFormat",
				fmt.Sprintf("Address prefix %s does not have a valid format.", s)}
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
				return &ARMError{400, "NetcfgSubnetRangeOutsideVnet",
					fmt.Sprintf("Subnet '%s' is not valid because its IP address range is outside the IP address range of virtual network '%s'.", s.name, vnetName)}
			}
		}
		others := append(slices.Clone(proposed[:i]), existing...)
		for _, o := range others {
			if strings.EqualFold(o.name, s.name) {
				continue
			}
			if overlaps(s.prefixes, o.prefixes) {
				return &ARMError{400, "NetcfgSubnetRangesOverlap",
					fmt.Sprintf("Subnet '%s' is not valid because its IP address range overlaps with that of an existing subnet in virtual network '%s'.", s.name, vnetName)}
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
				return &ARMError{409, "InUseSubnetCannotBeDeleted",
					fmt.Sprintf("Subnet %s is in use by %s and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.",
						lastSegment(user.subnetID), user.by)}
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
