package azuresim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// The resource type tokens the simulator serves, exactly as the azure-native
// Go SDK v2.88.0 registers them (and so as the engine sends them). The SDK
// also declares aliases to every other API version of a type (for example
// azure-native:containerservice:ManagedCluster); aliases only rename state,
// the engine always calls the provider with the registered token.
const (
	TypeResourceGroup  = "azure-native:resources:ResourceGroup"
	TypeVirtualNetwork = "azure-native:network:VirtualNetwork"
	TypeSubnet         = "azure-native:network:Subnet"
	TypeManagedCluster = "azure-native:containerservice/v20241001:ManagedCluster"
	TypeAgentPool      = "azure-native:containerservice/v20241001:AgentPool"
	// TypeDeploymentStack carries the monitoring resources (an ARM template).
	TypeDeploymentStack = "azure-native:resources:DeploymentStackAtResourceGroup"
	// TypeRoleAssignment grants the cluster identity Network Contributor on
	// its subnets (authorization/v2 v2.88.0, API 2022-04-01).
	TypeRoleAssignment = "azure-native:authorization:RoleAssignment"
)

// DefaultKubernetesVersion is the version a ManagedCluster gets when its
// kubernetesVersion is unset.
const DefaultKubernetesVersion = "1.32"

// typeSpec describes one simulated resource type.
type typeSpec struct {
	// token is the Pulumi type token.
	token string
	// armType is the "type" ARM reports for the resource.
	armType string
	// path is the ARM ID template, with the input properties that build it in
	// braces (azure-native's resource path).
	path string
	// forceNew lists the body properties (beyond the path parameters) whose
	// change replaces the resource, as azure-native's replace keys: a
	// top-level name, or name.sub / name[].sub one level down.
	forceNew []string
	// readOnly lists the outputs ARM computes (name.sub, name[].sub for the
	// items of an array): azure-native leaves them out when it projects a
	// refresh's outputs onto the inputs (SDKOutputsToSDKInputs).
	readOnly []string
	// parent is the token of the resource this one nests under, if any.
	parent string
	// hasLocation is true for tracked resources that carry a location.
	hasLocation bool
	// outputs adds the type's computed outputs to out.
	outputs func(c *outputCtx, out map[string]any)
}

