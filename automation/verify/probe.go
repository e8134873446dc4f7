package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"

	"github.com/aks-cilium/aks-cilium/components/netpol"
)

// The scratch namespace of policy-enforcement and what is in it.
const (
	// ProbeLabel marks the scratch namespaces, their pods and their policy
	// with the value ProbeLabelValue, so that leftovers can be found
	// (CleanupProbeNamespaces).
	ProbeLabel = "aks-cilium.io/verify"
	// ProbeLabelValue is the value of ProbeLabel.
	ProbeLabelValue = "policy-probe"
	// ProbeNamespacePrefix starts every scratch namespace's name; a random
	// suffix follows.
	ProbeNamespacePrefix = "aks-cilium-verify-"
	// ProbeRoleLabel is the probe pods' role: server, allowed or denied.
	ProbeRoleLabel = "role"
	// ProbeContainer is the container of each probe pod.
	ProbeContainer = "probe"
	// ProbePolicyName is the test NetworkPolicy: ingress to role=server on
	// the probe port only from role=allowed.
	ProbePolicyName = "allow-from-role-allowed"
)

// readyPollInterval is how often waitReady looks at the probe pods.
const readyPollInterval = 500 * time.Millisecond

// The probe pods.
const (
	probeServer  = "probe-server"
	probeAllowed = "probe-allowed"
	probeDenied  = "probe-denied"
)

// ProbeRequest is one connection attempt, from a client pod to a server pod.
type ProbeRequest struct {
	// From is the client pod, running and ready.
	From *corev1.Pod
	// To is the server pod, running and ready.
	To *corev1.Pod
	// Address is To's pod IP.
	Address string
	// Port is the destination port.
	Port int
	// Protocol is the destination port's protocol (TCP).
	Protocol corev1.Protocol
}

// ProbeResult is what a connection attempt observed.
type ProbeResult struct {
	// Connected is true when the connection was established.
	Connected bool
	// Detail says what happened (exit status, error output), for the evidence.
	Detail string
}

// Prober opens probe connections. An error means the attempt could not be
// made (e.g. exec failed), not that the connection was refused: that is
// ProbeResult{Connected: false}.
type Prober interface {
	// Probe tries to connect once, within ctx.
	Probe(ctx context.Context, req ProbeRequest) (ProbeResult, error)
}

// ExecProber connects by running a command in the client pod's probe
// container through the API server's pods/exec subresource (SPDY, as
// kubectl exec), so it needs exec rights in the scratch namespace.
type ExecProber struct {
	// Config reaches the API server.
	Config *rest.Config
	// Client builds the exec request.
	Client kubernetes.Interface
	// Command is the client's command for an address and port; exit status
	// 0 means connected. Nil uses busybox wget with a 2-second timeout.
	Command func(address string, port int) []string
}

// WgetCommand is ExecProber's default command: fetch http://address:port/
// with busybox wget, giving up after 2 seconds.
func WgetCommand(address string, port int) []string {
	return []string{"wget", "-q", "-T", "2", "-O", "/dev/null", "http://" + net.JoinHostPort(address, strconv.Itoa(port)) + "/"}
}

// Probe runs the command in req.From and reports its exit status.
func (p *ExecProber) Probe(ctx context.Context, req ProbeRequest) (ProbeResult, error) {
	command := p.Command
	if command == nil {
		command = WgetCommand
	}
	execReq := p.Client.CoreV1().RESTClient().Post().
		Resource("pods").Namespace(req.From.Namespace).Name(req.From.Name).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: ProbeContainer, Command: command(req.Address, req.Port), Stdout: true, Stderr: true,
		}, scheme.ParameterCodec)
	exec, err := remotecommand.NewSPDYExecutor(p.Config, "POST", execReq.URL())
	if err != nil {
		return ProbeResult{}, fmt.Errorf("exec into %s/%s: %w", req.From.Namespace, req.From.Name, err)
	}
	var out bytes.Buffer
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &out, Stderr: &out})
	var exit utilexec.ExitError
	switch {
	case err == nil:
		return ProbeResult{Connected: true, Detail: "exit 0"}, nil
	case errors.As(err, &exit):
		detail := fmt.Sprintf("exit %d", exit.ExitStatus())
		if o := SanitizeLogLine(out.String()); o != "" {
			detail += ": " + clip(o, 120)
		}
		return ProbeResult{Detail: detail}, nil
	}
	return ProbeResult{}, fmt.Errorf("exec into %s/%s: %w", req.From.Namespace, req.From.Name, err)
}

// probeSet is the scratch namespace and the objects policy-enforcement
// creates in it.
type probeSet struct {
	namespace *corev1.Namespace
	policy    *networkingv1.NetworkPolicy
	pods      []*corev1.Pod // server, allowed, denied
}

