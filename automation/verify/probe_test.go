package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// fakeClients are client-go's fakes: no kubelet, no controllers.
func fakeClients(objects ...runtime.Object) (*fake.Clientset, Clients) {
	kube := fake.NewClientset(objects...)
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{EndpointSliceGVR: "CiliumEndpointSliceList"})
	return kube, Clients{Kube: kube, Dynamic: dyn}
}

// fakeKubelet makes every pod created through kube ready on a node with an IP.
func fakeKubelet(kube *fake.Clientset) {
	var mu sync.Mutex
	n := 0
	kube.PrependReactor("create", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		mu.Lock()
		defer mu.Unlock()
		n++
		p := a.(k8stesting.CreateAction).GetObject().(*corev1.Pod)
		p.Spec.NodeName = fmt.Sprintf("aks-node-%d", n)
		p.Status = readyStatus(fmt.Sprintf("10.244.0.%d", n))
		return false, nil, nil // the tracker stores the changed pod
	})
}

// policyModel is a Prober that answers from a model of the cluster: a
// connection succeeds unless the NetworkPolicies stored in the namespace
// isolate the server's ingress (or the client's egress) and no rule admits
// the peer by its labels and the port. Peers are matched by podSelector in
// the same namespace only, which is all the probe uses. It is written
// independently of netpol's evaluator. With ignorePolicy it models a data
// plane that enforces nothing.
type policyModel struct {
	kube         kubernetes.Interface
	ignorePolicy bool

	mu       sync.Mutex
	requests []ProbeRequest
}

func (m *policyModel) Probe(ctx context.Context, req ProbeRequest) (ProbeResult, error) {
	m.mu.Lock()
	m.requests = append(m.requests, req)
	m.mu.Unlock()
	if m.ignorePolicy {
		return ProbeResult{Connected: true, Detail: "model: nothing enforced"}, nil
	}
	policies, err := m.kube.NetworkingV1().NetworkPolicies(req.To.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return ProbeResult{}, err
	}
	inIsolated, inAdmitted, outIsolated, outAdmitted := false, false, false, false
	for _, p := range policies.Items {
		ingress := len(p.Spec.PolicyTypes) == 0 || slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeIngress)
		egress := slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		if ingress && selects(p.Spec.PodSelector, req.To) {
			inIsolated = true
			for _, rule := range p.Spec.Ingress {
				inAdmitted = inAdmitted || admits(rule.From, rule.Ports, req.From, req.Port)
			}
		}
		if egress && selects(p.Spec.PodSelector, req.From) {
			outIsolated = true
			for _, rule := range p.Spec.Egress {
				outAdmitted = outAdmitted || admits(rule.To, rule.Ports, req.To, req.Port)
			}
		}
	}
	if inIsolated && !inAdmitted || outIsolated && !outAdmitted {
		return ProbeResult{Detail: "model: dropped by policy"}, nil
	}
	return ProbeResult{Connected: true, Detail: "model: admitted"}, nil
}

func selects(sel metav1.LabelSelector, pod *corev1.Pod) bool {
	s, err := metav1.LabelSelectorAsSelector(&sel)
	return err == nil && s.Matches(labels.Set(pod.Labels))
}

func admits(peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort, peer *corev1.Pod, port int) bool {
	peerOK := len(peers) == 0
	for _, p := range peers {
		if p.PodSelector != nil && p.NamespaceSelector == nil && selects(*p.PodSelector, peer) {
			peerOK = true
		}
	}
	portOK := len(ports) == 0
	for _, p := range ports {
		if p.Port != nil && p.Port.IntValue() == port {
			portOK = true
		}
	}
	return peerOK && portOK
}

// probeNamespaces lists the scratch namespaces left in the fake.
func probeNamespaces(t *testing.T, kube kubernetes.Interface) []string {
	t.Helper()
	list, err := kube.CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{LabelSelector: ProbeLabel + "=" + ProbeLabelValue})
	require.NoError(t, err)
	var names []string
	for _, ns := range list.Items {
		names = append(names, ns.Name)
	}
	return names
}

// createdNamespace is the name of the scratch namespace the check created.
func createdNamespace(t *testing.T, kube *fake.Clientset) string {
	t.Helper()
	for _, a := range kube.Actions() {
		if a.GetVerb() == "create" && a.GetResource().Resource == "namespaces" {
			return a.(k8stesting.CreateAction).GetObject().(*corev1.Namespace).Name
		}
	}
	t.Fatal("no namespace was created")
	return ""
}

