package automationtest_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/automationtest"
	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// One call gives a test an Engine on both simulators and the local API
// server: the preview plans the cluster in the simulated Azure and the up
// creates it there, and the baseline policies reach the real API server.
func TestNewEngineOnTheSimulators(t *testing.T) {
	env := automationtest.New(t, automationtest.Options{})
	require.NotNil(t, env.APIServer, "the local API server runs (make tools)")
	c := spec.Cluster{
		Name: "aks-at", Location: "westeurope", KubernetesVersion: "1.32",
		ResourceGroup: spec.ResourceGroup{Name: "rg-aks-at"},
		Network: spec.Network{
			Mode: spec.Overlay{PodCIDR: "192.168.0.0/16"},
			VNet: spec.VNet{Name: "vnet-aks-at", AddressSpace: []string{"10.10.0.0/16"},
				NodeSubnet: spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/22"}},
		},
		SystemPool: spec.NodePool{Name: "system", VMSize: "Standard_D4ds_v5", Count: 1},
	}
	ctx := t.Context()
	ns := "shop-" + strconv.FormatInt(time.Now().UnixNano()%1e6, 10) // unique per run on a shared server
	require.NoError(t, env.Engine.SetPolicies(ctx, "at", &components.PoliciesArgs{
		Config: netpol.Config{Namespaces: []string{ns}}, CreateNamespaces: true}))
	pre, err := env.Engine.Preview(ctx, "at", c, automation.PreviewOptions{})
	require.NoError(t, err)
	assert.Positive(t, pre.Changes[result.OpCreate])
	assert.Empty(t, env.Azure.Resources(), "a preview creates nothing")

	up, err := env.Engine.Up(ctx, "at", c, automation.UpOptions{})
	require.NoError(t, err)
	assert.Equal(t, pre.Changes[result.OpCreate], up.Changes[result.OpCreate], "up does what the preview planned")
	var clusters int
	for _, r := range env.Azure.Resources() {
		if r.Type == azuresim.TypeManagedCluster {
			clusters++
		}
	}
	assert.Equal(t, 1, clusters, "the cluster exists in the simulated Azure")

	cs, err := kubernetes.NewForConfig(env.APIServer)
	require.NoError(t, err)
	_, err = cs.NetworkingV1().NetworkPolicies(ns).Get(ctx, "default-deny", metav1.GetOptions{})
	assert.NoError(t, err, "the baseline default-deny policy is stored by the real API server")
}
