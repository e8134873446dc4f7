package planview

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/aks-cilium/aks-cilium/components/netpol"
)

// Workloads are the namespaces and pods a reachability matrix is computed
// for: the rows and columns are their namespaces.
type Workloads struct {
	// Namespaces with their labels; namespaces of pods not listed are
	// added with their name label only (as NewEvaluator does).
	Namespaces []netpol.Namespace
	// Pods, each with its labels (and named ports, if policies use them).
	Pods []netpol.Pod
}

// BaselinePodsPerNamespace is how many pods BaselineWorkloads puts in each
// namespace: two, so that traffic between two pods of one namespace (not
// from a pod to itself, which no policy restricts) is in the matrix.
const BaselinePodsPerNamespace = 2

// BaselineWorkloads models a cluster for a baseline config's matrix: its
// target namespaces (sorted), then the namespaces its allowances name (the
// ingress controller's, monitoring's) and kube-system, each with
// BaselinePodsPerNamespace pods that carry the labels the allowances select
// in that namespace, and CoreDNS (k8s-app=kube-dns) in kube-system.
func BaselineWorkloads(cfg netpol.Config) Workloads {
	var order []string
	labels := map[string]map[string]string{}
	addNS := func(ns string, sel map[string]string) {
		if _, ok := labels[ns]; !ok {
			order = append(order, ns)
			labels[ns] = map[string]string{}
		}
		for k, v := range sel {
			if _, set := labels[ns][k]; !set {
				labels[ns][k] = v
			}
		}
	}
	targets := slices.Sorted(slices.Values(cfg.Namespaces))
	for _, ns := range targets {
		addNS(ns, nil)
	}
	if ic := cfg.IngressController; ic != nil {
		addNS(ic.Namespace, ic.PodSelector)
	}
	if mon := cfg.Monitoring; mon != nil {
		addNS(mon.Namespace, mon.PodSelector)
	}
	addNS(netpol.KubeDNSNamespace, nil)
	var w Workloads
	for _, ns := range order {
		w.Namespaces = append(w.Namespaces, netpol.Namespace{Name: ns})
		for i := 1; i <= BaselinePodsPerNamespace; i++ {
			w.Pods = append(w.Pods, netpol.Pod{Namespace: ns, Name: fmt.Sprintf("pod-%d", i), Labels: maps.Clone(labels[ns])})
		}
		if ns == netpol.KubeDNSNamespace {
			w.Pods = append(w.Pods, netpol.Pod{Namespace: ns, Name: "coredns", Labels: map[string]string{netpol.KubeDNSLabelKey: netpol.KubeDNSLabel}})
		}
	}
	return w
}

// Probe is a port and protocol a connection is evaluated on.
type Probe struct {
	Port     int
	Protocol corev1.Protocol
	// Why the port is probed: the policy that names it, or "any other port".
	Why string
}

// String is "TCP/8080".
func (p Probe) String() string { return fmt.Sprintf("%s/%d", p.Protocol, p.Port) }

// MaxNamedProbes bounds the ports Probes takes from the policies.
const MaxNamedProbes = 6

// otherPorts are candidates for "a port no policy names".
var otherPorts = []int{443, 8443, 5000, 6000, 7000}

// Probes are the ports a namespace-to-namespace cell is evaluated on: the
// numeric ports the policies' rules name (DNS, port 53, has its own column;
// at most MaxNamedProbes), then one TCP port that no rule names, standing
// for every other port.
func Probes(policies []networkingv1.NetworkPolicy) []Probe {
	seen := map[string]bool{}
	var out []Probe
	named := func(np *networkingv1.NetworkPolicy, ports []networkingv1.NetworkPolicyPort) {
		for _, pp := range ports {
			if pp.Port == nil || pp.Port.StrVal != "" || pp.Port.IntValue() == 53 {
				continue
			}
			pr := corev1.ProtocolTCP
			if pp.Protocol != nil {
				pr = *pp.Protocol
			}
			p := Probe{Port: pp.Port.IntValue(), Protocol: pr, Why: "named by " + np.Namespace + "/" + np.Name}
			if !seen[p.String()] {
				seen[p.String()] = true
				out = append(out, p)
			}
		}
	}
	for i := range policies {
		np := &policies[i]
		for _, r := range np.Spec.Ingress {
			named(np, r.Ports)
		}
		for _, r := range np.Spec.Egress {
			named(np, r.Ports)
		}
	}
	slices.SortStableFunc(out, func(a, b Probe) int {
		return cmp.Or(cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Port, b.Port))
	})
	out = out[:min(len(out), MaxNamedProbes)]
	for _, p := range otherPorts {
		if !seen[fmt.Sprintf("TCP/%d", p)] {
			out = append(out, Probe{Port: p, Protocol: corev1.ProtocolTCP, Why: "a port no policy names: any other port"})
			break
		}
	}
	return out
}

