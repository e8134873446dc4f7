package components

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/google/uuid"
	authorization "github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// NetworkContributorRoleID is the GUID of Azure's built-in role Network
// Contributor, the same in every subscription (Azure built-in roles,
// Networking: 4d97b98b-1d4f-4787-a291-c67834d212e7).
const NetworkContributorRoleID = "4d97b98b-1d4f-4787-a291-c67834d212e7"

// ManagedIdentityOperatorRoleID is the GUID of Azure's built-in role
// Managed Identity Operator (Azure built-in roles, Identity:
// f1a07417-d97a-45cb-824c-7a7467783830): "Read and Assign User Assigned
// Identity", which the control plane needs on a pre-created kubelet identity
// (AKS docs: managed identity overview, "assign the Managed Identity
// Operator role to the cluster's control plane identity ... scoped to the
// kubelet identity").
const ManagedIdentityOperatorRoleID = "f1a07417-d97a-45cb-824c-7a7467783830"

// roleAssignmentNamespace seeds the role assignments' names (UUID v5), so
// a name is the same on every run for one scope, principal and role.
var roleAssignmentNamespace = uuid.MustParse("7a0f3c52-6d1e-4d8e-9b6a-5c2f1e0a9d41")

// clusterRoles are the role assignments the control-plane identity needs.
type clusterRoles struct {
	// network are Network Contributor on the subnets and the route table,
	// by "nodes", "pods-<subnet>" and "routetable".
	network map[string]*authorization.RoleAssignment
	// kubeletOperator is Managed Identity Operator on the kubelet
	// identity; nil without a kubelet identity.
	kubeletOperator *authorization.RoleAssignment
}

// all lists every assignment, for DependsOn.
func (r clusterRoles) all() []pulumi.Resource {
	var out []pulumi.Resource
	for _, key := range slices.Sorted(maps.Keys(r.network)) {
		out = append(out, r.network[key])
	}
	if r.kubeletOperator != nil {
		out = append(out, r.kubeletOperator)
	}
	return out
}

