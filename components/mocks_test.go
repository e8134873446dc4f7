package components

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"
)

// Type tokens of what the components register.
const (
	tokResourceGroup  = "azure-native:resources:ResourceGroup"
	tokVNet           = "azure-native:network:VirtualNetwork"
	tokManagedCluster = "azure-native:containerservice/v20241001:ManagedCluster"
	tokAgentPool      = "azure-native:containerservice/v20241001:AgentPool"
	tokK8sProvider    = "pulumi:providers:kubernetes"
	tokUserCreds      = "azure-native:containerservice/v20241001:listManagedClusterUserCredentials"
	tokRoleAssignment = "azure-native:authorization:RoleAssignment"
	// mockPrincipal is the mock cluster's system-assigned identity.
	mockPrincipal = "11111111-2222-3333-4444-555555555555"
)

// aksUserKubeconfig is what ListClusterUserCredentials(format=exec) returns
// for an Entra ID cluster: a device-code kubelogin user.
const aksUserKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: aks
  cluster:
    certificate-authority-data: Q0FEQVRB
    server: https://aks-test.hcp.westeurope.azmk8s.io:443
contexts:
- name: aks
  context:
    cluster: aks
    user: clusterUser
current-context: aks
users:
- name: clusterUser
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630,
             --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, 72f988bf-86f1-41af-91ab-2d7cd011db47,
             --login, devicecode]
