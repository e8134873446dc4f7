package netpol

import (
	"github.com/aks-cilium/aks-cilium/components/spec"

	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Cluster contexts for the three pod IP modes, with AKS's usual ranges.
var (
	overlayContext = LintContext{
		PodCIDR:     netip.MustParsePrefix("192.168.0.0/16"),
		NodeSubnets: []netip.Prefix{netip.MustParsePrefix("10.224.0.0/16")},
	}
	podSubnetContext = LintContext{
		PodSubnets:  []netip.Prefix{netip.MustParsePrefix("10.225.0.0/16"), netip.MustParsePrefix("10.226.0.0/16")},
		NodeSubnets: []netip.Prefix{netip.MustParsePrefix("10.224.0.0/16")},
	}
	nodeSubnetContext = LintContext{
		NodeSubnets: []netip.Prefix{netip.MustParsePrefix("10.240.0.0/16")},
	}
)

func withVersions(ctx LintContext, cilium, kube string, acns bool) LintContext {
	level := spec.ACNSSecurityNone
	if acns {
		level = spec.ACNSSecurityL7
	}
	return withLevel(ctx, cilium, kube, level)
}

func withLevel(ctx LintContext, cilium, kube string, level spec.ACNSSecurity) LintContext {
	ctx.CiliumVersion, ctx.KubernetesVersion, ctx.ACNSSecurity = cilium, kube, &level
	return ctx
}

func codes(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Code + " " + f.Field
	}
	return out
}

func TestLintFiresOnGuideWarningCase(t *testing.T) {
	guide := parseNetworkPolicy(t, guideEgressToExternal)
	guide.Namespace = "app"
	fs := Lint(PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{guide}}, overlayContext)
	assert.Equal(t, []string{
		CodeIPBlockPods + " spec.egress[0].to[0].ipBlock.cidr",
		CodeIPBlockNodes + " spec.egress[0].to[0].ipBlock.cidr",
	}, codes(fs))
	assert.Contains(t, fs[0].Message, "covers pod addresses (192.168.0.0/16), partly")
	assert.Contains(t, fs[0].Fix, "namespaceSelector/podSelector")
	assert.Equal(t, SeverityWarning, fs[0].Severity)
	assert.Equal(t, "NetworkPolicy", fs[0].Kind)
	assert.Equal(t, "app/allow-egress-to-external", fs[0].Namespace+"/"+fs[0].Name)
	assert.Contains(t, fs[1].Message, "node addresses (10.224.0.0/16)")

	// The guide's warning in its plainest form: an ipBlock that allows pod IPs.
	podIPs := networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "allow-from-pods-by-ip"},
		Spec: networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
				{PodSelector: &metav1.LabelSelector{}},
				{IPBlock: &networkingv1.IPBlock{CIDR: "192.168.4.0/24"}},
			}}},
		},
	}
	fs = Lint(PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{podIPs}}, overlayContext)
	require.Equal(t, []string{CodeIPBlockPods + " spec.ingress[0].from[1].ipBlock.cidr"}, codes(fs))
	assert.Contains(t, fs[0].Message, "entirely")
	t.Log(fs[0])
}

