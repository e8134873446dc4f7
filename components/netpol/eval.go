package netpol

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The evaluator below is hand-written: the libraries that evaluate
// NetworkPolicies either give ipBlock plain Kubernetes semantics (it matches
// pod IPs) or come with heavy dependency trees (np-guard's netpol-analyzer
// brings kustomize, cli-runtime and OpenShift's API), and none precomputes
// selections for large matrices. np-guard serves as the test oracle.

// Namespace is a namespace and its labels. The evaluator adds the
// kubernetes.io/metadata.name label the API server sets on every namespace.
type Namespace struct {
	// Name of the namespace.
	Name string
	// Labels of the namespace.
	Labels map[string]string
}

// Pod is a pod as the evaluator sees it.
type Pod struct {
	// Namespace and Name identify the pod.
	Namespace, Name string
	// Labels of the pod.
	Labels map[string]string
	// IP is optional; when set, ExternalEndpoint(IP) resolves to this pod,
	// because Cilium identifies traffic by the pod's identity, not its address.
	IP netip.Addr
	// Ports are the container ports, for named ports in policies.
	Ports []ContainerPort
}

// ContainerPort is a named container port.
type ContainerPort struct {
	// Name is the port name ("http"); empty for an unnamed port.
	Name string
	// Port is the number.
	Port int32
	// Protocol is TCP (the default when empty), UDP or SCTP.
	Protocol corev1.Protocol
}

// Endpoint is one side of a connection: a pod (Namespace and Name) or an
// address outside the cluster (IP).
type Endpoint struct {
	// Namespace and Name of a pod; empty for an external endpoint.
	Namespace, Name string
	// IP of an external endpoint.
	IP netip.Addr
}

// PodEndpoint is the pod namespace/name.
func PodEndpoint(namespace, name string) Endpoint { return Endpoint{Namespace: namespace, Name: name} }

// ExternalEndpoint is an address outside the cluster (Cilium's "world").
func ExternalEndpoint(ip netip.Addr) Endpoint { return Endpoint{IP: ip} }

// IsPod reports whether the endpoint names a pod.
func (e Endpoint) IsPod() bool { return e.Name != "" }

// String is "namespace/name" or the IP.
func (e Endpoint) String() string {
	if e.IsPod() {
		return e.Namespace + "/" + e.Name
	}
	return e.IP.String()
}

// RuleRef names one rule of a NetworkPolicy.
type RuleRef struct {
	// Namespace and Name of the policy.
	Namespace, Name string
	// Rule is the index in spec.ingress or spec.egress.
	Rule int
}

// String is "namespace/name rule N".
func (r RuleRef) String() string { return fmt.Sprintf("%s/%s rule %d", r.Namespace, r.Name, r.Rule) }

// Side is the verdict of one direction: the source's egress or the
// destination's ingress.
type Side struct {
	// Pod is false when this side's endpoint is external: nothing is
	// enforced there.
	Pod bool
	// Isolated is true when at least one policy selects the pod for this
	// direction; otherwise everything is allowed.
	Isolated bool
	// Allowed is the side's result.
	Allowed bool
	// SelectedBy are the policies that select the pod for this direction.
	SelectedBy []string
	// AllowedBy are the rules that allow the connection.
	AllowedBy []RuleRef
}

// Verdict says whether a connection is allowed, and why.
type Verdict struct {
	// Allowed is the result: egress and ingress both allow it (or a pod
	// talks to itself, which no policy restricts).
	Allowed bool
	// SamePod is true for traffic from a pod to itself.
	SamePod bool
	// Egress is the source's side, Ingress the destination's.
	Egress, Ingress Side
}

// Reason explains the verdict in one line.
func (v Verdict) Reason() string {
	if v.SamePod {
		return "allowed: traffic from a pod to itself is not subject to policy"
	}
	word := "denied"
	if v.Allowed {
		word = "allowed"
	}
	return word + ": egress " + v.Egress.reason("Egress") + "; ingress " + v.Ingress.reason("Ingress")
}

func (s Side) reason(direction string) string {
	switch {
	case !s.Pod:
		return "not enforced (external endpoint)"
	case !s.Isolated:
		return "allowed (no policy selects the pod for " + direction + ")"
	case s.Allowed:
		refs := make([]string, len(s.AllowedBy))
		for i, r := range s.AllowedBy {
			refs[i] = r.String()
		}
		return "allowed by " + strings.Join(refs, ", ")
	}
	return "denied (selected by " + strings.Join(s.SelectedBy, ", ") + "; no rule allows it)"
}