`

// registration is one resource registration the mock monitor saw.
type registration struct {
	Type, Name    string
	Custom        bool
	Inputs        resource.PropertyMap
	ParentURN     resource.URN
	Protect       bool
	IgnoreChanges []string
	Provider      string
	// Dependencies are the URNs the resource waits for (DependsOn).
	Dependencies []string
}

// mocks is a mock resource monitor that records every registration and
// invoke and returns ARM-like outputs.
type mocks struct {
	record bool

	mu    sync.Mutex
	regs  []registration
	calls []pulumi.MockCallArgs
}

func newMocks() *mocks { return &mocks{record: true} }

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if m.record {
		r := registration{Type: args.TypeToken, Name: args.Name, Custom: args.Custom, Inputs: args.Inputs, Provider: args.Provider}
		if rpc := args.RegisterRPC; rpc != nil {
			r.ParentURN = resource.URN(rpc.GetParent())
			r.Protect = rpc.GetProtect()
			r.IgnoreChanges = rpc.GetIgnoreChanges()
			r.Dependencies = rpc.GetDependencies()
		}
		m.mu.Lock()
		m.regs = append(m.regs, r)
		m.mu.Unlock()
	}
	return m.outputs(args)
}

// outputs mimics the ARM responses the components read.
func (m *mocks) outputs(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	in := args.Inputs
	out := in.Copy()
	str := func(k resource.PropertyKey) string {
		if v, ok := in[k]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	const sub = "/subscriptions/00000000-0000-0000-0000-000000000000"
	switch args.TypeToken {
	case tokResourceGroup:
		name := str("resourceGroupName")
		out["name"] = resource.NewProperty(name)
		return sub + "/resourceGroups/" + name, out, nil
	case tokVNet:
		name := str("virtualNetworkName")
		id := fmt.Sprintf("%s/resourceGroups/%s/providers/Microsoft.Network/virtualNetworks/%s", sub, str("resourceGroupName"), name)
		var subnets []resource.PropertyValue
		if v, ok := in["subnets"]; ok && v.IsArray() {
			for _, s := range v.ArrayValue() {
				o := s.ObjectValue().Copy()
				o["id"] = resource.NewProperty(id + "/subnets/" + o["name"].StringValue())
				subnets = append(subnets, resource.NewProperty(o))
			}
		}
		out["name"] = resource.NewProperty(name)
		out["subnets"] = resource.NewProperty(subnets)
		return id, out, nil
	case tokManagedCluster:
		name := str("resourceName")
		out["name"] = resource.NewProperty(name)
		out["fqdn"] = resource.NewProperty(name + "-public.hcp.westeurope.azmk8s.io")
		out["privateFQDN"] = resource.NewProperty(name + "-private.privatelink.westeurope.azmk8s.io")
		out["nodeResourceGroup"] = resource.NewProperty("MC_" + str("resourceGroupName") + "_" + name)
		out["identity"] = resource.NewProperty(resource.PropertyMap{
			"type":        resource.NewProperty("SystemAssigned"),
			"principalId": resource.NewProperty(mockPrincipal),
		})
		out["oidcIssuerProfile"] = resource.NewProperty(resource.PropertyMap{
			"enabled":   resource.NewProperty(true),
			"issuerURL": resource.NewProperty("https://westeurope.oic.prod-aks.azure.com/tenant/" + name + "/"),
		})
		return fmt.Sprintf("%s/resourceGroups/%s/providers/Microsoft.ContainerService/managedClusters/%s", sub, str("resourceGroupName"), name), out, nil
	case tokAgentPool:
		out["name"] = resource.NewProperty(str("agentPoolName"))
		return "pool-" + str("agentPoolName"), out, nil
	case tokDeploymentStack:
		out["outputs"] = resource.NewProperty(deploymentStackOutputs(in))
		return sub + "/resourceGroups/" + str("resourceGroupName") + "/providers/Microsoft.Resources/deploymentStacks/" + str("deploymentStackName"), out, nil
	}
	if !args.Custom {
		return "", out, nil // components have no ID
	}
	return args.Name + "-id", out, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	if m.record {
		m.mu.Lock()
		m.calls = append(m.calls, args)
		m.mu.Unlock()
	}
	if args.Token != tokUserCreds {
		return nil, fmt.Errorf("unexpected invoke %s", args.Token)
	}
	return resource.PropertyMap{
		"kubeconfigs": resource.NewProperty([]resource.PropertyValue{
			resource.NewProperty(resource.PropertyMap{
				"name":  resource.NewProperty("clusterUser"),
				"value": resource.NewProperty(base64.StdEncoding.EncodeToString([]byte(aksUserKubeconfig))),
			}),
		}),
	}, nil
}

// byType returns the registrations of one type token.
func (m *mocks) byType(token string) []registration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []registration
	for _, r := range m.regs {
		if r.Type == token {
			out = append(out, r)
		}
	}
	return out
}

// one returns the single registration of a type token.
func (m *mocks) one(t *testing.T, token string) registration {
	t.Helper()
	rs := m.byType(token)
	require.Len(t, rs, 1, "registrations of %s", token)
	return rs[0]
}

// all returns every registration.
func (m *mocks) all() []registration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]registration(nil), m.regs...)
}

// run runs a program under the mocks.
func run(t *testing.T, m *mocks, program pulumi.RunFunc) error {
	t.Helper()
	return pulumi.RunErr(program, pulumi.WithMocks("aks-cilium", "test", m))
}

// await blocks until o resolves (inside a program) and returns its value and
// whether it is secret.
func await(t *testing.T, o pulumi.Output) (any, bool) {
	t.Helper()
	ch := make(chan any, 1)
	o.ApplyT(func(v any) any { ch <- v; return v })
	select {
	case v := <-ch:
		return v, pulumi.IsSecret(o)
	case <-time.After(20 * time.Second):
		t.Fatalf("output did not resolve")
		return nil, false
	}
}

// get walks a property path such as "networkProfile.podCidr" or
// "agentPoolProfiles[0].vnetSubnetID" and reports whether it is present.
func get(pm resource.PropertyMap, path string) (resource.PropertyValue, bool) {
	v := resource.NewProperty(pm)
	for _, part := range strings.Split(path, ".") {
		name, index, hasIndex := strings.Cut(part, "[")
		if !v.IsObject() {
			return resource.PropertyValue{}, false
		}
		next, ok := v.ObjectValue()[resource.PropertyKey(name)]
		if !ok || next.IsNull() {
			return resource.PropertyValue{}, false
		}
		v = next
		if hasIndex {
			var i int
			if _, err := fmt.Sscanf(strings.TrimSuffix(index, "]"), "%d", &i); err != nil || !v.IsArray() || i >= len(v.ArrayValue()) {
				return resource.PropertyValue{}, false
			}
			v = v.ArrayValue()[i]
		}
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
	}
	return v, true
}

// prop returns the Go value at path (string, float64, bool, []any, map[string]any).
func prop(t *testing.T, pm resource.PropertyMap, path string) any {
	t.Helper()
	v, ok := get(pm, path)
	require.True(t, ok, "input %s is missing", path)
	return v.Mappable()
}

// absent asserts that path is not set.
func absent(t *testing.T, pm resource.PropertyMap, path string) {
	t.Helper()
	v, ok := get(pm, path)
	require.False(t, ok, "input %s should be absent, is %v", path, v)
}
