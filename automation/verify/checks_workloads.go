package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Node labels that decide whether a node should run Cilium.
const (
	labelOS      = "kubernetes.io/os"
	labelType    = "type"
	virtualNodes = "virtual-kubelet" // AKS virtual nodes (ACI) run no Cilium agent
)

// maxNames caps the names listed in one evidence line.
const maxNames = 20

// ciliumDaemonSet caches the cilium DaemonSet for the checks that read it.
type ciliumDaemonSet struct{ ds *appsv1.DaemonSet }

// daemonSet reads the cilium DaemonSet once; errors are not cached, so a
// later check under a fresh timeout tries again.
func (r *runner) daemonSet(ctx context.Context) (*appsv1.DaemonSet, error) {
	if r.ciliumDS != nil {
		return r.ciliumDS.ds, nil
	}
	ds, err := r.Kube.AppsV1().DaemonSets(CiliumNamespace).Get(ctx, CiliumDaemonSet, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	r.ciliumDS = &ciliumDaemonSet{ds: ds}
	return ds, nil
}

// daemonSetMissing is the failure when the cilium DaemonSet cannot be read.
func daemonSetMissing(err error) Check {
	if apierrors.IsNotFound(err) {
		return fail(fmt.Sprintf("no DaemonSet %s/%s: Cilium is not the data plane of this cluster (networkDataplane: cilium)", CiliumNamespace, CiliumDaemonSet),
			fmt.Sprintf("GET daemonsets %s/%s: not found", CiliumNamespace, CiliumDaemonSet))
	}
	return fail(fmt.Sprintf("cannot read DaemonSet %s/%s", CiliumNamespace, CiliumDaemonSet), "error: "+err.Error())
}

// checkDaemonSet: the cilium DaemonSet is rolled out (desired = ready =
// available = up-to-date, for its current generation) and every schedulable
// Linux node has a ready Cilium pod.
func (r *runner) checkDaemonSet(ctx context.Context) Check {
	ds, err := r.daemonSet(ctx)
	if err != nil {
		return daemonSetMissing(err)
	}
	st := ds.Status
	evidence := []string{fmt.Sprintf("DaemonSet %s/%s: desired %d, current %d, ready %d, available %d, up-to-date %d, misscheduled %d",
		CiliumNamespace, CiliumDaemonSet, st.DesiredNumberScheduled, st.CurrentNumberScheduled, st.NumberReady,
		st.NumberAvailable, st.UpdatedNumberScheduled, st.NumberMisscheduled)}
	var problems []string
	if st.ObservedGeneration < ds.Generation {
		problems = append(problems, fmt.Sprintf("the DaemonSet controller has not yet seen generation %d (status is of generation %d)", ds.Generation, st.ObservedGeneration))
	}
	d := st.DesiredNumberScheduled
	switch {
	case d == 0:
		problems = append(problems, "the DaemonSet schedules no pod")
	case st.NumberReady != d || st.NumberAvailable != d || st.UpdatedNumberScheduled != d:
		problems = append(problems, fmt.Sprintf("not rolled out: %d desired, %d ready, %d available, %d up-to-date", d, st.NumberReady, st.NumberAvailable, st.UpdatedNumberScheduled))
	}

	nodes, err := r.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fail("cannot list nodes", append(evidence, "error: "+err.Error())...)
	}
	pods, err := r.Kube.CoreV1().Pods(CiliumNamespace).List(ctx, metav1.ListOptions{LabelSelector: CiliumPodSelector})
	if err != nil {
		return fail("cannot list Cilium pods", append(evidence, "error: "+err.Error())...)
	}
	podsOn := map[string][]corev1.Pod{}
	for _, p := range pods.Items {
		podsOn[p.Spec.NodeName] = append(podsOn[p.Spec.NodeName], p)
	}

	var eligible, excluded, missing []string
	for _, n := range nodes.Items {
		if why := notCiliumNode(&n); why != "" {
			excluded = append(excluded, n.Name+" ("+why+")")
			continue
		}
		eligible = append(eligible, n.Name)
		if why := noReadyPod(podsOn[n.Name]); why != "" {
			missing = append(missing, n.Name+" ("+why+")")
		}
	}
	sort.Strings(eligible)
	sort.Strings(excluded)
	sort.Strings(missing)
	evidence = append(evidence, fmt.Sprintf("%s labelled %s in %s; %s, %d of them schedulable Linux nodes: %s",
		plural(len(pods.Items), "pod"), CiliumPodSelector, CiliumNamespace, plural(len(nodes.Items), "node"), len(eligible), nameList(eligible, maxNames)))
	if len(excluded) > 0 {
		evidence = append(evidence, fmt.Sprintf("not expected to run Cilium (%d): %s", len(excluded), nameList(excluded, maxNames)))
	}
	if len(missing) > 0 {
		evidence = append(evidence, fmt.Sprintf("nodes without a ready Cilium pod (%d): %s", len(missing), nameList(missing, maxNames)))
		problems = append(problems, fmt.Sprintf("%d of %d schedulable Linux nodes lack a ready Cilium pod: %s",
			len(missing), len(eligible), nameList(nodeNames(missing), 5)))
	}
	if len(eligible) == 0 {
		problems = append(problems, "no schedulable Linux node")
	}
	if len(problems) > 0 {
		return fail(strings.Join(problems, "; "), evidence...)
	}
	return pass(fmt.Sprintf("all %d schedulable Linux nodes run a ready Cilium pod; the DaemonSet is rolled out", len(eligible)), evidence...)
}

