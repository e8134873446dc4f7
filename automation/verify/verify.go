// Package verify checks a running AKS cluster with Azure CNI powered by
// Cilium the way the AKS guide's "Validate Cilium Deployment" section and its
// "Verification" list ask, through the Kubernetes API (client-go) only:
//
//   - cilium-daemonset: the cilium DaemonSet is fully rolled out and every
//     schedulable Linux node runs a ready Cilium pod (checks_workloads.go);
//   - cilium-operator: the cilium-operator Deployment is available;
//   - no-kube-proxy: kube-proxy does not run (Cilium replaces it);
//   - cilium-logs: the Cilium agents logged no error-level lines since a time
//     (logs.go);
//   - cilium-endpoint-slices: CiliumEndpointSlices are served and exist on
//     Kubernetes 1.32+ (checks_version.go);
//   - cilium-version: the running Cilium is at least the minimum for the
//     cluster's Kubernetes version;
//   - policy-enforcement: a test NetworkPolicy is enforced as the
//     reachability evaluator of components/netpol predicts, observed with
//     short-lived probe pods in a scratch namespace (probe.go).
//
// Each check yields a named result with a verdict (pass, fail, or skipped
// with a reason) and its evidence: what was looked at, counts and names.
// Run collects them in a Report, which renders as JSON or as lines for a
// terminal (report.go). Nothing here imports Pulumi: a platform passes the
// kubeconfig of its stack (Engine.SecretOutput(ctx, stack, "kubeconfig")) to
// RESTConfigFromKubeconfig, and Options.MinCiliumVersion may carry the
// stack's minCiliumVersion output.
package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// The names of the checks, in the order Run runs them.
const (
	// CheckCiliumDaemonSet: the cilium DaemonSet is rolled out on every node.
	CheckCiliumDaemonSet = "cilium-daemonset"
	// CheckCiliumOperator: the cilium-operator Deployment is available.
	CheckCiliumOperator = "cilium-operator"
	// CheckNoKubeProxy: kube-proxy does not run.
	CheckNoKubeProxy = "no-kube-proxy"
	// CheckCiliumLogs: the Cilium agents logged no error-level lines.
	CheckCiliumLogs = "cilium-logs"
	// CheckEndpointSlices: CiliumEndpointSlices exist on Kubernetes 1.32+.
	CheckEndpointSlices = "cilium-endpoint-slices"
	// CheckCiliumVersion: the running Cilium meets the minimum version.
	CheckCiliumVersion = "cilium-version"
	// CheckPolicyEnforcement: a test NetworkPolicy is enforced as predicted.
	CheckPolicyEnforcement = "policy-enforcement"
)

// AllChecks lists every check in the order Run runs them.
var AllChecks = []string{
	CheckCiliumDaemonSet, CheckCiliumOperator, CheckNoKubeProxy, CheckCiliumLogs,
	CheckEndpointSlices, CheckCiliumVersion, CheckPolicyEnforcement,
}

// The Kubernetes objects AKS runs Cilium as.
const (
	// CiliumNamespace holds Cilium's agent and operator on AKS.
	CiliumNamespace = "kube-system"
	// CiliumDaemonSet is the agent's DaemonSet.
	CiliumDaemonSet = "cilium"
	// CiliumAgentContainer is the agent's container in the DaemonSet's pods.
	CiliumAgentContainer = "cilium-agent"
	// CiliumPodSelector selects the agent's pods.
	CiliumPodSelector = "k8s-app=cilium"
	// CiliumOperatorDeployment is the operator's Deployment.
	CiliumOperatorDeployment = "cilium-operator"
	// KubeProxyDaemonSet is the DaemonSet that must not exist on a Cilium cluster.
	KubeProxyDaemonSet = "kube-proxy"
)

// Defaults of Options.
const (
	// DefaultProbeImage runs the probe pods: Microsoft's Azure Linux busybox
	// from MCR (reachable from clusters whose egress is limited to AKS's
	// required endpoints). The probes use busybox's sh, httpd (server),
	// wget (client) and sleep; an image without them needs
	// Options.ProbeServerCommand and a Prober of its own, e.g. agnhost
	// (registry.k8s.io/e2e-test-images/agnhost) with `netexec` and `connect`.
	DefaultProbeImage = "mcr.microsoft.com/azurelinux/busybox:1.36"
	// DefaultProbePort is the port the probe server listens on.
	DefaultProbePort = 8080
	// DefaultCheckTimeout bounds each check but policy-enforcement.
	DefaultCheckTimeout = time.Minute
	// DefaultPolicyTimeout bounds policy-enforcement as a whole.
	DefaultPolicyTimeout = 3 * time.Minute
	// DefaultPodReadyTimeout bounds the wait for the probe pods to be Ready.
	DefaultPodReadyTimeout = 2 * time.Minute
	// DefaultProbeTimeout bounds one connection attempt.
	DefaultProbeTimeout = 10 * time.Second
	// DefaultProbeAttempts is how often a probe is tried before its
	// observation counts: Cilium applies a new policy within seconds, not at once.
	DefaultProbeAttempts = 3
	// DefaultProbeInterval is the pause between two attempts of a probe.
	DefaultProbeInterval = time.Second
	// DefaultCleanupTimeout bounds deleting the scratch namespace.
	DefaultCleanupTimeout = 30 * time.Second
	// DefaultMaxLogBytes caps the bytes read from one agent's log.
	DefaultMaxLogBytes = 16 << 20
	// DefaultMaxLogSamples caps the error lines quoted in the evidence.
	DefaultMaxLogSamples = 5
)

