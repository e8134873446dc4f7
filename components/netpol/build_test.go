package netpol

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// The AKS guide's two example policies, as the guide prints them
// (section "Configure Network Policies with Cilium" of the guide this project
// was written from, which is not in this repository: hence the copies here).
const guideEgressToExternal = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-to-external
spec:
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - ipBlock:
        cidr: 0.0.0.0/0
`

const guideAllowAllPods = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-all-pods
spec:
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector: {}
    - podSelector: {}
`

func parseNetworkPolicy(t *testing.T, doc string) networkingv1.NetworkPolicy {
	t.Helper()
	var np networkingv1.NetworkPolicy
	require.NoError(t, yaml.UnmarshalStrict([]byte(doc), &np))
	return np
}

// specYAML renders a policy spec for readable comparisons.
func specYAML(t *testing.T, v any) string {
	t.Helper()
	out, err := yaml.Marshal(v)
	require.NoError(t, err)
	return string(out)
}

func policyNames(b Baseline, ns string) []string {
	var names []string
	for _, np := range b.NetworkPolicies {
		if np.Namespace == ns {
			names = append(names, np.Name)
		}
	}
	for _, cnp := range b.CiliumPolicies {
		if cnp.Metadata.Namespace == ns {
			names = append(names, "cnp/"+cnp.Metadata.Name)
		}
	}
	return names
}

func findNP(t *testing.T, b Baseline, ns, name string) networkingv1.NetworkPolicy {
	t.Helper()
	for _, np := range b.NetworkPolicies {
		if np.Namespace == ns && np.Name == name {
			return np
		}
	}
	t.Fatalf("no NetworkPolicy %s/%s", ns, name)
	return networkingv1.NetworkPolicy{}
}

func findCNP(t *testing.T, b Baseline, ns, name string) CiliumNetworkPolicy {
	t.Helper()
	for _, cnp := range b.CiliumPolicies {
		if cnp.Metadata.Namespace == ns && cnp.Metadata.Name == name {
			return cnp
		}
	}
	t.Fatalf("no CiliumNetworkPolicy %s/%s", ns, name)
	return CiliumNetworkPolicy{}
}

func acnsConfig() Config {
	return Config{
		Namespaces:           []string{"shop"},
		ACNS:                 ACNS{Enabled: true, Security: spec.ACNSSecurityL7},
		KubernetesVersion:    "1.32",
		DisableSameNamespace: true,
		FQDNEgress: []FQDNEgress{{
			Name:          "storage",
			PodSelector:   map[string]string{"app": "api"},
			MatchNames:    []string{"login.microsoftonline.com"},
			MatchPatterns: []string{"*.blob.core.windows.net"},
		}},
		HTTPIngress: []HTTPIngress{{
			Name:        "api-read",
			PodSelector: map[string]string{"app": "api"},
			Port:        8080,
			Rules:       []HTTPRule{{Method: "GET", Path: "/api/.*"}},
		}},
	}
}