// newProbeSet builds the objects, in a namespace with a random suffix.
func newProbeSet(o Options) probeSet {
	ns := ProbeNamespacePrefix + utilrand.String(6)
	labels := map[string]string{ProbeLabel: ProbeLabelValue}
	nsLabels := map[string]string{
		ProbeLabel: ProbeLabelValue,
		// The API server then proves the probe pods need no privilege.
		"pod-security.kubernetes.io/enforce": "restricted",
	}
	port := intstr.FromInt(o.ProbePort)
	tcp := corev1.ProtocolTCP
	set := probeSet{
		namespace: &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			Name: ns, Labels: nsLabels,
			Annotations: map[string]string{"aks-cilium.io/purpose": "policy-enforcement probe of aks-cilium verify; deleted when the check ends"},
		}},
		policy: &networkingv1.NetworkPolicy{
			ObjectMeta: metav1.ObjectMeta{Name: ProbePolicyName, Namespace: ns, Labels: labels},
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{ProbeRoleLabel: "server"}},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{
					From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{ProbeRoleLabel: "allowed"}}}},
					Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &port}},
				}},
			},
		},
	}
	// The pods end on their own if the cleanup cannot run.
	lifetime := int64((o.PolicyTimeout + 5*time.Minute).Seconds())
	server := probePod(ns, probeServer, "server", o, lifetime)
	server.Spec.Containers[0].Command = o.ProbeServerCommand
	if len(server.Spec.Containers[0].Command) == 0 {
		server.Spec.Containers[0].Command = []string{"sh", "-c",
			fmt.Sprintf("mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p %d -h /tmp/www", o.ProbePort)}
	}
	server.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "probe", ContainerPort: int32(o.ProbePort), Protocol: corev1.ProtocolTCP}}
	server.Spec.Containers[0].ReadinessProbe = &corev1.Probe{
		ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: port}},
		PeriodSeconds: 2,
	}
	set.pods = []*corev1.Pod{
		server,
		probePod(ns, probeAllowed, "allowed", o, lifetime),
		probePod(ns, probeDenied, "denied", o, lifetime),
	}
	return set
}

// probePod is a minimal, unprivileged pod that sleeps for its lifetime.
func probePod(ns, name, role string, o Options, lifetime int64) *corev1.Pod {
	no, yes := false, true
	nobody := int64(65534)
	grace := int64(1)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{
			ProbeLabel: ProbeLabelValue, ProbeRoleLabel: role, "app.kubernetes.io/name": "aks-cilium-verify",
		}},
		Spec: corev1.PodSpec{
			RestartPolicy:                 corev1.RestartPolicyNever,
			ActiveDeadlineSeconds:         &lifetime,
			TerminationGracePeriodSeconds: &grace,
			AutomountServiceAccountToken:  &no,
			EnableServiceLinks:            &no,
			NodeSelector:                  map[string]string{labelOS: "linux"},
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot: &yes, RunAsUser: &nobody, RunAsGroup: &nobody,
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{{
				Name:    ProbeContainer,
				Image:   o.ProbeImage,
				Command: []string{"sleep", strconv.FormatInt(lifetime, 10)},
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi")},
					Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")},
				},
				VolumeMounts: []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
			}},
			Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		},
	}
}