// Evaluator answers reachability questions for a fixed set of
// NetworkPolicies, namespaces and pods, with Kubernetes NetworkPolicy
// semantics plus Cilium's: an ipBlock matches only external endpoints,
// never a pod (nor a node), whatever its CIDR. Traffic from a pod to itself
// is always allowed. Nodes and hostNetwork pods are not modelled, nor are
// CiliumNetworkPolicies (their FQDN and L7 rules need DNS answers and
// requests). Allowed and Matrix only read the compiled policies, so an
// Evaluator may be shared between goroutines.
type Evaluator struct {
	pods      []Pod
	podByName map[string]int
	podByIP   map[netip.Addr]int
	policies  []compiledPolicy
	ingressOf [][]int // per pod: the policies selecting it for ingress
	egressOf  [][]int // per pod: the policies selecting it for egress
	all       bitset
}

type compiledPolicy struct {
	namespace, name string
	ingress         []compiledRule
	egress          []compiledRule
}

type compiledRule struct {
	allPeers bool   // empty from/to: every pod and every address
	pods     bitset // pods matched by the selector peers
	ipBlocks []compiledIPBlock
	ports    []compiledPort // empty: every port
}

type compiledIPBlock struct {
	cidr   netip.Prefix
	except []netip.Prefix
}

type compiledPort struct {
	proto      corev1.Protocol
	all        bool // no port: every port of proto
	start, end int32
	name       string // a named port, resolved on the destination pod
}

// NewEvaluator compiles the policies. Namespaces of pods that are not
// listed are added with no labels but their name. It returns an error for a
// policy the API server would refuse (bad selector, CIDR or peer).
func NewEvaluator(policies []networkingv1.NetworkPolicy, namespaces []Namespace, pods []Pod) (*Evaluator, error) {
	nsMap := map[string]Namespace{}
	for _, ns := range namespaces {
		nsMap[ns.Name] = withNameLabel(ns)
	}
	e := &Evaluator{
		pods:      slices.Clone(pods),
		podByName: make(map[string]int, len(pods)),
		podByIP:   make(map[netip.Addr]int, len(pods)),
		ingressOf: make([][]int, len(pods)),
		egressOf:  make([][]int, len(pods)),
		all:       newBitset(len(pods)),
	}
	for i, p := range e.pods {
		key := p.Namespace + "/" + p.Name
		if _, dup := e.podByName[key]; dup {
			return nil, fmt.Errorf("pod %s is listed twice", key)
		}
		e.podByName[key] = i
		if p.IP.IsValid() {
			e.podByIP[p.IP] = i
		}
		if _, ok := nsMap[p.Namespace]; !ok {
			nsMap[p.Namespace] = withNameLabel(Namespace{Name: p.Namespace})
		}
		e.all.set(i)
	}
	ix := newPodIndex(e.pods, nsMap)
	for pi := range policies {
		np := &policies[pi]
		cp, selected, ingress, egress, err := compilePolicy(ix, np)
		if err != nil {
			return nil, fmt.Errorf("NetworkPolicy %s/%s: %w", np.Namespace, np.Name, err)
		}
		idx := len(e.policies)
		e.policies = append(e.policies, cp)
		selected.each(func(i int) {
			if ingress {
				e.ingressOf[i] = append(e.ingressOf[i], idx)
			}
			if egress {
				e.egressOf[i] = append(e.egressOf[i], idx)
			}
		})
	}
	return e, nil
}

func withNameLabel(ns Namespace) Namespace {
	l := make(map[string]string, len(ns.Labels)+1)
	for k, v := range ns.Labels {
		l[k] = v
	}
	if _, ok := l[NamespaceNameLabel]; !ok {
		l[NamespaceNameLabel] = ns.Name
	}
	return Namespace{Name: ns.Name, Labels: l}
}

// policyDirections says which directions a policy isolates: those in
// policyTypes, or, when it is empty (as the API server defaults it),
// Ingress always and Egress when there are egress rules.
func policyDirections(spec *networkingv1.NetworkPolicySpec) (ingress, egress bool) {
	if len(spec.PolicyTypes) == 0 {
		return true, len(spec.Egress) > 0
	}
	return slices.Contains(spec.PolicyTypes, networkingv1.PolicyTypeIngress),
		slices.Contains(spec.PolicyTypes, networkingv1.PolicyTypeEgress)
}

