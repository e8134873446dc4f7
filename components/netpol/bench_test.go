package netpol

import (
	"fmt"
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// benchCluster generates, deterministically, pods spread over 20
// namespaces and nPolicies policies that mix every kind of selector, peer
// and port the evaluator handles.
func benchCluster(nPods, nPolicies int) ([]Namespace, []Pod, []networkingv1.NetworkPolicy) {
	const nNS = 20
	tcp := corev1.ProtocolTCP
	var nss []Namespace
	for i := range nNS {
		nss = append(nss, Namespace{Name: fmt.Sprintf("ns-%02d", i), Labels: map[string]string{
			"team": fmt.Sprintf("team-%d", i%5), "env": []string{"prod", "dev"}[i%2],
		}})
	}
	var pods []Pod
	for i := range nPods {
		pods = append(pods, Pod{
			Namespace: nss[i%nNS].Name,
			Name:      fmt.Sprintf("pod-%04d", i),
			Labels: map[string]string{
				"app":     fmt.Sprintf("app-%d", i%25),
				"tier":    []string{"web", "api", "db"}[i%3],
				"version": fmt.Sprintf("v%d", i%4),
			},
			IP: netip.AddrFrom4([4]byte{10, 244, byte(i / 250), byte(i % 250)}),
			Ports: []ContainerPort{
				{Name: "http", Port: int32(8080 + i%2), Protocol: tcp},
				{Name: "metrics", Port: 9090, Protocol: tcp},
			},
		})
	}
	var policies []networkingv1.NetworkPolicy
	for i := range nPolicies {
		ns := nss[i%nNS].Name
		var p networkingv1.NetworkPolicy
		switch i % 8 {
		case 0:
			p = pol(ns, fmt.Sprintf("deny-%d", i), nil, withTypes(bothTypes))
		case 1:
			p = pol(ns, fmt.Sprintf("same-ns-%d", i), nil, withTypes(bothTypes),
				withIngress(in(peers(podPeer(&metav1.LabelSelector{})))), withEgress(out(peers(podPeer(&metav1.LabelSelector{})))))
		case 2:
			p = pol(ns, fmt.Sprintf("from-team-%d", i), labelSel("app", fmt.Sprintf("app-%d", i%25)), withTypes(ingressOnly),
				withIngress(in(peers(nsPodPeer(labelSel("team", fmt.Sprintf("team-%d", i%5)), labelSel("tier", "web"))), numPort(tcp, 8080))))
		case 3:
			p = pol(ns, fmt.Sprintf("named-%d", i), exprSel("tier", metav1.LabelSelectorOpIn, "api", "db"), withTypes(ingressOnly),
				withIngress(in(peers(nsPeer(labelSel("env", "prod"))), namedPolicyPort(tcp, "http"))))
		case 4:
			p = pol(ns, fmt.Sprintf("egress-%d", i), labelSel("tier", "web"), withTypes(egressOnly),
				withEgress(
					out(peers(nsPodPeer(&metav1.LabelSelector{}, labelSel("tier", "api"))), namedPolicyPort(tcp, "http")),
					out(peers(ipPeer("0.0.0.0/0", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))),
					dnsEgress()))
		case 5:
			p = pol(ns, fmt.Sprintf("monitoring-%d", i), nil, withTypes(ingressOnly),
				withIngress(in(peers(nsPeer(exprSel("team", metav1.LabelSelectorOpIn, "team-0", "team-1"))), numPort(tcp, 9090))))
		case 6:
			p = pol(ns, fmt.Sprintf("range-%d", i), exprSel("version", metav1.LabelSelectorOpNotIn, "v0"), withTypes(ingressOnly),
				withIngress(in(peers(podPeer(exprSel("app", metav1.LabelSelectorOpExists))), rangePort(tcp, 8000, 8100))))
		default:
			p = pol(ns, fmt.Sprintf("mixed-%d", i), labelSel("app", fmt.Sprintf("app-%d", i%25), "tier", "db"), withTypes(bothTypes),
				withIngress(in(peers(podPeer(labelSel("tier", "api")), nsPeer(labelSel("env", "dev"))), numPort(tcp, 8080), numPort(tcp, 8081))),
				withEgress(out(peers(nsPodPeer(labelSel("team", "team-2"), labelSel("tier", "db"))))))
		}
		policies = append(policies, p)
	}
	return nss, pods, policies
}

// BenchmarkMatrix measures the full pod x pod matrix of 100, 300 and 1,000
// pods under 200 policies: compiling the evaluator and computing the
// matrix (compile+matrix), and the matrix alone on a compiled evaluator.
func BenchmarkMatrix(b *testing.B) {
	for _, n := range []int{100, 300, 1000} {
		nss, pods, policies := benchCluster(n, 200)
		b.Run(fmt.Sprintf("pods=%d/compile+matrix", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ev, err := NewEvaluator(policies, nss, pods)
				if err != nil {
					b.Fatal(err)
				}
				_ = ev.Matrix(8080, corev1.ProtocolTCP)
			}
		})
		ev, err := NewEvaluator(policies, nss, pods)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("pods=%d/matrix", n), func(b *testing.B) {
			b.ReportAllocs()
			var allowedPairs int
			for b.Loop() {
				allowedPairs = ev.Matrix(8080, corev1.ProtocolTCP).Count()
			}
			b.ReportMetric(float64(allowedPairs), "allowed-pairs")
		})
	}
}

// BenchmarkAllowed measures one question with its explanation.
func BenchmarkAllowed(b *testing.B) {
	nss, pods, policies := benchCluster(1000, 200)
	ev, err := NewEvaluator(policies, nss, pods)
	if err != nil {
		b.Fatal(err)
	}
	from, to := PodEndpoint(pods[3].Namespace, pods[3].Name), PodEndpoint(pods[501].Namespace, pods[501].Name)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ev.Allowed(from, to, 8080, corev1.ProtocolTCP); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchClusterMatrixAgreesWithAllowed(t *testing.T) {
	nss, pods, policies := benchCluster(120, 40)
	ev, err := NewEvaluator(policies, nss, pods)
	if err != nil {
		t.Fatal(err)
	}
	for _, port := range []int{8080, 8081, 9090} {
		m := ev.Matrix(port, corev1.ProtocolTCP)
		allowedPairs := 0
		for i, a := range m.Pods {
			for j, b := range m.Pods {
				v, err := ev.Allowed(a, b, port, corev1.ProtocolTCP)
				if err != nil {
					t.Fatal(err)
				}
				if v.Allowed != m.Allowed(i, j) {
					t.Fatalf("port %d: %s -> %s: Matrix %t, Allowed %s", port, a, b, m.Allowed(i, j), v.Reason())
				}
				if v.Allowed {
					allowedPairs++
				}
			}
		}
		if allowedPairs <= len(pods) || allowedPairs == len(pods)*len(pods) {
			t.Fatalf("port %d: %d allowed pairs: the generated policies should allow some traffic and deny some", port, allowedPairs)
		}
	}
}