// checkPolicy: in a scratch namespace, a server, an allowed and a denied
// client, and a NetworkPolicy that admits only the allowed one; every
// connection must behave as netpol's evaluator predicts for the objects as
// stored. The namespace is deleted when the check ends, however it ends.
func (r *runner) checkPolicy(ctx context.Context) (result Check) {
	if r.opts.Prober == nil {
		return fail("no Prober: set Options.Prober, or give RunClients a rest.Config so probes can exec into pods")
	}
	set := newProbeSet(r.opts)
	ns := set.namespace.Name
	kube := r.Kube
	var evidence []string
	if _, err := kube.CoreV1().Namespaces().Create(ctx, set.namespace, metav1.CreateOptions{}); err != nil {
		return fail("cannot create the scratch namespace "+ns, "error: "+err.Error())
	}
	defer func() { result = r.cleanupProbe(ctx, ns, result) }()
	evidence = append(evidence, fmt.Sprintf("scratch namespace %s (label %s=%s), image %s, port %d/TCP",
		ns, ProbeLabel, ProbeLabelValue, r.opts.ProbeImage, r.opts.ProbePort))

	if _, err := kube.NetworkingV1().NetworkPolicies(ns).Create(ctx, set.policy, metav1.CreateOptions{}); err != nil {
		return fail("cannot create the test NetworkPolicy", append(evidence, "error: "+err.Error())...)
	}
	names := make([]string, len(set.pods))
	for i, p := range set.pods {
		if _, err := kube.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			return fail("cannot create probe pod "+p.Name, append(evidence, "error: "+err.Error())...)
		}
		names[i] = p.Name
	}
	ready, err := r.waitReady(ctx, ns, names)
	if err != nil {
		return fail(err.Error(), evidence...)
	}
	for _, name := range names {
		p := ready[name]
		evidence = append(evidence, fmt.Sprintf("pod %s (%s=%s) ready on %s, IP %s", name, ProbeRoleLabel, p.Labels[ProbeRoleLabel], orNone(p.Spec.NodeName), p.Status.PodIP))
	}

	// Predict from what the API server holds: a policy engine or admission
	// webhook may have added policies to the namespace or changed labels.
	policies, err := kube.NetworkingV1().NetworkPolicies(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fail("cannot list the namespace's NetworkPolicies", append(evidence, "error: "+err.Error())...)
	}
	stored, err := kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		return fail("cannot read the scratch namespace", append(evidence, "error: "+err.Error())...)
	}
	var policyNames []string
	for _, p := range policies.Items {
		policyNames = append(policyNames, p.Name)
	}
	sort.Strings(policyNames)
	evidence = append(evidence, fmt.Sprintf("NetworkPolicies in %s: %s", ns, nameList(policyNames, maxNames)))
	eval, err := r.evaluator(policies.Items, stored, ready, names)
	if err != nil {
		return fail("cannot predict the connections", append(evidence, "error: "+err.Error())...)
	}

	server := ready[probeServer]
	mismatches, unobserved := 0, 0
	for _, client := range []string{probeAllowed, probeDenied} {
		from := ready[client]
		verdict, err := eval.Allowed(netpol.PodEndpoint(ns, client), netpol.PodEndpoint(ns, probeServer), r.opts.ProbePort, corev1.ProtocolTCP)
		if err != nil {
			return fail("cannot predict the connections", append(evidence, "error: "+err.Error())...)
		}
		req := ProbeRequest{From: from, To: server, Address: server.Status.PodIP, Port: r.opts.ProbePort, Protocol: corev1.ProtocolTCP}
		obs, attempts, err := r.observe(ctx, req, verdict.Allowed)
		line := fmt.Sprintf("%s -> %s %s/TCP: predicted %s (%s); ", client, probeServer,
			net.JoinHostPort(req.Address, strconv.Itoa(req.Port)), allowedWord(verdict.Allowed), verdict.Reason())
		switch {
		case err != nil:
			unobserved++
			line += fmt.Sprintf("not observed after %s: %s", plural(attempts, "attempt"), err)
		case obs.Connected == verdict.Allowed:
			line += fmt.Sprintf("observed %s (%s, %s): match", connectedWord(obs.Connected), obs.Detail, attemptWord(attempts, r.opts.ProbeAttempts))
		default:
			mismatches++
			line += fmt.Sprintf("observed %s (%s, %s): MISMATCH", connectedWord(obs.Connected), obs.Detail, plural(attempts, "attempt"))
		}
		evidence = append(evidence, line)
		if client == probeAllowed && !verdict.Allowed || client == probeDenied && verdict.Allowed {
			evidence = append(evidence, "note: other policies in "+ns+" change the expected outcome for "+client)
		}
	}
	switch {
	case mismatches > 0:
		return fail(fmt.Sprintf("%d of 2 connections did not behave as the policy predicts", mismatches), evidence...)
	case unobserved > 0:
		return fail(fmt.Sprintf("%d of 2 connections could not be observed", unobserved), evidence...)
	}
	return pass("the test NetworkPolicy is enforced: the allowed client connects, the denied one does not, as predicted", evidence...)
}

// waitReady waits, within PodReadyTimeout and ctx, until every named pod is
// ready with an IP; the error names the pods that are not, and why.
func (r *runner) waitReady(ctx context.Context, ns string, names []string) (map[string]*corev1.Pod, error) {
	wctx, cancel := context.WithTimeout(ctx, r.opts.PodReadyTimeout)
	defer cancel()
	tick := time.NewTicker(readyPollInterval)
	defer tick.Stop()
	for {
		ready := map[string]*corev1.Pod{}
		var waiting []string
		for _, name := range names {
			p, err := r.Kube.CoreV1().Pods(ns).Get(wctx, name, metav1.GetOptions{})
			switch {
			case err != nil:
				waiting = append(waiting, name+" (cannot read: "+err.Error()+")")
			case podReady(p) && p.Status.PodIP != "":
				ready[name] = p
			case podReady(p):
				waiting = append(waiting, name+" (ready, no pod IP yet)")
			default:
				waiting = append(waiting, name+" ("+podState(p)+")")
			}
		}
		if len(waiting) == 0 {
			return ready, nil
		}
		select {
		case <-tick.C:
		case <-wctx.Done():
			why := fmt.Sprintf("within %s", r.opts.PodReadyTimeout)
			if ctx.Err() != nil {
				why = "before the check ended (" + ctx.Err().Error() + ")"
			}
			return nil, fmt.Errorf("probe pods not ready %s: %s", why, strings.Join(waiting, "; "))
		}
	}
}