func policyOptions(p Prober) Options {
	return Options{Checks: []string{CheckPolicyEnforcement}, Prober: p, ProbeInterval: time.Millisecond, PodReadyTimeout: 5 * time.Second}
}

func TestPolicyEnforcementAsPredicted(t *testing.T) {
	kube, clients := fakeClients()
	fakeKubelet(kube)
	model := &policyModel{kube: kube}
	report, err := RunClients(context.Background(), clients, policyOptions(model))
	require.NoError(t, err)
	c := mustCheck(t, report, CheckPolicyEnforcement)
	assert.Equal(t, Pass, c.Verdict, evidenceText(c))
	ns := createdNamespace(t, kube)
	assert.Regexp(t, `^aks-cilium-verify-[a-z0-9]{6}$`, ns)

	text := evidenceText(c)
	assert.Contains(t, text, "scratch namespace "+ns+" (label aks-cilium.io/verify=policy-probe), image "+DefaultProbeImage+", port 8080/TCP")
	assert.Contains(t, text, "pod probe-server (role=server) ready on aks-node-1, IP 10.244.0.1")
	assert.Contains(t, text, "NetworkPolicies in "+ns+": allow-from-role-allowed")
	assert.Contains(t, text, "probe-allowed -> probe-server 10.244.0.1:8080/TCP: predicted allowed (allowed: egress allowed (no policy selects the pod for Egress); ingress allowed by "+ns+"/allow-from-role-allowed rule 0); observed connected (model: admitted, attempt 1 of 3): match")
	assert.Contains(t, text, "probe-denied -> probe-server 10.244.0.1:8080/TCP: predicted denied (denied: egress allowed (no policy selects the pod for Egress); ingress denied (selected by "+ns+"/allow-from-role-allowed; no rule allows it)); observed no connection (model: dropped by policy, attempt 1 of 3): match")
	assert.Contains(t, text, "cleanup: namespace "+ns+" deleted")
	assert.Empty(t, probeNamespaces(t, kube), "the scratch namespace is deleted")

	require.Len(t, model.requests, 2)
	assert.Equal(t, "probe-allowed", model.requests[0].From.Name)
	assert.Equal(t, "probe-server", model.requests[0].To.Name)
	assert.Equal(t, "10.244.0.1", model.requests[0].Address)
	assert.Equal(t, 8080, model.requests[0].Port)
}

func TestPolicyEnforcementMismatchFails(t *testing.T) {
	kube, clients := fakeClients()
	fakeKubelet(kube)
	model := &policyModel{kube: kube, ignorePolicy: true}
	opts := policyOptions(model)
	opts.ProbeAttempts = 2
	report, err := RunClients(context.Background(), clients, opts)
	require.NoError(t, err)
	c := mustCheck(t, report, CheckPolicyEnforcement)
	assert.Equal(t, Fail, c.Verdict)
	assert.Equal(t, "1 of 2 connections did not behave as the policy predicts", c.Summary)
	text := evidenceText(c)
	assert.Contains(t, text, "probe-allowed -> probe-server 10.244.0.1:8080/TCP: predicted allowed")
	assert.Contains(t, text, "observed connected (model: nothing enforced, attempt 1 of 2): match")
	assert.Contains(t, text, "predicted denied (denied: egress allowed (no policy selects the pod for Egress); ingress denied")
	assert.Contains(t, text, "observed connected (model: nothing enforced, 2 attempts): MISMATCH")
	assert.Len(t, model.requests, 3, "a mismatch is retried, a match is not")
	assert.Empty(t, probeNamespaces(t, kube), "the scratch namespace is deleted after a failure too")
	assert.False(t, report.Passed())
}