func TestBuildPresets(t *testing.T) {
	base := []string{PresetDefaultDeny, PresetAllowDNS, PresetAllowSameNamespace, PresetAllowInternetEgress}
	tests := []struct {
		name string
		cfg  Config
		want []string // policy names in namespace "app", in order
	}{
		{"defaults", Config{Namespaces: []string{"app"}}, base},
		{"no same namespace", Config{Namespaces: []string{"app"}, DisableSameNamespace: true},
			[]string{PresetDefaultDeny, PresetAllowDNS, PresetAllowInternetEgress}},
		{"no internet", Config{Namespaces: []string{"app"}, DisableInternetEgress: true},
			[]string{PresetDefaultDeny, PresetAllowDNS, PresetAllowSameNamespace}},
		{"minimal", Config{Namespaces: []string{"app"}, DisableInternetEgress: true, DisableSameNamespace: true},
			[]string{PresetDefaultDeny, PresetAllowDNS}},
		{"guide egress to external", Config{Namespaces: []string{"app"}, AllowEgressToExternal: true},
			append(append([]string{}, base...), PresetAllowEgressToExternal)},
		{"guide allow all pods", Config{Namespaces: []string{"app"}, AllowAllPods: true},
			append(append([]string{}, base...), PresetAllowAllPods)},
		{"ingress controller", Config{Namespaces: []string{"app"}, IngressController: &IngressControllerAllowance{Namespace: "ingress-nginx"}},
			append(append([]string{}, base...), PresetAllowIngressController)},
		{"monitoring", Config{Namespaces: []string{"app"}, Monitoring: &MonitoringAllowance{Namespace: "monitoring", Port: 9090}},
			append(append([]string{}, base...), PresetAllowMonitoring)},
		{"everything", Config{
			Namespaces: []string{"app"}, AllowEgressToExternal: true, AllowAllPods: true,
			IngressController: &IngressControllerAllowance{Namespace: "ingress-nginx"},
			Monitoring:        &MonitoringAllowance{Namespace: "monitoring", Port: 9090},
		}, append(append([]string{}, base...), PresetAllowEgressToExternal, PresetAllowAllPods, PresetAllowIngressController, PresetAllowMonitoring)},
		{"acns on without cilium rules", Config{Namespaces: []string{"app"}, ACNS: ACNS{Enabled: true, Security: spec.ACNSSecurityL7}, KubernetesVersion: "1.32"}, base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Build(tt.cfg)
			require.NoError(t, err)
			assert.Equal(t, tt.want, policyNames(b, "app"))
			assert.Empty(t, b.CiliumPolicies)
			for _, np := range b.NetworkPolicies {
				assert.Equal(t, ManagedByValue, np.Labels[LabelManagedBy], np.Name)
				assert.NotEmpty(t, np.Labels[LabelPolicy], np.Name)
				assert.Equal(t, "networking.k8s.io/v1", np.APIVersion)
				assert.Equal(t, "NetworkPolicy", np.Kind)
				assert.NotEmpty(t, np.Spec.PolicyTypes, "every policy states its policyTypes: %s", np.Name)
			}
		})
	}
}

func TestBuildPresetShapes(t *testing.T) {
	b, err := Build(Config{
		Namespaces: []string{"app"}, AllowEgressToExternal: true, AllowAllPods: true,
		InternetEgressExcept: []string{"100.64.0.0/10"},
		IngressController:    &IngressControllerAllowance{Namespace: "ingress-nginx", Ports: []int32{8080, 8443}, PodSelector: map[string]string{"app.kubernetes.io/name": "ingress-nginx"}},
		Monitoring:           &MonitoringAllowance{Namespace: "kube-system", Port: 9102, PodSelector: map[string]string{"rsName": "ama-metrics"}},
	})
	require.NoError(t, err)

	want := map[string]string{
		PresetDefaultDeny: `podSelector: {}
policyTypes:
- Ingress
- Egress
`,
		PresetAllowDNS: `egress:
- ports:
  - port: 53
    protocol: UDP
  - port: 53
    protocol: TCP
  to:
  - namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: kube-system
    podSelector:
      matchLabels:
        k8s-app: kube-dns
podSelector: {}
policyTypes:
- Egress
`,
		PresetAllowSameNamespace: `egress:
- to:
  - podSelector: {}
ingress:
- from:
  - podSelector: {}
podSelector: {}
policyTypes:
- Ingress
- Egress
`,
		PresetAllowInternetEgress: `egress:
- to:
  - ipBlock:
      cidr: 0.0.0.0/0
      except:
      - 10.0.0.0/8
      - 172.16.0.0/12
      - 192.168.0.0/16
      - 169.254.169.254/32
      - 100.64.0.0/10
podSelector: {}
policyTypes:
- Egress
`,
		PresetAllowIngressController: `ingress:
- from:
  - namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: ingress-nginx
    podSelector:
      matchLabels:
        app.kubernetes.io/name: ingress-nginx
  ports:
  - port: 8080
    protocol: TCP
  - port: 8443
    protocol: TCP
podSelector: {}
policyTypes:
- Ingress
`,
		PresetAllowMonitoring: `ingress:
- from:
  - namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: kube-system
    podSelector:
      matchLabels:
        rsName: ama-metrics
  ports:
  - port: 9102
    protocol: TCP
podSelector: {}
policyTypes:
- Ingress
`,
	}
	for name, spec := range want {
		np := findNP(t, b, "app", name)
		assert.Equal(t, spec, specYAML(t, np.Spec), name)
		assert.Equal(t, name, np.Labels[LabelPolicy])
	}

	// The guide's examples are reproduced exactly.
	for _, doc := range []string{guideEgressToExternal, guideAllowAllPods} {
		guide := parseNetworkPolicy(t, doc)
		got := findNP(t, b, "app", guide.Name)
		assert.Equal(t, specYAML(t, guide.Spec), specYAML(t, got.Spec), guide.Name)
	}
}

