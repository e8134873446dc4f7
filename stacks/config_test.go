package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// stacks are the shipped stack configs and the IP mode each one deploys.
var stacks = map[string]spec.ModeKind{
	"overlay":    spec.KindOverlay,
	"vnet":       spec.KindPodSubnet,
	"nodesubnet": spec.KindNodeSubnet,
}

// stackConfig reads Pulumi.<stack>.yaml and returns its config values the way
// the Pulumi engine hands them to a program: strings, with structured values
// as JSON.
func stackConfig(t *testing.T, stack string) map[string]string {
	t.Helper()
	return stackConfigFile(t, filepath.Join(".", "Pulumi."+stack+".yaml"))
}

// stackConfigFile is stackConfig of the stack file at path.
func stackConfigFile(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var file struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	require.NoError(t, yaml.Unmarshal(data, &file))
	cfg := map[string]string{}
	for k, v := range file.Config {
		var s string
		if json.Unmarshal(v, &s) == nil {
			cfg[k] = s
		} else {
			cfg[k] = string(v)
		}
	}
	return cfg
}

// TestShippedConfigsAreValid: every Pulumi.<stack>.yaml decodes strictly
// through spec.DecodeJSON and validates, so shipped configs cannot rot.
func TestShippedConfigsAreValid(t *testing.T) {
	files, err := filepath.Glob("Pulumi.*.yaml")
	require.NoError(t, err)
	require.Len(t, files, len(stacks), "a test case for every shipped stack config")

	for stack, mode := range stacks {
		t.Run(stack, func(t *testing.T) {
			raw, ok := stackConfig(t, stack)[spec.ConfigCluster]
			require.True(t, ok, "Pulumi.%s.yaml has %s", stack, spec.ConfigCluster)
			c, err := spec.DecodeJSON([]byte(raw))
			require.NoError(t, err)
			c = c.WithDefaults()
			assert.Empty(t, c.Validate())
			assert.Equal(t, mode, c.Network.Mode.Kind())
		})
	}
}

// TestProductionStack: the vnet stack is the production-like one.
func TestProductionStack(t *testing.T) {
	c, err := spec.DecodeJSON([]byte(stackConfig(t, "vnet")[spec.ConfigCluster]))
	require.NoError(t, err)
	assert.True(t, c.DeletionProtection)
	assert.NotNil(t, c.SystemPool.Autoscale)
	assert.Equal(t, []string{"1", "2", "3"}, c.SystemPool.Zones)
	assert.True(t, c.Security.PrivateCluster || len(c.Security.AuthorizedIPRanges) > 0)

	// The production settings (issue 11): each one is used.
	c = c.WithDefaults()
	assert.Equal(t, spec.TierStandard, c.SKU.Tier, "an uptime SLA")
	assert.Equal(t, spec.UpgradePatch, c.Upgrades.Channel)
	assert.NotNil(t, c.Upgrades.ClusterWindow, "cluster upgrades in a window")
	assert.NotNil(t, c.Upgrades.NodeOSWindow, "node OS upgrades in a window")
	assert.Equal(t, spec.OutboundUserAssignedNATGateway, c.Egress.OutboundType)
	assert.True(t, c.CreatesNATGateway())
	assert.True(t, c.Identity.UserAssigned())
	assert.NotNil(t, c.Identity.Kubelet)
	assert.NotEmpty(t, c.NodeResourceGroup)
	for _, p := range c.Pools() {
		assert.Equal(t, spec.OSDiskEphemeral, p.OSDiskType, p.Name)
	}
	assert.Equal(t, spec.TransitEncryptionWireGuard, c.ACNS.TransitEncryption)
	assert.Equal(t, spec.AccelerationBpfVeth, c.ACNS.Acceleration)
	// A cluster created on the day of the test data is accepted by the calendar.
	assert.Empty(t, c.ValidateAt(time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)))
}