func compilePolicy(ix *podIndex, np *networkingv1.NetworkPolicy) (cp compiledPolicy, selected bitset, ingress, egress bool, err error) {
	cp = compiledPolicy{namespace: np.Namespace, name: np.Name}
	selected, err = ix.inNamespace(np.Namespace, &np.Spec.PodSelector)
	if err != nil {
		return cp, nil, false, false, fmt.Errorf("spec.podSelector: %w", err)
	}
	ingress, egress = policyDirections(&np.Spec)
	if ingress {
		for i, r := range np.Spec.Ingress {
			rule, err := compileRule(ix, np.Namespace, r.From, r.Ports)
			if err != nil {
				return cp, nil, false, false, fmt.Errorf("spec.ingress[%d]: %w", i, err)
			}
			cp.ingress = append(cp.ingress, rule)
		}
	}
	if egress {
		for i, r := range np.Spec.Egress {
			rule, err := compileRule(ix, np.Namespace, r.To, r.Ports)
			if err != nil {
				return cp, nil, false, false, fmt.Errorf("spec.egress[%d]: %w", i, err)
			}
			cp.egress = append(cp.egress, rule)
		}
	}
	return cp, selected, ingress, egress, nil
}

func compileRule(ix *podIndex, ns string, peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) (compiledRule, error) {
	rule := compiledRule{allPeers: len(peers) == 0, pods: newBitset(len(ix.pods))}
	for i, peer := range peers {
		sel := peer.PodSelector != nil || peer.NamespaceSelector != nil
		switch {
		case peer.IPBlock != nil && sel:
			return rule, fmt.Errorf("peer %d: ipBlock may not be combined with a selector", i)
		case peer.IPBlock != nil:
			b, err := compileIPBlock(peer.IPBlock)
			if err != nil {
				return rule, fmt.Errorf("peer %d: %w", i, err)
			}
			rule.ipBlocks = append(rule.ipBlocks, b)
		case peer.NamespaceSelector != nil:
			pods, err := ix.inNamespaces(peer.NamespaceSelector, peer.PodSelector)
			if err != nil {
				return rule, fmt.Errorf("peer %d: %w", i, err)
			}
			rule.pods.or(pods)
		case peer.PodSelector != nil:
			pods, err := ix.inNamespace(ns, peer.PodSelector)
			if err != nil {
				return rule, fmt.Errorf("peer %d: %w", i, err)
			}
			rule.pods.or(pods)
		default:
			return rule, fmt.Errorf("peer %d: empty peer: set podSelector, namespaceSelector or ipBlock", i)
		}
	}
	for i, p := range ports {
		cport := compiledPort{proto: corev1.ProtocolTCP, all: p.Port == nil}
		if p.Protocol != nil && *p.Protocol != "" {
			cport.proto = *p.Protocol
		}
		switch {
		case p.Port == nil:
		case p.Port.Type == intstr.String:
			cport.name = p.Port.StrVal
		default:
			cport.start, cport.end = p.Port.IntVal, p.Port.IntVal
			if p.EndPort != nil {
				cport.end = *p.EndPort
			}
			if cport.start < 1 || cport.end > 65535 || cport.end < cport.start {
				return rule, fmt.Errorf("ports[%d]: invalid port range %d-%d", i, cport.start, cport.end)
			}
		}
		rule.ports = append(rule.ports, cport)
	}
	return rule, nil
}

func compileIPBlock(b *networkingv1.IPBlock) (compiledIPBlock, error) {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		return compiledIPBlock{}, fmt.Errorf("ipBlock.cidr %q: not a CIDR", b.CIDR)
	}
	out := compiledIPBlock{cidr: cidr.Masked()}
	for _, ex := range b.Except {
		p, err := netip.ParsePrefix(ex)
		if err != nil {
			return compiledIPBlock{}, fmt.Errorf("ipBlock.except %q: not a CIDR", ex)
		}
		out.except = append(out.except, p.Masked())
	}
	return out, nil
}

func (b compiledIPBlock) contains(ip netip.Addr) bool {
	if !b.cidr.Contains(ip) {
		return false
	}
	for _, ex := range b.except {
		if ex.Contains(ip) {
			return false
		}
	}
	return true
}

// peerMatches reports whether the rule's peers include the endpoint: a pod
// (index pod >= 0) through selectors only, an external address through
// ipBlocks only (Cilium's semantics). Empty peers match everything.
func (r *compiledRule) peerMatches(pod int, ip netip.Addr) bool {
	if r.allPeers {
		return true
	}
	if pod >= 0 {
		return r.pods.has(pod)
	}
	for _, b := range r.ipBlocks {
		if b.contains(ip) {
			return true
		}
	}
	return false
}

