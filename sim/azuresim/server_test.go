package azuresim

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

func TestCreateComputesARMOutputs(t *testing.T) {
	f := newFixture(t, Options{})
	rgID, rgOut := f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	assert.Equal(t, "/subscriptions/"+DefaultSubscriptionID+"/resourceGroups/rg-sim", rgID)
	assert.Equal(t, "rg-sim", rgOut["name"])
	assert.Equal(t, "Microsoft.Resources/resourceGroups", rgOut["type"])
	assert.Equal(t, "Succeeded", str(obj(rgOut, "properties"), "provisioningState"))
	assert.NotContains(t, rgOut, "resourceGroupName", "path parameters are inputs, not outputs")

	vnetID, vnetOut := f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	assert.Equal(t, testVNetID, vnetID)
	subnets := list(vnetOut, "subnets")
	require.Len(t, subnets, 2)
	assert.Equal(t, testNodeID, str(subnets[0].(map[string]any), "id"))
	assert.Equal(t, testPodID+"/delegations/aks", str(list(subnets[1].(map[string]any), "delegations")[0].(map[string]any), "id"))

	clusterID, mc := f.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	assert.Equal(t, "/subscriptions/"+DefaultSubscriptionID+"/resourceGroups/rg-sim/providers/Microsoft.ContainerService/managedClusters/aks-sim", clusterID)
	assert.Equal(t, "aks-sim", mc["name"])
	assert.Equal(t, "Microsoft.ContainerService/ManagedClusters", mc["type"])
	assert.Equal(t, "Succeeded", mc["provisioningState"])
	assert.Regexp(t, `^akssim-[0-9a-f]{8}\.hcp\.westeurope\.azmk8s\.io$`, mc["fqdn"])
	assert.NotContains(t, mc, "privateFQDN")
	assert.Equal(t, "MC_rg-sim_aks-sim_westeurope", mc["nodeResourceGroup"])
	assert.Equal(t, "1.32.0", mc["currentKubernetesVersion"])
	assert.Equal(t, "Running", str(obj(mc, "powerState"), "code"))
	assert.Regexp(t, `^https://westeurope\.oic\.prod-aks\.azure\.com/`+DefaultTenantID+`/[0-9a-f-]{36}/$`, str(obj(mc, "oidcIssuerProfile"), "issuerURL"))
	assert.Regexp(t, `^[0-9a-f-]{36}$`, str(obj(mc, "identity"), "principalId"))
	assert.Equal(t, DefaultTenantID, str(obj(mc, "identity"), "tenantId"))
	np := obj(mc, "networkProfile")
	assert.Equal(t, "cilium", np["networkDataplane"])
	assert.Equal(t, []any{"192.168.0.0/16"}, np["podCidrs"])
	assert.Equal(t, []any{"IPv4"}, np["ipFamilies"])
	assert.Equal(t, "standard", np["loadBalancerSku"])
	pool := list(mc, "agentPoolProfiles")[0].(map[string]any)
	assert.Equal(t, 250.0, pool["maxPods"], "overlay pools default to 250 pods")
	assert.Equal(t, "1.32.0", pool["currentOrchestratorVersion"])

	poolID, ap := f.mustCreate(TypeAgentPool, "user", poolInputs())
	assert.Equal(t, clusterID+"/agentPools/user", poolID)
	assert.Equal(t, "Microsoft.ContainerService/managedClusters/agentPools", ap["type"])
	assert.Equal(t, "Succeeded", ap["provisioningState"])
	assert.Equal(t, "1.32", ap["orchestratorVersion"])

	// The same inputs give the same outputs in another simulator (stable
	// for golden files), and a private cluster gets a private FQDN.
	g := newFixture(t, Options{})
	g.mustCreate(TypeResourceGroup, "rg", rgInputs())
	g.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	_, mc2 := g.mustCreate(TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{
		"agentPoolProfiles":      []any{map[string]any{"name": "system", "mode": "System"}},
		"apiServerAccessProfile": map[string]any{"enablePrivateCluster": true},
	}))
	assert.Equal(t, mc["fqdn"], mc2["fqdn"])
	assert.Regexp(t, `^akssim-[0-9a-f]{8}\.[0-9a-f-]{36}\.privatelink\.westeurope\.azmk8s\.io$`, mc2["privateFQDN"])

	r, ok := f.sim.Get(clusterID)
	require.True(t, ok)
	assert.True(t, r.Simulated)
	assert.Equal(t, "rg-sim", r.ResourceGroup)
	assert.Len(t, f.sim.Resources(), 4)
}