// A policy engine (think Kyverno) that adds a default-deny policy for
// ingress and egress to every new namespace: the prediction comes from the
// stored policies, so the allowed client, whose egress is now denied, is
// predicted denied too, and the observation agrees.
func TestPolicyEnforcementPredictsFromStoredPolicies(t *testing.T) {
	kube, clients := fakeClients()
	fakeKubelet(kube)
	kube.PrependReactor("create", "namespaces", func(a k8stesting.Action) (bool, runtime.Object, error) {
		ns := a.(k8stesting.CreateAction).GetObject().(*corev1.Namespace)
		deny := &networkingv1.NetworkPolicy{
			ObjectMeta: metav1.ObjectMeta{Name: "default-deny", Namespace: ns.Name},
			Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}},
		}
		return false, nil, kube.Tracker().Add(deny)
	})
	report, err := RunClients(context.Background(), clients, policyOptions(&policyModel{kube: kube}))
	require.NoError(t, err)
	c := mustCheck(t, report, CheckPolicyEnforcement)
	text := evidenceText(c)
	assert.Equal(t, Pass, c.Verdict, text)
	assert.Contains(t, text, ": allow-from-role-allowed, default-deny")
	assert.Contains(t, text, "probe-allowed -> probe-server 10.244.0.1:8080/TCP: predicted denied")
	assert.Contains(t, text, "observed no connection (model: dropped by policy, attempt 1 of 3): match")
	assert.Contains(t, text, "note: other policies in ")
}

func TestPolicyEnforcementCleansUpOnCancel(t *testing.T) {
	kube, clients := fakeClients()
	fakeKubelet(kube)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prober := proberFunc(func(pctx context.Context, _ ProbeRequest) (ProbeResult, error) {
		cancel() // the caller gives up mid-probe
		<-pctx.Done()
		return ProbeResult{}, pctx.Err()
	})
	report, err := RunClients(ctx, clients, policyOptions(prober))
	require.ErrorIs(t, err, context.Canceled)
	c := mustCheck(t, report, CheckPolicyEnforcement)
	assert.Equal(t, Fail, c.Verdict)
	assert.Equal(t, "2 of 2 connections could not be observed", c.Summary)
	assert.Contains(t, evidenceText(c), "not observed after 1 attempt: context canceled")
	assert.Contains(t, evidenceText(c), "cleanup: namespace ")
	assert.Empty(t, probeNamespaces(t, kube), "the scratch namespace is deleted although ctx is cancelled")
}

func TestPolicyEnforcementPodsNeverReady(t *testing.T) {
	kube, clients := fakeClients() // no kubelet: the pods stay Pending
	opts := policyOptions(&policyModel{kube: kube})
	opts.PodReadyTimeout = 300 * time.Millisecond
	start := time.Now()
	report, err := RunClients(context.Background(), clients, opts)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	c := mustCheck(t, report, CheckPolicyEnforcement)
	assert.Equal(t, Fail, c.Verdict)
	assert.Equal(t, "probe pods not ready within 300ms: probe-server (Pending, not ready); probe-allowed (Pending, not ready); probe-denied (Pending, not ready)", c.Summary)
	assert.Empty(t, probeNamespaces(t, kube))
}

func TestPolicyEnforcementCancelledWhileWaiting(t *testing.T) {
	kube, clients := fakeClients()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	report, err := RunClients(ctx, clients, policyOptions(&policyModel{kube: kube}))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	c := mustCheck(t, report, CheckPolicyEnforcement)
	assert.Contains(t, c.Summary, "probe pods not ready before the check ended (context deadline exceeded): probe-server (Pending")
	assert.Empty(t, probeNamespaces(t, kube))
}

func TestPolicyEnforcementCleanupFailureFails(t *testing.T) {
	kube, clients := fakeClients()
	fakeKubelet(kube)
	kube.PrependReactor("delete", "namespaces", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("forbidden: cannot delete namespaces")
	})
	report, err := RunClients(context.Background(), clients, policyOptions(&policyModel{kube: kube}))
	require.NoError(t, err)
	c := mustCheck(t, report, CheckPolicyEnforcement)
	ns := createdNamespace(t, kube)
	assert.Equal(t, Fail, c.Verdict)
	assert.Equal(t, "the test NetworkPolicy is enforced: the allowed client connects, the denied one does not, as predicted; cleanup failed: namespace "+ns+" is left behind", c.Summary)
	assert.Contains(t, evidenceText(c), "cleanup: deleting namespace "+ns+" failed: forbidden: cannot delete namespaces (delete it by hand, or with CleanupProbeNamespaces)")
}

