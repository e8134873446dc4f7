package azuresim

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	containerservice "github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2/v20241001"
	network "github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	resources "github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"
)

// These tests run the real pulumi CLI and engine (v3.274.1, built by `make
// tools`) with a local file backend against the simulator, through the
// Automation API with inline programs that use the real azure-native SDK.

// platform is the knobs of the test program; the inline program runs in
// this process, so a test turns them between engine operations.
type platform struct {
	env, dataplane, policy, podCIDR, poolOS string
}

func defaultPlatform() *platform {
	return &platform{env: "test", dataplane: "cilium", policy: "cilium", podCIDR: "192.168.0.0/16", poolOS: "Linux"}
}

// program is a resource group, a VNet with an inline node subnet, a Cilium
// overlay cluster with a system pool, a user AgentPool and the user
// kubeconfig, as aks-cilium's components build them.
func (p *platform) program(ctx *pulumi.Context) error {
	tags := pulumi.StringMap{"env": pulumi.String(p.env)}
	rg, err := resources.NewResourceGroup(ctx, "rg", &resources.ResourceGroupArgs{
		ResourceGroupName: pulumi.String(testRG),
		Location:          pulumi.String("westeurope"),
		Tags:              tags,
	})
	if err != nil {
		return err
	}
	vnet, err := network.NewVirtualNetwork(ctx, "vnet", &network.VirtualNetworkArgs{
		ResourceGroupName:  rg.Name,
		VirtualNetworkName: pulumi.String("vnet-sim"),
		Location:           pulumi.String("westeurope"),
		AddressSpace:       &network.AddressSpaceArgs{AddressPrefixes: pulumi.StringArray{pulumi.String("10.10.0.0/16")}},
		Subnets: network.SubnetTypeArray{network.SubnetTypeArgs{
			Name:          pulumi.String("nodes"),
			AddressPrefix: pulumi.String("10.10.0.0/22"),
		}},
	})
	if err != nil {
		return err
	}
	nodeSubnet := vnet.Subnets.ApplyT(func(subnets []network.SubnetResponse) (string, error) {
		for _, s := range subnets {
			if s.Name != nil && *s.Name == "nodes" && s.Id != nil {
				return *s.Id, nil
			}
		}
		return "", fmt.Errorf("no subnet nodes")
	}).(pulumi.StringOutput)
	cluster, err := containerservice.NewManagedCluster(ctx, "aks", &containerservice.ManagedClusterArgs{
		ResourceGroupName:    rg.Name,
		ResourceName:         pulumi.String("aks-sim"),
		Location:             pulumi.String("westeurope"),
		DnsPrefix:            pulumi.String("akssim"),
		KubernetesVersion:    pulumi.String("1.32"),
		Identity:             &containerservice.ManagedClusterIdentityArgs{Type: containerservice.ResourceIdentityTypeSystemAssigned},
		AadProfile:           &containerservice.ManagedClusterAADProfileArgs{Managed: pulumi.Bool(true), EnableAzureRBAC: pulumi.Bool(true)},
		DisableLocalAccounts: pulumi.Bool(true),
		OidcIssuerProfile:    &containerservice.ManagedClusterOIDCIssuerProfileArgs{Enabled: pulumi.Bool(true)},
		AgentPoolProfiles: containerservice.ManagedClusterAgentPoolProfileArray{containerservice.ManagedClusterAgentPoolProfileArgs{
			Name:         pulumi.String("system"),
			Mode:         pulumi.String("System"),
			Count:        pulumi.Int(1),
			VmSize:       pulumi.String("Standard_D4s_v5"),
			OsType:       pulumi.String("Linux"),
			VnetSubnetID: nodeSubnet,
		}},
		NetworkProfile: &containerservice.ContainerServiceNetworkProfileArgs{
			NetworkPlugin:     pulumi.String("azure"),
			NetworkPluginMode: pulumi.String("overlay"),
			NetworkDataplane:  pulumi.String(p.dataplane),
			NetworkPolicy:     pulumi.String(p.policy),
			PodCidr:           pulumi.String(p.podCIDR),
		},
		Tags: tags,
	})
	if err != nil {
		return err
	}
	pool, err := containerservice.NewAgentPool(ctx, "user", &containerservice.AgentPoolArgs{
		ResourceGroupName: rg.Name,
		ResourceName:      cluster.Name,
		AgentPoolName:     pulumi.String("user"),
		Count:             pulumi.Int(1),
		VmSize:            pulumi.String("Standard_D4s_v5"),
		Mode:              pulumi.String("User"),
		OsType:            pulumi.String(p.poolOS),
		VnetSubnetID:      nodeSubnet,
	})
	if err != nil {
		return err
	}
	creds := containerservice.ListManagedClusterUserCredentialsOutput(ctx, containerservice.ListManagedClusterUserCredentialsOutputArgs{
		ResourceGroupName: rg.Name,
		ResourceName:      cluster.Name,
		Format:            pulumi.String("exec"),
	})
	ctx.Export("clusterId", cluster.ID())
	ctx.Export("fqdn", cluster.Fqdn)
	ctx.Export("issuer", cluster.OidcIssuerProfile.IssuerURL())
	ctx.Export("poolId", pool.ID())
	ctx.Export("nodeSubnetId", nodeSubnet)
	ctx.Export("kubeconfig", creds.Kubeconfigs().Index(pulumi.Int(0)).Value())
	return nil
}

