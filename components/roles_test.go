package components

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// TestNetworkContributorOnEverySubnet: the cluster's system-assigned
// identity gets Network Contributor on the node subnet and each pod subnet
// (created or existing), scoped to the subnet, as a ServicePrincipal, under
// a name stable for its scope, principal and role.
func TestNetworkContributorOnEverySubnet(t *testing.T) {
	roleDef := "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/" + NetworkContributorRoleID
	for _, tc := range []struct {
		name   string
		spec   func() spec.Cluster
		scopes []string
	}{
		{"overlay", overlaySpec, []string{vnetSubnetID(overlaySpec(), "nodes")}},
		{"node subnet", nodeSubnetSpec, []string{vnetSubnetID(nodeSubnetSpec(), "nodes")}},
		{"pod subnet", podSubnetSpec, []string{vnetSubnetID(podSubnetSpec(), "nodes"), vnetSubnetID(podSubnetSpec(), "pods"), vnetSubnetID(podSubnetSpec(), "podsapps")}},
		{"existing subnets", existingSubnetsSpec, []string{testSubPrefix + "nodes", testSubPrefix + "pods", testSubPrefix + "podsapps"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := deploy(t, tc.spec())
			ras := m.byType(tokRoleAssignment)
			require.Len(t, ras, len(tc.scopes), "one assignment per subnet")
			var scopes []string
			names := map[string]bool{}
			for _, ra := range ras {
				in := ra.Inputs
				scope := prop(t, in, "scope").(string)
				scopes = append(scopes, scope)
				assert.Equal(t, mockPrincipal, prop(t, in, "principalId"), "the cluster's system-assigned identity")
				assert.Equal(t, "ServicePrincipal", prop(t, in, "principalType"), "not the SDK's default User")
				assert.Equal(t, roleDef, prop(t, in, "roleDefinitionId"))
				name := prop(t, in, "roleAssignmentName").(string)
				assert.Equal(t, roleAssignmentName(scope, mockPrincipal, NetworkContributorRoleID), name)
				assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, name, "a GUID (UUID v5)")
				names[name] = true
				assert.Equal(t, ClusterType+"/plat-cluster", string(ra.ParentURN.Type())+"/"+ra.ParentURN.Name(), "parented to the Cluster")
			}
			assert.ElementsMatch(t, tc.scopes, scopes)
			assert.Len(t, names, len(tc.scopes), "distinct names")
		})
	}
	// A new principal (a replaced cluster) is a new assignment, never an
	// update ARM refuses (RoleAssignmentUpdateNotPermitted).
	scope := testSubPrefix + "nodes"
	assert.NotEqual(t, roleAssignmentName(scope, "a", NetworkContributorRoleID), roleAssignmentName(scope, "b", NetworkContributorRoleID))
	assert.Equal(t, roleAssignmentName(scope, "a", NetworkContributorRoleID), roleAssignmentName(scope, "a", NetworkContributorRoleID))
}
