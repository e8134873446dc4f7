package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// uniqueName is prefix and a random hex suffix, drawn when a test runs: the
// API server lives as long as the test binary (go test -count=2 runs every
// test twice against it) and, with no namespace controller, a deleted
// namespace stays Terminating, so a fixed name would collide with the last
// run's.
func uniqueName(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return prefix + "-" + hex.EncodeToString(b)
}

// cluster is the kube-system state a test writes into the real API server:
// what a healthy AKS cluster with Azure CNI powered by Cilium has, unless a
// case changes it.
type cluster struct {
	linuxNodes    []string
	otherNodes    []*corev1.Node  // not expected to run Cilium
	notReady      map[string]bool // Linux nodes whose Cilium pod is not ready
	noPod         map[string]bool // Linux nodes without a Cilium pod
	ciliumImage   string
	noCilium      bool // no cilium DaemonSet at all
	operatorReady int32
	kubeProxy     bool
	slices        int
}

func healthyCluster() cluster {
	return cluster{
		linuxNodes: []string{"aks-system-0", "aks-system-1", "aks-user-0"},
		otherNodes: []*corev1.Node{
			{ObjectMeta: metav1.ObjectMeta{Name: "akswin000000", Labels: map[string]string{labelOS: "windows"}}},
			{ObjectMeta: metav1.ObjectMeta{Name: "aks-cordoned-0", Labels: map[string]string{labelOS: "linux"}}, Spec: corev1.NodeSpec{Unschedulable: true}},
			{ObjectMeta: metav1.ObjectMeta{Name: "virtual-node-aci-linux", Labels: map[string]string{labelOS: "linux", labelType: virtualNodes}}},
		},
		ciliumImage:   "mcr.microsoft.com/oss/cilium/cilium:1.17.9-250121",
		operatorReady: 2,
		slices:        3,
	}
}

var operatorLabels = map[string]string{"io.cilium/app": "operator", "name": "cilium-operator"}