func TestBuildOrderAndNamespaces(t *testing.T) {
	b, err := Build(Config{Namespaces: []string{"zeta", "alpha", "mid"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"alpha", "mid", "zeta"}, b.Namespaces)
	assert.Equal(t, DefaultExemptNamespaces, b.ExemptNamespaces)
	var order []string
	for _, np := range b.NetworkPolicies {
		order = append(order, np.Namespace+"/"+np.Name)
	}
	assert.Equal(t, []string{
		"alpha/default-deny", "alpha/allow-dns", "alpha/allow-same-namespace", "alpha/allow-internet-egress",
		"mid/default-deny", "mid/allow-dns", "mid/allow-same-namespace", "mid/allow-internet-egress",
		"zeta/default-deny", "zeta/allow-dns", "zeta/allow-same-namespace", "zeta/allow-internet-egress",
	}, order)

	// Same input, same output; input order does not matter.
	again, err := Build(Config{Namespaces: []string{"mid", "zeta", "alpha"}})
	require.NoError(t, err)
	assert.Equal(t, specYAML(t, b.NetworkPolicies), specYAML(t, again.NetworkPolicies))

	// An explicit empty exempt list exempts nothing: kube-system may then be a target.
	b, err = Build(Config{Namespaces: []string{"kube-system"}, ExemptNamespaces: []string{}})
	require.NoError(t, err)
	assert.Equal(t, []string{"kube-system"}, b.Namespaces)
}

func TestBuildACNS(t *testing.T) {
	b, err := Build(acnsConfig())
	require.NoError(t, err)
	assert.Equal(t, []string{PresetDefaultDeny, PresetAllowDNS, PresetAllowInternetEgress, "l7-http-api-read-egress",
		"cnp/fqdn-storage", "cnp/l7-http-api-read"}, policyNames(b, "shop"))

	fqdn := findCNP(t, b, "shop", "fqdn-storage")
	assert.Equal(t, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  creationTimestamp: null
  labels:
    aks-cilium.io/policy: fqdn-egress
    app.kubernetes.io/managed-by: aks-cilium
  name: fqdn-storage
  namespace: shop
spec:
  egress:
  - toEndpoints:
    - matchLabels:
        k8s:io.kubernetes.pod.namespace: kube-system
        k8s:k8s-app: kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchName: login.microsoftonline.com
        - matchPattern: '*.blob.core.windows.net'
  - toFQDNs:
    - matchName: login.microsoftonline.com
    - matchPattern: '*.blob.core.windows.net'
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
  endpointSelector:
    matchLabels:
      app: api
`, specYAML(t, fqdn))

	http := findCNP(t, b, "shop", "l7-http-api-read")
	assert.Equal(t, `endpointSelector:
  matchLabels:
    app: api
ingress:
- fromEndpoints:
  - matchLabels:
      k8s:io.kubernetes.pod.namespace: shop
  toPorts:
  - ports:
    - port: "8080"
      protocol: TCP
    rules:
      http:
      - method: GET
        path: /api/.*
`, specYAML(t, http.Spec))

	// The clients (here the same namespace, since same-namespace is off) get egress to the servers.
	egress := findNP(t, b, "shop", "l7-http-api-read-egress")
	assert.Equal(t, `egress:
- ports:
  - port: 8080
    protocol: TCP
  to:
  - namespaceSelector:
      matchExpressions:
      - key: kubernetes.io/metadata.name
        operator: In
        values:
        - shop
    podSelector:
      matchLabels:
        app: api
podSelector: {}
policyTypes:
- Egress
`, specYAML(t, egress.Spec))
	assert.Equal(t, PresetHTTPIngress, egress.Labels[LabelPolicy])

	// No rule mixes toFQDNs with another peer kind, and the set is lint-clean.
	for _, cnp := range b.CiliumPolicies {
		for _, r := range cnp.Spec.Egress {
			if len(r.ToFQDNs) > 0 {
				assert.Empty(t, r.ToEndpoints)
				assert.Empty(t, r.ToCIDR)
				assert.Empty(t, r.ToCIDRSet)
				assert.Empty(t, r.ToEntities)
			}
		}
	}
}

func TestBuildHTTPCrossNamespace(t *testing.T) {
	cfg := Config{
		Namespaces:        []string{"api", "web", "batch"},
		ACNS:              ACNS{Enabled: true, Security: spec.ACNSSecurityL7},
		KubernetesVersion: "1.30.2",
		HTTPIngress: []HTTPIngress{{
			Name: "orders", Namespaces: []string{"api"}, Port: 8080,
			FromNamespaces: []string{"web", "partner"},
			Rules:          []HTTPRule{{Method: "GET|HEAD"}, {Path: "/orders/[0-9]+"}},
		}},
	}
	b, err := Build(cfg)
	require.NoError(t, err)
	cnp := findCNP(t, b, "api", "l7-http-orders")
	require.Len(t, cnp.Spec.Ingress, 1)
	assert.Equal(t, "web", cnp.Spec.Ingress[0].FromEndpoints[0].MatchLabels[CiliumNamespaceLabel])
	assert.Equal(t, "partner", cnp.Spec.Ingress[0].FromEndpoints[1].MatchLabels[CiliumNamespaceLabel])
	assert.Equal(t, []CiliumHTTPRule{{Method: "GET|HEAD"}, {Path: "/orders/[0-9]+"}}, cnp.Spec.Ingress[0].ToPorts[0].Rules.HTTP)
	// web is a target, so its default deny needs an egress hole; partner is not a target; batch is not a client.
	findNP(t, b, "web", "l7-http-orders-egress")
	assert.NotContains(t, policyNames(b, "batch"), "l7-http-orders-egress")
	assert.NotContains(t, policyNames(b, "api"), "l7-http-orders-egress")
	assert.NotContains(t, policyNames(b, "web"), "cnp/l7-http-orders")
}

func TestBuildFQDNNamespaces(t *testing.T) {
	cfg := acnsConfig()
	cfg.Namespaces = []string{"a", "b"}
	cfg.HTTPIngress = nil
	cfg.FQDNEgress[0].Namespaces = []string{"b"}
	cfg.FQDNEgress[0].Ports = []int32{443, 8443}
	b, err := Build(cfg)
	require.NoError(t, err)
	assert.NotContains(t, policyNames(b, "a"), "cnp/fqdn-storage")
	cnp := findCNP(t, b, "b", "fqdn-storage")
	assert.Equal(t, []CiliumPortProtocol{{Port: "443", Protocol: "TCP"}, {Port: "8443", Protocol: "TCP"}}, cnp.Spec.Egress[1].ToPorts[0].Ports)
}

type wantErr struct {
	field  string
	typ    field.ErrorType
	detail string // a substring of the detail
}

func TestConfigErrors(t *testing.T) {
	valid := func() Config { return Config{Namespaces: []string{"app"}} }
	acns := func() Config {
		c := acnsConfig()
		c.HTTPIngress = nil
		return c
	}
	tests := []struct {
		name string
		cfg  func() Config
		want []wantErr
	}{
		{"no namespaces", func() Config { return Config{} },
			[]wantErr{{"namespaces", field.ErrorTypeRequired, "at least one namespace"}}},
		{"bad namespace names", func() Config { c := valid(); c.Namespaces = []string{"App", "", "a_b"}; return c },
			[]wantErr{{"namespaces[0]", field.ErrorTypeInvalid, "RFC 1123"}, {"namespaces[1]", field.ErrorTypeRequired, "DNS-1123"}, {"namespaces[2]", field.ErrorTypeInvalid, "RFC 1123"}}},
		{"duplicate namespace", func() Config { c := valid(); c.Namespaces = []string{"app", "app"}; return c },
			[]wantErr{{"namespaces[1]", field.ErrorTypeDuplicate, ""}}},
		{"exempt target", func() Config { c := valid(); c.Namespaces = []string{"app", "kube-system"}; return c },
			[]wantErr{{"namespaces[1]", field.ErrorTypeInvalid, "namespace is exempt (exemptNamespaces[0])"}}},
		{"bad exempt list", func() Config { c := valid(); c.ExemptNamespaces = []string{"x", "x", "X"}; return c },
			[]wantErr{{"exemptNamespaces[1]", field.ErrorTypeDuplicate, ""}, {"exemptNamespaces[2]", field.ErrorTypeInvalid, "RFC 1123"}}},
		{"internet except", func() Config {
			c := valid()
			c.InternetEgressExcept = []string{"nope", "fd00::/8", "100.64.1.0/10"}
			return c
		}, []wantErr{
			{"internetEgressExcept[0]", field.ErrorTypeInvalid, "not a CIDR"},
			{"internetEgressExcept[1]", field.ErrorTypeInvalid, "must be an IPv4 range"},
			{"internetEgressExcept[2]", field.ErrorTypeInvalid, `want "100.64.0.0/10"`},
		}},
		{"except without internet", func() Config {
			c := valid()
			c.DisableInternetEgress = true
			c.InternetEgressExcept = []string{"100.64.0.0/10"}
			return c
		}, []wantErr{{"internetEgressExcept[0]", field.ErrorTypeForbidden, "disableInternetEgress"}}},
		{"ingress controller", func() Config {
			c := valid()
			c.IngressController = &IngressControllerAllowance{Namespace: "app", Ports: []int32{80, 80, 70000}, PodSelector: map[string]string{"bad key!": "x"}}
			return c
		}, []wantErr{
			{"ingressController.namespace", field.ErrorTypeInvalid, "also a target namespace"},
			{"ingressController.podSelector", field.ErrorTypeInvalid, "name part must consist"},
			{"ingressController.ports[1]", field.ErrorTypeDuplicate, ""},
			{"ingressController.ports[2]", field.ErrorTypeInvalid, "between 1 and 65535"},
		}},
		{"ingress controller without namespace", func() Config {
			c := valid()
			c.IngressController = &IngressControllerAllowance{}
			return c
		}, []wantErr{{"ingressController.namespace", field.ErrorTypeRequired, "namespace name"}}},
		{"monitoring", func() Config {
			c := valid()
			c.Monitoring = &MonitoringAllowance{Namespace: "Mon"}
			return c
		}, []wantErr{
			{"monitoring.namespace", field.ErrorTypeInvalid, "RFC 1123"},
			{"monitoring.port", field.ErrorTypeRequired, "between 1 and 65535"},
		}},
		{"fqdn with acns off", func() Config { c := acns(); c.ACNS = ACNS{}; return c },
			[]wantErr{{"fqdnEgress", field.ErrorTypeForbidden, "security level FQDN or L7; the cluster has acns.enabled: false, acns.security: None"}}},
		{"fqdn with acns security off", func() Config { c := acns(); c.ACNS.Security = spec.ACNSSecurityNone; return c },
			[]wantErr{{"fqdnEgress", field.ErrorTypeForbidden, "the cluster has acns.enabled: true, acns.security: None"}}},
		{"FQDN egress at the FQDN level", func() Config { c := acns(); c.ACNS.Security = spec.ACNSSecurityFQDN; return c }, nil},
		{"L7 HTTP rules at the FQDN level", func() Config { c := acnsConfig(); c.ACNS.Security = spec.ACNSSecurityFQDN; return c },
			[]wantErr{{"httpIngress", field.ErrorTypeForbidden, "L7 HTTP policies need Advanced Container Networking Services with security level L7; the cluster has acns.enabled: true, acns.security: FQDN"}}},
		{"unknown ACNS security level", func() Config { c := acns(); c.ACNS.Security = "HTTP"; return c },
			[]wantErr{{"acns.security", field.ErrorTypeNotSupported, "FQDN"},
				{"fqdnEgress", field.ErrorTypeForbidden, "acns.security: HTTP"}}},
		{"acns security without acns", func() Config { c := valid(); c.ACNS.Security = spec.ACNSSecurityFQDN; return c },
			[]wantErr{{"acns.security", field.ErrorTypeInvalid, "needs acns.enabled: true"}}},
		{"fqdn on kubernetes 1.28", func() Config { c := acns(); c.KubernetesVersion = "1.28.5"; return c },
			[]wantErr{{"fqdnEgress", field.ErrorTypeForbidden, "need Kubernetes 1.29 or later; kubernetesVersion is 1.28.5"}}},
		{"fqdn without kubernetes version", func() Config { c := acns(); c.KubernetesVersion = ""; return c },
			[]wantErr{{"kubernetesVersion", field.ErrorTypeRequired, "need Kubernetes 1.29 or later"}}},
		{"fqdn on unknown kubernetes", func() Config { c := acns(); c.KubernetesVersion = "1.99"; return c },
			[]wantErr{{"kubernetesVersion", field.ErrorTypeInvalid, "newer than the version table"}}},
		{"newer kubernetes allowed", func() Config { c := acns(); c.KubernetesVersion = "1.99"; c.AllowNewerKubernetes = true; return c }, nil},
		{"bad kubernetes version without cilium rules", func() Config { c := valid(); c.KubernetesVersion = "one"; return c },
			[]wantErr{{"kubernetesVersion", field.ErrorTypeInvalid, "not a Kubernetes version"}}},
		{"fqdn bare wildcard", func() Config {
			c := acns()
			c.FQDNEgress[0].MatchPatterns = []string{"*", "*.", "**"}
			return c
		}, []wantErr{
			{"fqdnEgress[0].matchPatterns[0]", field.ErrorTypeInvalid, `a bare "*" pattern allows every DNS name`},
			{"fqdnEgress[0].matchPatterns[1]", field.ErrorTypeInvalid, `a bare "*"`},
			{"fqdnEgress[0].matchPatterns[2]", field.ErrorTypeInvalid, `a bare "*"`},
		}},
		{"fqdn names", func() Config {
			c := acns()
			c.FQDNEgress[0].Name = "Storage"
			c.FQDNEgress[0].Namespaces = []string{"other"}
			c.FQDNEgress[0].MatchNames = []string{"bad name", "*.x.com", strings.Repeat("a", 256)}
			c.FQDNEgress[0].MatchPatterns = []string{"x/y"}
			c.FQDNEgress[0].Ports = []int32{-1}
			return c
		}, []wantErr{
			{"fqdnEgress[0].name", field.ErrorTypeInvalid, "RFC 1123"},
			{"fqdnEgress[0].namespaces[0]", field.ErrorTypeInvalid, "not a target namespace; want one of [shop]"},
			{"fqdnEgress[0].matchNames[0]", field.ErrorTypeInvalid, "a DNS name such as"},
			{"fqdnEgress[0].matchNames[1]", field.ErrorTypeInvalid, "a DNS name such as"},
			{"fqdnEgress[0].matchNames[2]", field.ErrorTypeTooLong, ""},
			{"fqdnEgress[0].matchPatterns[0]", field.ErrorTypeInvalid, "wildcards"},
			{"fqdnEgress[0].ports[0]", field.ErrorTypeInvalid, "between 1 and 65535"},
		}},
		{"fqdn empty", func() Config {
			c := acns()
			c.FQDNEgress = append(c.FQDNEgress, FQDNEgress{Name: "storage"})
			return c
		}, []wantErr{
			{"fqdnEgress[1].name", field.ErrorTypeDuplicate, ""},
			{"fqdnEgress[1].matchNames", field.ErrorTypeRequired, "at least one DNS name"},
		}},
		{"http with acns off and old kubernetes", func() Config {
			c := acnsConfig()
			c.FQDNEgress = nil
			c.ACNS = ACNS{Enabled: true}
			c.KubernetesVersion = "1.27"
			return c
		}, []wantErr{
			{"httpIngress", field.ErrorTypeForbidden, "L7 HTTP policies need Advanced Container Networking Services"},
			{"httpIngress", field.ErrorTypeForbidden, "need Kubernetes 1.29 or later; kubernetesVersion is 1.27"},
		}},
		{"http rules", func() Config {
			c := acnsConfig()
			c.HTTPIngress[0].Port = 0
			c.HTTPIngress[0].Rules = []HTTPRule{{}, {Method: "GET(", Path: "api"}, {Path: "/a["}}
			c.HTTPIngress[0].FromNamespaces = []string{"web", "web"}
			return c
		}, []wantErr{
			{"httpIngress[0].port", field.ErrorTypeRequired, "port number"},
			{"httpIngress[0].fromNamespaces[1]", field.ErrorTypeDuplicate, ""},
			{"httpIngress[0].rules[0]", field.ErrorTypeRequired, "an empty rule allows every request"},
			{"httpIngress[0].rules[1].method", field.ErrorTypeInvalid, "not a regular expression"},
			{"httpIngress[0].rules[1].path", field.ErrorTypeInvalid, `must start with "/"`},
			{"httpIngress[0].rules[2].path", field.ErrorTypeInvalid, "not a regular expression"},
		}},
		{"http without rules", func() Config { c := acnsConfig(); c.HTTPIngress[0].Rules = nil; return c },
			[]wantErr{{"httpIngress[0].rules", field.ErrorTypeRequired, "at least one rule"}}},
		{"http shadowed by same namespace", func() Config { c := acnsConfig(); c.DisableSameNamespace = false; return c },
			[]wantErr{{"httpIngress[0].fromNamespaces", field.ErrorTypeInvalid, "allow-same-namespace already allows every port"}}},
		{"http shadowed by ingress controller", func() Config {
			c := acnsConfig()
			c.IngressController = &IngressControllerAllowance{Namespace: "ingress-nginx"}
			c.HTTPIngress[0].FromNamespaces = []string{"ingress-nginx"}
			return c
		}, []wantErr{{"httpIngress[0].fromNamespaces[0]", field.ErrorTypeInvalid, "allow-ingress-controller already allows port 8080"}}},
		{"http not shadowed by ingress controller on other ports", func() Config {
			c := acnsConfig()
			c.IngressController = &IngressControllerAllowance{Namespace: "ingress-nginx", Ports: []int32{80}}
			c.HTTPIngress[0].FromNamespaces = []string{"ingress-nginx"}
			return c
		}, nil},
		{"http shadowed by monitoring", func() Config {
			c := acnsConfig()
			c.Monitoring = &MonitoringAllowance{Namespace: "kube-system", Port: 8080}
			c.HTTPIngress[0].FromNamespaces = []string{"kube-system"}
			return c
		}, []wantErr{{"httpIngress[0].fromNamespaces[0]", field.ErrorTypeInvalid, "allow-monitoring already allows port 8080"}}},
		{"all at once", func() Config {
			return Config{
				Namespaces:       []string{"kube-system", "ok", "Bad"},
				Monitoring:       &MonitoringAllowance{Namespace: "ok", Port: 9090},
				FQDNEgress:       []FQDNEgress{{Name: "x", MatchPatterns: []string{"*"}}},
				ExemptNamespaces: nil,
			}
		}, []wantErr{
			{"namespaces[0]", field.ErrorTypeInvalid, "namespace is exempt"},
			{"namespaces[2]", field.ErrorTypeInvalid, "RFC 1123"},
			{"monitoring.namespace", field.ErrorTypeInvalid, "also a target namespace"},
			{"fqdnEgress", field.ErrorTypeForbidden, "need Advanced Container Networking Services"},
			{"kubernetesVersion", field.ErrorTypeRequired, "1.29"},
			{"fqdnEgress[0].matchPatterns[0]", field.ErrorTypeInvalid, "bare"},
		}},
	}
	fired := map[spec.Code]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg()
			errs := cfg.WithDefaults().Validate(nil)
			for _, e := range errs {
				require.NotEmpty(t, spec.CodeOf(e), "every error has its rule code: %s", e.Error())
				fired[spec.CodeOf(e)] = true
			}
			rooted := cfg.WithDefaults().Validate(field.NewPath("policies"))
			require.Len(t, rooted, len(errs))
			for i := range errs {
				assert.Equal(t, "policies."+errs[i].Field, rooted[i].Field, "a root path prefixes every error")
			}
			got := make([]wantErr, len(errs))
			for i, e := range errs {
				got[i] = wantErr{e.Field, e.Type, e.Detail}
			}
			require.Len(t, got, len(tt.want), "errors: %v", errs)
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					if g.field == w.field && g.typ == w.typ && strings.Contains(g.detail, w.detail) {
						found = true
					}
				}
				assert.True(t, found, "want %s %s %q among %v", w.field, w.typ, w.detail, errs)
			}
			_, err := Build(cfg)
			if len(tt.want) == 0 {
				assert.NoError(t, err)
				return
			}
			var ce *spec.InvalidError
			require.True(t, errors.As(err, &ce), "Build returns a *spec.InvalidError: %v", err)
			assert.Len(t, ce.Errs, len(tt.want))
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w.field)
			}
		})
	}
	for _, r := range ConfigRules {
		assert.True(t, fired[r.Code], "%s (%s) has no case in this test that makes it fire", r.Code, r.Summary)
		assert.Regexp(t, `^POL[0-9]{3}$`, r.Code)
		assert.NotEmpty(t, r.Source, r.Code)
	}
}

func TestWithDefaultsDoesNotAlias(t *testing.T) {
	cfg := Config{Namespaces: []string{"b", "a"}, FQDNEgress: []FQDNEgress{{Name: "x"}}}
	d := cfg.WithDefaults()
	d.Namespaces[0] = "changed"
	d.ExemptNamespaces[0] = "changed"
	assert.Equal(t, "b", cfg.Namespaces[0])
	assert.Equal(t, "kube-system", DefaultExemptNamespaces[0])
	assert.Nil(t, cfg.FQDNEgress[0].Ports)
	assert.Equal(t, DefaultFQDNPorts, d.FQDNEgress[0].Ports)
	assert.Equal(t, d, d.WithDefaults(), "idempotent")
}