const testClusterID = "/subscriptions/" + DefaultSubscriptionID + "/resourceGroups/rg-sim/providers/Microsoft.ContainerService/managedClusters/aks-sim"

func TestEngineLifecycle(t *testing.T) {
	cli := pulumiCLI(t)
	sim := startSimulator(t, Options{Retry: RetryPolicy{Backoff: time.Millisecond}})
	p := defaultPlatform()
	ctx := t.Context()
	stack := newStack(t, cli, p.program, sim.EnvVars(), nil)
	step := stepTimer(t)

	// A first preview plans five creates and reaches no Azure; the engine
	// says the provider is simulated.
	pre, err := stack.Preview(ctx)
	require.NoError(t, err, "preview")
	assert.Equal(t, 5, pre.ChangeSummary[apitype.OpCreate], pre.StdOut)
	assert.Contains(t, pre.StdOut, "SIMULATED")
	assert.Empty(t, sim.Resources())
	assert.Zero(t, sim.CallCount("", ""), "a preview makes no ARM call")
	step("preview")

	// Up, with the cluster's create throttled twice: azure-native retries.
	sim.InjectFault(Fault{Type: "ManagedCluster", Op: OpCreate, Kind: FaultTooManyRequests, Times: 2})
	up, err := stack.Up(ctx)
	require.NoError(t, err, "up")
	step("up (429 x2 on the cluster)")
	assert.Equal(t, 3, sim.CallCount("ManagedCluster", OpCreate), "two throttled calls and the one that succeeded")
	assert.Equal(t, testClusterID, up.Outputs["clusterId"].Value)
	assert.Regexp(t, `^akssim-[0-9a-f]{8}\.hcp\.westeurope\.azmk8s\.io$`, up.Outputs["fqdn"].Value)
	assert.Equal(t, testNodeID, up.Outputs["nodeSubnetId"].Value)
	assert.Equal(t, testClusterID+"/agentPools/user", up.Outputs["poolId"].Value)
	assert.Contains(t, up.Outputs["issuer"].Value, "https://westeurope.oic.prod-aks.azure.com/")
	kubeconfig := up.Outputs["kubeconfig"]
	assert.True(t, kubeconfig.Secret, "the kubeconfig output is secret")
	raw, err := base64.StdEncoding.DecodeString(fmt.Sprint(kubeconfig.Value))
	require.NoError(t, err)
	cfg, err := clientcmd.Load(raw)
	require.NoError(t, err)
	assert.Equal(t, "https://"+fmt.Sprint(up.Outputs["fqdn"].Value)+":443", cfg.Clusters["aks-sim"].Server)
	assert.NotContains(t, up.StdOut, fmt.Sprint(kubeconfig.Value)[:40], "the kubeconfig is not printed")
	assert.NotContains(t, up.StdOut, "devicecode")
	assert.Len(t, sim.Resources(), 4)
	cluster, ok := sim.Get(testClusterID)
	require.True(t, ok)
	assert.Equal(t, "cilium", str(obj(cluster.Outputs, "networkProfile"), "networkDataplane"))
	assert.Equal(t, testNodeID, str(list(cluster.Inputs, "agentPoolProfiles")[0].(map[string]any), "vnetSubnetID"))

	// Nothing changed: a preview plans nothing.
	_, err = stack.Preview(ctx, optpreview.ExpectNoChanges())
	require.NoError(t, err, "no-op preview")
	step("no-op preview")

	// A tag is an in-place update.
	p.env = "prod"
	evs, pre := previewEvents(t, stack)
	assert.Equal(t, 2, pre.ChangeSummary[apitype.OpUpdate], pre.StdOut)
	assert.Zero(t, pre.ChangeSummary[apitype.OpReplace])
	mc := evs.of("aks", apitype.OpUpdate)
	require.NotNil(t, mc, "the cluster is updated in place")
	assert.Equal(t, apitype.DiffUpdate, mc.DetailedDiff["tags.env"].Kind)
	step("preview of a tag change")

	// Another operation in progress (409 AnotherOperationInProgress) is
	// retried inside the provider, like 429 and 5xx.
	sim.InjectFault(Fault{Type: "ResourceGroup", Op: OpUpdate, Kind: FaultAnotherOperationInProgress})
	_, err = stack.Up(ctx)
	require.NoError(t, err, "up retrying a 409 AnotherOperationInProgress")
	assert.Equal(t, 2, sim.CallCount("ResourceGroup", OpUpdate), "the 409, then the update")
	step("up retrying a 409")
	rg, _ := sim.Get("/subscriptions/" + DefaultSubscriptionID + "/resourceGroups/rg-sim")
	assert.Equal(t, "prod", str(obj(rg.Outputs, "tags"), "env"))
	_, err = stack.Preview(ctx, optpreview.ExpectNoChanges())
	require.NoError(t, err, "converged")
	step("no-op preview")

	// A pod CIDR or data plane change replaces the cluster (the whole
	// networkProfile is a replace key in azure-native v2.88.0); Replaces
	// names the full property path.
	for _, change := range []struct {
		name  string
		apply func()
		path  string
	}{
		{"podCidr", func() { p.podCIDR = "172.16.0.0/16" }, "networkProfile.podCidr"},
		{"networkDataplane", func() { p.dataplane = "azure" }, "networkProfile.networkDataplane"},
	} {
		p.podCIDR, p.dataplane = "192.168.0.0/16", "cilium"
		change.apply()
		evs, pre := previewEvents(t, stack)
		assert.GreaterOrEqual(t, pre.ChangeSummary[apitype.OpReplace], 1, change.name)
		rep := evs.of("aks", apitype.OpReplace)
		require.NotNil(t, rep, "%s: the cluster is replaced", change.name)
		assert.Equal(t, []string{change.path}, rep.Keys, change.name)
		assert.Equal(t, apitype.DiffUpdateReplace, rep.DetailedDiff[change.path].Kind, change.name)
		step("preview of a " + change.name + " change")
	}
	p.podCIDR, p.dataplane = "192.168.0.0/16", "cilium"

	// Drift: the pool deleted behind Pulumi's back; refresh notices, up
	// recreates it.
	_, err = sim.DeleteOutOfBand(testClusterID + "/agentPools/user")
	require.NoError(t, err)
	ref, err := stack.Refresh(ctx)
	require.NoError(t, err, "refresh")
	assert.Equal(t, 1, (*ref.Summary.ResourceChanges)["delete"], ref.StdOut)
	step("refresh after an out-of-band delete")
	up, err = stack.Up(ctx)
	require.NoError(t, err, "up after refresh")
	assert.Equal(t, 1, (*up.Summary.ResourceChanges)["create"])
	_, ok = sim.Get(testClusterID + "/agentPools/user")
	assert.True(t, ok)
	step("up recreating the pool")

	// Destroy leaves the simulated Azure empty.
	_, err = stack.Destroy(ctx, optdestroy.Remove())
	require.NoError(t, err, "destroy")
	assert.Empty(t, sim.Resources())
	step("destroy")

	creates := 0
	for _, op := range sim.Operations() {
		if op.Op == OpCreate && op.Err == "" {
			creates++
			assert.False(t, op.End.Before(op.Start))
		}
	}
	assert.Equal(t, 5, creates, "4 resources, then the pool again")
}