// apply writes the cluster into the server and deletes it all when the test
// ends, so the next case starts from an empty kube-system.
func (c cluster) apply(t *testing.T, kube kubernetes.Interface, dyn dynamic.Interface) {
	t.Helper()
	ctx := context.Background()
	t.Cleanup(func() { deleteAll(t, kube, dyn) })

	for _, name := range c.linuxNodes {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{labelOS: "linux", "kubernetes.azure.com/agentpool": "system"}}}
		_, err := kube.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	for _, node := range c.otherNodes {
		_, err := kube.CoreV1().Nodes().Create(ctx, node.DeepCopy(), metav1.CreateOptions{})
		require.NoError(t, err)
	}

	if !c.noCilium {
		ready := int32(0)
		for i, node := range c.linuxNodes {
			if c.noPod[node] {
				continue
			}
			createPod(t, kube, fmt.Sprintf("cilium-%05d", i), map[string]string{"k8s-app": "cilium"}, node,
				CiliumAgentContainer, c.ciliumImage, fmt.Sprintf("10.224.0.%d", 4+i), !c.notReady[node])
			if !c.notReady[node] {
				ready++
			}
		}
		desired := int32(len(c.linuxNodes))
		createDaemonSet(t, kube, CiliumDaemonSet, "cilium", CiliumAgentContainer, c.ciliumImage, appsv1.DaemonSetStatus{
			DesiredNumberScheduled: desired, CurrentNumberScheduled: desired - int32(len(c.noPod)),
			NumberReady: ready, NumberAvailable: ready, UpdatedNumberScheduled: desired,
		})
	}

	replicas := int32(2)
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: CiliumOperatorDeployment, Namespace: CiliumNamespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: operatorLabels},
			Template: podTemplate(operatorLabels, "cilium-operator", "mcr.microsoft.com/oss/cilium/operator-generic:1.17.9-250121"),
		},
	}
	created, err := kube.AppsV1().Deployments(CiliumNamespace).Create(ctx, dep, metav1.CreateOptions{})
	require.NoError(t, err)
	available := corev1.ConditionTrue
	reason := "MinimumReplicasAvailable"
	if c.operatorReady == 0 {
		available, reason = corev1.ConditionFalse, "MinimumReplicasUnavailable"
	}
	created.Status = appsv1.DeploymentStatus{
		ObservedGeneration: created.Generation, Replicas: 2, UpdatedReplicas: 2,
		ReadyReplicas: c.operatorReady, AvailableReplicas: c.operatorReady, UnavailableReplicas: 2 - c.operatorReady,
		Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: available, Reason: reason}},
	}
	_, err = kube.AppsV1().Deployments(CiliumNamespace).UpdateStatus(ctx, created, metav1.UpdateOptions{})
	require.NoError(t, err)
	for i := int32(0); i < 2; i++ {
		createPod(t, kube, fmt.Sprintf("cilium-operator-7d9f-%d", i), operatorLabels, c.linuxNodes[i],
			"cilium-operator", "mcr.microsoft.com/oss/cilium/operator-generic:1.17.9-250121", fmt.Sprintf("10.224.0.%d", 4+i), i < c.operatorReady)
	}

	if c.kubeProxy {
		createDaemonSet(t, kube, KubeProxyDaemonSet, "kube-proxy", "kube-proxy", "mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.32.4", appsv1.DaemonSetStatus{
			DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, NumberReady: 3, NumberAvailable: 3, UpdatedNumberScheduled: 3,
		})
	}

	for i := 0; i < c.slices; i++ {
		ces := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "cilium.io/v2alpha1", "kind": "CiliumEndpointSlice",
			"metadata":  map[string]any{"name": fmt.Sprintf("ces-%d-abcde", i)},
			"namespace": []string{"kube-system", "default", "app"}[i%3],
			"endpoints": []any{map[string]any{
				"name": fmt.Sprintf("pod-%d", i), "id": int64(1000 + i),
				"networking": map[string]any{"addressing": []any{map[string]any{"ipv4": fmt.Sprintf("10.244.0.%d", 10+i)}}, "node": "10.224.0.4"},
			}},
		}}
		_, err := dyn.Resource(EndpointSliceGVR).Create(ctx, ces, metav1.CreateOptions{})
		require.NoError(t, err)
	}
}

func podTemplate(labels map[string]string, container, image string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: container, Image: image}}},
	}
}

// createDaemonSet creates a DaemonSet and writes its status through the
// status subresource, as the DaemonSet controller would.
func createDaemonSet(t *testing.T, kube kubernetes.Interface, name, app, container, image string, status appsv1.DaemonSetStatus) {
	t.Helper()
	ctx := context.Background()
	labels := map[string]string{"k8s-app": app}
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: CiliumNamespace},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: podTemplate(labels, container, image),
		},
	}
	created, err := kube.AppsV1().DaemonSets(CiliumNamespace).Create(ctx, ds, metav1.CreateOptions{})
	require.NoError(t, err)
	status.ObservedGeneration = created.Generation
	created.Status = status
	_, err = kube.AppsV1().DaemonSets(CiliumNamespace).UpdateStatus(ctx, created, metav1.UpdateOptions{})
	require.NoError(t, err)
}

// createPod creates a pod bound to a node and writes its status through the
// status subresource, as the kubelet would: ready, or crash-looping.
func createPod(t *testing.T, kube kubernetes.Interface, name string, labels map[string]string, node, container, image, ip string, ready bool) {
	t.Helper()
	ctx := context.Background()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: CiliumNamespace, Labels: labels},
		Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: container, Image: image}}},
	}
	created, err := kube.CoreV1().Pods(CiliumNamespace).Create(ctx, pod, metav1.CreateOptions{})
	require.NoError(t, err)
	created.Status = readyStatus(ip)
	if !ready {
		created.Status.Conditions[0].Status = corev1.ConditionFalse
		created.Status.Conditions[0].Reason = "ContainersNotReady"
		created.Status.ContainerStatuses = []corev1.ContainerStatus{{
			Name: container, Image: image, RestartCount: 7,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
		}}
	}
	_, err = kube.CoreV1().Pods(CiliumNamespace).UpdateStatus(ctx, created, metav1.UpdateOptions{})
	require.NoError(t, err)
}