// portMatches reports whether the rule allows port/proto to the destination
// (dst >= 0 is a pod, which resolves named ports; otherwise external).
func (e *Evaluator) portMatches(r *compiledRule, port int32, proto corev1.Protocol, dst int) bool {
	if len(r.ports) == 0 {
		return true
	}
	for _, p := range r.ports {
		if p.proto != proto {
			continue
		}
		switch {
		case p.all:
			return true
		case p.name != "":
			if dst >= 0 && e.namedPort(dst, p.name, proto) == port {
				return true
			}
		case port >= p.start && port <= p.end:
			return true
		}
	}
	return false
}

// namedPort is the number of a pod's named port for proto, or 0.
func (e *Evaluator) namedPort(pod int, name string, proto corev1.Protocol) int32 {
	for _, cp := range e.pods[pod].Ports {
		pp := cp.Protocol
		if pp == "" {
			pp = corev1.ProtocolTCP
		}
		if cp.Name == name && pp == proto {
			return cp.Port
		}
	}
	return 0
}

// resolve finds the pod index of an endpoint (-1 for external).
func (e *Evaluator) resolve(ep Endpoint) (int, error) {
	if ep.IsPod() {
		i, ok := e.podByName[ep.Namespace+"/"+ep.Name]
		if !ok {
			return 0, fmt.Errorf("unknown pod %s", ep)
		}
		return i, nil
	}
	if !ep.IP.IsValid() {
		return 0, fmt.Errorf("endpoint has neither a pod name nor an IP")
	}
	if i, ok := e.podByIP[ep.IP]; ok {
		return i, nil
	}
	return -1, nil
}

// Allowed says whether from may open a connection to port/proto on to
// (proto "" means TCP), and which policies decide it. At least one endpoint
// must be a pod.
func (e *Evaluator) Allowed(from, to Endpoint, port int, proto corev1.Protocol) (Verdict, error) {
	if port < 1 || port > 65535 {
		return Verdict{}, fmt.Errorf("port %d: want 1-65535", port)
	}
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	src, err := e.resolve(from)
	if err != nil {
		return Verdict{}, fmt.Errorf("from: %w", err)
	}
	dst, err := e.resolve(to)
	if err != nil {
		return Verdict{}, fmt.Errorf("to: %w", err)
	}
	if src < 0 && dst < 0 {
		return Verdict{}, fmt.Errorf("neither %s nor %s is a pod: NetworkPolicy does not apply", from, to)
	}
	if src >= 0 && src == dst {
		return Verdict{Allowed: true, SamePod: true}, nil
	}
	p := int32(port)
	v := Verdict{
		Egress:  e.side(src, e.egressOf, false, dst, to.IP, p, proto),
		Ingress: e.side(dst, e.ingressOf, true, src, from.IP, p, proto),
	}
	v.Allowed = v.Egress.Allowed && v.Ingress.Allowed
	return v, nil
}

// side evaluates one direction for the pod self against the peer (a pod
// index, or -1 and its address).
func (e *Evaluator) side(self int, of [][]int, ingress bool, peer int, peerIP netip.Addr, port int32, proto corev1.Protocol) Side {
	if self < 0 {
		return Side{Allowed: true}
	}
	s := Side{Pod: true, Isolated: len(of[self]) > 0, Allowed: len(of[self]) == 0}
	dst := peer // named ports resolve on the destination
	if ingress {
		dst = self
	}
	for _, pi := range of[self] {
		cp := &e.policies[pi]
		s.SelectedBy = append(s.SelectedBy, cp.namespace+"/"+cp.name)
		rules := cp.egress
		if ingress {
			rules = cp.ingress
		}
		for ri := range rules {
			r := &rules[ri]
			if r.peerMatches(peer, peerIP) && e.portMatches(r, port, proto, dst) {
				s.AllowedBy = append(s.AllowedBy, RuleRef{Namespace: cp.namespace, Name: cp.name, Rule: ri})
				s.Allowed = true
			}
		}
	}
	return s
}

// Matrix is the pod-to-pod reachability of one port and protocol.
type Matrix struct {
	// Pods are the rows and columns, in the evaluator's order.
	Pods []Endpoint
	// Port and Protocol of the connections.
	Port     int
	Protocol corev1.Protocol
	allowed  []bitset // allowed[i] holds j when Pods[i] may connect to Pods[j]
}

// Allowed reports whether Pods[from] may connect to Pods[to].
func (m *Matrix) Allowed(from, to int) bool { return m.allowed[from].has(to) }

// Count is the number of allowed pairs (the diagonal included).
func (m *Matrix) Count() int {
	n := 0
	for _, row := range m.allowed {
		n += row.count()
	}
	return n
}