// notCiliumNode says why a node is not expected to run Cilium, or "".
// A node without the kubernetes.io/os label counts as Linux.
func notCiliumNode(n *corev1.Node) string {
	switch {
	case n.Spec.Unschedulable:
		return "cordoned"
	case n.Labels[labelOS] != "" && n.Labels[labelOS] != "linux":
		return "os " + n.Labels[labelOS]
	case n.Labels[labelType] == virtualNodes:
		return "virtual node"
	}
	return ""
}

// noReadyPod says why none of a node's Cilium pods is ready, or "".
func noReadyPod(pods []corev1.Pod) string {
	if len(pods) == 0 {
		return "no Cilium pod"
	}
	var states []string
	for i := range pods {
		if podReady(&pods[i]) {
			return ""
		}
		states = append(states, "pod "+pods[i].Name+" "+podState(&pods[i]))
	}
	return strings.Join(states, ", ")
}

// nodeNames strips the "(reason)" that follows each node name.
func nodeNames(entries []string) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i], _, _ = strings.Cut(e, " (")
	}
	return out
}

// podReady reports whether a pod is running, ready and not being deleted.
func podReady(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podState describes a pod that is not ready: its phase and what its
// conditions and containers say.
func podState(p *corev1.Pod) string {
	if p.DeletionTimestamp != nil {
		return "is being deleted"
	}
	phase := string(p.Status.Phase)
	if phase == "" {
		phase = "Pending"
	}
	var why []string
	for _, c := range p.Status.Conditions {
		if c.Status != corev1.ConditionTrue && (c.Type == corev1.PodReady || c.Type == corev1.PodScheduled) {
			why = append(why, fmt.Sprintf("%s=%s", c.Type, c.Status)+reasonOf(c.Reason, c.Message))
		}
	}
	for _, cs := range append(p.Status.InitContainerStatuses, p.Status.ContainerStatuses...) {
		if w := cs.State.Waiting; w != nil && w.Reason != "" {
			why = append(why, cs.Name+" waiting: "+w.Reason)
		}
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
			why = append(why, fmt.Sprintf("%s exited %d: %s", cs.Name, t.ExitCode, t.Reason))
		}
	}
	if len(why) == 0 {
		return phase + ", not ready"
	}
	return phase + ", " + strings.Join(why, ", ")
}

func reasonOf(reason, message string) string {
	switch {
	case reason != "" && message != "":
		return " (" + reason + ": " + clip(message, 120) + ")"
	case reason != "":
		return " (" + reason + ")"
	}
	return ""
}

