package azuresim

import (
	"context"
	"errors"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func roleInputs(principal string) map[string]any {
	return map[string]any{
		"scope":              testNodeID,
		"roleAssignmentName": "0b7e2a3c-9f0d-5e1a-8c4b-2d6f8a0e1c3b",
		"principalId":        principal,
		"principalType":      "ServicePrincipal",
		"roleDefinitionId":   "/subscriptions/" + DefaultSubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7",
	}
}

// A role assignment is an extension resource under its scope (the REST
// spec's /{scope}/providers/Microsoft.Authorization/roleAssignments/{name});
// ARM refuses an unknown principal and a change of principal in place.
func TestRoleAssignments(t *testing.T) {
	f := newFixture(t, Options{})
	_, _, clusterID, _ := f.deploy()
	mc, ok := f.sim.Get(clusterID)
	require.True(t, ok)
	principal := str(obj(mc.Outputs, "identity"), "principalId")
	require.NotEmpty(t, principal, "a system-assigned identity has a principal")

	_, _, err := f.create(TypeRoleAssignment, "unknown", roleInputs("00000000-0000-0000-0000-00000000dead"))
	var armErr *ARMError
	require.True(t, errors.As(err, &armErr), "%v", err)
	assert.Equal(t, 400, armErr.StatusCode)
	assert.Equal(t, "PrincipalNotFound", armErr.Code)

	id, outs := f.mustCreate(TypeRoleAssignment, "netcontrib", roleInputs(principal))
	assert.Equal(t, testNodeID+"/providers/Microsoft.Authorization/roleAssignments/0b7e2a3c-9f0d-5e1a-8c4b-2d6f8a0e1c3b", id)
	assert.Equal(t, testNodeID, outs["scope"])
	assert.Equal(t, "Microsoft.Authorization/roleAssignments", outs["type"])

	other := roleInputs(principal)
	other["roleDefinitionId"] = "/subscriptions/" + DefaultSubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
	_, err = f.update(TypeRoleAssignment, "netcontrib", id, roleInputs(principal), other)
	require.True(t, errors.As(err, &armErr), "%v", err)
	assert.Equal(t, "RoleAssignmentUpdateNotPermitted", armErr.Code)

	// The scope and the name are path parameters: a change replaces.
	moved := roleInputs(principal)
	moved["scope"] = testPodID
	d := f.diff(TypeRoleAssignment, roleInputs(principal), moved, nil)
	assert.Equal(t, []string{"scope"}, d.GetReplaces())
	assert.Equal(t, pulumirpc.PropertyDiff_UPDATE_REPLACE, d.GetDetailedDiff()["scope"].GetKind())
}

// The L7 level set through ARM (API 2025-10-01) is not what azure-native
// (API 2024-10-01) reads back: a refresh neither records it nor plans to
// remove it; ARM still has it.
func TestNewerAPIPropertiesHiddenFromProvider(t *testing.T) {
	f := newFixture(t, Options{})
	_, _, clusterID, _ := f.deploy()
	clusters, err := acs.NewManagedClustersClient(DefaultSubscriptionID, &azfake.TokenCredential{},
		&arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: f.sim.ARMTransport()}})
	require.NoError(t, err)
	ctx := context.Background()
	got, err := clusters.Get(ctx, testRG, "aks-sim", nil)
	require.NoError(t, err)
	mc := got.ManagedCluster
	mc.Properties.NetworkProfile.AdvancedNetworking = &acs.AdvancedNetworking{Enabled: to.Ptr(true),
		Security: &acs.AdvancedNetworkingSecurity{Enabled: to.Ptr(true), AdvancedNetworkPolicies: to.Ptr(acs.AdvancedNetworkPoliciesL7)}}
	poller, err := clusters.BeginCreateOrUpdate(ctx, testRG, "aks-sim", mc, nil)
	require.NoError(t, err)
	_, err = poller.PollUntilDone(ctx, nil)
	require.NoError(t, err)

	r, _ := f.sim.Get(clusterID)
	resp, err := f.srv.Read(ctx, &pulumirpc.ReadRequest{Id: clusterID, Urn: testURN(TypeManagedCluster, "aks"), Type: TypeManagedCluster,
		Properties: wire(t, r.Outputs), Inputs: wire(t, clusterInputs())})
	require.NoError(t, err)
	sec := obj(obj(obj(unwire(t, resp.GetProperties()), "networkProfile"), "advancedNetworking"), "security")
	assert.Equal(t, map[string]any{"enabled": true}, sec, "API 2024-10-01 has no advancedNetworkPolicies")
	assert.NotContains(t, obj(obj(obj(unwire(t, resp.GetInputs()), "networkProfile"), "advancedNetworking"), "security"), "advancedNetworkPolicies")

	got, err = clusters.Get(ctx, testRG, "aks-sim", nil)
	require.NoError(t, err)
	assert.Equal(t, acs.AdvancedNetworkPoliciesL7, *got.Properties.NetworkProfile.AdvancedNetworking.Security.AdvancedNetworkPolicies, "ARM keeps it")
}