// evaluator compiles the namespace's policies for its probe pods.
func (r *runner) evaluator(policies []networkingv1.NetworkPolicy, ns *corev1.Namespace, ready map[string]*corev1.Pod, names []string) (*netpol.Evaluator, error) {
	var pods []netpol.Pod
	for _, name := range names {
		p := ready[name]
		ip, err := netip.ParseAddr(p.Status.PodIP)
		if err != nil {
			return nil, fmt.Errorf("pod %s: IP %q: %w", name, p.Status.PodIP, err)
		}
		ep := netpol.Pod{Namespace: p.Namespace, Name: p.Name, Labels: p.Labels, IP: ip}
		for _, c := range p.Spec.Containers {
			for _, port := range c.Ports {
				ep.Ports = append(ep.Ports, netpol.ContainerPort{Name: port.Name, Port: port.ContainerPort, Protocol: port.Protocol})
			}
		}
		pods = append(pods, ep)
	}
	return netpol.NewEvaluator(policies, []netpol.Namespace{{Name: ns.Name, Labels: ns.Labels}}, pods)
}

// observe probes until the observation matches the prediction or the
// attempts run out (a new policy takes Cilium a moment). It returns the last
// observation, the attempts made, and an error when no attempt could be made.
func (r *runner) observe(ctx context.Context, req ProbeRequest, predicted bool) (ProbeResult, int, error) {
	var last ProbeResult
	var lastErr error
	observed := false
	attempts := 0
	for attempts < r.opts.ProbeAttempts {
		if attempts > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(r.opts.ProbeInterval):
			}
		}
		if ctx.Err() != nil {
			break
		}
		attempts++
		actx, cancel := context.WithTimeout(ctx, r.opts.ProbeTimeout)
		res, err := r.opts.Prober.Probe(actx, req)
		cancel()
		if err != nil {
			lastErr = err
			continue
		}
		last, observed = res, true
		if res.Connected == predicted {
			break
		}
	}
	switch {
	case observed:
		return last, attempts, nil
	case lastErr != nil:
		return last, attempts, lastErr
	}
	return last, attempts, fmt.Errorf("check ended before the probe: %w", ctx.Err())
}

// cleanupProbe deletes the scratch namespace with a fresh, short context
// (ctx may be cancelled already) and records the outcome in the check; a
// failed cleanup fails the check, since it leaves objects behind.
func (r *runner) cleanupProbe(ctx context.Context, ns string, c Check) Check {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.CleanupTimeout)
	defer cancel()
	policy := metav1.DeletePropagationBackground
	err := r.Kube.CoreV1().Namespaces().Delete(cctx, ns, metav1.DeleteOptions{PropagationPolicy: &policy})
	if err != nil && !apierrors.IsNotFound(err) {
		c.Verdict = Fail
		c.Summary += "; cleanup failed: namespace " + ns + " is left behind"
		c.Evidence = append(c.Evidence, fmt.Sprintf("cleanup: deleting namespace %s failed: %v (delete it by hand, or with CleanupProbeNamespaces)", ns, err))
		return c
	}
	c.Evidence = append(c.Evidence, "cleanup: namespace "+ns+" deleted (the API server removes its pods and policy with it)")
	return c
}

// CleanupProbeNamespaces deletes the scratch namespaces of policy-enforcement
// (labelled ProbeLabel=ProbeLabelValue) created more than olderThan ago and
// not already being deleted, e.g. after a process was killed mid-check. It
// returns the names it deleted.
func CleanupProbeNamespaces(ctx context.Context, kube kubernetes.Interface, olderThan time.Duration) ([]string, error) {
	list, err := kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: ProbeLabel + "=" + ProbeLabelValue})
	if err != nil {
		return nil, fmt.Errorf("listing probe namespaces: %w", err)
	}
	var deleted []string
	var errs []error
	for _, ns := range list.Items {
		if ns.DeletionTimestamp != nil || time.Since(ns.CreationTimestamp.Time) < olderThan {
			continue
		}
		err := kube.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{})
		switch {
		case err == nil:
			deleted = append(deleted, ns.Name)
		case !apierrors.IsNotFound(err):
			errs = append(errs, fmt.Errorf("deleting namespace %s: %w", ns.Name, err))
		}
	}
	return deleted, errors.Join(errs...)
}

func allowedWord(allowed bool) string {
	if allowed {
		return "allowed"
	}
	return "denied"
}

func connectedWord(connected bool) string {
	if connected {
		return "connected"
	}
	return "no connection"
}

func attemptWord(n, max int) string {
	return fmt.Sprintf("attempt %d of %d", n, max)
}