// checkOperator: the cilium-operator Deployment has at least one ready
// replica and as many as it wants.
func (r *runner) checkOperator(ctx context.Context) Check {
	name := CiliumNamespace + "/" + CiliumOperatorDeployment
	dep, err := r.Kube.AppsV1().Deployments(CiliumNamespace).Get(ctx, CiliumOperatorDeployment, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fail("no Deployment "+name, "GET deployments "+name+": not found")
	}
	if err != nil {
		return fail("cannot read Deployment "+name, "error: "+err.Error())
	}
	desired := int32(1)
	if dep.Spec.Replicas != nil {
		desired = *dep.Spec.Replicas
	}
	st := dep.Status
	evidence := []string{fmt.Sprintf("Deployment %s: desired %d, ready %d, available %d, up-to-date %d, unavailable %d",
		name, desired, st.ReadyReplicas, st.AvailableReplicas, st.UpdatedReplicas, st.UnavailableReplicas)}
	for _, c := range dep.Status.Conditions {
		evidence = append(evidence, fmt.Sprintf("condition %s=%s", c.Type, c.Status)+reasonOf(c.Reason, c.Message))
	}
	if dep.Spec.Selector != nil {
		if sel, err := metav1.LabelSelectorAsSelector(dep.Spec.Selector); err == nil {
			pods, err := r.Kube.CoreV1().Pods(CiliumNamespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
			if err == nil {
				var states []string
				for i := range pods.Items {
					p := &pods.Items[i]
					state := "ready"
					if !podReady(p) {
						state = podState(p)
					}
					states = append(states, fmt.Sprintf("%s on %s: %s", p.Name, orNone(p.Spec.NodeName), state))
				}
				sort.Strings(states)
				evidence = append(evidence, fmt.Sprintf("%s (%s)", plural(len(states), "operator pod"), nameList(states, maxNames)))
			}
		}
	}
	switch {
	case desired == 0:
		return fail("the operator is scaled to 0 replicas", evidence...)
	case st.ReadyReplicas < 1:
		return fail(fmt.Sprintf("no ready operator replica (0 of %d)", desired), evidence...)
	case st.ReadyReplicas != desired:
		return fail(fmt.Sprintf("%d of %d operator replicas ready", st.ReadyReplicas, desired), evidence...)
	}
	return pass(fmt.Sprintf("%d of %d operator replicas ready", st.ReadyReplicas, desired), evidence...)
}

func orNone(s string) string {
	if s == "" {
		return "(no node)"
	}
	return s
}

// checkNoKubeProxy: no kube-proxy DaemonSet, and no kube-proxy pods (static
// ones included) in kube-system.
func (r *runner) checkNoKubeProxy(ctx context.Context) Check {
	name := CiliumNamespace + "/" + KubeProxyDaemonSet
	var evidence, problems []string
	ds, err := r.Kube.AppsV1().DaemonSets(CiliumNamespace).Get(ctx, KubeProxyDaemonSet, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		evidence = append(evidence, "no DaemonSet "+name)
	case err != nil:
		return fail("cannot read DaemonSet "+name, "error: "+err.Error())
	default:
		evidence = append(evidence, fmt.Sprintf("DaemonSet %s exists: desired %d, ready %d", name, ds.Status.DesiredNumberScheduled, ds.Status.NumberReady))
		problems = append(problems, "DaemonSet "+name+" exists")
	}
	pods, err := r.Kube.CoreV1().Pods(CiliumNamespace).List(ctx, metav1.ListOptions{LabelSelector: "k8s-app=kube-proxy"})
	if err != nil {
		return fail("cannot list kube-proxy pods", append(evidence, "error: "+err.Error())...)
	}
	if n := len(pods.Items); n > 0 {
		names := make([]string, n)
		for i, p := range pods.Items {
			names[i] = p.Name
		}
		sort.Strings(names)
		evidence = append(evidence, fmt.Sprintf("%s labelled k8s-app=kube-proxy in %s: %s", plural(n, "pod"), CiliumNamespace, nameList(names, maxNames)))
		problems = append(problems, plural(n, "kube-proxy pod")+" running")
	} else {
		evidence = append(evidence, "no pod labelled k8s-app=kube-proxy in "+CiliumNamespace)
	}
	if len(problems) > 0 {
		return fail(strings.Join(problems, "; ")+": Cilium replaces kube-proxy, which a Cilium cluster on AKS never runs", evidence...)
	}
	return pass("kube-proxy is not deployed (Cilium replaces it)", evidence...)
}
