package automation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	containerservice "github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2/v20241001"
	network "github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	resources "github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/migrate"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// legacyCluster is a program for an existing Azure CNI (node subnet) cluster
// with Azure NPM, the starting point of a migration; dataplane picks the
// network data plane and policy engine it declares.
func legacyCluster(dataplane *string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		rg, err := resources.NewResourceGroup(ctx, "rg", &resources.ResourceGroupArgs{
			ResourceGroupName: pulumi.String("rg-legacy"), Location: pulumi.String("westeurope"),
		})
		if err != nil {
			return err
		}
		vnet, err := network.NewVirtualNetwork(ctx, "vnet", &network.VirtualNetworkArgs{
			ResourceGroupName: rg.Name, VirtualNetworkName: pulumi.String("vnet-legacy"), Location: pulumi.String("westeurope"),
			AddressSpace: &network.AddressSpaceArgs{AddressPrefixes: pulumi.StringArray{pulumi.String("10.30.0.0/16")}},
			Subnets:      network.SubnetTypeArray{network.SubnetTypeArgs{Name: pulumi.String("nodes"), AddressPrefix: pulumi.String("10.30.0.0/20")}},
		})
		if err != nil {
			return err
		}
		subnetID := vnet.Subnets.Index(pulumi.Int(0)).Id().Elem()
		policy := "azure"
		if *dataplane == "cilium" {
			policy = "cilium"
		}
		_, err = containerservice.NewManagedCluster(ctx, "aks", &containerservice.ManagedClusterArgs{
			ResourceGroupName: rg.Name, ResourceName: pulumi.String("aks-legacy"), Location: pulumi.String("westeurope"),
			DnsPrefix: pulumi.String("aks-legacy"), KubernetesVersion: pulumi.String("1.32"),
			Identity: &containerservice.ManagedClusterIdentityArgs{Type: containerservice.ResourceIdentityTypeSystemAssigned},
			NetworkProfile: &containerservice.ContainerServiceNetworkProfileArgs{
				NetworkPlugin: pulumi.String("azure"), NetworkDataplane: pulumi.String(*dataplane), NetworkPolicy: pulumi.String(policy),
				ServiceCidr: pulumi.String("10.0.0.0/16"), DnsServiceIP: pulumi.String("10.0.0.10"),
			},
			AgentPoolProfiles: containerservice.ManagedClusterAgentPoolProfileArray{containerservice.ManagedClusterAgentPoolProfileArgs{
				Name: pulumi.String("system"), Mode: pulumi.String("System"), Count: pulumi.Int(3), VmSize: pulumi.String("Standard_D4ds_v5"),
				OsType: pulumi.String("Linux"), MaxPods: pulumi.Int(30), VnetSubnetID: subnetID,
			}},
		}, keepNoPodCIDR())
		return err
	}
}

// keepNoPodCIDR drops the pod CIDR the SDK fills in by default (a node
// subnet cluster has none), as components.Cluster does.
func keepNoPodCIDR() pulumi.ResourceOption {
	return pulumi.Transformations([]pulumi.ResourceTransformation{func(a *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
		args, ok := a.Props.(*containerservice.ManagedClusterArgs)
		if !ok {
			return nil
		}
		args.NetworkProfile = args.NetworkProfile.ToContainerServiceNetworkProfilePtrOutput().ApplyT(
			func(p *containerservice.ContainerServiceNetworkProfile) *containerservice.ContainerServiceNetworkProfile {
				out := *p
				out.PodCidr = nil
				return &out
			}).(containerservice.ContainerServiceNetworkProfilePtrOutput)
		return &pulumi.ResourceTransformationResult{Props: args, Opts: a.Opts}
	}})
}

// TestMigrationLeavesNoReplacement: declaring the Cilium data plane in the
// program of an existing cluster plans a replacement (the guardrail refuses
// it); migrating in place through ARM first (the simulator's ARM front end,
// through the Azure SDK), then refreshing, makes the same program change
// plan no replacement at all.
func TestMigrationLeavesNoReplacement(t *testing.T) {
	cli := testCLI(t)
	sim := azuresim.New(azuresim.Options{})
	_, err := sim.Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(sim.Stop)

	dataplane := "azure"
	eng, err := New(Options{Now: testNow, Dir: t.TempDir(), Passphrase: "migration test passphrase", CLI: cli,
		Env: sim.EnvVars(), Program: legacyCluster(&dataplane)})
	require.NoError(t, err)
	ctx := context.Background()
	c := referenceSpec("legacy") // validated and stored; the legacy program ignores it

	_, err = eng.Up(ctx, "legacy", c, UpOptions{})
	require.NoError(t, err)

	// Changing the program alone replaces the cluster: refused.
	dataplane = "cilium"
	_, err = eng.Up(ctx, "legacy", c, UpOptions{})
	var refused *ReplacementRefusedError
	require.True(t, errors.As(err, &refused), "got %v", err)
	assert.Equal(t, "aks", refused.Steps[0].Name)
	assert.Contains(t, refused.Steps[0].ReplaceKeys, "networkProfile.networkDataplane")

	// The in-place path: plan and apply through ARM, refresh the stack.
	dataplane = "azure"
	client, err := migrate.NewClient(migrate.ClientOptions{
		Credential: &azfake.TokenCredential{},
		ARM:        arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: sim.ARMTransport()}},
	})
	require.NoError(t, err)
	plan, err := client.Plan(ctx, azuresim.DefaultSubscriptionID, "rg-legacy", "aks-legacy", migrate.PlanOptions{NetworkPolicies: nil, Policies: nil})
	require.NoError(t, err)
	require.Empty(t, plan.Blockers, plan.Human())
	t.Log("\n" + plan.Human())
	assert.False(t, plan.NoOp)

	var events []migrate.Event
	res, err := migrate.ApplyToStack(ctx, eng, "legacy", client, plan, migrate.ApplyOptions{PollInterval: 10 * time.Millisecond, Progress: func(e migrate.Event) { events = append(events, e) }})
	require.NoError(t, err)
	require.NotNil(t, res)
	assert.NotEmpty(t, events)
	for _, e := range events {
		t.Log(e.String())
	}

	mc, ok := sim.Get("/subscriptions/" + azuresim.DefaultSubscriptionID + "/resourceGroups/rg-legacy/providers/Microsoft.ContainerService/managedClusters/aks-legacy")
	require.True(t, ok)
	np := mc.Outputs["networkProfile"].(map[string]any)
	assert.Equal(t, "cilium", np["networkDataplane"], "the simulated Azure cluster was migrated in place")
	assert.Equal(t, "cilium", np["networkPolicy"])

	// Now the program says cilium too: no replacement, nothing to do.
	dataplane = "cilium"
	preview, err := eng.Preview(ctx, "legacy", c, PreviewOptions{})
	require.NoError(t, err)
	for _, s := range preview.Steps {
		assert.False(t, s.Replaces(), "%s %s must not be replaced after the migration", s.Op, s.Name)
	}
	assert.False(t, preview.HasChanges(), "after migrate + refresh the program matches the stack: %s", preview.ChangeSummary())
	_, err = eng.Up(ctx, "legacy", c, UpOptions{})
	require.NoError(t, err, "the guardrail lets the converged stack through")
}