// TestProgramUnderMocks runs the root program on each stack's config.
func TestProgramUnderMocks(t *testing.T) {
	for stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			m := &mocks{}
			require.NoError(t, runProgram(m, stackConfig(t, stack)))
			c, err := spec.DecodeJSON([]byte(stackConfig(t, stack)[spec.ConfigCluster]))
			require.NoError(t, err)
			assert.Equal(t, []string{c.Name}, m.clusters)
			assert.Equal(t, len(c.UserPools), m.pools)
			if _, ok := stackConfig(t, stack)[spec.ConfigPolicies]; ok {
				assert.Positive(t, m.policies, "the stack's baseline policies are applied")
			}
			if c.WithDefaults().Monitoring.Enabled() {
				assert.Equal(t, 2, m.monitoringStacks, "workspaces and data collection")
			}
		})
	}
}

func TestProgramConfigErrors(t *testing.T) {
	cfg := stackConfig(t, "overlay")

	m := &mocks{}
	err := runProgram(m, map[string]string{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), spec.ConfigCluster)

	bad := map[string]string{spec.ConfigCluster: cfg[spec.ConfigCluster], spec.ConfigKubeloginMode: "devicecode"}
	err = runProgram(m, bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), spec.ConfigKubeloginMode)

	typo := map[string]string{spec.ConfigCluster: `{"name":"x","nmae":"y"}`}
	err = runProgram(m, typo)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nmae")

	invalid := map[string]string{spec.ConfigCluster: `{"name":"x"}`}
	err = runProgram(m, invalid)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nothing was deployed")
	assert.Zero(t, m.registered, "no resource registered for a bad config")

	policyTypo := map[string]string{spec.ConfigCluster: cfg[spec.ConfigCluster], spec.ConfigPolicies: `{"namespaces":["app"],"createNamespace":true}`}
	err = runProgram(m, policyTypo)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown field "createNamespace"`)

	exempt := map[string]string{spec.ConfigCluster: cfg[spec.ConfigCluster], spec.ConfigPolicies: `{"namespaces":["kube-system"]}`}
	err = runProgram(m, exempt)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "namespaces[0]")
	assert.Zero(t, m.registered, "no resource registered for a bad policy config")
}

func runProgram(m *mocks, cfg map[string]string) error {
	return pulumi.RunErr(program, pulumi.WithMocks("aks-cilium", "test", m), func(info *pulumi.RunInfo) {
		info.Config = cfg
	})
}

// mocks answers just enough for the program to run.
type mocks struct {
	mu         sync.Mutex
	registered int
	clusters   []string
	pools      int
	policies   int
	// monitoringStacks counts the deployment stacks of monitoring.
	monitoringStacks int
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.registered++
	out := args.Inputs.Copy()
	switch args.TypeToken {
	case "azure-native:resources:ResourceGroup":
		out["name"] = args.Inputs["resourceGroupName"]
	case "azure-native:network:VirtualNetwork":
		var subnets []resource.PropertyValue
		for _, s := range args.Inputs["subnets"].ArrayValue() {
			o := s.ObjectValue().Copy()
			o["id"] = resource.NewProperty("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/" + o["name"].StringValue())
			subnets = append(subnets, resource.NewProperty(o))
		}
		out["subnets"] = resource.NewProperty(subnets)
	case "azure-native:containerservice/v20241001:ManagedCluster":
		out["name"] = args.Inputs["resourceName"]
		m.clusters = append(m.clusters, args.Inputs["resourceName"].StringValue())
	case "azure-native:containerservice/v20241001:AgentPool":
		m.pools++
	case "kubernetes:networking.k8s.io/v1:NetworkPolicy":
		m.policies++
	case "azure-native:resources:DeploymentStackAtResourceGroup":
		m.monitoringStacks++
		// ARM evaluates the template outputs; the program reads the workspace IDs.
		out["outputs"] = resource.NewProperty(resource.PropertyMap{
			"logAnalyticsWorkspaceId": resource.NewProperty(resource.PropertyMap{"value": resource.NewProperty("/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log")}),
			"prometheusWorkspaceId":   resource.NewProperty(resource.PropertyMap{"value": resource.NewProperty("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Monitor/accounts/amw")}),
		})
	}
	return args.Name + "-id", out, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	const kc = `apiVersion: v1
kind: Config
users:
- name: u
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin, args: [get-token, --login, devicecode]}
`
	return resource.PropertyMap{"kubeconfigs": resource.NewProperty([]resource.PropertyValue{
		resource.NewProperty(resource.PropertyMap{"value": resource.NewProperty(base64.StdEncoding.EncodeToString([]byte(kc)))}),
	})}, nil
}