// resourceTypes is the one table of what the simulator serves: per type its
// ARM ID, what makes azure-native v2.88.0 plan a replacement instead of an
// in-place update, and what ARM computes.
//
// azure-native replaces a resource when any parameter of its ARM path changes
// (resourceGroupName, the resource's own name, a parent's name) or when a
// property its generator marked forceNew changes (provider/pkg/provider/
// diff.go, calculateDetailedDiff; the marks come from the forceNewMap of
// provider/pkg/gen and x-ms-mutability). In the v2 line the ManagedCluster
// list holds the WHOLE networkProfile object: a nested update under it
// replaces the cluster, a nested add or delete does not
// (pulumi-azure-native#4756, fixed per leaf only in v3 by #4771). The v2
// lists: ManagedCluster diskEncryptionSetID, dnsPrefix, fqdnSubdomain,
// linuxProfile, location, networkProfile, nodeResourceGroup,
// windowsProfile; AgentPool gpuInstanceProfile and vmSize (#3655) and, by
// the name collision with ManagedCluster's networkProfile on the shared
// generated pool type, networkProfile; VirtualNetwork and ResourceGroup
// location; Subnet none. vnetSubnetID, podSubnetID and osType are not among
// them: azure-native plans their change as an update, which AKS then
// refuses (PropertyChangeNotAllowed, rules.go).
var resourceTypes = map[string]*typeSpec{
	TypeResourceGroup: {
		token:       TypeResourceGroup,
		armType:     "Microsoft.Resources/resourceGroups",
		path:        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
		forceNew:    []string{"location"},
		hasLocation: true,
		outputs:     resourceGroupOutputs,
	},
	TypeVirtualNetwork: {
		token:       TypeVirtualNetwork,
		armType:     "Microsoft.Network/virtualNetworks",
		path:        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}",
		forceNew:    []string{"location"},
		hasLocation: true,
		outputs:     virtualNetworkOutputs,
	},
	TypeSubnet: {
		token:   TypeSubnet,
		armType: "Microsoft.Network/virtualNetworks/subnets",
		path:    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
		parent:  TypeVirtualNetwork,
		outputs: subnetOutputs,
	},
	TypeManagedCluster: {
		token:   TypeManagedCluster,
		armType: "Microsoft.ContainerService/ManagedClusters",
		path:    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}",
		forceNew: []string{"diskEncryptionSetID", "dnsPrefix", "fqdnSubdomain", "linuxProfile", "location",
			"networkProfile", "nodeResourceGroup", "windowsProfile"},
		readOnly: []string{"name", "type", "eTag", "provisioningState", "powerState", "fqdn", "azurePortalFQDN", "privateFQDN",
			"currentKubernetesVersion", "maxAgentPools", "resourceUID", "oidcIssuerProfile.issuerURL", "identity.principalId",
			"identity.tenantId", "agentPoolProfiles[].eTag", "agentPoolProfiles[].provisioningState",
			"agentPoolProfiles[].currentOrchestratorVersion", "agentPoolProfiles[].nodeImageVersion"},
		hasLocation: true,
		outputs:     managedClusterOutputs,
	},
	TypeAgentPool: {
		token:    TypeAgentPool,
		armType:  "Microsoft.ContainerService/managedClusters/agentPools",
		path:     "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}",
		forceNew: []string{"gpuInstanceProfile", "networkProfile", "vmSize"},
		readOnly: []string{"name", "type", "eTag", "provisioningState", "currentOrchestratorVersion", "nodeImageVersion"},
		parent:   TypeManagedCluster,
		outputs:  agentPoolOutputs,
	},
	// A role assignment is an extension resource: its ID is its scope's ID
	// (here a subnet) plus /providers/Microsoft.Authorization/roleAssignments/
	// {roleAssignmentName}, the path of RoleAssignments_Create in the REST
	// spec (specification/authorization/resource-manager/Microsoft.Authorization/
	// stable/2022-04-01/authorization-RoleAssignmentsCalls.json). Both path
	// parameters replace; no body property is forceNew (the spec marks none
	// create-only), and ARM refuses changes of principal or role in place
	// (rules.go).
	TypeRoleAssignment: {
		token:    TypeRoleAssignment,
		armType:  "Microsoft.Authorization/roleAssignments",
		path:     "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
		forceNew: []string{},
		outputs:  roleAssignmentOutputs,
	},
	TypeDeploymentStack: {
		token:    TypeDeploymentStack,
		armType:  "Microsoft.Resources/deploymentStacks",
		path:     "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Resources/deploymentStacks/{deploymentStackName}",
		forceNew: []string{},
		outputs:  deploymentStackOutputs,
	},
}

// SimulatedTypes lists the resource type tokens the simulator serves.
func SimulatedTypes() []string {
	return sortedKeys(resourceTypes)
}

// lookupType returns the spec of a token, or an error that says the type is
// not simulated.
func lookupType(token string) (*typeSpec, error) {
	if t, ok := resourceTypes[token]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("azure-native (simulated): resource type %q is not simulated; the simulator serves %s",
		token, strings.Join(SimulatedTypes(), ", "))
}

var pathParamRE = regexp.MustCompile(`\{([A-Za-z]+)\}`)

// pathParams returns the input properties that build the ARM ID, in order
// (subscriptionId excluded: it comes from the simulator).
func (t *typeSpec) pathParams() []string {
	var out []string
	for _, m := range pathParamRE.FindAllStringSubmatch(t.path, -1) {
		if m[1] != "subscriptionId" {
			out = append(out, m[1])
		}
	}
	return out
}

// nameParam is the path parameter that names the resource itself.
func (t *typeSpec) nameParam() string {
	p := t.pathParams()
	return p[len(p)-1]
}

