package azuresim

import (
	"fmt"
	"sync"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/aks-cilium/aks-cilium/sim/internal/rpctest"
)

// fixture is a simulator and its provider service, called directly.
type fixture struct {
	t   *testing.T
	sim *Simulator
	srv pulumirpc.ResourceProviderServer
	log *logBuffer
}

// logBuffer collects the simulator's log lines.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuffer) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBuffer) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	log := &logBuffer{}
	opts.Logf = log.logf
	sim := New(opts)
	t.Cleanup(sim.Stop)
	return &fixture{t: t, sim: sim, srv: sim.Server(nil), log: log}
}

// rpcClient calls srv with the simulator's own value codec.
func rpcClient(t testing.TB, srv pulumirpc.ResourceProviderServer) *rpctest.Client {
	return &rpctest.Client{T: t, Srv: srv, Project: "simtest",
		Encode: func(m map[string]any) (*structpb.Struct, error) { return encode(fromGo(m), "test") },
		Decode: func(s *structpb.Struct) (map[string]any, error) {
			m, err := decode(s, "test")
			return toGo(m), err
		}}
}

// rpc calls the fixture's provider service as its current test.
func (f *fixture) rpc() *rpctest.Client { return rpcClient(f.t, f.srv) }

func testURN(token, name string) string { return rpcClient(nil, nil).URN(token, name) }

func wire(t *testing.T, m map[string]any) *structpb.Struct { return rpcClient(t, nil).Wire(m) }

func unwire(t *testing.T, s *structpb.Struct) map[string]any { return rpcClient(t, nil).Unwire(s) }

// create runs a non-preview Create and returns the ID and outputs.
func (f *fixture) create(token, name string, inputs map[string]any) (string, map[string]any, error) {
	return f.rpc().Create(token, name, inputs, false)
}

// mustCreate is create that fails the test on an error.
func (f *fixture) mustCreate(token, name string, inputs map[string]any) (string, map[string]any) {
	f.t.Helper()
	return f.rpc().MustCreate(token, name, inputs)
}

func (f *fixture) update(token, name, id string, olds, news map[string]any) (map[string]any, error) {
	return f.rpc().Update(token, name, id, olds, news)
}

func (f *fixture) delete(token, name, id string) error { return f.rpc().Delete(token, name, id, nil) }

// diff diffs news against olds, with oldOutputs as the recorded outputs
// (nil: the old inputs).
func (f *fixture) diff(token string, olds, news, oldOutputs map[string]any) *pulumirpc.DiffResponse {
	f.t.Helper()
	if oldOutputs == nil {
		oldOutputs = olds
	}
	return f.rpc().Diff(token, olds, oldOutputs, news)
}

// deploy creates the standard resource group, VNet, cluster and user pool.
func (f *fixture) deploy() (rgID, vnetID, clusterID, poolID string) {
	f.t.Helper()
	rgID, _ = f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	vnetID, _ = f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	clusterID, _ = f.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	poolID, _ = f.mustCreate(TypeAgentPool, "user", poolInputs())
	return
}

const (
	testRG     = "rg-sim"
	testVNetID = "/subscriptions/" + DefaultSubscriptionID + "/resourceGroups/" + testRG + "/providers/Microsoft.Network/virtualNetworks/vnet-sim"
	testNodeID = testVNetID + "/subnets/nodes"
	testPodID  = testVNetID + "/subnets/pods"
)

func rgInputs() map[string]any {
	return map[string]any{
		"resourceGroupName": testRG,
		"location":          "westeurope",
		"tags":              map[string]any{"env": "test"},
	}
}

func vnetInputs() map[string]any {
	return map[string]any{
		"resourceGroupName":  testRG,
		"virtualNetworkName": "vnet-sim",
		"location":           "westeurope",
		"addressSpace":       map[string]any{"addressPrefixes": []any{"10.10.0.0/16"}},
		"subnets": []any{
			map[string]any{"name": "nodes", "addressPrefix": "10.10.0.0/22"},
			map[string]any{"name": "pods", "addressPrefix": "10.10.8.0/21", "delegations": []any{
				map[string]any{"name": "aks", "serviceName": "Microsoft.ContainerService/managedClusters"},
			}},
		},
	}
}

func clusterInputs() map[string]any {
	return map[string]any{
		"resourceGroupName":    testRG,
		"resourceName":         "aks-sim",
		"location":             "westeurope",
		"dnsPrefix":            "akssim",
		"kubernetesVersion":    "1.32",
		"identity":             map[string]any{"type": "SystemAssigned"},
		"oidcIssuerProfile":    map[string]any{"enabled": true},
		"aadProfile":           map[string]any{"managed": true, "enableAzureRBAC": true},
		"disableLocalAccounts": true,
		"tags":                 map[string]any{"env": "test"},
		"agentPoolProfiles": []any{map[string]any{
			"name": "system", "mode": "System", "count": 1.0, "vmSize": "Standard_D4s_v5",
			"osType": "Linux", "vnetSubnetID": testNodeID,
		}},
		"networkProfile": map[string]any{
			"networkPlugin": "azure", "networkPluginMode": "overlay",
			"networkDataplane": "cilium", "networkPolicy": "cilium",
			"podCidr": "192.168.0.0/16", "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10",
			"outboundType": "loadBalancer",
		},
	}
}

func poolInputs() map[string]any {
	return map[string]any{
		"resourceGroupName": testRG,
		"resourceName":      "aks-sim",
		"agentPoolName":     "user",
		"count":             2.0,
		"vmSize":            "Standard_D4s_v5",
		"osType":            "Linux",
		"mode":              "User",
		"vnetSubnetID":      testNodeID,
	}
}

// with returns a deep copy of m with patch merged in (RFC 7386).
func with(m map[string]any, patch map[string]any) map[string]any {
	c := cloneMap(m)
	mergePatch(c, patch)
	return c
}