// String renders the matrix as a table: rows are sources, columns
// destinations, "." allowed and "X" denied. Meant for small sets.
func (m *Matrix) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%d (rows: from, columns: to)\n", m.Protocol, m.Port)
	for j, p := range m.Pods {
		fmt.Fprintf(&b, "%3d %s\n", j, p)
	}
	b.WriteString("    ")
	for j := range m.Pods {
		fmt.Fprintf(&b, "%3d", j)
	}
	b.WriteString("\n")
	for i := range m.Pods {
		fmt.Fprintf(&b, "%3d ", i)
		for j := range m.Pods {
			c := "X"
			if m.Allowed(i, j) {
				c = "."
			}
			fmt.Fprintf(&b, "%3s", c)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Matrix computes the reachability between every pair of pods on
// port/proto (proto "" means TCP) with set operations: per policy the pods
// its rules allow, per pod the union over the policies selecting it.
func (e *Evaluator) Matrix(port int, proto corev1.Protocol) *Matrix {
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	n := len(e.pods)
	m := &Matrix{Port: port, Protocol: proto, Pods: make([]Endpoint, n), allowed: make([]bitset, n)}
	for i, p := range e.pods {
		m.Pods[i] = PodEndpoint(p.Namespace, p.Name)
	}
	p := int32(port)

	// named[name] holds the pods whose named port `name` is port/proto.
	named := map[string]bitset{}
	for i, pod := range e.pods {
		for _, cp := range pod.Ports {
			pp := cp.Protocol
			if pp == "" {
				pp = corev1.ProtocolTCP
			}
			if cp.Name != "" && pp == proto && cp.Port == p {
				if named[cp.Name] == nil {
					named[cp.Name] = newBitset(n)
				}
				named[cp.Name].set(i)
			}
		}
	}
	// portSet says which destinations a rule's ports admit: all of them, or
	// those whose named ports resolve to port.
	portSet := func(r *compiledRule) (all bool, dsts bitset) {
		if len(r.ports) == 0 {
			return true, nil
		}
		dsts = newBitset(n)
		for _, rp := range r.ports {
			if rp.proto != proto {
				continue
			}
			switch {
			case rp.all, rp.name == "" && p >= rp.start && p <= rp.end:
				return true, nil
			case rp.name != "" && named[rp.name] != nil:
				dsts.or(named[rp.name])
			}
		}
		return false, dsts
	}
	peers := func(r *compiledRule) bitset {
		if r.allPeers {
			return e.all
		}
		return r.pods
	}

	type namedIngress struct{ from, dsts bitset }
	egressTo := make([]bitset, len(e.policies))    // pods a policy's egress rules allow
	ingressFrom := make([]bitset, len(e.policies)) // sources allowed to every selected pod
	ingressNamed := make([][]namedIngress, len(e.policies))
	for pi := range e.policies {
		cp := &e.policies[pi]
		egressTo[pi] = newBitset(n)
		for ri := range cp.egress {
			r := &cp.egress[ri]
			all, dsts := portSet(r)
			if all {
				egressTo[pi].or(peers(r))
			} else {
				d := peers(r).clone()
				d.and(dsts)
				egressTo[pi].or(d)
			}
		}
		ingressFrom[pi] = newBitset(n)
		for ri := range cp.ingress {
			r := &cp.ingress[ri]
			all, dsts := portSet(r)
			if all {
				ingressFrom[pi].or(peers(r))
			} else if dsts.count() > 0 {
				ingressNamed[pi] = append(ingressNamed[pi], namedIngress{from: peers(r), dsts: dsts})
			}
		}
	}

	// inFrom[j] holds the sources pod j's ingress admits.
	inFrom := make([]bitset, n)
	for j := range e.pods {
		if len(e.ingressOf[j]) == 0 {
			inFrom[j] = e.all
			continue
		}
		set := newBitset(n)
		for _, pi := range e.ingressOf[j] {
			set.or(ingressFrom[pi])
			for _, ni := range ingressNamed[pi] {
				if ni.dsts.has(j) {
					set.or(ni.from)
				}
			}
		}
		inFrom[j] = set
	}
	for i := range e.pods {
		out := e.all.clone()
		if len(e.egressOf[i]) > 0 {
			out = newBitset(n)
			for _, pi := range e.egressOf[i] {
				out.or(egressTo[pi])
			}
		}
		row := newBitset(n)
		out.each(func(j int) {
			if inFrom[j].has(i) {
				row.set(j)
			}
		})
		row.set(i) // a pod may always talk to itself
		m.allowed[i] = row
	}
	return m
}
