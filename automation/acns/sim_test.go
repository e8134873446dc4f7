package acns_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/aks-cilium/aks-cilium/automation/acns"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

const simRG = "rg-acns"

// simCluster creates a resource group, a VNet and a Cilium overlay cluster
// with ACNS on in a new simulator, through its provider interface (as the
// engine would), with the system pool's osSKU on Kubernetes version; it
// returns the simulator and the cluster's ID.
func simCluster(t *testing.T, version, osSKU string) (*azuresim.Simulator, string) {
	t.Helper()
	sim := azuresim.New(azuresim.Options{Logf: t.Logf})
	t.Cleanup(sim.Stop)
	srv := sim.Server(nil)
	sub := "/subscriptions/" + azuresim.DefaultSubscriptionID + "/resourceGroups/" + simRG
	create := func(token, name string, inputs map[string]any) string {
		t.Helper()
		props, err := structpb.NewStruct(inputs)
		require.NoError(t, err)
		resp, err := srv.Create(t.Context(), &pulumirpc.CreateRequest{
			Urn: "urn:pulumi:test::acns::" + token + "::" + name, Type: token, Name: name, Properties: props})
		require.NoError(t, err)
		return resp.GetId()
	}
	create(azuresim.TypeResourceGroup, "rg", map[string]any{"resourceGroupName": simRG, "location": "westeurope"})
	create(azuresim.TypeVirtualNetwork, "vnet", map[string]any{"resourceGroupName": simRG, "virtualNetworkName": "vnet", "location": "westeurope",
		"addressSpace": map[string]any{"addressPrefixes": []any{"10.10.0.0/16"}},
		"subnets":      []any{map[string]any{"name": "nodes", "addressPrefix": "10.10.0.0/22"}}})
	id := create(azuresim.TypeManagedCluster, "aks", map[string]any{
		"resourceGroupName": simRG, "resourceName": "aks", "location": "westeurope", "dnsPrefix": "aks",
		"kubernetesVersion": version, "identity": map[string]any{"type": "SystemAssigned"},
		"agentPoolProfiles": []any{map[string]any{"name": "system", "mode": "System", "count": 2.0, "vmSize": "Standard_D4ds_v5",
			"osType": "Linux", "osSKU": osSKU, "vnetSubnetID": sub + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes"}},
		"networkProfile": map[string]any{"networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataplane": "cilium",
			"networkPolicy": "cilium", "podCidr": "192.168.0.0/16", "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10",
			"advancedNetworking": map[string]any{"enabled": true}},
	})
	return sim, id
}

func simClient(t *testing.T, sim *azuresim.Simulator) *acns.Client {
	t.Helper()
	c, err := acns.NewClient(acns.ClientOptions{Credential: &azfake.TokenCredential{},
		ARM: arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: sim.ARMTransport()}}, PollInterval: 1})
	require.NoError(t, err)
	return c
}

// Ensure against the strict simulator's ARM front end at API 2026-01-01:
// WireGuard and eBPF host routing are set on a Kubernetes 1.33 cluster of
// Azure Linux 3.0 nodes, read back, and a second Ensure sends nothing. On
// Ubuntu 22.04 nodes ARM refuses eBPF host routing, and Ensure returns
// ARM's answer (*azcore.ResponseError, 400, the reason in the body) and
// leaves the cluster as it was.
func TestEnsureAgainstTheSimulator(t *testing.T) {
	sim, id := simCluster(t, "1.33", "AzureLinux")
	c := simClient(t, sim)
	ctx := t.Context()
	before, err := c.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN}, before, "ARM's defaults for enabled alone")

	want := spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN,
		TransitEncryption: spec.TransitEncryptionWireGuard, Acceleration: spec.AccelerationBpfVeth}
	u, err := c.Ensure(ctx, id, want)
	require.NoError(t, err)
	assert.True(t, u.Changed)
	assert.Equal(t, want, u.After)
	got, err := c.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	u, err = c.Ensure(ctx, id, want)
	require.NoError(t, err)
	assert.False(t, u.Changed, "idempotent")
	assert.Equal(t, 1, sim.CallCount(azuresim.TypeManagedCluster, azuresim.OpUpdate), "one update, through ARM")

	ubuntu, ubuntuID := simCluster(t, "1.33", "Ubuntu")
	_, err = simClient(t, ubuntu).Ensure(ctx, ubuntuID, want)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, http.StatusBadRequest, re.StatusCode)
	body, _ := runtime.Payload(re.RawResponse)
	assert.Contains(t, string(body), "eBPF host routing is supported only on Azure Linux 3.0 or Ubuntu 24.04")
	assert.Contains(t, err.Error(), "API "+acns.EnsureAPIVersion)
	left, err := simClient(t, ubuntu).Get(ctx, ubuntuID)
	require.NoError(t, err)
	assert.Equal(t, before, left, "a refused PUT writes nothing")
}