// The probes of the DNS and internet columns.
var (
	dnsProbes      = []Probe{{Port: 53, Protocol: corev1.ProtocolUDP, Why: "DNS"}, {Port: 53, Protocol: corev1.ProtocolTCP, Why: "DNS over TCP"}}
	internetProbes = []Probe{{Port: 443, Protocol: corev1.ProtocolTCP, Why: "HTTPS"}}
)

// InternetAddress is the destination of the internet column: a public
// address (TEST-NET-2, RFC 5737) outside every private range, standing for
// any address on the internet.
var InternetAddress = netip.MustParseAddr("198.51.100.10")

// ColumnKind says what a matrix column is.
type ColumnKind string

// The column kinds.
const (
	ColumnNamespace ColumnKind = "namespace"
	ColumnDNS       ColumnKind = "dns"
	ColumnInternet  ColumnKind = "internet"
)

// Group is a namespace and its pods (indices into Workloads.Pods).
type Group struct {
	Namespace string
	Pods      []int
}

// Column is a destination: a namespace's pods, kube-dns, or the internet.
type Column struct {
	Kind ColumnKind
	// Name is the namespace, "DNS" or "internet".
	Name string
	// Pods are the destination pods (none for the internet).
	Pods []int
	// Probes are the ports its cells are evaluated on.
	Probes []Probe
	// Title says what the column is, on hover.
	Title string
}

// State is a cell's verdict over all its pod pairs and probes.
type State string

// The cell states.
const (
	StateAllowed State = "allowed" // every pair on every probe
	StateDenied  State = "denied"  // no pair on any probe
	StatePartial State = "partial" // some pairs or some probes
	StateEmpty   State = "empty"   // no pair to evaluate
)

// Result is one probe of one cell.
type Result struct {
	Probe Probe
	// Allowed of Pairs pod pairs may connect (a pod and itself not counted).
	Allowed, Pairs int
	// Example is a pair, denied when one is, and Reason the evaluator's
	// reason for it (netpol.Verdict.Reason).
	Example, Reason string
}

// Cell is a source namespace to a destination column.
type Cell struct {
	From, To string
	Kind     ColumnKind
	State    State
	Results  []Result
}

// Text is what the cell shows: ✓, ✗, –, or for a partial cell the ports
// on which some pair is allowed ("8080"), after ◐ when on one of them only
// some pairs are ("◐9090"); more than two ports are not listed.
func (c Cell) Text() string {
	switch c.State {
	case StateAllowed:
		return "✓"
	case StateDenied:
		return "✗"
	case StateEmpty:
		return "–"
	}
	var ports []string
	some := false
	for _, r := range c.Results {
		if r.Allowed > 0 {
			ports = append(ports, fmt.Sprint(r.Probe.Port))
			some = some || r.Allowed < r.Pairs
		}
	}
	s := strings.Join(ports, ",")
	if len(ports) > 2 {
		s = ""
	}
	if some || s == "" {
		s = "◐" + s
	}
	return s
}

