package azuresim

import (
	authorization "github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"

	"sort"
	"sync"
	"testing"

	containerservice "github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2/v20241001"
	network "github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	resources "github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenMocks records the type and function tokens the SDK sends.
type tokenMocks struct {
	mu    sync.Mutex
	types map[string]bool
	funcs map[string]bool
}

func (m *tokenMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	m.types[args.TypeToken] = true
	m.mu.Unlock()
	state := args.Inputs.Copy()
	if args.TypeToken == TypeVirtualNetwork {
		state["subnets"] = resource.NewArrayProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{
			"name": resource.NewStringProperty("nodes"),
			"id":   resource.NewStringProperty(testNodeID),
		})})
	}
	return args.Name + "-id", state, nil
}

func (m *tokenMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.funcs[args.Token] = true
	m.mu.Unlock()
	return resource.PropertyMap{"kubeconfigs": resource.NewArrayProperty([]resource.PropertyValue{
		resource.NewObjectProperty(resource.PropertyMap{"name": resource.NewStringProperty("clusterUser"), "value": resource.NewStringProperty("")}),
	})}, nil
}

// The tokens the azure-native Go SDK v2.88.0 sends are the ones the
// simulator serves (its aliases to other API versions notwithstanding).
func TestSDKTokens(t *testing.T) {
	m := &tokenMocks{types: map[string]bool{}, funcs: map[string]bool{}}
	p := defaultPlatform()
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		if err := p.program(ctx); err != nil {
			return err
		}
		_, err := network.NewSubnet(ctx, "extra", &network.SubnetArgs{
			ResourceGroupName: pulumi.String(testRG), VirtualNetworkName: pulumi.String("vnet-sim"),
			SubnetName: pulumi.String("extra"), AddressPrefix: pulumi.String("10.10.4.0/24"),
		})
		if err != nil {
			return err
		}
		_, err = authorization.NewRoleAssignment(ctx, "netcontrib", &authorization.RoleAssignmentArgs{
			Scope: pulumi.String("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + testRG), PrincipalId: pulumi.String("p"),
			RoleDefinitionId: pulumi.String("r"), RoleAssignmentName: pulumi.String("00000000-0000-0000-0000-000000000001"),
		})
		if err != nil {
			return err
		}
		// The production resources (components/egress.go, maintenance.go).
		pip, err := network.NewPublicIPAddress(ctx, "pip", &network.PublicIPAddressArgs{ResourceGroupName: pulumi.String(testRG)})
		if err != nil {
			return err
		}
		if _, err = network.NewNatGateway(ctx, "natgw", &network.NatGatewayArgs{ResourceGroupName: pulumi.String(testRG),
			PublicIpAddresses: network.SubResourceArray{network.SubResourceArgs{Id: pip.ID().ToStringOutput()}}}); err != nil {
			return err
		}
		if _, err = network.NewRouteTable(ctx, "rt", &network.RouteTableArgs{ResourceGroupName: pulumi.String(testRG)}); err != nil {
			return err
		}
		if _, err = containerservice.NewMaintenanceConfiguration(ctx, "mw", &containerservice.MaintenanceConfigurationArgs{
			ResourceGroupName: pulumi.String(testRG), ResourceName: pulumi.String("aks-sim"),
			ConfigName: pulumi.String("aksManagedAutoUpgradeSchedule")}); err != nil {
			return err
		}
		_, err = resources.NewDeploymentStackAtResourceGroup(ctx, "monitoring", &resources.DeploymentStackAtResourceGroupArgs{
			ResourceGroupName: pulumi.String(testRG), DeploymentStackName: pulumi.String("mon"),
			ActionOnUnmanage: resources.DeploymentStackPropertiesActionOnUnmanageArgs{Resources: pulumi.String("delete")},
			DenySettings:     resources.DenySettingsArgs{Mode: pulumi.String("none")},
		})
		return err
	}, pulumi.WithMocks("simtest", "dev", m))
	require.NoError(t, err)
	var types []string
	for k := range m.types {
		types = append(types, k)
	}
	sort.Strings(types)
	assert.Equal(t, SimulatedTypes(), types)
	assert.Equal(t, map[string]bool{FuncListManagedClusterUserCredentials: true}, m.funcs)
}
