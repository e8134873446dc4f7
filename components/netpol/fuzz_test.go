package netpol

import (
	"encoding/json"
	"net/netip"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// FuzzBuild feeds arbitrary JSON configs to Build: it must return a
// baseline or an error, never panic, and whatever it builds must render
// and lint.
func FuzzBuild(f *testing.F) {
	for _, cfg := range []Config{
		{Namespaces: []string{"app"}},
		acnsConfig(),
		{Namespaces: []string{"a", "b"}, AllowAllPods: true, AllowEgressToExternal: true,
			IngressController: &IngressControllerAllowance{Namespace: "ingress", Ports: []int32{80}},
			Monitoring:        &MonitoringAllowance{Namespace: "kube-system", Port: 9090}, InternetEgressExcept: []string{"100.64.0.0/10"}},
	} {
		data, err := json.Marshal(cfg)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"namespaces":["x"],"fqdnEgress":[{"name":"a","matchPatterns":["*"]}],"acns":{"enabled":true,"security":true},"kubernetesVersion":"1.99"}`))
	f.Add([]byte(`{"namespaces":["x"],"httpIngress":[{"name":"h","port":80,"rules":[{"path":"/[("}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var cfg Config
		if json.Unmarshal(data, &cfg) != nil {
			return
		}
		b, err := Build(cfg)
		if err != nil {
			return
		}
		if _, err := Render(b.PolicySet); err != nil {
			t.Fatalf("a built baseline does not render: %v", err)
		}
		Lint(b.PolicySet, LintContext{PodCIDR: netip.MustParsePrefix("192.168.0.0/16")})
		_ = b.Objects()
	})
}

// FuzzPolicy feeds arbitrary NetworkPolicy YAML to Lint and the evaluator:
// they must not panic on anything that decodes.
func FuzzPolicy(f *testing.F) {
	f.Add([]byte(guideEgressToExternal))
	f.Add([]byte(guideAllowAllPods))
	f.Add([]byte(`
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchExpressions: [{key: pod, operator: In, values: [a]}]}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}, {namespaceSelector: {}, podSelector: {}}]
    ports: [{port: serve-80-tcp}, {protocol: UDP, port: 80, endPort: 90}]
  egress:
  - to: [{ipBlock: {cidr: "::/0"}}]
`))
	nss, pods := e2eCluster()
	f.Fuzz(func(t *testing.T, data []byte) {
		var np networkingv1.NetworkPolicy
		if yaml.Unmarshal(data, &np) != nil {
			return
		}
		if np.Namespace == "" {
			np.Namespace = "x"
		}
		set := PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np}}
		Lint(set, LintContext{PodCIDR: netip.MustParsePrefix("192.168.0.0/16"), NodeSubnets: []netip.Prefix{netip.MustParsePrefix("fd00::/64")}, CiliumVersion: "1.16"})
		ev, err := NewEvaluator(set.NetworkPolicies, nss, pods)
		if err != nil {
			return
		}
		for _, port := range []int{80, 81} {
			m := ev.Matrix(port, "")
			for i, a := range m.Pods {
				v, err := ev.Allowed(a, ExternalEndpoint(netip.MustParseAddr("8.8.8.8")), port, "")
				if err != nil {
					t.Fatal(err)
				}
				_ = v.Reason()
				for j, b := range m.Pods {
					v, err := ev.Allowed(a, b, port, "")
					if err != nil {
						t.Fatal(err)
					}
					if v.Allowed != m.Allowed(i, j) {
						t.Fatalf("Matrix and Allowed disagree on %s -> %s: %s", a, b, v.Reason())
					}
				}
			}
		}
	})
}