func readyStatus(ip string) corev1.PodStatus {
	return corev1.PodStatus{
		Phase:      corev1.PodRunning,
		PodIP:      ip,
		PodIPs:     []corev1.PodIP{{IP: ip}},
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
	}
}

// deleteAll removes what apply wrote. Pods go with a grace period of 0: no
// kubelet runs to confirm a graceful deletion.
func deleteAll(t *testing.T, kube kubernetes.Interface, dyn dynamic.Interface) {
	ctx := context.Background()
	now := int64(0)
	del := metav1.DeleteOptions{GracePeriodSeconds: &now}
	all := metav1.ListOptions{}
	assert.NoError(t, kube.CoreV1().Pods(CiliumNamespace).DeleteCollection(ctx, del, all))
	assert.NoError(t, kube.AppsV1().DaemonSets(CiliumNamespace).DeleteCollection(ctx, del, all))
	assert.NoError(t, kube.AppsV1().Deployments(CiliumNamespace).DeleteCollection(ctx, del, all))
	assert.NoError(t, kube.CoreV1().Nodes().DeleteCollection(ctx, del, all))
	assert.NoError(t, dyn.Resource(EndpointSliceGVR).DeleteCollection(ctx, del, all))
	pods, err := kube.CoreV1().Pods(CiliumNamespace).List(ctx, all)
	require.NoError(t, err)
	assert.Empty(t, pods.Items, "pods left in kube-system")
	daemonSets, err := kube.AppsV1().DaemonSets(CiliumNamespace).List(ctx, all)
	require.NoError(t, err)
	assert.Empty(t, daemonSets.Items, "DaemonSets left in kube-system")
	deployments, err := kube.AppsV1().Deployments(CiliumNamespace).List(ctx, all)
	require.NoError(t, err)
	assert.Empty(t, deployments.Items, "Deployments left in kube-system")
	nodes, err := kube.CoreV1().Nodes().List(ctx, all)
	require.NoError(t, err)
	assert.Empty(t, nodes.Items, "nodes left")
	endpointSlices, err := dyn.Resource(EndpointSliceGVR).List(ctx, all)
	require.NoError(t, err)
	assert.Empty(t, endpointSlices.Items, "CiliumEndpointSlices left")
}

// cleanLogs is a LogSource for a server without kubelets: every agent logged
// only info lines.
type cleanLogs struct{}

func (cleanLogs) Logs(context.Context, LogRequest) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader(
		"time=2025-01-21T10:00:00Z level=info msg=\"Cilium 1.17.9 started\" subsys=daemon\n" +
			"time=2025-01-21T10:00:01Z level=info msg=\"Policy imported\" subsys=daemon\n")), nil
}

// apiChecks are the checks that need nothing but the API server.
var apiChecks = []string{CheckCiliumDaemonSet, CheckCiliumOperator, CheckNoKubeProxy, CheckCiliumLogs, CheckEndpointSlices, CheckCiliumVersion}

func verdicts(r *Report) map[string]Verdict {
	out := map[string]Verdict{}
	for _, c := range r.Checks {
		out[c.Name] = c.Verdict
	}
	return out
}

func mustCheck(t *testing.T, r *Report, name string) Check {
	t.Helper()
	c, ok := r.Check(name)
	require.True(t, ok, "check %s did not run", name)
	return c
}

func evidenceText(c Check) string { return c.Summary + "\n" + strings.Join(c.Evidence, "\n") }