// replaceKeys is every property path whose change replaces the resource.
func (t *typeSpec) replaceKeys() []string {
	keys := append(t.pathParams(), t.forceNew...)
	sort.Strings(keys)
	return slices.Compact(keys)
}

// inputShape is outputs without what ARM computes (t.readOnly), the shape
// azure-native compares on a refresh.
func (t *typeSpec) inputShape(outputs map[string]any) map[string]any {
	out := cloneMap(outputs)
	for _, p := range t.readOnly {
		dropPath(out, strings.Split(p, "."))
	}
	return out
}

// dropPath removes a path (segments; "x[]" means every item of x) from m.
func dropPath(m map[string]any, path []string) {
	if m == nil || len(path) == 0 {
		return
	}
	key, items := strings.CutSuffix(path[0], "[]")
	if len(path) == 1 && !items {
		delete(m, key)
		return
	}
	if items {
		for _, e := range list(m, key) {
			if em, ok := e.(map[string]any); ok {
				dropPath(em, path[1:])
			}
		}
		return
	}
	dropPath(obj(m, key), path[1:])
}

// readOnlyPoolFields are the outputs AKS computes for a pool.
var readOnlyPoolFields = map[string]bool{
	"eTag": true, "provisioningState": true, "currentOrchestratorVersion": true, "nodeImageVersion": true, "id": true,
}

// shortName is the last segment of a token ("ManagedCluster").
func shortName(token string) string {
	if i := strings.LastIndex(token, ":"); i >= 0 {
		return token[i+1:]
	}
	return token
}

// buildID renders an ARM ID template from inputs. Missing parameters are an
// error naming them; unknown ones (previews) leave the unknown sentinel in
// the ID.
func buildID(path, subscription string, inputs map[string]any) (string, error) {
	var missing []string
	id := pathParamRE.ReplaceAllStringFunc(path, func(m string) string {
		name := m[1 : len(m)-1]
		if name == "subscriptionId" {
			return subscription
		}
		v, ok := inputs[name].(string)
		if !ok || v == "" {
			missing = append(missing, name)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("azure-native (simulated): missing required input(s) %s", strings.Join(missing, ", "))
	}
	return id, nil
}

// resourceGroupID is the ID of the resource group that holds id.
func resourceGroupID(id string) string {
	parts := strings.Split(id, "/")
	if len(parts) >= 5 {
		return strings.Join(parts[:5], "/")
	}
	return id
}

// resourceGroupName is the resource group segment of id.
func resourceGroupName(id string) string {
	parts := strings.Split(id, "/")
	if len(parts) >= 5 {
		return parts[4]
	}
	return ""
}

// lastSegment is the last segment of an ARM ID (the resource's name).
func lastSegment(id string) string {
	return id[strings.LastIndex(id, "/")+1:]
}

// hexHash is a stable hex digest of parts, n characters long.
func hexHash(n int, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])[:n]
}

// guid is a stable, UUID-shaped value derived from parts.
func guid(parts ...string) string {
	h := hexHash(32, parts...)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}

// outputCtx is what a type's outputs function may use.
type outputCtx struct {
	sim    *Simulator
	id     string
	inputs map[string]any
	// lookup returns the current record of an ID, or nil.
	lookup func(id string) *Resource
}

// computeOutputs returns the resource's outputs in the SDK's shape: the
// inputs (without the ARM path parameters) plus what ARM computes.
func (s *Simulator) computeOutputs(t *typeSpec, id string, inputs map[string]any, lookup func(string) *Resource) map[string]any {
	out := cloneMap(inputs)
	for _, p := range t.pathParams() {
		delete(out, p)
	}
	out["name"] = lastSegment(id)
	out["type"] = t.armType
	if t.hasLocation && str(out, "location") == "" {
		if loc := s.defaultLocation(id, lookup); loc != "" {
			out["location"] = loc
		}
	}
	if t.outputs != nil {
		t.outputs(&outputCtx{sim: s, id: id, inputs: inputs, lookup: lookup}, out)
	}
	return out
}

