package netpol

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// scenario is a cluster (namespaces, pods, external addresses) and the
// policies applied to it, for the evaluator's tests and its oracle.
type scenario struct {
	name       string
	namespaces []Namespace
	pods       []Pod
	externals  []netip.Addr
	policies   []networkingv1.NetworkPolicy
}

// e2eCluster is the model of Kubernetes' e2e netpol suite
// (test/e2e/network/netpol): namespaces x, y, z labelled ns=<name>, pods
// a, b, c labelled pod=<name>, each serving ports 80 and 81 on TCP, UDP
// and SCTP under names serve-<port>-<protocol>.
func e2eCluster() ([]Namespace, []Pod) {
	var nss []Namespace
	var pods []Pod
	for i, ns := range []string{"x", "y", "z"} {
		nss = append(nss, Namespace{Name: ns, Labels: map[string]string{"ns": ns}})
		for j, pod := range []string{"a", "b", "c"} {
			p := Pod{
				Namespace: ns, Name: pod,
				Labels: map[string]string{"pod": pod},
				IP:     netip.AddrFrom4([4]byte{192, 168, byte(i + 1), byte(j + 10)}),
			}
			for _, port := range []int32{80, 81} {
				for _, proto := range []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP} {
					p.Ports = append(p.Ports, ContainerPort{
						Name: fmt.Sprintf("serve-%d-%s", port, strings.ToLower(string(proto))), Port: port, Protocol: proto,
					})
				}
			}
			pods = append(pods, p)
		}
	}
	return nss, pods
}

// externalAddrs are addresses outside the cluster, some inside the ranges
// that baseline policies except.
var externalAddrs = []netip.Addr{
	netip.MustParseAddr("8.8.8.8"),
	netip.MustParseAddr("203.0.113.7"),
	netip.MustParseAddr("10.0.5.5"),
	netip.MustParseAddr("192.168.200.1"),
	netip.MustParseAddr("169.254.169.254"),
}

// Small constructors for policies, in the e2e suite's vocabulary.

func labelSel(kv ...string) *metav1.LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return &metav1.LabelSelector{MatchLabels: m}
}

func exprSel(key string, op metav1.LabelSelectorOperator, values ...string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: key, Operator: op, Values: values}}}
}

func podPeer(s *metav1.LabelSelector) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{PodSelector: s}
}

func nsPeer(s *metav1.LabelSelector) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{NamespaceSelector: s}
}

func nsPodPeer(ns, pod *metav1.LabelSelector) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{NamespaceSelector: ns, PodSelector: pod}
}

func ipPeer(cidr string, except ...string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr, Except: except}}
}

func numPort(proto corev1.Protocol, n int32) networkingv1.NetworkPolicyPort {
	p := intstr.FromInt32(n)
	return networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &p}
}

func rangePort(proto corev1.Protocol, from, to int32) networkingv1.NetworkPolicyPort {
	p := numPort(proto, from)
	p.EndPort = &to
	return p
}

func namedPolicyPort(proto corev1.Protocol, name string) networkingv1.NetworkPolicyPort {
	p := intstr.FromString(name)
	return networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &p}
}

func protoOnly(proto corev1.Protocol) networkingv1.NetworkPolicyPort {
	return networkingv1.NetworkPolicyPort{Protocol: &proto}
}

func in(peers []networkingv1.NetworkPolicyPeer, ports ...networkingv1.NetworkPolicyPort) networkingv1.NetworkPolicyIngressRule {
	return networkingv1.NetworkPolicyIngressRule{From: peers, Ports: ports}
}

func out(peers []networkingv1.NetworkPolicyPeer, ports ...networkingv1.NetworkPolicyPort) networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{To: peers, Ports: ports}
}

func peers(p ...networkingv1.NetworkPolicyPeer) []networkingv1.NetworkPolicyPeer { return p }