// TestChecksOnARealAPIServer writes a healthy cluster and several unhealthy
// ones into a real kube-apiserver, one after the other, and runs every
// API-only check against each through Run and a rest.Config.
func TestChecksOnARealAPIServer(t *testing.T) {
	cfg := env.Require(t)
	cfg.QPS, cfg.Burst = 200, 400 // the fixtures write many objects
	kube := kubernetes.NewForConfigOrDie(cfg)
	dyn := dynamic.NewForConfigOrDie(cfg)
	run := func(t *testing.T, c cluster, opts Options) *Report {
		t.Helper()
		c.apply(t, kube, dyn)
		opts.Checks = apiChecks
		opts.LogSource = cleanLogs{}
		report, err := Run(context.Background(), cfg, opts)
		require.NoError(t, err)
		require.Len(t, report.Checks, len(apiChecks))
		t.Log("\n" + report.Human())
		return report
	}
	allPass := map[string]Verdict{}
	for _, name := range apiChecks {
		allPass[name] = Pass
	}
	with := func(changes map[string]Verdict) map[string]Verdict {
		out := map[string]Verdict{}
		for k, v := range allPass {
			out[k] = v
		}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}

	t.Run("healthy", func(t *testing.T) {
		r := run(t, healthyCluster(), Options{Since: time.Date(2025, 1, 21, 9, 0, 0, 0, time.UTC)})
		assert.Equal(t, allPass, verdicts(r))
		assert.True(t, r.Passed())
		assert.Regexp(t, `^1\.32\.\d+$`, r.KubernetesVersion, "the tools build kube-apiserver 1.32")

		ds := evidenceText(mustCheck(t, r, CheckCiliumDaemonSet))
		assert.Contains(t, ds, "DaemonSet kube-system/cilium: desired 3, current 3, ready 3, available 3, up-to-date 3")
		assert.Contains(t, ds, "3 pods labelled k8s-app=cilium in kube-system; 6 nodes, 3 of them schedulable Linux nodes: aks-system-0, aks-system-1, aks-user-0")
		assert.Contains(t, ds, "akswin000000 (os windows)")
		assert.Contains(t, ds, "aks-cordoned-0 (cordoned)")
		assert.Contains(t, ds, "virtual-node-aci-linux (virtual node)")

		op := mustCheck(t, r, CheckCiliumOperator)
		assert.Equal(t, "2 of 2 operator replicas ready", op.Summary)
		assert.Contains(t, evidenceText(op), "cilium-operator-7d9f-0 on aks-system-0: ready")

		assert.Contains(t, evidenceText(mustCheck(t, r, CheckNoKubeProxy)), "no DaemonSet kube-system/kube-proxy")

		ces := mustCheck(t, r, CheckEndpointSlices)
		assert.Equal(t, "3 CiliumEndpointSlices exist", ces.Summary)
		assert.Regexp(t, `Kubernetes 1\.32\.\d+ \(from the API server, v1\.32\.\d+\)`, evidenceText(ces))
		assert.Contains(t, evidenceText(ces), "the API server serves ciliumendpointslices.cilium.io v2alpha1")
		assert.Contains(t, evidenceText(ces), "ces-0-abcde, ces-1-abcde, ces-2-abcde")

		v := mustCheck(t, r, CheckCiliumVersion)
		assert.Equal(t, "Cilium 1.17.9 meets the minimum 1.17.9", v.Summary)
		assert.Contains(t, evidenceText(v), "image mcr.microsoft.com/oss/cilium/cilium:1.17.9-250121")
		assert.Contains(t, evidenceText(v), "minimum Cilium 1.17.9 (from the version table's row for Kubernetes 1.32")
		assert.Contains(t, evidenceText(v), "Cilium pods by version: 1.17.9: 3 pods")

		logs := mustCheck(t, r, CheckCiliumLogs)
		assert.Contains(t, evidenceText(logs), "3 pods labelled k8s-app=cilium since 2025-01-21T09:00:00Z")
		assert.Contains(t, evidenceText(logs), "6 lines, 0 error-level lines")
	})

	t.Run("a node without a ready Cilium pod", func(t *testing.T) {
		c := healthyCluster()
		c.linuxNodes = append(c.linuxNodes, "aks-user-1")
		c.notReady = map[string]bool{"aks-user-0": true}
		c.noPod = map[string]bool{"aks-user-1": true}
		r := run(t, c, Options{})
		// A crash-looping agent logs nothing here (cleanLogs), so only the
		// DaemonSet check fails.
		assert.Equal(t, with(map[string]Verdict{CheckCiliumDaemonSet: Fail}), verdicts(r))
		ds := mustCheck(t, r, CheckCiliumDaemonSet)
		assert.Contains(t, ds.Summary, "not rolled out: 4 desired, 2 ready, 2 available, 4 up-to-date")
		assert.Contains(t, ds.Summary, "2 of 4 schedulable Linux nodes lack a ready Cilium pod: aks-user-0, aks-user-1")
		assert.Contains(t, evidenceText(ds), "nodes without a ready Cilium pod (2): aks-user-0 (pod cilium-00002 Running, Ready=False (ContainersNotReady), cilium-agent waiting: CrashLoopBackOff), aks-user-1 (no Cilium pod)")
		assert.Contains(t, evidenceText(mustCheck(t, r, CheckCiliumLogs)), "cilium-agent restarted 7 times")
	})

	t.Run("kube-proxy present", func(t *testing.T) {
		c := healthyCluster()
		c.kubeProxy = true
		r := run(t, c, Options{})
		assert.Equal(t, with(map[string]Verdict{CheckNoKubeProxy: Fail}), verdicts(r))
		kp := mustCheck(t, r, CheckNoKubeProxy)
		assert.Contains(t, kp.Summary, "DaemonSet kube-system/kube-proxy exists")
		assert.Contains(t, evidenceText(kp), "DaemonSet kube-system/kube-proxy exists: desired 3, ready 3")
	})

	t.Run("operator unavailable", func(t *testing.T) {
		c := healthyCluster()
		c.operatorReady = 0
		r := run(t, c, Options{})
		assert.Equal(t, with(map[string]Verdict{CheckCiliumOperator: Fail}), verdicts(r))
		op := mustCheck(t, r, CheckCiliumOperator)
		assert.Equal(t, "no ready operator replica (0 of 2)", op.Summary)
		assert.Contains(t, evidenceText(op), "desired 2, ready 0, available 0")
		assert.Contains(t, evidenceText(op), "condition Available=False (MinimumReplicasUnavailable)")
	})

	t.Run("operator partly ready", func(t *testing.T) {
		c := healthyCluster()
		c.operatorReady = 1
		r := run(t, c, Options{})
		assert.Equal(t, "1 of 2 operator replicas ready", mustCheck(t, r, CheckCiliumOperator).Summary)
		assert.Equal(t, Fail, mustCheck(t, r, CheckCiliumOperator).Verdict)
	})

	t.Run("old Cilium image", func(t *testing.T) {
		c := healthyCluster()
		c.ciliumImage = "mcr.microsoft.com/oss/cilium/cilium:1.16.6-241120"
		r := run(t, c, Options{})
		assert.Equal(t, with(map[string]Verdict{CheckCiliumVersion: Fail}), verdicts(r))
		v := mustCheck(t, r, CheckCiliumVersion)
		assert.Contains(t, v.Summary, "Cilium 1.16.6 is older than the minimum 1.17.9")
		assert.Contains(t, v.Summary, "3 pods run an older Cilium than 1.17.9: cilium-00000 (1.16.6)")
	})

	t.Run("no endpoint slices on 1.32", func(t *testing.T) {
		c := healthyCluster()
		c.slices = 0
		r := run(t, c, Options{})
		assert.Equal(t, with(map[string]Verdict{CheckEndpointSlices: Fail}), verdicts(r))
		ces := mustCheck(t, r, CheckEndpointSlices)
		assert.Contains(t, ces.Summary, "no CiliumEndpointSlice exists")
		assert.Contains(t, evidenceText(ces), "LIST ciliumendpointslices: 0 items")
	})

	t.Run("1.31 skips endpoint slices and lowers the minimum", func(t *testing.T) {
		c := healthyCluster()
		c.slices = 0
		c.ciliumImage = "mcr.microsoft.com/oss/cilium/cilium:1.16.16-250101"
		r := run(t, c, Options{KubernetesVersion: "1.31"})
		assert.Equal(t, with(map[string]Verdict{CheckEndpointSlices: Skipped}), verdicts(r))
		assert.True(t, r.Passed(), "a skipped check does not fail the report")
		ces := mustCheck(t, r, CheckEndpointSlices)
		assert.Equal(t, "Kubernetes 1.31: Cilium Endpoint Slices need Kubernetes 1.32 or newer", ces.Summary)
		assert.Regexp(t, `the API server reports v1\.32\.\d+, another minor than Options.KubernetesVersion 1\.31`, evidenceText(ces))
		v := mustCheck(t, r, CheckCiliumVersion)
		assert.Contains(t, evidenceText(v), "minimum Cilium 1.16.16 (from the version table's row for Kubernetes 1.31; guide 1.16.6, AKS docs 1.16.16: the higher is kept)")
	})

	t.Run("explicit minimum from the stack output", func(t *testing.T) {
		r := run(t, healthyCluster(), Options{MinCiliumVersion: "1.18.6"})
		v := mustCheck(t, r, CheckCiliumVersion)
		assert.Equal(t, Fail, v.Verdict)
		assert.Contains(t, v.Summary, "Cilium 1.17.9 is older than the minimum 1.18.6")
		assert.Contains(t, evidenceText(v), "minimum Cilium 1.18.6 (from Options.MinCiliumVersion)")
	})

	t.Run("not a Cilium cluster", func(t *testing.T) {
		c := healthyCluster()
		c.noCilium = true
		c.kubeProxy = true
		c.slices = 0
		r := run(t, c, Options{})
		assert.Equal(t, with(map[string]Verdict{
			CheckCiliumDaemonSet: Fail, CheckCiliumVersion: Fail, CheckNoKubeProxy: Fail,
			CheckCiliumLogs: Fail, CheckEndpointSlices: Fail,
		}), verdicts(r))
		assert.Contains(t, mustCheck(t, r, CheckCiliumDaemonSet).Summary, "no DaemonSet kube-system/cilium: Cilium is not the data plane")
		assert.Contains(t, mustCheck(t, r, CheckCiliumLogs).Summary, "no pod labelled k8s-app=cilium")
		assert.False(t, r.Passed())
	})
}