func TestEngineARMRejections(t *testing.T) {
	cli := pulumiCLI(t)
	sim := startSimulator(t, Options{})
	p := defaultPlatform()
	ctx := t.Context()
	stack := newStack(t, cli, p.program, sim.EnvVars(), nil)
	step := stepTimer(t)

	p.policy = "azure"
	_, err := stack.Up(ctx, optup.SuppressProgress())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Status=400 Code="BadRequest" Message="{"code":"BadRequest","details":null,"message":"Cilium dataplane requires network policy cilium.","subcode":"CiliumDataplaneRequiresNetworkPolicyCilium"`)
	_, ok := sim.Get(testClusterID)
	assert.False(t, ok, "the rejected cluster does not exist")
	step("up rejected: cilium dataplane with azure policy")

	p.policy, p.poolOS = "cilium", "Windows"
	_, err = stack.Up(ctx, optup.SuppressProgress())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Code="BadRequest" Message="{"code":"BadRequest","details":null,"message":"Windows agent pools are not supported`)
	_, ok = sim.Get(testClusterID)
	assert.True(t, ok, "the cluster was created, the Windows pool refused")
	step("up rejected: Windows pool")

	p.poolOS = "Linux"
	_, err = stack.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	step("up converges")

	_, err = stack.Destroy(ctx, optdestroy.Remove())
	require.NoError(t, err)
	assert.Empty(t, sim.Resources())
	step("destroy")
}

// The plugin binary, found through the project's plugin path, keeps its
// simulated Azure in a state file across the engine's runs (each run starts
// a new plugin process).
func TestEnginePluginBinary(t *testing.T) {
	cli := pulumiCLI(t)
	pluginDir := buildPlugin(t)
	stateFile := filepath.Join(t.TempDir(), "azure.json")
	ctx := t.Context()
	program := func(ctx *pulumi.Context) error {
		rg, err := resources.NewResourceGroup(ctx, "rg", &resources.ResourceGroupArgs{
			ResourceGroupName: pulumi.String(testRG), Location: pulumi.String("westeurope"),
		})
		ctx.Export("rg", rg.ID())
		return err
	}
	plugins := &workspace.Plugins{Providers: []workspace.PluginOptions{{Name: Package, Path: pluginDir, Version: Version}}}
	stack := newStack(t, cli, program, map[string]string{EnvStateFile: stateFile}, plugins)
	step := stepTimer(t)

	up, err := stack.Up(ctx)
	require.NoError(t, err)
	assert.Equal(t, "/subscriptions/"+DefaultSubscriptionID+"/resourceGroups/rg-sim", up.Outputs["rg"].Value)
	assert.Contains(t, up.StdOut, "SIMULATED")
	azure := New(Options{StateFile: stateFile})
	assert.Len(t, azure.Resources(), 1, "another process sees the plugin's Azure through the state file")
	step("up through the plugin binary")

	_, err = stack.Preview(ctx, optpreview.ExpectNoChanges())
	require.NoError(t, err)
	_, err = stack.Refresh(ctx, optrefresh.ExpectNoChanges())
	require.NoError(t, err, "a new plugin process still finds the group")
	step("no-op preview and refresh")

	_, err = stack.Destroy(ctx, optdestroy.Remove())
	require.NoError(t, err)
	assert.Empty(t, azure.Resources())
	step("destroy")
}