// Tooltip is the cell's hover text: each probe's count and reason.
func (c Cell) Tooltip() string {
	lines := []string{fmt.Sprintf("%s → %s: %s", c.From, c.To, c.State)}
	for _, r := range c.Results {
		if r.Pairs == 0 {
			lines = append(lines, r.Probe.String()+": no pod pair")
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: %d of %d pod pairs allowed; e.g. %s: %s", r.Probe, r.Allowed, r.Pairs, r.Example, r.Reason))
	}
	return strings.Join(lines, "\n")
}

// Counts is the cell's data-probes attribute: "TCP/8080=2/4 TCP/443=0/4".
func (c Cell) Counts() string {
	parts := make([]string, len(c.Results))
	for i, r := range c.Results {
		parts[i] = fmt.Sprintf("%s=%d/%d", r.Probe, r.Allowed, r.Pairs)
	}
	return strings.Join(parts, " ")
}

// Reach is the reachability matrix: source namespaces by destination
// namespaces, DNS and the internet.
type Reach struct {
	Rows    []Group
	Columns []Column
	// Cells[i][j] is Rows[i] to Columns[j].
	Cells [][]Cell
	// Pods and Policies are the sizes of the input.
	Pods, Policies int
	// Probes are the namespace columns' probes.
	Probes []Probe
}

// NewReach evaluates the policies for the workloads with netpol's
// evaluator: one Matrix a probe for the namespace and DNS columns, Allowed
// for the internet column and for each cell's example reason.
func NewReach(policies []networkingv1.NetworkPolicy, w Workloads) (*Reach, error) {
	ev, err := netpol.NewEvaluator(policies, w.Namespaces, w.Pods)
	if err != nil {
		return nil, err
	}
	r := &Reach{Pods: len(w.Pods), Policies: len(policies), Probes: Probes(policies)}
	byNS := map[string]int{}
	group := func(ns string) int {
		if i, ok := byNS[ns]; ok {
			return i
		}
		byNS[ns] = len(r.Rows)
		r.Rows = append(r.Rows, Group{Namespace: ns})
		return len(r.Rows) - 1
	}
	for _, ns := range w.Namespaces {
		group(ns.Name)
	}
	var dns []int
	for i, p := range w.Pods {
		g := group(p.Namespace)
		r.Rows[g].Pods = append(r.Rows[g].Pods, i)
		if p.Namespace == netpol.KubeDNSNamespace && p.Labels[netpol.KubeDNSLabelKey] == netpol.KubeDNSLabel {
			dns = append(dns, i)
		}
	}
	for _, g := range r.Rows {
		r.Columns = append(r.Columns, Column{Kind: ColumnNamespace, Name: g.Namespace, Pods: g.Pods, Probes: r.Probes,
			Title: fmt.Sprintf("to the %d pods of %s", len(g.Pods), g.Namespace)})
	}
	r.Columns = append(r.Columns,
		Column{Kind: ColumnDNS, Name: "DNS", Pods: dns, Probes: dnsProbes,
			Title: fmt.Sprintf("to kube-dns: the %d pods labelled %s=%s in %s, on UDP and TCP 53", len(dns), netpol.KubeDNSLabelKey, netpol.KubeDNSLabel, netpol.KubeDNSNamespace)},
		Column{Kind: ColumnInternet, Name: "internet", Probes: internetProbes,
			Title: fmt.Sprintf("to %s on TCP 443, an address standing for the internet", InternetAddress)},
	)
	matrices := map[string]*netpol.Matrix{}
	for _, col := range r.Columns {
		if col.Kind == ColumnInternet {
			continue
		}
		for _, p := range col.Probes {
			if matrices[p.String()] == nil {
				matrices[p.String()] = ev.Matrix(p.Port, p.Protocol)
			}
		}
	}
	r.Cells = make([][]Cell, len(r.Rows))
	for i, g := range r.Rows {
		r.Cells[i] = make([]Cell, len(r.Columns))
		for j, col := range r.Columns {
			c := Cell{From: g.Namespace, To: col.Name, Kind: col.Kind}
			for _, p := range col.Probes {
				var res Result
				if col.Kind == ColumnInternet {
					res, err = internetResult(ev, w.Pods, g.Pods, p)
				} else {
					res, err = podsResult(ev, matrices[p.String()], w.Pods, g.Pods, col.Pods, p)
				}
				if err != nil {
					return nil, err
				}
				c.Results = append(c.Results, res)
			}
			c.State = stateOf(c.Results)
			r.Cells[i][j] = c
		}
	}
	return r, nil
}

// podsResult counts the allowed pairs from the pods from to the pods to on
// the probe's matrix, and explains one (a denied one when there is one).
func podsResult(ev *netpol.Evaluator, m *netpol.Matrix, pods []netpol.Pod, from, to []int, p Probe) (Result, error) {
	res := Result{Probe: p}
	exA, exB, denied := -1, -1, false
	for _, a := range from {
		for _, b := range to {
			if a == b {
				continue
			}
			res.Pairs++
			ok := m.Allowed(a, b)
			if ok {
				res.Allowed++
			}
			if exA < 0 || !ok && !denied {
				exA, exB, denied = a, b, !ok
			}
		}
	}
	if exA < 0 {
		return res, nil
	}
	src, dst := endpoint(pods[exA]), endpoint(pods[exB])
	v, err := ev.Allowed(src, dst, p.Port, p.Protocol)
	if err != nil {
		return res, err
	}
	res.Example, res.Reason = src.String()+" → "+dst.String(), v.Reason()
	return res, nil
}

// internetResult evaluates each source pod to InternetAddress.
func internetResult(ev *netpol.Evaluator, pods []netpol.Pod, from []int, p Probe) (Result, error) {
	res := Result{Probe: p}
	dst := netpol.ExternalEndpoint(InternetAddress)
	var example *netpol.Verdict
	var exSrc netpol.Endpoint
	for _, a := range from {
		src := endpoint(pods[a])
		v, err := ev.Allowed(src, dst, p.Port, p.Protocol)
		if err != nil {
			return res, err
		}
		res.Pairs++
		if v.Allowed {
			res.Allowed++
		}
		if example == nil || !v.Allowed && example.Allowed {
			example, exSrc = &v, src
		}
	}
	if example != nil {
		res.Example, res.Reason = exSrc.String()+" → "+dst.String(), example.Reason()
	}
	return res, nil
}

func endpoint(p netpol.Pod) netpol.Endpoint { return netpol.PodEndpoint(p.Namespace, p.Name) }

// stateOf folds a cell's results.
func stateOf(rs []Result) State {
	pairs, allowed := 0, 0
	for _, r := range rs {
		pairs += r.Pairs
		allowed += r.Allowed
	}
	switch {
	case pairs == 0:
		return StateEmpty
	case allowed == pairs:
		return StateAllowed
	case allowed == 0:
		return StateDenied
	}
	return StatePartial
}