func TestPolicyEnforcementCreateRefused(t *testing.T) {
	kube, clients := fakeClients()
	kube.PrependReactor("create", "namespaces", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("namespaces is forbidden")
	})
	report, err := RunClients(context.Background(), clients, policyOptions(&policyModel{kube: kube}))
	require.NoError(t, err)
	c := mustCheck(t, report, CheckPolicyEnforcement)
	assert.Equal(t, Fail, c.Verdict)
	assert.Contains(t, c.Summary, "cannot create the scratch namespace aks-cilium-verify-")
	for _, a := range kube.Actions() {
		assert.NotEqual(t, "delete", a.GetVerb(), "nothing was created, so nothing is deleted")
	}
}

func TestPolicyEnforcementNeedsAProber(t *testing.T) {
	_, clients := fakeClients() // no rest.Config, so no ExecProber either
	report, err := RunClients(context.Background(), clients, Options{Checks: []string{CheckPolicyEnforcement}})
	require.NoError(t, err)
	assert.Contains(t, mustCheck(t, report, CheckPolicyEnforcement).Summary, "no Prober")
}

// proberFunc adapts a function to Prober.
type proberFunc func(context.Context, ProbeRequest) (ProbeResult, error)

func (f proberFunc) Probe(ctx context.Context, req ProbeRequest) (ProbeResult, error) {
	return f(ctx, req)
}

func TestProbeObjects(t *testing.T) {
	set := newProbeSet(Options{ProbePort: 9090}.withDefaults())
	assert.Equal(t, ProbeLabelValue, set.namespace.Labels[ProbeLabel])
	assert.Equal(t, "restricted", set.namespace.Labels["pod-security.kubernetes.io/enforce"])
	require.Len(t, set.pods, 3)
	server := set.pods[0]
	assert.Equal(t, []string{"sh", "-c", "mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p 9090 -h /tmp/www"}, server.Spec.Containers[0].Command)
	assert.Equal(t, int32(9090), server.Spec.Containers[0].Ports[0].ContainerPort)
	for _, p := range set.pods {
		assert.Equal(t, ProbeLabelValue, p.Labels[ProbeLabel])
		assert.Equal(t, DefaultProbeImage, p.Spec.Containers[0].Image)
		assert.Equal(t, int64((DefaultPolicyTimeout + 5*time.Minute).Seconds()), *p.Spec.ActiveDeadlineSeconds, "a pod ends on its own if the cleanup never runs")
		assert.False(t, *p.Spec.AutomountServiceAccountToken)
		assert.True(t, *p.Spec.SecurityContext.RunAsNonRoot)
		assert.False(t, *p.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation)
	}
	assert.Equal(t, "allowed", set.pods[1].Labels[ProbeRoleLabel])
	assert.Equal(t, "denied", set.pods[2].Labels[ProbeRoleLabel])
	assert.Equal(t, 9090, set.policy.Spec.Ingress[0].Ports[0].Port.IntValue())

	custom := newProbeSet(Options{ProbeServerCommand: []string{"/agnhost", "netexec", "--http-port=8080"}}.withDefaults())
	assert.Equal(t, []string{"/agnhost", "netexec", "--http-port=8080"}, custom.pods[0].Spec.Containers[0].Command)

	other := newProbeSet(Options{}.withDefaults())
	assert.NotEqual(t, set.namespace.Name, other.namespace.Name, "each run has its own namespace")
}

func TestWgetCommand(t *testing.T) {
	assert.Equal(t, []string{"wget", "-q", "-T", "2", "-O", "/dev/null", "http://10.244.0.5:8080/"}, WgetCommand("10.244.0.5", 8080))
	assert.Equal(t, "http://[fd00::5]:8080/", WgetCommand("fd00::5", 8080)[6])
}

func TestCleanupProbeNamespaces(t *testing.T) {
	old := metav1.NewTime(time.Now().Add(-2 * time.Hour))
	recent := metav1.NewTime(time.Now().Add(-time.Minute))
	probe := map[string]string{ProbeLabel: ProbeLabelValue}
	kube, _ := fakeClients(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "aks-cilium-verify-old", Labels: probe, CreationTimestamp: old}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "aks-cilium-verify-new", Labels: probe, CreationTimestamp: recent}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "production", CreationTimestamp: old}},
	)
	deleted, err := CleanupProbeNamespaces(context.Background(), kube, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, []string{"aks-cilium-verify-old"}, deleted)
	assert.Equal(t, []string{"aks-cilium-verify-new"}, probeNamespaces(t, kube))
	_, err = kube.CoreV1().Namespaces().Get(context.Background(), "production", metav1.GetOptions{})
	assert.NoError(t, err, "an unlabelled namespace is never touched")
}