func TestLintQuietOnBaseline(t *testing.T) {
	cfg := Config{
		Namespaces:           []string{"shop", "web"},
		DisableSameNamespace: true,
		AllowAllPods:         true,
		IngressController:    &IngressControllerAllowance{Namespace: "ingress-nginx", Ports: []int32{8080}},
		Monitoring:           &MonitoringAllowance{Namespace: "kube-system", Port: 9102},
		ACNS:                 ACNS{Enabled: true, Security: spec.ACNSSecurityL7},
		KubernetesVersion:    "1.32",
		FQDNEgress:           []FQDNEgress{{Name: "storage", MatchPatterns: []string{"*.blob.core.windows.net"}, MatchNames: []string{"login.microsoftonline.com"}}},
		HTTPIngress:          []HTTPIngress{{Name: "api", Namespaces: []string{"shop"}, Port: 8080, FromNamespaces: []string{"web"}, Rules: []HTTPRule{{Method: "GET"}}}},
	}
	for _, tc := range []struct {
		name string
		ctx  LintContext
		cfg  Config
	}{
		{"defaults, overlay", withVersions(overlayContext, "1.17.9", "1.32", false), Config{Namespaces: []string{"app"}}},
		{"defaults, pod subnet", withVersions(podSubnetContext, "1.14.19", "1.29", false), Config{Namespaces: []string{"app"}}},
		{"defaults, node subnet", withVersions(nodeSubnetContext, "1.18.6", "1.34", false), Config{Namespaces: []string{"app"}}},
		{"everything, overlay", withVersions(overlayContext, "1.17.9", "1.32", true), cfg},
		{"everything, pod subnet", withVersions(podSubnetContext, "1.17.9", "1.32", true), cfg},
		{"everything, node subnet", withVersions(nodeSubnetContext, "1.17.9", "1.32", true), cfg},
		{"everything, unknown cluster", LintContext{}, cfg},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Build(tc.cfg)
			require.NoError(t, err)
			assert.Empty(t, Lint(b.PolicySet, tc.ctx))
		})
	}

	// A pod CIDR outside RFC 1918 needs the except the config offers.
	cgnat := LintContext{PodCIDR: netip.MustParsePrefix("100.64.0.0/16")}
	b, err := Build(Config{Namespaces: []string{"app"}})
	require.NoError(t, err)
	assert.Equal(t, []string{CodeIPBlockPods + " spec.egress[0].to[0].ipBlock.cidr"}, codes(Lint(b.PolicySet, cgnat)))
	b, err = Build(Config{Namespaces: []string{"app"}, InternetEgressExcept: []string{"100.64.0.0/16"}})
	require.NoError(t, err)
	assert.Empty(t, Lint(b.PolicySet, cgnat))
}

func np(name string, spec networkingv1.NetworkPolicySpec) networkingv1.NetworkPolicy {
	return networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: name}, Spec: spec}
}

func egressTypes() []networkingv1.PolicyType {
	return []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
}

