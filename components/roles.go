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

// roleAssignmentNamespace seeds the role assignments' names (UUID v5), so
// a name is the same on every run for one scope, principal and role.
var roleAssignmentNamespace = uuid.MustParse("7a0f3c52-6d1e-4d8e-9b6a-5c2f1e0a9d41")

// grantNetworkContributor gives the cluster's identity Network Contributor
// on every subnet the cluster uses: the node subnet and, in PodSubnet mode,
// each pod subnet. AKS needs it on a subnet it does not own, for internal
// load balancers in the node subnet and for pod IP allocation in a pod
// subnet (AKS docs: "Use a managed identity in AKS", and "Configure Azure
// CNI networking": the cluster identity needs Network Contributor on the
// subnets of a custom VNet). `az aks create --vnet-subnet-id` grants it;
// ARM and azure-native do not, so without this a first real deployment
// fails at its first internal load balancer.
//
// The identity stays system-assigned, and the assignments follow the
// cluster, scoped to each subnet (what the Azure CLI does). AKS docs
// recommend a user-assigned control-plane identity for a custom VNet, so
// that the role exists before the cluster's first operation; that needs a
// Microsoft.ManagedIdentity resource, and the azure-native SDK package for
// it (managedidentity/v2 v2.88.0) is not served, and moving an existing
// cluster from a system-assigned to a user-assigned identity restarts its
// control-plane identity for hours. With the system-assigned identity the
// principal exists only once the cluster does, so the grant lands seconds
// after the cluster is created: the cluster's creation itself does not
// need it (AKS joins the subnets with its own first-party permissions),
// and the cloud provider retries a load balancer until the role arrives.
// The deploying principal needs Microsoft.Authorization/roleAssignments/write
// on the subnets (Owner, User Access Administrator or Role Based Access
// Control Administrator); on subnets you bring, ask their owner for it.
//
// Each assignment's name is a UUID v5 of its scope, principal and role: a
// replaced cluster (a new principal) gets a new assignment rather than an
// update, which ARM refuses (RoleAssignmentUpdateNotPermitted).
func grantNetworkContributor(ctx *pulumi.Context, name string, c spec.Cluster, principalID pulumi.StringOutput,
	nodeSubnetID pulumi.StringOutput, podSubnetIDs pulumi.StringMapOutput, parent pulumi.Resource,
) (map[string]*authorization.RoleAssignment, error) {
	scopes := map[string]pulumi.StringOutput{"nodes": nodeSubnetID}
	for _, s := range podSubnetsOf(c) {
		scopes["pods-"+s.Name] = podSubnetIDOf(podSubnetIDs, s.Name)
	}
	out := map[string]*authorization.RoleAssignment{}
	for _, key := range slices.Sorted(maps.Keys(scopes)) {
		scope := scopes[key]
		ra, err := authorization.NewRoleAssignment(ctx, childName(name, "netcontrib-"+key), &authorization.RoleAssignmentArgs{
			RoleAssignmentName: pulumi.All(scope, principalID).ApplyT(func(v []any) string {
				return roleAssignmentName(v[0].(string), v[1].(string), NetworkContributorRoleID)
			}).(pulumi.StringOutput),
			Scope:            scope,
			PrincipalId:      principalID,
			PrincipalType:    pulumi.String(string(authorization.PrincipalTypeServicePrincipal)),
			RoleDefinitionId: scope.ApplyT(roleDefinitionID).(pulumi.StringOutput),
			Description:      pulumi.String(fmt.Sprintf("aks-cilium: AKS cluster %s manages load balancers and pod IPs in this subnet", c.Name)),
		}, pulumi.Parent(parent))
		if err != nil {
			return nil, err
		}
		out[key] = ra
	}
	return out, nil
}

// roleAssignmentName is a stable GUID for one scope, principal and role.
func roleAssignmentName(scope, principal, role string) string {
	return uuid.NewSHA1(roleAssignmentNamespace, []byte(strings.ToLower(scope+"|"+principal+"|"+role))).String()
}

// roleDefinitionID is Network Contributor's ID in the subscription of the
// scope (a subnet ID).
func roleDefinitionID(scope string) (string, error) {
	rid, err := arm.ParseResourceID(scope)
	if err != nil || rid.SubscriptionID == "" {
		return "", fmt.Errorf("aks-cilium: %q is not a subnet resource ID", scope)
	}
	return fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", rid.SubscriptionID, NetworkContributorRoleID), nil
}