// TestPolicyEnforcementOnARealAPIServer runs policy-enforcement against the
// real server: the scratch namespace enforces the restricted Pod Security
// standard, so the server proves the probe pods need no privilege, and the
// test plays the kubelet (it marks probe pods ready with an IP). The prober
// follows the stored NetworkPolicy, so the check passes; the namespace is
// then being deleted (no namespace controller runs here to finish it).
func TestPolicyEnforcementOnARealAPIServer(t *testing.T) {
	cfg := env.Require(t)
	kube := kubernetes.NewForConfigOrDie(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go playKubelet(ctx, kube)

	// Scratch namespaces of earlier runs (go test -count=2) stay Terminating
	// on this server: remember them, to single out the one this run creates.
	probeSelector := metav1.ListOptions{LabelSelector: ProbeLabel + "=" + ProbeLabelValue}
	before, err := kube.CoreV1().Namespaces().List(context.Background(), probeSelector)
	require.NoError(t, err)
	earlier := map[string]bool{}
	for _, ns := range before.Items {
		earlier[string(ns.UID)] = true
	}

	report, err := Run(ctx, cfg, Options{
		Checks: []string{CheckPolicyEnforcement}, Prober: &policyModel{kube: kube},
		ProbeInterval: 10 * time.Millisecond, PodReadyTimeout: 20 * time.Second,
	})
	require.NoError(t, err)
	c := mustCheck(t, report, CheckPolicyEnforcement)
	t.Log("\n" + report.Human())
	assert.Equal(t, Pass, c.Verdict, evidenceText(c))
	assert.Contains(t, evidenceText(c), "probe-allowed -> probe-server")
	assert.Contains(t, evidenceText(c), "NetworkPolicies in "+ProbeNamespacePrefix)

	list, err := kube.CoreV1().Namespaces().List(context.Background(), probeSelector)
	require.NoError(t, err)
	var created []corev1.Namespace
	for _, ns := range list.Items {
		if !earlier[string(ns.UID)] {
			created = append(created, ns)
		}
	}
	require.Len(t, created, 1, "this run created one scratch namespace")
	ns := created[0]
	assert.Contains(t, evidenceText(c), "scratch namespace "+ns.Name+" (label "+ProbeLabel+"="+ProbeLabelValue+")")
	assert.NotNil(t, ns.DeletionTimestamp, "the scratch namespace %s is being deleted", ns.Name)
	assert.Equal(t, "restricted", ns.Labels["pod-security.kubernetes.io/enforce"])

	// The restricted standard is enforced: a privileged pod is refused there.
	psa := uniqueName("psa-check")
	_, err = kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: psa, Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.NoError(t, kube.CoreV1().Namespaces().Delete(context.Background(), psa, metav1.DeleteOptions{}))
	})
	bad := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bad", Namespace: psa},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: DefaultProbeImage}}}}
	_, err = kube.CoreV1().Pods(psa).Create(context.Background(), bad, metav1.CreateOptions{})
	assert.True(t, apierrors.IsForbidden(err), "a pod without a restricted security context is refused: %v", err)
	set := newProbeSet(Options{}.withDefaults())
	for _, p := range set.pods {
		p.Namespace = psa
		_, err := kube.CoreV1().Pods(psa).Create(context.Background(), p, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		assert.NoError(t, err, "probe pod %s passes the restricted standard", p.Name)
	}
}

