package netpol

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/np-guard/netpol-analyzer/pkg/netpol/eval"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// The oracle is np-guard's netpol-analyzer (github.com/np-guard/netpol-analyzer
// v1.4.4, tests only). Like Cilium it never matches an ipBlock against a
// pod, and it treats traffic from a pod to itself as allowed, so its
// answers must equal the evaluator's. Two of its quirks are worked around,
// not hidden:
//
//   - A port entry with a protocol but no port ({protocol: UDP}) matches
//     every protocol in np-guard (ruleConnsContain returns before comparing
//     protocols). The oracle receives the equivalent {protocol: UDP, port: 1,
//     endPort: 65535} instead, which it evaluates correctly.
//   - A named port in an egress rule that is checked against an external
//     address makes np-guard return an error ("cannot convert named port
//     for an IP destination") instead of "not matched". Those queries are
//     counted and skipped, and the test checks that no other error occurs.

type oracle struct {
	pe *eval.PolicyEngine
}

func newOracle(t *testing.T, sc scenario) *oracle {
	t.Helper()
	pe := eval.NewPolicyEngine()
	for _, ns := range sc.namespaces {
		require.NoError(t, pe.InsertObject(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns.Name, Labels: ns.Labels}}))
	}
	for i := range sc.policies {
		require.NoError(t, pe.InsertObject(oraclePolicy(&sc.policies[i])))
	}
	for _, p := range sc.pods {
		var ports []corev1.ContainerPort
		for _, cp := range p.Ports {
			ports = append(ports, corev1.ContainerPort{Name: cp.Name, ContainerPort: cp.Port, Protocol: cp.Protocol})
		}
		require.NoError(t, pe.InsertObject(&corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name, Labels: p.Labels},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Ports: ports}}},
			Status: corev1.PodStatus{
				HostIP: "10.224.0.4",
				PodIP:  p.IP.String(),
				PodIPs: []corev1.PodIP{{IP: p.IP.String()}},
			},
		}))
	}
	return &oracle{pe: pe}
}

// oraclePolicy is the policy with protocol-only ports spelled as full ranges.
func oraclePolicy(np *networkingv1.NetworkPolicy) *networkingv1.NetworkPolicy {
	c := np.DeepCopy()
	fix := func(ports []networkingv1.NetworkPolicyPort) {
		for i := range ports {
			if ports[i].Port == nil {
				first, last := intstr.FromInt32(1), int32(65535)
				ports[i].Port, ports[i].EndPort = &first, &last
			}
		}
	}
	for i := range c.Spec.Ingress {
		fix(c.Spec.Ingress[i].Ports)
	}
	for i := range c.Spec.Egress {
		fix(c.Spec.Egress[i].Ports)
	}
	return c
}

const namedPortToIPError = "cannot convert named port for an IP destination"

// allowed asks the oracle; skipped is true for its named-port-to-IP error.
func (o *oracle) allowed(from, to Endpoint, port int, proto corev1.Protocol) (allowed, skipped bool, err error) {
	id := func(e Endpoint) string {
		if e.IsPod() {
			return e.Namespace + "/" + e.Name
		}
		return e.IP.String()
	}
	ok, err := o.pe.CheckIfAllowed(id(from), id(to), string(proto), strconv.Itoa(port))
	if err != nil && strings.Contains(err.Error(), namedPortToIPError) {
		return false, true, nil
	}
	return ok, false, err
}

// oracleStats counts what the comparison covered.
type oracleStats struct {
	scenarios, queries, matrixCells, skipped, allowed int
}

// compareWithOracle checks every pod pair (through Allowed and through
// Matrix) and every pod/external pair on the given ports and protocols.
// It returns the disagreements as readable lines.
func compareWithOracle(t *testing.T, sc scenario, ports []int, protos []corev1.Protocol, st *oracleStats) []string {
	t.Helper()
	ev, err := NewEvaluator(sc.policies, sc.namespaces, sc.pods)
	require.NoError(t, err, sc.name)
	o := newOracle(t, sc)
	st.scenarios++

	var diffs []string
	check := func(from, to Endpoint, port int, proto corev1.Protocol, matrix *Matrix, i, j int) {
		want, skipped, err := o.allowed(from, to, port, proto)
		require.NoError(t, err, "%s: oracle %s -> %s %s/%d", sc.name, from, to, proto, port)
		if skipped {
			st.skipped++
			return
		}
		st.queries++
		got, err := ev.Allowed(from, to, port, proto)
		require.NoError(t, err)
		if got.Allowed {
			st.allowed++
		}
		if got.Allowed != want {
			diffs = append(diffs, fmt.Sprintf("%s -> %s %s/%d: evaluator %t (%s), np-guard %t",
				from, to, proto, port, got.Allowed, got.Reason(), want))
		}
		if matrix != nil {
			st.matrixCells++
			if matrix.Allowed(i, j) != want {
				diffs = append(diffs, fmt.Sprintf("%s -> %s %s/%d: Matrix %t, np-guard %t",
					from, to, proto, port, matrix.Allowed(i, j), want))
			}
		}
	}
	for _, proto := range protos {
		for _, port := range ports {
			m := ev.Matrix(port, proto)
			for i, a := range m.Pods {
				for j, b := range m.Pods {
					check(a, b, port, proto, m, i, j)
				}
				for _, ip := range sc.externals {
					check(a, ExternalEndpoint(ip), port, proto, nil, 0, 0)
					check(ExternalEndpoint(ip), a, port, proto, nil, 0, 0)
				}
			}
		}
	}
	return diffs
}

func reportDiffs(t *testing.T, sc scenario, diffs []string) {
	t.Helper()
	if len(diffs) == 0 {
		return
	}
	policies, _ := yaml.Marshal(sc.policies)
	if len(diffs) > 20 {
		diffs = append(diffs[:20], fmt.Sprintf("... and %d more", len(diffs)-20))
	}
	t.Errorf("%s: %d disagreement(s) with np-guard:\n  %s\npolicies:\n%s", sc.name, len(diffs), strings.Join(diffs, "\n  "), policies)
}

func TestEvaluatorAgreesWithNPGuard(t *testing.T) {
	tcpUDPSCTP := []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}
	var st oracleStats
	var scenarios []scenario
	scenarios = append(scenarios, e2eScenarios()...)
	scenarios = append(scenarios, baselineScenarios()...)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			reportDiffs(t, sc, compareWithOracle(t, sc, []int{80, 81}, tcpUDPSCTP, &st))
		})
	}
	const seeds = 60
	for seed := uint64(1); seed <= seeds; seed++ {
		sc := randomScenario(seed)
		t.Run(sc.name, func(t *testing.T) {
			reportDiffs(t, sc, compareWithOracle(t, sc, []int{80, 81, 8080}, tcpUDPSCTP[:2], &st))
		})
	}
	t.Logf("np-guard oracle: %d scenarios (%d e2e/baseline, %d random), %d queries (%d allowed), %d matrix cells, %d skipped (named port to an IP)",
		st.scenarios, len(scenarios), seeds, st.queries, st.allowed, st.matrixCells, st.skipped)
	require.GreaterOrEqual(t, st.scenarios, 50)
	require.Greater(t, st.allowed, st.queries/10, "the scenarios allow enough traffic to be interesting")
	require.Less(t, st.allowed, st.queries*9/10, "the scenarios deny enough traffic to be interesting")
}