// defaultLocation is where a resource without a location goes: its resource
// group's location, else the provider's configured location.
func (s *Simulator) defaultLocation(id string, lookup func(string) *Resource) string {
	if rgID := resourceGroupID(id); rgID != id {
		if rg := lookup(rgID); rg != nil {
			if loc := str(rg.Outputs, "location"); loc != "" {
				return loc
			}
		}
	}
	return s.configLocation()
}

// templateResourceIDRE matches an ARM template output of the form
// [resourceId('<type>', '<name>')], the only expression the simulator
// evaluates.
var templateResourceIDRE = regexp.MustCompile(`^\[resourceId\('([^']+)', '([^']+)'\)\]$`)

// deploymentStackOutputs lists the template's resources as managed by the
// stack and evaluates its resourceId outputs in the stack's resource group.
// The template's resources themselves are not simulated one by one.
func deploymentStackOutputs(c *outputCtx, out map[string]any) {
	out["provisioningState"] = "succeeded"
	rg := c.id[:strings.Index(c.id, "/providers/")]
	template, _ := c.inputs["template"].(map[string]any)
	var managed []any
	if res, ok := template["resources"].([]any); ok {
		for _, r := range res {
			if m, ok := r.(map[string]any); ok {
				managed = append(managed, map[string]any{"id": rg + "/providers/" + str(m, "type") + "/" + str(m, "name"), "status": "managed"})
			}
		}
	}
	out["resources"] = managed
	outputs := map[string]any{}
	if tmplOuts, ok := template["outputs"].(map[string]any); ok {
		for k, v := range tmplOuts {
			vm, _ := v.(map[string]any)
			if m := templateResourceIDRE.FindStringSubmatch(str(vm, "value")); m != nil {
				outputs[k] = map[string]any{"type": "String", "value": rg + "/providers/" + m[1] + "/" + m[2]}
			}
		}
	}
	out["outputs"] = outputs
}

// roleAssignmentOutputs adds what ARM computes: the scope as a read-only
// property and the creation metadata; principalType defaults to User, as
// in the REST spec.
func roleAssignmentOutputs(c *outputCtx, out map[string]any) {
	out["scope"] = str(c.inputs, "scope")
	if str(out, "principalType") == "" {
		out["principalType"] = "User"
	}
	out["createdBy"] = guid("deployer", c.sim.tenantID())
	out["createdOn"] = "2026-01-01T00:00:00Z"
	out["updatedBy"] = out["createdBy"]
	out["updatedOn"] = out["createdOn"]
}

func resourceGroupOutputs(c *outputCtx, out map[string]any) {
	out["properties"] = map[string]any{"provisioningState": "Succeeded"}
}

func virtualNetworkOutputs(c *outputCtx, out map[string]any) {
	out["provisioningState"] = "Succeeded"
	out["resourceGuid"] = guid("vnet", strings.ToLower(c.id))
	out["etag"] = etag(c.id)
	if _, ok := out["enableDdosProtection"]; !ok {
		out["enableDdosProtection"] = false
	}
	subnets := list(c.inputs, "subnets")
	if subnets == nil {
		return
	}
	outSubnets := make([]any, 0, len(subnets))
	for _, s := range subnets {
		sm, ok := s.(map[string]any)
		if !ok {
			continue
		}
		o := cloneMap(sm)
		subnetID := c.id + "/subnets/" + str(sm, "name")
		o["id"] = subnetID
		o["type"] = "Microsoft.Network/virtualNetworks/subnets"
		o["provisioningState"] = "Succeeded"
		o["etag"] = etag(c.id)
		o["delegations"] = delegationOutputs(subnetID, list(sm, "delegations"))
		outSubnets = append(outSubnets, o)
	}
	out["subnets"] = outSubnets
}

func subnetOutputs(c *outputCtx, out map[string]any) {
	out["provisioningState"] = "Succeeded"
	out["etag"] = etag(c.id)
	if d := list(c.inputs, "delegations"); d != nil {
		out["delegations"] = delegationOutputs(c.id, d)
	}
}

