package netpol

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

func TestObjects(t *testing.T) {
	cfg := acnsConfig()
	cfg.Namespaces = []string{"shop", "api"}
	cfg.HTTPIngress[0].Namespaces = []string{"shop"}
	b, err := Build(cfg)
	require.NoError(t, err)
	objs := b.Objects()
	require.Len(t, objs, len(b.NetworkPolicies)+len(b.CiliumPolicies))
	var got []string
	for _, o := range objs {
		got = append(got, o.GetNamespace()+" "+o.GetAPIVersion()+" "+o.GetKind()+" "+o.GetName())
		_, hasTS := o.Object["metadata"].(map[string]any)["creationTimestamp"]
		assert.False(t, hasTS, "no null creationTimestamp")
		assert.Equal(t, ManagedByValue, o.GetLabels()[LabelManagedBy])
	}
	assert.Equal(t, []string{
		"api networking.k8s.io/v1 NetworkPolicy default-deny",
		"api networking.k8s.io/v1 NetworkPolicy allow-dns",
		"api networking.k8s.io/v1 NetworkPolicy allow-internet-egress",
		"api cilium.io/v2 CiliumNetworkPolicy fqdn-storage",
		"shop networking.k8s.io/v1 NetworkPolicy default-deny",
		"shop networking.k8s.io/v1 NetworkPolicy allow-dns",
		"shop networking.k8s.io/v1 NetworkPolicy allow-internet-egress",
		"shop networking.k8s.io/v1 NetworkPolicy l7-http-api-read-egress",
		"shop cilium.io/v2 CiliumNetworkPolicy fqdn-storage",
		"shop cilium.io/v2 CiliumNetworkPolicy l7-http-api-read",
	}, got)
	// Integers stay integers for appliers.
	port := objs[1].Object["spec"].(map[string]any)["egress"].([]any)[0].(map[string]any)["ports"].([]any)[0].(map[string]any)["port"]
	assert.Equal(t, int64(53), port)

	// ToUnstructured sets apiVersion and kind even on a bare struct.
	u, err := CiliumNetworkPolicy{Metadata: b.CiliumPolicies[0].Metadata}.ToUnstructured()
	require.NoError(t, err)
	assert.Equal(t, CiliumAPIVersion, u.GetAPIVersion())
	assert.Equal(t, CiliumPolicyKind, u.GetKind())
	spec := u.Object["spec"].(map[string]any)
	assert.Equal(t, map[string]any{}, spec["endpointSelector"], "endpointSelector {} is always written")
}

func TestRender(t *testing.T) {
	cfg := acnsConfig()
	b, err := Build(cfg)
	require.NoError(t, err)
	files, err := Render(b.PolicySet)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"shop/ciliumnetworkpolicy-fqdn-storage.yaml",
		"shop/ciliumnetworkpolicy-l7-http-api-read.yaml",
		"shop/networkpolicy-allow-dns.yaml",
		"shop/networkpolicy-allow-internet-egress.yaml",
		"shop/networkpolicy-default-deny.yaml",
		"shop/networkpolicy-l7-http-api-read-egress.yaml",
	}, RenderFiles(files))
	assert.Equal(t, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  labels:
    aks-cilium.io/policy: default-deny
    app.kubernetes.io/managed-by: aks-cilium
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  - Egress
`, string(files["shop/networkpolicy-default-deny.yaml"]))

	// Every NetworkPolicy file parses back, strictly, to the built object.
	for _, want := range b.NetworkPolicies {
		var got networkingv1.NetworkPolicy
		require.NoError(t, yaml.UnmarshalStrict(files[RenderPath(want.Namespace, "NetworkPolicy", want.Name)], &got))
		assert.Equal(t, want, got)
	}
	for _, want := range b.CiliumPolicies {
		var got CiliumNetworkPolicy
		require.NoError(t, yaml.UnmarshalStrict(files[RenderPath(want.Metadata.Namespace, CiliumPolicyKind, want.Metadata.Name)], &got))
		assert.Equal(t, want, got)
	}

	again, err := Render(b.PolicySet)
	require.NoError(t, err)
	assert.Equal(t, files, again, "rendering is deterministic")
}

func TestWriteDir(t *testing.T) {
	b, err := Build(Config{Namespaces: []string{"a", "b"}})
	require.NoError(t, err)
	dir := t.TempDir()
	names, err := WriteDir(b.PolicySet, dir)
	require.NoError(t, err)
	assert.Len(t, names, 8)
	data, err := os.ReadFile(filepath.Join(dir, "b", "networkpolicy-allow-dns.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "k8s-app: kube-dns")
}

func TestRenderRefusesUnsafeNames(t *testing.T) {
	for _, tt := range []struct{ ns, name string }{
		{"../etc", "x"}, {"app", "../../x"}, {"", "x"}, {"app", "a/b"},
	} {
		set := PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{pol(tt.ns, tt.name, nil)}}
		_, err := Render(set)
		assert.ErrorContains(t, err, "not a valid name for a file", "%q/%q", tt.ns, tt.name)
	}
	dup := PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{pol("a", "x", nil), pol("a", "x", nil)}}
	_, err := Render(dup)
	assert.ErrorContains(t, err, "two objects render to a/networkpolicy-x.yaml")
}
