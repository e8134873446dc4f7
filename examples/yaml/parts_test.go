package yaml_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestYAMLNetworkAndCluster: the Network and Cluster components used one by
// one from YAML, the Cluster on the Network's outputs (Pulumi inputs that
// are unknown in the first preview), in pod subnet mode, with another
// kubelogin login.
func TestYAMLNetworkAndCluster(t *testing.T) {
	f := newFixture(t, "testdata/parts", "")
	f.pulumi("stack", "init", "dev")
	p := f.preview()
	ops := p.ops()
	for _, typ := range []string{
		"aks-cilium:azure:Network", "aks-cilium:azure:Cluster", "azure-native:network:VirtualNetwork",
		"azure-native:containerservice/v20241001:ManagedCluster",
	} {
		assert.Equal(t, 1, ops["create "+typ], "creates one %s; steps: %v", typ, ops)
	}
	f.pulumi("up", "--yes", "--skip-preview")
	var outs map[string]any
	require.NoError(t, json.Unmarshal([]byte(f.pulumi("stack", "output", "--json").Stdout), &outs))
	assert.Equal(t, "podSubnet", outs["ipMode"])
	assert.Equal(t, "[secret]", outs["kubeconfig"])
	pods, _ := outs["podSubnetIds"].(map[string]any)
	assert.Contains(t, pods["pods"], "/virtualNetworks/vnet-aks-parts/subnets/pods")
	kc := f.pulumi("stack", "output", "kubeconfig", "--show-secrets").Stdout
	assert.Contains(t, kc, "workloadidentity", "the kubelogin choice reached the Cluster")
	assert.Contains(t, kc, "00000000-0000-0000-0000-0000000000aa")
	f.pulumi("preview", "--expect-no-changes")
	f.pulumi("destroy", "--yes", "--skip-preview")
}