func TestCreatePreviewHasNoIDAndUnknownComputedOutputs(t *testing.T) {
	f := newFixture(t, Options{})
	in := with(clusterInputs(), map[string]any{"resourceGroupName": unknown})
	resp, err := f.srv.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: testURN(TypeManagedCluster, "aks"), Type: TypeManagedCluster, Properties: wire(t, in), Preview: true,
	})
	require.NoError(t, err)
	assert.Empty(t, resp.GetId())
	outs, err := decode(resp.GetProperties(), "outs")
	require.NoError(t, err)
	assert.True(t, outs["fqdn"].IsComputed())
	assert.True(t, outs["name"].IsComputed())
	assert.True(t, outs["networkProfile"].IsComputed())
	assert.Equal(t, resource.NewStringProperty("westeurope"), outs["location"])
	assert.Equal(t, resource.NewStringProperty("akssim"), outs["dnsPrefix"])
	assert.Empty(t, f.sim.Resources(), "a preview creates nothing")
	assert.Zero(t, f.sim.CallCount("", ""), "a preview makes no ARM call")
}

func TestUpdatePreviewKeepsKnownOutputs(t *testing.T) {
	f := newFixture(t, Options{})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	id, before := f.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	resp, err := f.srv.Update(context.Background(), &pulumirpc.UpdateRequest{
		Urn: testURN(TypeManagedCluster, "aks"), Type: TypeManagedCluster, Id: id, Preview: true,
		News: wire(t, with(clusterInputs(), map[string]any{"tags": map[string]any{"env": "prod"}})),
	})
	require.NoError(t, err)
	outs := unwire(t, resp.GetProperties())
	assert.Equal(t, before["fqdn"], outs["fqdn"])
	assert.Equal(t, "prod", str(obj(outs, "tags"), "env"))
	r, _ := f.sim.Get(id)
	assert.Equal(t, "test", str(obj(r.Outputs, "tags"), "env"), "a preview changes nothing")
}

func TestUpdateInPlace(t *testing.T) {
	f := newFixture(t, Options{})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	id, before := f.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	news := with(clusterInputs(), map[string]any{"tags": map[string]any{"env": "prod"}})
	after, err := f.update(TypeManagedCluster, "aks", id, clusterInputs(), news)
	require.NoError(t, err)
	assert.Equal(t, "prod", str(obj(after, "tags"), "env"))
	assert.Equal(t, before["fqdn"], after["fqdn"], "identity survives an update")
	r, _ := f.sim.Get(id)
	assert.Equal(t, news, r.Inputs)
	assert.Equal(t, 1, f.sim.CallCount("ManagedCluster", OpUpdate))
}

func TestUnknownTypeIsNotSimulated(t *testing.T) {
	f := newFixture(t, Options{})
	const token = "azure-native:storage:StorageAccount"
	_, _, err := f.create(token, "sa", map[string]any{"resourceGroupName": testRG, "accountName": "x"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), token)
	assert.Contains(t, err.Error(), "not simulated")
	_, err = f.srv.Check(context.Background(), &pulumirpc.CheckRequest{Urn: testURN(token, "sa"), Type: token, News: wire(t, map[string]any{})})
	require.Error(t, err, "a preview fails early too")
	assert.Contains(t, err.Error(), "not simulated")

	_, err = f.srv.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: "azure-native:storage:listStorageAccountKeys", Args: wire(t, map[string]any{})})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "listStorageAccountKeys")
}

func TestCheckAutonamesAndRequiresPathParameters(t *testing.T) {
	f := newFixture(t, Options{})
	resp, err := f.srv.Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: testURN(TypeResourceGroup, "main"), Type: TypeResourceGroup,
		News: wire(t, map[string]any{"location": "westeurope"}), RandomSeed: []byte{0xab, 0xcd, 0xef, 0x01, 0x23},
	})
	require.NoError(t, err)
	assert.Equal(t, "mainabcdef01", unwire(t, resp.GetInputs())["resourceGroupName"])

	resp, err = f.srv.Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: testURN(TypeResourceGroup, "main"), Type: TypeResourceGroup,
		Olds: wire(t, map[string]any{"resourceGroupName": "kept"}), News: wire(t, map[string]any{"location": "westeurope"}),
	})
	require.NoError(t, err)
	assert.Equal(t, "kept", unwire(t, resp.GetInputs())["resourceGroupName"], "an autoname is stable")

	resp, err = f.srv.Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: testURN(TypeAgentPool, "p"), Type: TypeAgentPool, News: wire(t, map[string]any{"agentPoolName": "p"}),
	})
	require.NoError(t, err)
	var props []string
	for _, fl := range resp.GetFailures() {
		props = append(props, fl.GetProperty())
	}
	assert.Equal(t, []string{"resourceGroupName", "resourceName"}, props)
}

