package netpol

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func mustEvaluator(t *testing.T, sc scenario) *Evaluator {
	t.Helper()
	ev, err := NewEvaluator(sc.policies, sc.namespaces, sc.pods)
	require.NoError(t, err)
	return ev
}

func allowed(t *testing.T, ev *Evaluator, from, to Endpoint, port int, proto corev1.Protocol) Verdict {
	t.Helper()
	v, err := ev.Allowed(from, to, port, proto)
	require.NoError(t, err)
	return v
}

func TestEvaluatorBaseline(t *testing.T) {
	sc := baselineScenarios()[0] // defaults: x and y are targets, z is not
	ev := mustEvaluator(t, sc)
	xa, xb, ya, za := PodEndpoint("x", "a"), PodEndpoint("x", "b"), PodEndpoint("y", "a"), PodEndpoint("z", "a")
	dns := PodEndpoint("kube-system", "coredns")
	ext := func(s string) Endpoint { return ExternalEndpoint(netip.MustParseAddr(s)) }

	tests := []struct {
		name     string
		from, to Endpoint
		port     int
		proto    corev1.Protocol
		want     bool
	}{
		{"same namespace", xa, xb, 80, "", true},
		{"other target namespace", xa, ya, 80, corev1.ProtocolTCP, false},
		{"into a target from outside", za, xa, 80, corev1.ProtocolTCP, false},
		{"out of a target to a free namespace", xa, za, 80, corev1.ProtocolTCP, false},
		{"DNS over UDP", xa, dns, 53, corev1.ProtocolUDP, true},
		{"DNS over TCP", xa, dns, 53, corev1.ProtocolTCP, true},
		{"kube-dns on another port", xa, dns, 80, corev1.ProtocolTCP, false},
		{"internet", xa, ext("8.8.8.8"), 443, corev1.ProtocolTCP, true},
		{"private range", xa, ext("10.0.5.5"), 443, corev1.ProtocolTCP, false},
		{"instance metadata", xa, ext("169.254.169.254"), 80, corev1.ProtocolTCP, false},
		{"from the internet", ext("8.8.8.8"), xa, 80, corev1.ProtocolTCP, false},
		{"unprotected namespace from the internet", ext("8.8.8.8"), za, 80, corev1.ProtocolTCP, true},
		{"a pod's own address is the pod", ext("192.168.1.11"), xa, 80, corev1.ProtocolTCP, true}, // x/b
		{"to itself", xa, xa, 80, corev1.ProtocolTCP, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := allowed(t, ev, tt.from, tt.to, tt.port, tt.proto)
			assert.Equal(t, tt.want, v.Allowed, v.Reason())
		})
	}

	v := allowed(t, ev, xa, ya, 80, corev1.ProtocolTCP)
	assert.Equal(t, "denied: egress denied (selected by x/default-deny, x/allow-dns, x/allow-same-namespace, x/allow-internet-egress; no rule allows it); "+
		"ingress denied (selected by y/default-deny, y/allow-same-namespace; no rule allows it)", v.Reason())
	v = allowed(t, ev, xa, dns, 53, corev1.ProtocolUDP)
	assert.Equal(t, []RuleRef{{Namespace: "x", Name: "allow-dns", Rule: 0}}, v.Egress.AllowedBy)
	assert.Equal(t, "allowed: egress allowed by x/allow-dns rule 0; ingress allowed (no policy selects the pod for Ingress)", v.Reason())
	v = allowed(t, ev, xa, ext("8.8.8.8"), 443, "")
	assert.False(t, v.Ingress.Pod)
	assert.Contains(t, v.Reason(), "ingress not enforced (external endpoint)")
	v = allowed(t, ev, xa, xa, 1, "")
	assert.True(t, v.SamePod)
	assert.Contains(t, v.Reason(), "itself")
}

func TestEvaluatorCiliumIPBlock(t *testing.T) {
	// An ipBlock of 0.0.0.0/0 allows the internet but, under Cilium, no pod.
	nss, pods := e2eCluster()
	sc := scenario{namespaces: nss, pods: pods, policies: []networkingv1.NetworkPolicy{
		GuideAllowEgressToExternal("x"),
		pol("x", "deny-all", nil, withTypes(bothTypes)),
	}}
	ev := mustEvaluator(t, sc)
	v := allowed(t, ev, PodEndpoint("x", "a"), PodEndpoint("y", "a"), 80, corev1.ProtocolTCP)
	assert.False(t, v.Allowed, "ipBlock 0.0.0.0/0 does not match a pod: %s", v.Reason())
	v = allowed(t, ev, PodEndpoint("x", "a"), ExternalEndpoint(netip.MustParseAddr("192.168.200.1")), 80, corev1.ProtocolTCP)
	assert.True(t, v.Allowed, "an address in a private range that is no pod is external: %s", v.Reason())
}