// playKubelet marks every probe pod running and ready with an IP, until ctx ends.
func playKubelet(ctx context.Context, kube kubernetes.Interface) {
	n := 0
	for ctx.Err() == nil {
		pods, err := kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: ProbeLabel + "=" + ProbeLabelValue})
		if err == nil {
			for i := range pods.Items {
				p := &pods.Items[i]
				if p.Status.PodIP != "" {
					continue
				}
				n++
				p.Status = readyStatus(fmt.Sprintf("10.244.1.%d", n))
				_, _ = kube.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ExecProber against a server without kubelets: the exec cannot be made, and
// that is an error, never an observation that the connection was refused.
func TestExecProberReportsAFailedExecAsAnError(t *testing.T) {
	cfg := env.Require(t)
	kube := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	ns := uniqueName("exec-probe")
	_, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		// No kubelet confirms a graceful deletion, and no namespace
		// controller empties the namespace: delete the pod at once.
		now := int64(0)
		err := kube.CoreV1().Pods(ns).Delete(ctx, probeAllowed, metav1.DeleteOptions{GracePeriodSeconds: &now})
		assert.True(t, err == nil || apierrors.IsNotFound(err), "deleting pod %s/%s: %v", ns, probeAllowed, err)
		assert.NoError(t, kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}))
	})
	client := probePod(ns, probeAllowed, "allowed", Options{}.withDefaults(), 60)
	client, err = kube.CoreV1().Pods(ns).Create(ctx, client, metav1.CreateOptions{})
	require.NoError(t, err)
	server := client.DeepCopy()
	server.Name = probeServer

	prober := &ExecProber{Config: cfg, Client: kube}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, err := prober.Probe(pctx, ProbeRequest{From: client, To: server, Address: "10.244.0.9", Port: 8080, Protocol: corev1.ProtocolTCP})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exec into "+ns+"/probe-allowed")
	assert.False(t, res.Connected)
}