func delegationOutputs(subnetID string, delegations []any) []any {
	out := make([]any, 0, len(delegations))
	for _, d := range delegations {
		dm, ok := d.(map[string]any)
		if !ok {
			continue
		}
		o := cloneMap(dm)
		o["id"] = subnetID + "/delegations/" + str(dm, "name")
		o["type"] = "Microsoft.Network/virtualNetworks/subnets/delegations"
		o["provisioningState"] = "Succeeded"
		out = append(out, o)
	}
	return out
}

// etag is a stable ARM-style weak etag.
func etag(id string) string {
	return `W/"` + guid("etag", strings.ToLower(id)) + `"`
}

func managedClusterOutputs(c *outputCtx, out map[string]any) {
	in := c.inputs
	name := lastSegment(c.id)
	rg := resourceGroupName(c.id)
	location := str(out, "location")
	tenant := c.sim.tenantID()
	seed := strings.ToLower(c.id)

	prefix := str(in, "dnsPrefix")
	if prefix == "" {
		prefix = str(in, "fqdnSubdomain")
	}
	if prefix == "" {
		prefix = name
	}
	hash := hexHash(8, "fqdn", seed)
	out["fqdn"] = fmt.Sprintf("%s-%s.hcp.%s.azmk8s.io", prefix, hash, location)
	out["azurePortalFQDN"] = fmt.Sprintf("%s-%s.portal.hcp.%s.azmk8s.io", prefix, hash, location)
	if truthy(obj(in, "apiServerAccessProfile"), "enablePrivateCluster") {
		out["privateFQDN"] = fmt.Sprintf("%s-%s.%s.privatelink.%s.azmk8s.io", prefix, hexHash(8, "private", seed), guid("dns", seed), location)
	}
	nodeRG := str(in, "nodeResourceGroup")
	if nodeRG == "" {
		nodeRG = fmt.Sprintf("MC_%s_%s_%s", rg, name, location)
	}
	out["nodeResourceGroup"] = nodeRG

	version := str(in, "kubernetesVersion")
	if version == "" {
		version = DefaultKubernetesVersion
	}
	out["kubernetesVersion"] = version
	out["currentKubernetesVersion"] = patchVersion(version)
	out["provisioningState"] = "Succeeded"
	out["powerState"] = map[string]any{"code": "Running"}
	out["maxAgentPools"] = 100.0
	out["resourceUID"] = hexHash(24, "uid", seed)
	if _, ok := out["enableRBAC"]; !ok {
		out["enableRBAC"] = true
	}
	if _, ok := out["sku"]; !ok {
		out["sku"] = map[string]any{"name": "Base", "tier": "Free"}
	}
	if _, ok := out["supportPlan"]; !ok {
		out["supportPlan"] = "KubernetesOfficial"
	}
	if aad := obj(in, "aadProfile"); aad != nil {
		o := cloneMap(aad)
		if str(o, "tenantID") == "" {
			o["tenantID"] = tenant
		}
		out["aadProfile"] = o
	}

	np := networkProfileOutputs(obj(in, "networkProfile"))
	out["networkProfile"] = np

	oidc := cloneMap(obj(in, "oidcIssuerProfile"))
	if oidc == nil {
		oidc = map[string]any{"enabled": false}
	}
	if truthy(oidc, "enabled") {
		oidc["issuerURL"] = fmt.Sprintf("https://%s.oic.prod-aks.azure.com/%s/%s/", location, tenant, guid("oidc", seed))
	}
	out["oidcIssuerProfile"] = oidc

	if id := obj(in, "identity"); id != nil {
		o := cloneMap(id)
		switch str(id, "type") {
		case "SystemAssigned":
			o["principalId"] = guid("principal", seed)
			o["tenantId"] = tenant
		case "UserAssigned":
			o["userAssignedIdentities"] = userAssignedOutputs(c, id)
		}
		out["identity"] = o
		out["identityProfile"] = map[string]any{"kubeletidentity": kubeletOutputs(c, in, nodeRG, name, seed)}
	}

	if pools := list(in, "agentPoolProfiles"); pools != nil {
		outPools := make([]any, 0, len(pools))
		for _, p := range pools {
			pm, ok := p.(map[string]any)
			if !ok {
				continue
			}
			o := cloneMap(pm)
			poolDefaults(o, np, version)
			outPools = append(outPools, o)
		}
		out["agentPoolProfiles"] = outPools
	}
}