func TestEvaluatorNamedPorts(t *testing.T) {
	nss, pods := e2eCluster()
	tcp := corev1.ProtocolTCP
	sc := scenario{namespaces: nss, pods: pods, policies: []networkingv1.NetworkPolicy{
		pol("x", "egress-named", labelSel("pod", "a"), withTypes(egressOnly), withEgress(out(nil, namedPolicyPort(tcp, "serve-81-tcp")))),
		pol("y", "ingress-named", nil, withTypes(ingressOnly), withIngress(in(nil, namedPolicyPort(corev1.ProtocolUDP, "serve-80-udp")))),
	}}
	ev := mustEvaluator(t, sc)
	for _, tt := range []struct {
		to    Endpoint
		port  int
		proto corev1.Protocol
		want  bool
	}{
		{PodEndpoint("z", "a"), 81, tcp, true},
		{PodEndpoint("z", "a"), 80, tcp, false},
		{ExternalEndpoint(netip.MustParseAddr("8.8.8.8")), 81, tcp, false}, // a name never resolves on an address
		{PodEndpoint("y", "b"), 80, corev1.ProtocolUDP, false},             // egress allows only serve-81-tcp
	} {
		v := allowed(t, ev, PodEndpoint("x", "a"), tt.to, tt.port, tt.proto)
		assert.Equal(t, tt.want, v.Allowed, "%s %s/%d: %s", tt.to, tt.proto, tt.port, v.Reason())
	}
	v := allowed(t, ev, PodEndpoint("z", "a"), PodEndpoint("y", "b"), 80, corev1.ProtocolUDP)
	assert.True(t, v.Allowed, v.Reason())
	v = allowed(t, ev, PodEndpoint("z", "a"), PodEndpoint("y", "b"), 80, tcp)
	assert.False(t, v.Allowed, v.Reason())
}

func TestEvaluatorErrors(t *testing.T) {
	nss, pods := e2eCluster()
	bad := []struct {
		name     string
		policies []networkingv1.NetworkPolicy
		pods     []Pod
		want     string
	}{
		{"bad selector", []networkingv1.NetworkPolicy{pol("x", "p", exprSel("pod", "Near", "a"))}, pods, "NetworkPolicy x/p: spec.podSelector"},
		{"bad cidr", []networkingv1.NetworkPolicy{pol("x", "p", nil, withTypes(egressOnly), withEgress(out(peers(ipPeer("10.0.0.0/33")))))}, pods,
			`NetworkPolicy x/p: spec.egress[0]: peer 0: ipBlock.cidr "10.0.0.0/33": not a CIDR`},
		{"bad except", []networkingv1.NetworkPolicy{pol("x", "p", nil, withTypes(egressOnly), withEgress(out(peers(ipPeer("10.0.0.0/8", "x")))))}, pods,
			`ipBlock.except "x": not a CIDR`},
		{"empty peer", []networkingv1.NetworkPolicy{pol("x", "p", nil, withIngress(in(peers(networkingv1.NetworkPolicyPeer{}))))}, pods,
			"spec.ingress[0]: peer 0: empty peer"},
		{"ipBlock with selector", []networkingv1.NetworkPolicy{pol("x", "p", nil, withIngress(in(peers(networkingv1.NetworkPolicyPeer{
			IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8"}, PodSelector: &metav1.LabelSelector{}}))))}, pods, "ipBlock may not be combined"},
		{"bad port range", []networkingv1.NetworkPolicy{pol("x", "p", nil, withIngress(in(nil, rangePort(corev1.ProtocolTCP, 90, 80))))}, pods,
			"invalid port range 90-80"},
		{"duplicate pod", nil, append(pods, pods[0]), "pod x/a is listed twice"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewEvaluator(tt.policies, nss, tt.pods)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	ev, err := NewEvaluator(nil, nss, pods)
	require.NoError(t, err)
	ip := ExternalEndpoint(netip.MustParseAddr("8.8.8.8"))
	for _, tt := range []struct {
		name     string
		from, to Endpoint
		port     int
		want     string
	}{
		{"unknown pod", PodEndpoint("x", "nope"), PodEndpoint("x", "a"), 80, "from: unknown pod x/nope"},
		{"no pod", ip, ip, 80, "neither 8.8.8.8 nor 8.8.8.8 is a pod"},
		{"empty endpoint", PodEndpoint("x", "a"), Endpoint{}, 80, "to: endpoint has neither a pod name nor an IP"},
		{"port zero", PodEndpoint("x", "a"), PodEndpoint("x", "b"), 0, "port 0: want 1-65535"},
		{"port too big", PodEndpoint("x", "a"), PodEndpoint("x", "b"), 65536, "port 65536"},
	} {
		_, err := ev.Allowed(tt.from, tt.to, tt.port, "")
		assert.ErrorContains(t, err, tt.want, tt.name)
	}
}

func TestMatrix(t *testing.T) {
	sc := baselineScenarios()[0]
	ev := mustEvaluator(t, sc)
	m := ev.Matrix(80, "")
	assert.Equal(t, corev1.ProtocolTCP, m.Protocol)
	require.Len(t, m.Pods, len(sc.pods))
	// Matrix and Allowed agree on every pair.
	for i, a := range m.Pods {
		for j, b := range m.Pods {
			v := allowed(t, ev, a, b, 80, corev1.ProtocolTCP)
			assert.Equal(t, v.Allowed, m.Allowed(i, j), "%s -> %s: %s", a, b, v.Reason())
		}
	}
	// x and y talk inside themselves only (3x3 each); z, kube-system and
	// ingress (5 pods) talk to each other freely; x and y pods reach only
	// themselves and their namespace.
	assert.Equal(t, 9+9+5*5, m.Count())
	s := m.String()
	assert.Contains(t, s, "TCP/80 (rows: from, columns: to)")
	assert.Contains(t, s, "  0 x/a\n")
	t.Log("\n" + s)
}