// Options choose the checks and tune them. The zero value runs every check
// with the defaults above.
type Options struct {
	// Checks are the names of the checks to run (see AllChecks); empty runs all.
	Checks []string

	// Since is where cilium-logs starts reading; zero reads everything the
	// kubelet keeps of the agents' current containers.
	Since time.Time

	// KubernetesVersion ("1.32" or "1.32.4") replaces the version the API
	// server reports for the version table and feature gates; the evidence
	// notes when the two differ. Empty uses the server's version.
	KubernetesVersion string
	// AllowNewerKubernetes accepts a Kubernetes minor newer than the version
	// table, with the table's last minimum (spec.LookupKubernetes).
	AllowNewerKubernetes bool
	// MinCiliumVersion is the minimum Cilium version to expect (e.g. the
	// stack output minCiliumVersion); empty takes it from the version table.
	MinCiliumVersion string

	// ProbeImage runs the probe pods; DefaultProbeImage when empty.
	ProbeImage string
	// ProbeServerCommand runs the probe server, which must listen on
	// ProbePort; empty serves HTTP with busybox httpd.
	ProbeServerCommand []string
	// ProbePort is the probe server's TCP port; DefaultProbePort when 0.
	ProbePort int
	// ProbeAttempts is how often a connection is tried until it behaves as
	// predicted; DefaultProbeAttempts when 0.
	ProbeAttempts int
	// ProbeInterval is the pause between attempts; DefaultProbeInterval when 0.
	ProbeInterval time.Duration

	// CheckTimeout bounds each check but policy-enforcement.
	CheckTimeout time.Duration
	// PolicyTimeout bounds policy-enforcement (pods, waits and probes).
	PolicyTimeout time.Duration
	// PodReadyTimeout bounds the wait for the probe pods to become Ready.
	PodReadyTimeout time.Duration
	// ProbeTimeout bounds one connection attempt.
	ProbeTimeout time.Duration
	// CleanupTimeout bounds deleting the scratch namespace; the cleanup runs
	// with a fresh context, so it also happens after ctx is cancelled.
	CleanupTimeout time.Duration

	// MaxLogBytes caps the bytes read from each agent's log.
	MaxLogBytes int64
	// MaxLogSamples caps the error lines quoted in the evidence.
	MaxLogSamples int

	// LogSource reads the agents' logs; nil reads them from the API server
	// (PodLogSource).
	LogSource LogSource
	// Prober opens the probe connections; nil execs into the client pods
	// (ExecProber), which needs a rest.Config.
	Prober Prober
}

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	if len(o.Checks) == 0 {
		o.Checks = AllChecks
	}
	if o.ProbeImage == "" {
		o.ProbeImage = DefaultProbeImage
	}
	if o.ProbePort == 0 {
		o.ProbePort = DefaultProbePort
	}
	if o.ProbeAttempts == 0 {
		o.ProbeAttempts = DefaultProbeAttempts
	}
	setDuration(&o.CheckTimeout, DefaultCheckTimeout)
	setDuration(&o.PolicyTimeout, DefaultPolicyTimeout)
	setDuration(&o.PodReadyTimeout, DefaultPodReadyTimeout)
	setDuration(&o.ProbeTimeout, DefaultProbeTimeout)
	setDuration(&o.CleanupTimeout, DefaultCleanupTimeout)
	setDuration(&o.ProbeInterval, DefaultProbeInterval)
	if o.MaxLogBytes == 0 {
		o.MaxLogBytes = DefaultMaxLogBytes
	}
	if o.MaxLogSamples == 0 {
		o.MaxLogSamples = DefaultMaxLogSamples
	}
	return o
}