// networkProfileOutputs echoes a cluster's networkProfile with the values
// AKS fills in.
func networkProfileOutputs(in map[string]any) map[string]any {
	np := cloneMap(in)
	if np == nil {
		np = map[string]any{}
	}
	if str(np, "networkPlugin") == "" {
		np["networkPlugin"] = "kubenet"
	}
	if str(np, "outboundType") == "" {
		np["outboundType"] = "loadBalancer"
	}
	if str(np, "outboundType") == "loadBalancer" && str(np, "loadBalancerSku") == "" {
		np["loadBalancerSku"] = "standard"
	}
	if str(np, "serviceCidr") == "" {
		np["serviceCidr"] = "10.0.0.0/16"
	}
	if str(np, "dnsServiceIP") == "" {
		np["dnsServiceIP"] = "10.0.0.10"
	}
	if _, ok := np["ipFamilies"]; !ok {
		np["ipFamilies"] = []any{"IPv4"}
	}
	if _, ok := np["serviceCidrs"]; !ok {
		np["serviceCidrs"] = []any{np["serviceCidr"]}
	}
	if pod := str(np, "podCidr"); pod != "" {
		if _, ok := np["podCidrs"]; !ok {
			np["podCidrs"] = []any{pod}
		}
	}
	return np
}

// poolDefaults fills what AKS reports for an agent pool.
func poolDefaults(o, clusterNetwork map[string]any, clusterVersion string) {
	if str(o, "osType") == "" {
		o["osType"] = "Linux"
	}
	if str(o, "type") == "" {
		o["type"] = "VirtualMachineScaleSets"
	}
	if _, ok := o["maxPods"]; !ok {
		if str(clusterNetwork, "networkPluginMode") == "overlay" || str(o, "podSubnetID") != "" {
			o["maxPods"] = 250.0
		} else {
			o["maxPods"] = 30.0
		}
	}
	version := str(o, "orchestratorVersion")
	if version == "" {
		version = clusterVersion
		o["orchestratorVersion"] = version
	}
	o["currentOrchestratorVersion"] = patchVersion(version)
	o["nodeImageVersion"] = "AKSUbuntu-2204gen2containerd-202501.12.0"
	o["provisioningState"] = "Succeeded"
	o["powerState"] = map[string]any{"code": "Running"}
}

func agentPoolOutputs(c *outputCtx, out map[string]any) {
	var clusterNetwork map[string]any
	clusterVersion := DefaultKubernetesVersion
	if cluster := c.lookup(parentID(c.id)); cluster != nil {
		clusterNetwork = obj(cluster.Outputs, "networkProfile")
		if v := str(cluster.Outputs, "kubernetesVersion"); v != "" {
			clusterVersion = v
		}
	}
	if str(out, "mode") == "" {
		out["mode"] = "User"
	}
	poolDefaults(out, clusterNetwork, clusterVersion)
	// An AgentPool's "type" input is the pool type; the ARM resource type
	// wins in the outputs, as in azure-native.
	out["type"] = "Microsoft.ContainerService/managedClusters/agentPools"
}

// parentID strips the last type/name pair from a nested resource's ID.
func parentID(id string) string {
	parts := strings.Split(id, "/")
	if len(parts) < 3 {
		return id
	}
	return strings.Join(parts[:len(parts)-2], "/")
}

// patchVersion completes a <major.minor> Kubernetes version the way AKS
// picks a patch (the simulator always picks .0).
func patchVersion(v string) string {
	if strings.Count(v, ".") == 1 {
		return v + ".0"
	}
	return v
}