func TestRefreshSeesOutOfBandChanges(t *testing.T) {
	f := newFixture(t, Options{})
	_, _, clusterID, poolID := f.deploy()
	read := func(token, id string, inputs, outputs map[string]any) *pulumirpc.ReadResponse {
		resp, err := f.srv.Read(context.Background(), &pulumirpc.ReadRequest{
			Urn: testURN(token, "x"), Type: token, Id: id, Inputs: wire(t, inputs), Properties: wire(t, outputs),
		})
		require.NoError(t, err)
		return resp
	}
	r, _ := f.sim.Get(clusterID)
	resp := read(TypeManagedCluster, clusterID, clusterInputs(), r.Outputs)
	assert.Equal(t, clusterID, resp.GetId())
	assert.Equal(t, clusterInputs(), unwire(t, resp.GetInputs()), "an unchanged resource refreshes to the same inputs")

	// az aks update --enable-acns, behind Pulumi's back: the refreshed inputs
	// take the new value, so the program can state it without a replacement.
	acns := map[string]any{"enabled": true}
	require.NoError(t, f.sim.PatchOutOfBand(clusterID, map[string]any{"networkProfile": map[string]any{"advancedNetworking": acns}}))
	resp = read(TypeManagedCluster, clusterID, clusterInputs(), r.Outputs)
	refreshed := unwire(t, resp.GetInputs())
	assert.Equal(t, acns, obj(obj(refreshed, "networkProfile"), "advancedNetworking"))
	assert.Equal(t, "192.168.0.0/16", str(obj(refreshed, "networkProfile"), "podCidr"))
	assert.NotContains(t, obj(refreshed, "networkProfile"), "podCidrs", "outputs that did not change stay out of the inputs")
	program := with(clusterInputs(), map[string]any{"networkProfile": map[string]any{"advancedNetworking": acns}})
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, f.diff(TypeManagedCluster, refreshed, program, nil).GetChanges())

	deleted, err := f.sim.DeleteOutOfBand(poolID)
	require.NoError(t, err)
	assert.Equal(t, []string{poolID}, deleted)
	resp = read(TypeAgentPool, poolID, poolInputs(), map[string]any{})
	assert.Empty(t, resp.GetId(), "a resource deleted out of band reads as gone")
	assert.Equal(t, 3, f.sim.CallCount("", OpRead))

	_, err = f.sim.DeleteOutOfBand(poolID)
	assert.Error(t, err)
}

func TestDeleteCascadesAndIsIdempotent(t *testing.T) {
	f := newFixture(t, Options{})
	rgID, vnetID, clusterID, poolID := f.deploy()
	require.NoError(t, f.delete(TypeManagedCluster, "aks", clusterID))
	_, ok := f.sim.Get(poolID)
	assert.False(t, ok, "ARM deletes a cluster's agent pools with it")
	require.NoError(t, f.delete(TypeAgentPool, "user", poolID), "deleting what is gone succeeds")
	require.NoError(t, f.delete(TypeVirtualNetwork, "vnet", vnetID))
	require.NoError(t, f.delete(TypeResourceGroup, "rg", rgID))
	assert.Empty(t, f.sim.Resources())
}

func TestCreateRefusesAnExistingResource(t *testing.T) {
	f := newFixture(t, Options{})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	_, _, err := f.create(TypeResourceGroup, "rg2", rgInputs())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot create already existing resource")

	// An agent pool made inline with its cluster exists as an agent pool.
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	f.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	_, _, err = f.create(TypeAgentPool, "system", with(poolInputs(), map[string]any{"agentPoolName": "system"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot create already existing resource")
}

// The in-process server: the engine attaches, Cancel (sent after every run)
// leaves it serving, and Stop ends it.
func TestServeAttachCancel(t *testing.T) {
	sim := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	port, err := sim.Start(ctx)
	require.NoError(t, err)
	assert.Equal(t, port, sim.Port())
	assert.Equal(t, map[string]string{"PULUMI_DEBUG_PROVIDERS": "azure-native:" + itoa(port)}, sim.EnvVars())
	assert.Contains(t, sim.String(), "simulated")

	conn, err := grpc.NewClient("127.0.0.1:"+itoa(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	client := pulumirpc.NewResourceProviderClient(conn)
	_, err = client.Attach(ctx, &pulumirpc.PluginAttach{Address: "127.0.0.1:1"})
	require.NoError(t, err)
	info, err := client.GetPluginInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, "2.88.0", info.GetVersion())
	schema, err := client.GetSchema(ctx, &pulumirpc.GetSchemaRequest{})
	require.NoError(t, err)
	assert.Contains(t, schema.GetSchema(), `"name":"azure-native","version":"2.88.0"`)
	_, err = client.Cancel(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	_, err = client.GetPluginInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err, "Cancel must not stop the server")

	sim.Stop()
	sim.Stop()
	callCtx, callCancel := context.WithTimeout(ctx, 2*time.Second)
	defer callCancel()
	_, err = client.GetPluginInfo(callCtx, &emptypb.Empty{})
	assert.Error(t, err, "stopped")
	_, err = sim.Start(ctx)
	assert.Error(t, err)
}

func itoa(i int) string { return strconv.Itoa(i) }