func setDuration(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

// validate reports every bad option at once.
func (o Options) validate() error {
	var errs []error
	seen := map[string]bool{}
	for _, name := range o.Checks {
		switch {
		case !slices.Contains(AllChecks, name):
			errs = append(errs, fmt.Errorf("Options.Checks: unknown check %q (valid: %s)", name, strings.Join(AllChecks, ", ")))
		case seen[name]:
			errs = append(errs, fmt.Errorf("Options.Checks: %q is listed twice", name))
		}
		seen[name] = true
	}
	if o.ProbePort < 1 || o.ProbePort > 65535 {
		errs = append(errs, fmt.Errorf("Options.ProbePort: %d is not a port (1-65535)", o.ProbePort))
	}
	if o.ProbeAttempts < 1 {
		errs = append(errs, fmt.Errorf("Options.ProbeAttempts: %d, want at least 1", o.ProbeAttempts))
	}
	durations := []struct {
		name string
		d    time.Duration
	}{
		{"CheckTimeout", o.CheckTimeout}, {"PolicyTimeout", o.PolicyTimeout}, {"PodReadyTimeout", o.PodReadyTimeout},
		{"ProbeTimeout", o.ProbeTimeout}, {"ProbeInterval", o.ProbeInterval}, {"CleanupTimeout", o.CleanupTimeout},
	}
	for _, f := range durations {
		if f.d < 0 {
			errs = append(errs, fmt.Errorf("Options.%s: %s is negative", f.name, f.d))
		}
	}
	if o.MaxLogBytes < 0 || o.MaxLogSamples < 0 {
		errs = append(errs, errors.New("Options.MaxLogBytes and MaxLogSamples may not be negative"))
	}
	return errors.Join(errs...)
}

// Clients are the API clients the checks use. Run builds them from a
// rest.Config; RunClients takes them as they are, e.g. client-go's fakes.
type Clients struct {
	// Kube is the typed client (nodes, workloads, pods, logs, discovery).
	Kube kubernetes.Interface
	// Dynamic lists CiliumEndpointSlices.
	Dynamic dynamic.Interface
	// Config is used by the default Prober to exec into pods; it may be nil
	// when Options.Prober is set.
	Config *rest.Config
}

// Run runs the chosen checks against the cluster cfg reaches, one after the
// other, and reports each one's verdict and evidence. A check that cannot
// read what it needs fails with the error as evidence; Run itself returns an
// error only for bad options or an unusable cfg, or when ctx ends, in which
// case the report holds the checks that ran and the others fail as not run.
func Run(ctx context.Context, cfg *rest.Config, opts Options) (*Report, error) {
	if cfg == nil {
		return nil, errors.New("verify: no rest.Config")
	}
	cfg = rest.CopyConfig(cfg)
	if cfg.UserAgent == "" {
		cfg.UserAgent = "aks-cilium-verify"
	}
	// client-go's default (5 per second, bursts of 10) makes reading the
	// logs of a hundred agents needlessly slow.
	if cfg.QPS == 0 && cfg.Burst == 0 {
		cfg.QPS, cfg.Burst = 20, 40
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("verify: Kubernetes client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("verify: dynamic client: %w", err)
	}
	return RunClients(ctx, Clients{Kube: kube, Dynamic: dyn, Config: cfg}, opts)
}

// RunClients is Run with clients made by the caller.
func RunClients(ctx context.Context, c Clients, opts Options) (*Report, error) {
	if c.Kube == nil || c.Dynamic == nil {
		return nil, errors.New("verify: Clients.Kube and Clients.Dynamic are required")
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if opts.LogSource == nil {
		opts.LogSource = PodLogSource{Client: c.Kube}
	}
	if opts.Prober == nil && c.Config != nil {
		opts.Prober = &ExecProber{Config: c.Config, Client: c.Kube}
	}
	r := &runner{Clients: c, opts: opts}
	report := &Report{Started: time.Now()}
	for _, name := range AllChecks {
		if !slices.Contains(opts.Checks, name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			report.Checks = append(report.Checks, Check{Name: name, Verdict: Fail, Summary: "not run: " + err.Error()})
			continue
		}
		report.Checks = append(report.Checks, r.run(ctx, name))
	}
	report.KubernetesVersion = r.version.display()
	report.Duration = time.Since(report.Started)
	return report, ctx.Err()
}

// runner holds the clients and what several checks share.
type runner struct {
	Clients
	opts Options

	version  *clusterVersion  // resolved once, by the first check that needs it
	ciliumDS *ciliumDaemonSet // read once, by the first check that needs it
}

// run runs one check under its timeout and times it.
func (r *runner) run(ctx context.Context, name string) Check {
	funcs := map[string]func(context.Context) Check{
		CheckCiliumDaemonSet:   r.checkDaemonSet,
		CheckCiliumOperator:    r.checkOperator,
		CheckNoKubeProxy:       r.checkNoKubeProxy,
		CheckCiliumLogs:        r.checkLogs,
		CheckEndpointSlices:    r.checkEndpointSlices,
		CheckCiliumVersion:     r.checkVersion,
		CheckPolicyEnforcement: r.checkPolicy,
	}
	timeout := r.opts.CheckTimeout
	if name == CheckPolicyEnforcement {
		timeout = r.opts.PolicyTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	c := funcs[name](cctx)
	c.Name = name
	c.Duration = time.Since(start)
	return c
}

// pass, fail and skip build a check's result.
func pass(summary string, evidence ...string) Check {
	return Check{Verdict: Pass, Summary: summary, Evidence: evidence}
}

func fail(summary string, evidence ...string) Check {
	return Check{Verdict: Fail, Summary: summary, Evidence: evidence}
}

func skip(reason string, evidence ...string) Check {
	return Check{Verdict: Skipped, Summary: reason, Evidence: evidence}
}

// nameList joins names, showing at most max of them.
func nameList(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}

// plural is "1 node" or "3 nodes".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