func TestLintCodes(t *testing.T) {
	tcp := corev1.ProtocolTCP
	named := intstr.FromString("http")
	p8000 := intstr.FromInt32(8000)
	end := int32(8100)
	toPods := []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}
	fqdnPolicy := func(rule CiliumEgressRule, withDNS bool) CiliumNetworkPolicy {
		cnp := NewCiliumNetworkPolicy("app", "fqdn")
		if withDNS {
			cnp.Spec.Egress = append(cnp.Spec.Egress, CiliumEgressRule{
				ToEndpoints: []metav1.LabelSelector{{MatchLabels: map[string]string{CiliumNamespaceLabel: "kube-system"}}},
				ToPorts:     []CiliumPortRule{{Ports: []CiliumPortProtocol{{Port: "53", Protocol: "ANY"}}, Rules: &CiliumL7Rules{DNS: []CiliumFQDNSelector{{MatchPattern: "*.example.com"}}}}},
			})
		}
		cnp.Spec.Egress = append(cnp.Spec.Egress, rule)
		return cnp
	}
	fqdnOnly := CiliumEgressRule{ToFQDNs: []CiliumFQDNSelector{{MatchName: "example.com"}}}

	tests := []struct {
		name string
		set  PolicySet
		ctx  LintContext
		want []string // code and field of each finding
		msg  string   // a substring of the first finding's message
	}{
		{"CIL000 bad context", PolicySet{}, LintContext{CiliumVersion: "one.two", KubernetesVersion: "x"},
			[]string{"CIL000 LintContext.CiliumVersion", "CIL000 LintContext.KubernetesVersion"}, `"one.two" is not a version`},
		{"CIL001 pod subnet", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("to-pods", networkingv1.NetworkPolicySpec{
			PolicyTypes: egressTypes(),
			Egress:      []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.224.0.0/16"}}}}}},
		})}}, podSubnetContext, []string{"CIL001 spec.egress[0].to[0].ipBlock.cidr"}, "10.225.0.0/16, 10.226.0.0/16"},
		{"CIL001 except covers the pods", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("to-vnet", networkingv1.NetworkPolicySpec{
			PolicyTypes: egressTypes(),
			Egress:      []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.224.0.0/12", Except: []string{"10.224.0.0/15", "10.226.0.0/16"}}}}}},
		})}}, podSubnetContext, nil, ""},
		{"CIL001 cilium toCIDRSet", PolicySet{CiliumPolicies: []CiliumNetworkPolicy{func() CiliumNetworkPolicy {
			c := NewCiliumNetworkPolicy("app", "cidr")
			c.Spec.Ingress = []CiliumIngressRule{{FromCIDR: []string{"192.168.1.0/24"}}}
			c.Spec.Egress = []CiliumEgressRule{{ToCIDRSet: []CiliumCIDRRule{{CIDR: "0.0.0.0/0", Except: []string{"10.224.0.0/16"}}}}}
			return c
		}()}}, overlayContext, []string{"CIL001 spec.ingress[0].fromCIDR[0]", "CIL001 spec.egress[0].toCIDRSet[0].cidr"}, "fromCIDR 192.168.1.0/24 covers pod addresses"},
		{"CIL002 egress rules ignored", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("allow-web", networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Egress:      []networkingv1.NetworkPolicyEgressRule{{To: toPods}},
		})}}, LintContext{}, []string{"CIL002 spec.policyTypes"}, "egress rule(s) are ignored"},
		{"CIL002 implicit policyTypes", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("allow-web", networkingv1.NetworkPolicySpec{
			Egress: []networkingv1.NetworkPolicyEgressRule{{To: toPods}},
		})}}, LintContext{}, []string{"CIL002 spec.policyTypes"}, "policyTypes is empty"},
		{"CIL002 intended egress deny", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("deny-all-egress", networkingv1.NetworkPolicySpec{})}},
			LintContext{}, []string{"CIL002 spec.policyTypes"}, "suggests an egress deny"},
		{"CIL002 default deny without Egress", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("default-deny", networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		})}}, LintContext{}, []string{"CIL002 spec.policyTypes"}, "suggests an egress deny"},
		{"CIL002 quiet on ingress deny", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("deny-all-ingress", networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		})}}, LintContext{}, nil, ""},
		{"CIL003 toFQDNs with toEndpoints and toCIDR", PolicySet{CiliumPolicies: []CiliumNetworkPolicy{fqdnPolicy(CiliumEgressRule{
			ToFQDNs:     []CiliumFQDNSelector{{MatchName: "example.com"}},
			ToEndpoints: []metav1.LabelSelector{{}},
			ToCIDR:      []string{"203.0.113.0/24"},
		}, true)}}, LintContext{}, []string{"CIL003 spec.egress[1].toFQDNs"}, "toFQDNs combined with toEndpoints and toCIDR"},
		{"CIL004 named port", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("web", networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: toPods, Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &named}}}},
		})}}, LintContext{}, []string{"CIL004 spec.ingress[0].ports[0].port"}, `named port "http": it matches only pods that declare the name`},
		{"CIL004 named port from ipBlock is only info", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("in", networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From:  []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "203.0.113.0/24"}}},
				Ports: []networkingv1.NetworkPolicyPort{{Port: &named}},
			}},
		})}}, LintContext{}, []string{"CIL004 spec.ingress[0].ports[0].port"}, "resolves names on egress"},
		{"CIL004 named port to ipBlock", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("out", networkingv1.NetworkPolicySpec{
			PolicyTypes: egressTypes(),
			Egress: []networkingv1.NetworkPolicyEgressRule{{
				To:    []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "203.0.113.0/24"}}},
				Ports: []networkingv1.NetworkPolicyPort{{Port: &named}},
			}},
		})}}, LintContext{}, []string{"CIL004 spec.egress[0].ports[0].port"}, "never on an external address"},
		{"CIL005 node subnet", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("to-nodes", networkingv1.NetworkPolicySpec{
			PolicyTypes: egressTypes(),
			Egress:      []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.224.0.4/32"}}}}},
		})}}, overlayContext, []string{"CIL005 spec.egress[0].to[0].ipBlock.cidr"}, "node addresses (10.224.0.0/16), entirely"},
		{"CIL001 and CIL005 in node subnet mode", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("to-vnet", networkingv1.NetworkPolicySpec{
			PolicyTypes: egressTypes(),
			Egress:      []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.240.0.0/12"}}}}},
		})}}, LintContext{PodSubnets: nodeSubnetContext.NodeSubnets, NodeSubnets: nodeSubnetContext.NodeSubnets},
			[]string{"CIL001 spec.egress[0].to[0].ipBlock.cidr", "CIL005 spec.egress[0].to[0].ipBlock.cidr"}, "partly"},
		{"CIL006 endPort on old Cilium", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("range", networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &p8000, EndPort: &end}}}},
		})}}, LintContext{CiliumVersion: "1.16.6"}, []string{"CIL006 spec.ingress[0].ports[0].endPort"}, "endPort 8100: Cilium 1.16.6"},
		{"CIL006 quiet on Cilium 1.17", PolicySet{NetworkPolicies: []networkingv1.NetworkPolicy{np("range", networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &p8000, EndPort: &end}}}},
		})}}, LintContext{CiliumVersion: "1.17.0"}, nil, ""},
		{"CIL006 Cilium endPort", PolicySet{CiliumPolicies: []CiliumNetworkPolicy{func() CiliumNetworkPolicy {
			c := NewCiliumNetworkPolicy("app", "range")
			c.Spec.Ingress = []CiliumIngressRule{{ToPorts: []CiliumPortRule{{Ports: []CiliumPortProtocol{{Port: "8000", EndPort: 8100}}}}}}
			return c
		}()}}, LintContext{CiliumVersion: "1.14.19"}, []string{"CIL006 spec.ingress[0].toPorts[0].ports[0].endPort"}, "port ranges"},
		{"CIL007 ACNS security off", PolicySet{CiliumPolicies: []CiliumNetworkPolicy{fqdnPolicy(fqdnOnly, true), func() CiliumNetworkPolicy {
			c := NewCiliumNetworkPolicy("app", "http")
			c.Spec.Ingress = []CiliumIngressRule{{ToPorts: []CiliumPortRule{{Ports: []CiliumPortProtocol{{Port: "80"}}, Rules: &CiliumL7Rules{HTTP: []CiliumHTTPRule{{Method: "GET"}}}}}}}
			return c
		}()}}, withVersions(LintContext{}, "", "1.32", false),
			[]string{"CIL007 spec.egress[1].toFQDNs", "CIL007 spec.ingress[0].toPorts[0].rules.http"}, "toFQDNs need the ACNS security level FQDN or L7; the cluster has None"},
		{"CIL007 HTTP rules at the FQDN level", PolicySet{CiliumPolicies: []CiliumNetworkPolicy{fqdnPolicy(fqdnOnly, true), func() CiliumNetworkPolicy {
			c := NewCiliumNetworkPolicy("app", "http")
			c.Spec.Ingress = []CiliumIngressRule{{ToPorts: []CiliumPortRule{{Ports: []CiliumPortProtocol{{Port: "80"}}, Rules: &CiliumL7Rules{HTTP: []CiliumHTTPRule{{Method: "GET"}}}}}}}
			return c
		}()}}, withLevel(LintContext{}, "", "1.32", spec.ACNSSecurityFQDN),
			[]string{"CIL007 spec.ingress[0].toPorts[0].rules.http"}, "L7 HTTP rules need the ACNS security level L7; the cluster has FQDN"},
		{"CIL007 old Kubernetes", PolicySet{CiliumPolicies: []CiliumNetworkPolicy{fqdnPolicy(fqdnOnly, true)}},
			withVersions(LintContext{}, "", "1.28", true), []string{"CIL007 spec.egress[1].toFQDNs"}, "need Kubernetes 1.29 or later; the cluster runs 1.28.0"},
		{"CIL008 no DNS rule", PolicySet{CiliumPolicies: []CiliumNetworkPolicy{fqdnPolicy(fqdnOnly, false)}},
			LintContext{}, []string{"CIL008 spec.egress[0].toFQDNs"}, "Cilium never learns"},
		{"CIL009 bare wildcard", PolicySet{CiliumPolicies: []CiliumNetworkPolicy{func() CiliumNetworkPolicy {
			c := fqdnPolicy(CiliumEgressRule{ToFQDNs: []CiliumFQDNSelector{{MatchName: "example.com"}, {MatchPattern: "*"}}}, true)
			c.Spec.Egress[0].ToPorts[0].Rules.DNS = []CiliumFQDNSelector{{MatchPattern: "*"}}
			return c
		}()}}, LintContext{}, []string{"CIL009 spec.egress[0].toPorts[0].rules.dns[0].matchPattern", "CIL009 spec.egress[1].toFQDNs[1].matchPattern"}, `matchPattern "*" matches every DNS name`},
	}
	fired := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Lint(tt.set, tt.ctx)
			assert.Equal(t, tt.want, nilIfEmpty(codes(fs)))
			if len(fs) > 0 {
				assert.Contains(t, fs[0].Message, tt.msg)
				for _, f := range fs {
					assert.NotEmpty(t, f.Fix, f.String())
					assert.NotEmpty(t, f.Severity)
					fired[f.Code] = true
					t.Log(f)
				}
			}
		})
	}
	for _, code := range []string{CodeBadContext, CodeIPBlockPods, CodePolicyTypes, CodeFQDNCombined, CodeNamedPort,
		CodeIPBlockNodes, CodeEndPort, CodeACNSRequired, CodeFQDNNoDNSRule, CodeBareWildcard} {
		assert.True(t, fired[code], "no test fires %s", code)
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestPrefixMinus(t *testing.T) {
	p := netip.MustParsePrefix
	show := func(ps []netip.Prefix) string { return joinPrefixes(ps) }
	assert.Equal(t, "", show(prefixMinus(p("10.0.0.0/8"), []netip.Prefix{p("0.0.0.0/0")})))
	assert.Equal(t, "10.0.0.0/8", show(prefixMinus(p("10.0.0.0/8"), []netip.Prefix{p("192.168.0.0/16")})))
	assert.Equal(t, "10.0.0.0/9, 10.128.0.0/10, 10.192.0.0/11",
		show(prefixMinus(p("10.0.0.0/8"), []netip.Prefix{p("10.224.0.0/11")})))
	got := prefixMinus(p("0.0.0.0/0"), []netip.Prefix{p("10.0.0.0/8"), p("172.16.0.0/12"), p("192.168.0.0/16"), p("169.254.169.254/32")})
	for _, g := range got {
		for _, cut := range []string{"10.1.2.3", "172.20.0.1", "192.168.7.7", "169.254.169.254"} {
			assert.False(t, g.Contains(netip.MustParseAddr(cut)), "%s still holds %s", g, cut)
		}
	}
	covered := 0
	for _, probe := range []string{"8.8.8.8", "169.254.169.253", "1.1.1.1", "255.255.255.255", "0.0.0.0"} {
		for _, g := range got {
			if g.Contains(netip.MustParseAddr(probe)) {
				covered++
			}
		}
	}
	assert.Equal(t, 5, covered, "every other address stays, exactly once")
	assert.False(t, strings.Contains(show(got), "/33"))
	lo, hi := halves(p("fd00::/8"))
	assert.Equal(t, "fd00::/9 fd80::/9", lo.String()+" "+hi.String())
}