var (
	ingressOnly = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	egressOnly  = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	bothTypes   = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
)

type policyOpt func(*networkingv1.NetworkPolicy)

func withIngress(rules ...networkingv1.NetworkPolicyIngressRule) policyOpt {
	return func(p *networkingv1.NetworkPolicy) { p.Spec.Ingress = append(p.Spec.Ingress, rules...) }
}

func withEgress(rules ...networkingv1.NetworkPolicyEgressRule) policyOpt {
	return func(p *networkingv1.NetworkPolicy) { p.Spec.Egress = append(p.Spec.Egress, rules...) }
}

func withTypes(t []networkingv1.PolicyType) policyOpt {
	return func(p *networkingv1.NetworkPolicy) { p.Spec.PolicyTypes = t }
}

// pol is a policy in ns selecting podSel (nil: all pods).
func pol(ns, name string, podSel *metav1.LabelSelector, opts ...policyOpt) networkingv1.NetworkPolicy {
	p := networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	if podSel != nil {
		p.Spec.PodSelector = *podSel
	}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// dnsEgress is the e2e suite's "allow DNS" egress rule.
func dnsEgress() networkingv1.NetworkPolicyEgressRule {
	return out(nil, numPort(corev1.ProtocolUDP, 53), numPort(corev1.ProtocolTCP, 53))
}

// e2eScenarios are the cases of Kubernetes' e2e netpol suite that do not
// depend on updates over time, on the x/y/z, a/b/c model.
func e2eScenarios() []scenario {
	tcp, udp, sctp := corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP
	podA, podB, podC := labelSel("pod", "a"), labelSel("pod", "b"), labelSel("pod", "c")
	nsX, nsY := labelSel("ns", "x"), labelSel("ns", "y")
	all := &metav1.LabelSelector{}
	ipOf := func(ns, pod string) string {
		_, pods := e2eCluster()
		for _, p := range pods {
			if p.Namespace == ns && p.Name == pod {
				return p.IP.String() + "/32"
			}
		}
		panic(ns + "/" + pod)
	}
	cases := []struct {
		name     string
		policies []networkingv1.NetworkPolicy
	}{
		{"no policies", nil},
		{"default-deny-ingress", []networkingv1.NetworkPolicy{pol("x", "deny-ingress", nil, withTypes(ingressOnly))}},
		{"default-deny-all", []networkingv1.NetworkPolicy{pol("x", "deny-all", nil, withTypes(bothTypes))}},
		{"default-deny-egress", []networkingv1.NetworkPolicy{pol("x", "deny-egress", nil, withTypes(egressOnly))}},
		{"allow-all ingress", []networkingv1.NetworkPolicy{pol("x", "allow-all", nil, withTypes(ingressOnly), withIngress(in(nil)))}},
		{"allow from pod b via podSelector", []networkingv1.NetworkPolicy{
			pol("x", "allow-client-b", podA, withTypes(ingressOnly), withIngress(in(peers(podPeer(podB)))))}},
		{"allow from namespace y via namespaceSelector", []networkingv1.NetworkPolicy{
			pol("x", "allow-ns-y", podA, withTypes(ingressOnly), withIngress(in(peers(nsPeer(nsY)))))}},
		{"namespace y allows namespace x", []networkingv1.NetworkPolicy{
			pol("y", "allow-ns-x", nil, withTypes(ingressOnly), withIngress(in(peers(nsPeer(nsX))))),
			pol("x", "egress-to-y", nil, withTypes(egressOnly), withEgress(out(peers(nsPeer(nsY)), numPort(tcp, 80))))}},
		{"allow from all namespaces", []networkingv1.NetworkPolicy{
			pol("x", "allow-all-ns", podA, withTypes(ingressOnly), withIngress(in(peers(nsPeer(all)))))}},
		{"allow only from other namespaces (NotIn)", []networkingv1.NetworkPolicy{
			pol("x", "allow-not-x", podA, withTypes(ingressOnly), withIngress(in(peers(nsPeer(exprSel("ns", metav1.LabelSelectorOpNotIn, "x"))))))}},
		{"podSelector with matchExpressions", []networkingv1.NetworkPolicy{
			pol("x", "allow-pod-in-b", podA, withTypes(ingressOnly), withIngress(in(peers(podPeer(exprSel("pod", metav1.LabelSelectorOpIn, "b"))))))}},
		{"namespaceSelector with matchExpressions", []networkingv1.NetworkPolicy{
			pol("x", "allow-ns-in-y", podA, withTypes(ingressOnly), withIngress(in(peers(nsPeer(exprSel("ns", metav1.LabelSelectorOpIn, "y"))))))}},
		{"podSelector or namespaceSelector", []networkingv1.NetworkPolicy{
			pol("x", "allow-or", podA, withTypes(ingressOnly), withIngress(in(peers(
				nsPeer(exprSel("ns", metav1.LabelSelectorOpNotIn, "x")), podPeer(podB)))))}},
		{"podSelector and namespaceSelector", []networkingv1.NetworkPolicy{
			pol("x", "allow-and", podA, withTypes(ingressOnly), withIngress(in(peers(
				nsPodPeer(exprSel("ns", metav1.LabelSelectorOpNotIn, "x"), podB)))))}},
		{"multiple podSelectors and namespaceSelectors", []networkingv1.NetworkPolicy{
			pol("x", "allow-multi", podA, withTypes(ingressOnly), withIngress(in(peers(
				nsPodPeer(exprSel("ns", metav1.LabelSelectorOpNotIn, "x"), exprSel("pod", metav1.LabelSelectorOpIn, "b", "c"))))))}},
		{"any of several podSelectors", []networkingv1.NetworkPolicy{
			pol("x", "allow-b-or-c", podA, withTypes(ingressOnly), withIngress(in(peers(podPeer(podB), podPeer(podC)))))}},
		{"pod a of namespace y only", []networkingv1.NetworkPolicy{
			pol("x", "allow-y-a", podA, withTypes(ingressOnly), withIngress(in(peers(nsPodPeer(nsY, podA)))))}},
		{"ports: 81 from namespace y", []networkingv1.NetworkPolicy{
			pol("x", "allow-81-from-y", podA, withTypes(ingressOnly), withIngress(in(peers(nsPeer(nsY)), numPort(tcp, 81))))}},
		{"stacked policies 80 and 81", []networkingv1.NetworkPolicy{
			pol("x", "allow-80", podA, withTypes(ingressOnly), withIngress(in(peers(nsPeer(nsY)), numPort(tcp, 80)))),
			pol("x", "allow-81", podA, withTypes(ingressOnly), withIngress(in(peers(nsPeer(nsY)), numPort(tcp, 81))))}},
		{"named port ingress", []networkingv1.NetworkPolicy{
			pol("x", "allow-serve-81", nil, withTypes(ingressOnly), withIngress(in(nil, namedPolicyPort(tcp, "serve-81-tcp"))))}},
		{"named port ingress from namespace", []networkingv1.NetworkPolicy{
			pol("x", "allow-serve-80-from-y", nil, withTypes(ingressOnly), withIngress(in(peers(nsPeer(nsY)), namedPolicyPort(tcp, "serve-80-tcp"))))}},
		{"named port egress with DNS", []networkingv1.NetworkPolicy{
			pol("x", "allow-egress-serve-80", nil, withTypes(egressOnly), withEgress(out(nil, namedPolicyPort(tcp, "serve-80-tcp")), dnsEgress()))}},
		{"named port with the wrong protocol", []networkingv1.NetworkPolicy{
			pol("x", "allow-serve-80-udp-as-tcp", nil, withTypes(ingressOnly), withIngress(in(nil, namedPolicyPort(tcp, "serve-80-udp"))))}},
		{"deny ingress from other namespaces", []networkingv1.NetworkPolicy{
			pol("x", "deny-other-ns", nil, withTypes(ingressOnly), withIngress(in(peers(podPeer(all)))))}},
		{"deny egress by podSelector", []networkingv1.NetworkPolicy{
			pol("x", "deny-egress-a", podA, withTypes(egressOnly), withEgress(dnsEgress()))}},
		{"deny egress of the namespace", []networkingv1.NetworkPolicy{
			pol("x", "deny-egress-all", nil, withTypes(egressOnly), withEgress(dnsEgress()))}},
		{"ingress and egress together", []networkingv1.NetworkPolicy{
			pol("x", "allow-both", podA, withTypes(bothTypes), withIngress(in(peers(podPeer(podB)), numPort(tcp, 80))), withEgress(out(peers(podPeer(podB)), numPort(tcp, 80))))}},
		{"client-side egress deny wins over server allow", []networkingv1.NetworkPolicy{
			pol("x", "deny-egress-a", podA, withTypes(egressOnly)),
			pol("y", "allow-all-in", nil, withTypes(ingressOnly), withIngress(in(nil)))}},
		{"egress to a pod of another namespace", []networkingv1.NetworkPolicy{
			pol("x", "allow-to-y-b", podA, withTypes(egressOnly), withEgress(out(peers(nsPodPeer(nsY, podB))), dnsEgress()))}},
		{"any port on one protocol", []networkingv1.NetworkPolicy{
			pol("x", "allow-tcp", podA, withTypes(ingressOnly), withIngress(in(nil, protoOnly(tcp))))}},
		{"ingress allow-all takes precedence", []networkingv1.NetworkPolicy{
			pol("x", "allow-80-from-b", podA, withTypes(ingressOnly), withIngress(in(peers(podPeer(podB)), numPort(tcp, 80)))),
			pol("x", "allow-all", podA, withTypes(ingressOnly), withIngress(in(nil)))}},
		{"egress allow-all takes precedence", []networkingv1.NetworkPolicy{
			pol("x", "allow-80-to-b", podA, withTypes(egressOnly), withEgress(out(peers(podPeer(podB)), numPort(tcp, 80)))),
			pol("x", "allow-all-out", podA, withTypes(egressOnly), withEgress(out(nil)))}},
		{"egress to a pod by CIDR (never matches under Cilium)", []networkingv1.NetworkPolicy{
			pol("x", "allow-cidr-y-b", podA, withTypes(egressOnly), withEgress(out(peers(ipPeer(ipOf("y", "b")))), dnsEgress()))}},
		{"egress CIDR with except", []networkingv1.NetworkPolicy{
			pol("x", "allow-cidr-except", podA, withTypes(egressOnly), withEgress(out(peers(ipPeer("192.168.0.0/16", ipOf("y", "b")))), dnsEgress()))}},
		{"IP in both cidr and except", []networkingv1.NetworkPolicy{
			pol("x", "allow-cidr-except", podA, withTypes(egressOnly), withEgress(out(peers(ipPeer("192.168.0.0/16", ipOf("y", "b")))))),
			pol("x", "allow-cidr", podA, withTypes(egressOnly), withEgress(out(peers(ipPeer(ipOf("y", "b")))))),
		}},
		{"ingress and egress controlled independently", []networkingv1.NetworkPolicy{
			pol("x", "allow-in-from-b", podA, withTypes(ingressOnly), withIngress(in(peers(podPeer(podB))))),
			pol("x", "deny-egress-a", podA, withTypes(egressOnly))}},
		{"SCTP is not TCP", []networkingv1.NetworkPolicy{
			pol("x", "allow-sctp-81", podA, withTypes(ingressOnly), withIngress(in(nil, numPort(sctp, 81))))}},
		{"only UDP", []networkingv1.NetworkPolicy{
			pol("x", "allow-udp-81", podA, withTypes(ingressOnly), withIngress(in(nil, numPort(udp, 81))))}},
		{"port range ingress", []networkingv1.NetworkPolicy{
			pol("x", "allow-range", podA, withTypes(ingressOnly), withIngress(in(peers(nsPeer(all)), rangePort(tcp, 80, 81))))}},
		{"port range egress", []networkingv1.NetworkPolicy{
			pol("x", "allow-range-out", podA, withTypes(egressOnly), withEgress(out(nil, rangePort(tcp, 81, 90)), dnsEgress()))}},
		{"policyTypes left empty with egress rules", []networkingv1.NetworkPolicy{
			pol("x", "implicit-types", podA, withIngress(in(peers(podPeer(podB)))), withEgress(out(peers(podPeer(podC)))))}},
		{"policyTypes left empty without rules", []networkingv1.NetworkPolicy{pol("x", "implicit-deny", podA)}},
		{"Exists and DoesNotExist", []networkingv1.NetworkPolicy{
			pol("x", "exists", exprSel("pod", metav1.LabelSelectorOpExists), withTypes(ingressOnly),
				withIngress(in(peers(nsPodPeer(exprSel("ns", metav1.LabelSelectorOpExists), exprSel("app", metav1.LabelSelectorOpDoesNotExist)))))),
			pol("y", "does-not-exist", exprSel("pod", metav1.LabelSelectorOpDoesNotExist), withTypes(bothTypes))}},
		{"namespace name label", []networkingv1.NetworkPolicy{
			pol("z", "from-x-by-name", nil, withTypes(ingressOnly), withIngress(in(peers(nsPeer(labelSel(NamespaceNameLabel, "x"))))))}},
		{"ingress from external CIDRs", []networkingv1.NetworkPolicy{
			pol("x", "from-world", nil, withTypes(ingressOnly), withIngress(in(peers(ipPeer("0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/16")), numPort(tcp, 80))))}},
		{"egress to external CIDRs", []networkingv1.NetworkPolicy{
			pol("y", "to-world", nil, withTypes(egressOnly), withEgress(out(peers(ipPeer("8.8.8.0/24"), ipPeer("203.0.113.0/24", "203.0.113.7/32")))))}},
		{"guide examples", []networkingv1.NetworkPolicy{
			func() networkingv1.NetworkPolicy { p := GuideAllowEgressToExternal("x"); return p }(),
			pol("x", "deny-all", nil, withTypes(bothTypes)),
			func() networkingv1.NetworkPolicy { p := GuideAllowAllPods("y"); return p }(),
			pol("y", "deny-all", nil, withTypes(bothTypes))}},
	}
	nss, pods := e2eCluster()
	out := make([]scenario, 0, len(cases))
	for _, c := range cases {
		out = append(out, scenario{name: "e2e/" + c.name, namespaces: nss, pods: pods, externals: externalAddrs, policies: c.policies})
	}
	return out
}

// baselineScenarios apply Build's output to the e2e cluster (x and y are
// targets, z is not).
func baselineScenarios() []scenario {
	nss, pods := e2eCluster()
	// kube-dns lives in kube-system, as on AKS.
	nss = append(nss, Namespace{Name: "kube-system"}, Namespace{Name: "ingress"})
	pods = append(pods,
		Pod{Namespace: "kube-system", Name: "coredns", Labels: map[string]string{KubeDNSLabelKey: KubeDNSLabel}, IP: netip.MustParseAddr("192.168.9.2")},
		Pod{Namespace: "ingress", Name: "nginx", Labels: map[string]string{"app": "nginx"}, IP: netip.MustParseAddr("192.168.9.3")},
	)
	cfgs := []struct {
		name string
		cfg  Config
	}{
		{"defaults", Config{Namespaces: []string{"x", "y"}}},
		{"no same namespace, no internet", Config{Namespaces: []string{"x", "y"}, DisableSameNamespace: true, DisableInternetEgress: true}},
		{"guide presets", Config{Namespaces: []string{"x", "y"}, AllowEgressToExternal: true, AllowAllPods: true}},
		{"ingress controller and monitoring", Config{Namespaces: []string{"x", "y"},
			IngressController: &IngressControllerAllowance{Namespace: "ingress", PodSelector: map[string]string{"app": "nginx"}, Ports: []int32{80}},
			Monitoring:        &MonitoringAllowance{Namespace: "z", Port: 81}}},
	}
	var out []scenario
	for _, c := range cfgs {
		b, err := Build(c.cfg)
		if err != nil {
			panic(err)
		}
		out = append(out, scenario{name: "baseline/" + c.name, namespaces: nss, pods: pods, externals: externalAddrs, policies: b.NetworkPolicies})
	}
	return out
}

// randomScenario generates a cluster and policies from a seed: label
// vocabularies are small so that selectors often match, and every field the
// API server accepts appears (empty and missing selectors, matchExpressions
// of every operator, ipBlocks with except, named ports, port ranges,
// protocol-only ports, empty policyTypes).
func randomScenario(seed uint64) scenario {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	protos := []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}

	sc := scenario{name: fmt.Sprintf("random/seed-%d", seed), externals: externalAddrs}
	nsNames := []string{"alpha", "beta", "gamma", "delta"}[:2+r.IntN(3)]
	for _, ns := range nsNames {
		labels := map[string]string{}
		if r.IntN(3) > 0 {
			labels["env"] = pick("prod", "dev")
		}
		if r.IntN(2) == 0 {
			labels["team"] = pick("red", "blue")
		}
		sc.namespaces = append(sc.namespaces, Namespace{Name: ns, Labels: labels})
	}
	ipN := 0
	for _, ns := range nsNames {
		for i := range 2 + r.IntN(4) {
			labels := map[string]string{}
			if r.IntN(4) > 0 {
				labels["app"] = pick("web", "api", "db")
			}
			if r.IntN(2) == 0 {
				labels["tier"] = pick("front", "back")
			}
			ipN++
			p := Pod{Namespace: ns, Name: fmt.Sprintf("p%d", i), Labels: labels, IP: netip.AddrFrom4([4]byte{192, 168, 50, byte(ipN)})}
			for _, port := range []int32{80, 81, 8080} {
				if r.IntN(3) > 0 {
					proto := protos[r.IntN(2)]
					p.Ports = append(p.Ports, ContainerPort{Name: pick("http", "metrics", "alt"), Port: port, Protocol: proto})
				}
			}
			// Container port names are unique within a pod.
			seen := map[string]bool{}
			var ports []ContainerPort
			for _, cp := range p.Ports {
				if !seen[cp.Name] {
					seen[cp.Name] = true
					ports = append(ports, cp)
				}
			}
			p.Ports = ports
			sc.pods = append(sc.pods, p)
		}
	}

	selector := func(keys ...string) *metav1.LabelSelector {
		switch r.IntN(6) {
		case 0:
			return &metav1.LabelSelector{}
		case 1, 2:
			k := keys[r.IntN(len(keys))]
			return labelSel(k, pick(valuesOf(k)...))
		case 3:
			k := keys[r.IntN(len(keys))]
			ops := []metav1.LabelSelectorOperator{metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn}
			vals := valuesOf(k)
			return exprSel(k, ops[r.IntN(2)], vals[:1+r.IntN(len(vals))]...)
		case 4:
			ops := []metav1.LabelSelectorOperator{metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist}
			return exprSel(keys[r.IntN(len(keys))], ops[r.IntN(2)])
		default:
			s := labelSel(keys[0], pick(valuesOf(keys[0])...))
			s.MatchExpressions = exprSel(keys[len(keys)-1], metav1.LabelSelectorOpExists).MatchExpressions
			return s
		}
	}
	peer := func() networkingv1.NetworkPolicyPeer {
		switch r.IntN(5) {
		case 0:
			return podPeer(selector("app", "tier"))
		case 1:
			return nsPeer(selector("env", "team", NamespaceNameLabel))
		case 2:
			return nsPodPeer(selector("env", "team", NamespaceNameLabel), selector("app", "tier"))
		case 3:
			cidr := pick("0.0.0.0/0", "192.168.0.0/16", "8.8.8.0/24", "203.0.113.0/24", "10.0.0.0/8")
			return ipPeer(cidr, exceptFor(r, cidr)...)
		default:
			return ipPeer(pick("192.168.50.1/32", "192.168.50.0/28", "169.254.169.254/32"))
		}
	}
	portList := func(egress bool) []networkingv1.NetworkPolicyPort {
		var ports []networkingv1.NetworkPolicyPort
		for range r.IntN(3) {
			proto := protos[r.IntN(3)]
			switch r.IntN(5) {
			case 0:
				ports = append(ports, numPort(proto, pickPort(r)))
			case 1:
				ports = append(ports, rangePort(proto, 80, int32(80+r.IntN(8001))))
			case 2:
				ports = append(ports, protoOnly(proto))
			case 3:
				if !egress || r.IntN(3) == 0 {
					ports = append(ports, namedPolicyPort(proto, pick("http", "metrics", "alt")))
				}
			default:
				p := intstr.FromInt32(pickPort(r))
				ports = append(ports, networkingv1.NetworkPolicyPort{Port: &p}) // protocol defaults to TCP
			}
		}
		return ports
	}
	for i := range 1 + r.IntN(6) {
		ns := nsNames[r.IntN(len(nsNames))]
		p := pol(ns, fmt.Sprintf("policy-%d", i), selector("app", "tier"))
		switch r.IntN(4) {
		case 0:
			p.Spec.PolicyTypes = ingressOnly
		case 1:
			p.Spec.PolicyTypes = egressOnly
		case 2:
			p.Spec.PolicyTypes = bothTypes
		}
		for range r.IntN(3) {
			var ps []networkingv1.NetworkPolicyPeer
			for range r.IntN(3) {
				ps = append(ps, peer())
			}
			p.Spec.Ingress = append(p.Spec.Ingress, in(ps, portList(false)...))
		}
		for range r.IntN(3) {
			var ps []networkingv1.NetworkPolicyPeer
			for range r.IntN(3) {
				ps = append(ps, peer())
			}
			p.Spec.Egress = append(p.Spec.Egress, out(ps, portList(true)...))
		}
		sc.policies = append(sc.policies, p)
	}
	return sc
}

func valuesOf(key string) []string {
	switch key {
	case "app":
		return []string{"web", "api", "db"}
	case "tier":
		return []string{"front", "back"}
	case "env":
		return []string{"prod", "dev"}
	case "team":
		return []string{"red", "blue"}
	case NamespaceNameLabel:
		return []string{"alpha", "beta", "gamma"}
	}
	return []string{"x"}
}

func pickPort(r *rand.Rand) int32 { return []int32{80, 81, 8080, 53}[r.IntN(4)] }

// exceptFor picks an except inside cidr, or none, as the API server requires.
func exceptFor(r *rand.Rand, cidr string) []string {
	outer := netip.MustParsePrefix(cidr)
	var inside []string
	for _, e := range []string{"8.8.8.8/32", "203.0.113.0/25", "192.168.50.0/24", "10.0.0.0/16", "192.168.50.4/30"} {
		p := netip.MustParsePrefix(e)
		if outer.Bits() < p.Bits() && outer.Contains(p.Addr()) {
			inside = append(inside, e)
		}
	}
	if len(inside) == 0 || r.IntN(2) == 0 {
		return nil
	}
	return inside[:1+r.IntN(len(inside))]
}