// grantClusterRoles gives the cluster's control-plane identity the roles
// AKS needs on resources it does not own:
//
//   - Network Contributor on every subnet the cluster uses: the node subnet
//     and, in PodSubnet mode, each pod subnet. AKS needs it for internal load
//     balancers in the node subnet and for pod IP allocation in a pod subnet
//     (AKS docs: "Use a managed identity in AKS", and "Configure Azure CNI
//     networking": the cluster identity needs Network Contributor on the
//     subnets of a custom VNet). `az aks create --vnet-subnet-id` grants it;
//     ARM and azure-native do not, so without this a first real deployment
//     fails at its first internal load balancer.
//   - Network Contributor on the route table of userDefinedRouting (AKS
//     docs, aks-service-permissions: routeTables/routes read and write are
//     "Required if using a subnet associated with a route table in another
//     resource group such as a custom VNET with a custom route table").
//   - Managed Identity Operator on a pre-created kubelet identity (see
//     ManagedIdentityOperatorRoleID), so the control plane can assign it to
//     the nodes.
//
// principalID is the control-plane identity's: with a user-assigned identity
// (spec.Identity.ControlPlane) it is known before the cluster, and NewCluster
// creates these assignments first and the cluster after them, which is what
// AKS docs recommend for a custom VNet (the role exists before the cluster's
// first operation). With the default system-assigned identity the principal
// exists only once the cluster does, so the grants land seconds after the
// cluster is created: the creation itself does not need them (AKS joins the
// subnets with its own first-party permissions), and the cloud provider
// retries a load balancer until the role arrives. Moving an existing cluster
// from a system- to a user-assigned identity restarts its control plane's
// identity over hours (AKS docs: managed identity overview).
//
// The deploying principal needs Microsoft.Authorization/roleAssignments/write
// on the scopes (Owner, User Access Administrator or Role Based Access
// Control Administrator); on subnets, route tables and identities you bring,
// ask their owner for it.
//
// Each assignment's name is a UUID v5 of its scope, principal and role: a
// replaced cluster or a new identity (a new principal) gets a new assignment
// rather than an update, which ARM refuses (RoleAssignmentUpdateNotPermitted).
func grantClusterRoles(ctx *pulumi.Context, name string, c spec.Cluster, principalID pulumi.StringOutput,
	nodeSubnetID pulumi.StringOutput, podSubnetIDs pulumi.StringMapOutput, parent pulumi.Resource,
) (clusterRoles, error) {
	scopes := map[string]pulumi.StringOutput{"nodes": nodeSubnetID}
	for _, s := range podSubnetsOf(c) {
		scopes["pods-"+s.Name] = podSubnetIDOf(podSubnetIDs, s.Name)
	}
	if c.Egress.OutboundType == spec.OutboundUserDefinedRouting {
		scopes["routetable"] = pulumi.String(c.Egress.RouteTableID).ToStringOutput()
	}
	out := clusterRoles{network: map[string]*authorization.RoleAssignment{}}
	for _, key := range slices.Sorted(maps.Keys(scopes)) {
		what := "load balancers and pod IPs in this subnet"
		if key == "routetable" {
			what = "the routes of this route table (userDefinedRouting)"
		}
		ra, err := assignRole(ctx, childName(name, "netcontrib-"+key), scopes[key], principalID, NetworkContributorRoleID,
			fmt.Sprintf("aks-cilium: AKS cluster %s manages %s", c.Name, what), parent)
		if err != nil {
			return clusterRoles{}, err
		}
		out.network[key] = ra
	}
	if k := c.Identity.Kubelet; k != nil {
		ra, err := assignRole(ctx, childName(name, "mi-operator-kubelet"), pulumi.String(k.ResourceID).ToStringOutput(), principalID,
			ManagedIdentityOperatorRoleID, fmt.Sprintf("aks-cilium: AKS cluster %s assigns this kubelet identity to its nodes", c.Name), parent)
		if err != nil {
			return clusterRoles{}, err
		}
		out.kubeletOperator = ra
	}
	return out, nil
}

// assignRole grants role (a built-in role's GUID) on scope to a service
// principal, under a name stable for its scope, principal and role.
func assignRole(ctx *pulumi.Context, name string, scope, principalID pulumi.StringOutput, role, description string,
	parent pulumi.Resource, opts ...pulumi.ResourceOption,
) (*authorization.RoleAssignment, error) {
	return authorization.NewRoleAssignment(ctx, name, &authorization.RoleAssignmentArgs{
		RoleAssignmentName: pulumi.All(scope, principalID).ApplyT(func(v []any) string {
			return roleAssignmentName(v[0].(string), v[1].(string), role)
		}).(pulumi.StringOutput),
		Scope:         scope,
		PrincipalId:   principalID,
		PrincipalType: pulumi.String(string(authorization.PrincipalTypeServicePrincipal)),
		RoleDefinitionId: scope.ApplyT(func(s string) (string, error) {
			return roleDefinitionID(s, role)
		}).(pulumi.StringOutput),
		Description: pulumi.String(description),
	}, append([]pulumi.ResourceOption{pulumi.Parent(parent)}, opts...)...)
}

// roleAssignmentName is a stable GUID for one scope, principal and role.
func roleAssignmentName(scope, principal, role string) string {
	return uuid.NewSHA1(roleAssignmentNamespace, []byte(strings.ToLower(scope+"|"+principal+"|"+role))).String()
}

// roleDefinitionID is a built-in role's ID in the subscription of the
// scope (a resource ID).
func roleDefinitionID(scope, role string) (string, error) {
	rid, err := arm.ParseResourceID(scope)
	if err != nil || rid.SubscriptionID == "" {
		return "", fmt.Errorf("aks-cilium: %q is not a resource ID", scope)
	}
	return fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", rid.SubscriptionID, role), nil
}
