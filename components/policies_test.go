package components

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

const (
	tokNetworkPolicy = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	tokCiliumPolicy  = "kubernetes:cilium.io/v2:CiliumNetworkPolicy"
	tokNamespace     = "kubernetes:core/v1:Namespace"
)

// policiesConfig uses every kind of object: NetworkPolicies of each preset
// and, with ACNS security, Cilium FQDN and L7 policies.
func policiesConfig() PoliciesArgs {
	return PoliciesArgs{CreateNamespaces: true, Config: netpol.Config{
		Namespaces:        []string{"shop", "blog"},
		IngressController: &netpol.IngressControllerAllowance{Namespace: "ingress-nginx", Ports: []int32{8080}},
		Monitoring:        &netpol.MonitoringAllowance{Namespace: "monitoring", Port: 9090},
		FQDNEgress: []netpol.FQDNEgress{{
			Name: "storage", Namespaces: []string{"shop"}, MatchPatterns: []string{"*.blob.core.windows.net"},
		}},
		HTTPIngress: []netpol.HTTPIngress{{
			Name: "api-read", Namespaces: []string{"shop"}, Port: 8081, FromNamespaces: []string{"blog"},
			Rules: []netpol.HTTPRule{{Method: "GET", Path: "/api/.*"}},
		}},
	}}
}

func acnsSpec() spec.Cluster {
	c := podSubnetSpec()
	c.ACNS = spec.ACNS{Enabled: true, Security: spec.ACNSSecurityL7}
	return c
}

func deployWithPolicies(t *testing.T, c spec.Cluster, p PoliciesArgs) *mocks {
	t.Helper()
	m := newMocks()
	require.NoError(t, run(t, m, func(ctx *pulumi.Context) error {
		_, err := NewPlatformWithArgs(ctx, "plat", PlatformArgs{Spec: c, Policies: &p})
		return err
	}))
	return m
}

// plain turns registered inputs into plain JSON-like values.
func plain(t *testing.T, pm resource.PropertyMap) map[string]any {
	t.Helper()
	data, err := json.Marshal(pm.Mappable())
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

// TestPoliciesRegisterExactlyTheBuiltObjects: each object of netpol.Build
// (for the cluster: netpol.ForCluster) is registered once, with exactly its
// metadata and spec, as a typed NetworkPolicy or a CiliumNetworkPolicy
// custom resource.
func TestPoliciesRegisterExactlyTheBuiltObjects(t *testing.T) {
	c := acnsSpec()
	args := policiesConfig()
	m := deployWithPolicies(t, c, args)

	want, err := netpol.Build(netpol.ForCluster(args.Config, c.WithDefaults()))
	require.NoError(t, err)
	objects := want.Objects()
	require.NotEmpty(t, want.CiliumPolicies, "the config makes Cilium policies too")

	regs := append(m.byType(tokNetworkPolicy), m.byType(tokCiliumPolicy)...)
	require.Len(t, regs, len(objects))
	byKey := map[string]map[string]any{}
	for _, r := range regs {
		in := plain(t, r.Inputs)
		meta := in["metadata"].(map[string]any)
		byKey[in["kind"].(string)+"/"+meta["namespace"].(string)+"/"+meta["name"].(string)] = in
	}
	for _, obj := range objects {
		key := obj.GetKind() + "/" + obj.GetNamespace() + "/" + obj.GetName()
		got, ok := byKey[key]
		require.True(t, ok, "%s is registered", key)
		assert.Equal(t, obj.GetAPIVersion(), got["apiVersion"], key)
		assert.Equal(t, obj.Object["spec"], normalise(t, got["spec"]), "%s: the registered spec is the built one", key)
		meta := got["metadata"].(map[string]any)
		assert.Equal(t, toAnyMap(obj.GetLabels()), meta["labels"], key)
	}

	namespaces := m.byType(tokNamespace)
	require.Len(t, namespaces, 2)
	for _, ns := range namespaces {
		name := plain(t, ns.Inputs)["metadata"].(map[string]any)["name"]
		assert.Contains(t, []any{"shop", "blog"}, name)
	}
}

// normalise makes registered numbers comparable with the builder's
// unstructured objects (int64 there, float64 after JSON here).
func normalise(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&out))
	return intify(out)
}

func intify(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = intify(e)
		}
	case []any:
		for i, e := range x {
			x[i] = intify(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
	}
	return v
}

func toAnyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestPoliciesParentsProviderAndDependency: every object is a child of the
// BaselinePolicies component (itself a child of the Platform), uses the
// cluster's Kubernetes provider, and waits for the ManagedCluster.
func TestPoliciesParentsProviderAndDependency(t *testing.T) {
	m := newMocks()
	require.NoError(t, run(t, m, func(ctx *pulumi.Context) error {
		p, err := NewPlatformWithArgs(ctx, "plat", PlatformArgs{Spec: acnsSpec(), Policies: ptr(policiesConfig())})
		if err != nil {
			return err
		}
		require.NotNil(t, p.Policies)
		return nil
	}))
	component := m.one(t, BaselinePoliciesType)
	assert.Equal(t, PlatformType, string(component.ParentURN.Type()))
	provider := m.one(t, tokK8sProvider)

	for _, tok := range []string{tokNetworkPolicy, tokCiliumPolicy, tokNamespace} {
		regs := m.byType(tok)
		require.NotEmpty(t, regs, tok)
		for _, r := range regs {
			assert.Equal(t, BaselinePoliciesType, string(r.ParentURN.Type()), "%s %s parent", tok, r.Name)
			assert.True(t, strings.HasPrefix(r.Name, "plat-policies-"), r.Name)
			assert.Contains(t, r.Provider, "pulumi:providers:kubernetes::"+provider.Name, "%s %s uses the cluster's provider", tok, r.Name)
			assert.Contains(t, r.Dependencies, urnOf(t, m, tokManagedCluster), "%s %s depends on the cluster", tok, r.Name)
		}
	}
	for _, r := range m.byType(tokNetworkPolicy) {
		for _, ns := range m.byType(tokNamespace) {
			if plain(t, r.Inputs)["metadata"].(map[string]any)["namespace"] == plain(t, ns.Inputs)["metadata"].(map[string]any)["name"] {
				assert.Contains(t, r.Dependencies, urnOf(t, m, tokNamespace, ns.Name), "policies wait for their namespace")
			}
		}
	}
}

// urnOf is the URN of the one registration of a type (and name, if given),
// built from its parent's URN as the engine does.
func urnOf(t *testing.T, m *mocks, token string, name ...string) string {
	t.Helper()
	for _, r := range m.all() {
		if r.Type == token && (len(name) == 0 || r.Name == name[0]) {
			parent := r.ParentURN
			return string(resource.NewURN(parent.Stack(), parent.Project(), parent.QualifiedType(), tokens.Type(token), r.Name))
		}
	}
	t.Fatalf("no %s %v registered", token, name)
	return ""
}

// TestInvalidPoliciesRegisterNothing: a bad policy config fails the
// Platform with every problem before anything is registered.
func TestInvalidPoliciesRegisterNothing(t *testing.T) {
	c := overlaySpec() // ACNS off
	bad := policiesConfig()
	bad.Namespaces = append(bad.Namespaces, "kube-system", "Bad_Name")
	m := newMocks()
	err := run(t, m, func(ctx *pulumi.Context) error {
		_, err := NewPlatformWithArgs(ctx, "plat", PlatformArgs{Spec: c, Policies: &bad})
		return err
	})
	require.Error(t, err)
	for _, want := range []string{"policies.namespaces[2]", "kube-system", "Bad_Name", "policies.fqdnEgress", "Advanced Container Networking Services", "[POL011]"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.Empty(t, m.all(), "nothing registered")
}

// TestPoliciesWithoutNamespaces: CreateNamespaces off registers no
// namespace, and the outputs name what was applied.
func TestPoliciesWithoutNamespaces(t *testing.T) {
	args := PoliciesArgs{Config: netpol.Config{Namespaces: []string{"app"}}}
	m := newMocks()
	require.NoError(t, run(t, m, func(ctx *pulumi.Context) error {
		p, err := NewPlatformWithArgs(ctx, "plat", PlatformArgs{Spec: overlaySpec(), Policies: &args})
		if err != nil {
			return err
		}
		applied, _ := await(t, p.Policies.Applied)
		assert.Equal(t, []string{
			"app/NetworkPolicy/default-deny", "app/NetworkPolicy/allow-dns",
			"app/NetworkPolicy/allow-same-namespace", "app/NetworkPolicy/allow-internet-egress",
		}, applied)
		return nil
	}))
	assert.Empty(t, m.byType(tokNamespace))
	assert.Len(t, m.byType(tokNetworkPolicy), 4)
}
