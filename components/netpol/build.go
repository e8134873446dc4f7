package netpol

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Labels on every object Build writes.
const (
	// LabelManagedBy marks the objects as written by this library.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedByValue is the value of LabelManagedBy.
	ManagedByValue = "aks-cilium"
	// LabelPolicy names the preset an object comes from.
	LabelPolicy = "aks-cilium.io/policy"
)

// Presets: the value of LabelPolicy, and the name of the NetworkPolicy for
// the fixed ones. Build writes them in this order in every namespace.
const (
	// PresetDefaultDeny denies all ingress and egress of every pod.
	PresetDefaultDeny = "default-deny"
	// PresetAllowDNS allows DNS (UDP and TCP 53) to kube-dns in kube-system.
	PresetAllowDNS = "allow-dns"
	// PresetAllowSameNamespace allows traffic between the pods of the namespace.
	PresetAllowSameNamespace = "allow-same-namespace"
	// PresetAllowInternetEgress allows egress to 0.0.0.0/0 except private ranges and IMDS.
	PresetAllowInternetEgress = "allow-internet-egress"
	// PresetAllowEgressToExternal is the AKS guide's basic egress example.
	PresetAllowEgressToExternal = "allow-egress-to-external"
	// PresetAllowAllPods is the AKS guide's "allow all pods in all namespaces" example.
	PresetAllowAllPods = "allow-all-pods"
	// PresetAllowIngressController allows ingress from the ingress controller's namespace.
	PresetAllowIngressController = "allow-ingress-controller"
	// PresetAllowMonitoring allows the monitoring namespace to scrape the metrics port.
	PresetAllowMonitoring = "allow-monitoring"
	// PresetFQDNEgress labels the FQDN egress CiliumNetworkPolicies.
	PresetFQDNEgress = "fqdn-egress"
	// PresetHTTPIngress labels the L7 HTTP CiliumNetworkPolicies and their clients' egress policies.
	PresetHTTPIngress = "l7-http"
)

// Well-known labels of kube-dns and of namespaces.
const (
	// NamespaceNameLabel is set by the API server on every namespace.
	NamespaceNameLabel = "kubernetes.io/metadata.name"
	// KubeDNSNamespace is where CoreDNS runs on AKS.
	KubeDNSNamespace = "kube-system"
	// KubeDNSLabelKey and KubeDNSLabel are the label of the CoreDNS pods.
	KubeDNSLabelKey = "k8s-app"
	// KubeDNSLabel is the value of KubeDNSLabelKey on the CoreDNS pods.
	KubeDNSLabel = "kube-dns"
)

// PolicySet is a set of Kubernetes NetworkPolicies and CiliumNetworkPolicies,
// the input of Lint and Render.
type PolicySet struct {
	// NetworkPolicies are networking.k8s.io/v1 policies.
	NetworkPolicies []networkingv1.NetworkPolicy
	// CiliumPolicies are cilium.io/v2 CiliumNetworkPolicies.
	CiliumPolicies []CiliumNetworkPolicy
}

// Baseline is what Build produces: the policies, sorted by namespace and
// then in preset order, and the namespaces it covered.
type Baseline struct {
	PolicySet
	// Namespaces are the target namespaces, sorted.
	Namespaces []string
	// ExemptNamespaces never received a policy.
	ExemptNamespaces []string
}

// Build validates cfg (after WithDefaults) and writes the baseline policies
// for each target namespace. An invalid cfg returns a *spec.InvalidError
// with every problem at once (Config.Check with a nil root).
func Build(cfg Config) (Baseline, error) {
	cfg, err := cfg.Check(nil)
	if err != nil {
		return Baseline{}, err
	}
	namespaces := slices.Clone(cfg.Namespaces)
	slices.Sort(namespaces)
	b := Baseline{Namespaces: namespaces, ExemptNamespaces: cfg.ExemptNamespaces}
	for _, ns := range namespaces {
		b.NetworkPolicies = append(b.NetworkPolicies, networkPolicies(cfg, ns)...)
		b.CiliumPolicies = append(b.CiliumPolicies, ciliumPolicies(cfg, ns)...)
	}
	return b, nil
}

// networkPolicies are the Kubernetes policies of one namespace, in preset order.
func networkPolicies(cfg Config, ns string) []networkingv1.NetworkPolicy {
	all := metav1.LabelSelector{}
	out := []networkingv1.NetworkPolicy{
		newNetworkPolicy(ns, PresetDefaultDeny, PresetDefaultDeny, networkingv1.NetworkPolicySpec{
			PodSelector: all,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		}),
		newNetworkPolicy(ns, PresetAllowDNS, PresetAllowDNS, networkingv1.NetworkPolicySpec{
			PodSelector: all,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{{
				To: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: namespaceSelector(KubeDNSNamespace),
					PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{KubeDNSLabelKey: KubeDNSLabel}},
				}},
				Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolUDP, 53), port(corev1.ProtocolTCP, 53)},
			}},
		}),
	}
	if !cfg.DisableSameNamespace {
		out = append(out, newNetworkPolicy(ns, PresetAllowSameNamespace, PresetAllowSameNamespace, networkingv1.NetworkPolicySpec{
			PodSelector: all,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}}},
			Egress:      []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}}},
		}))
	}
	if !cfg.DisableInternetEgress {
		except := append(slices.Clone(DefaultInternetExcept), cfg.InternetEgressExcept...)
		out = append(out, newNetworkPolicy(ns, PresetAllowInternetEgress, PresetAllowInternetEgress, networkingv1.NetworkPolicySpec{
			PodSelector: all,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{{
				To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: except}}},
			}},
		}))
	}
	if cfg.AllowEgressToExternal {
		out = append(out, GuideAllowEgressToExternal(ns))
	}
	if cfg.AllowAllPods {
		out = append(out, GuideAllowAllPods(ns))
	}
	if ic := cfg.IngressController; ic != nil {
		var ports []networkingv1.NetworkPolicyPort
		for _, p := range ic.Ports {
			ports = append(ports, port(corev1.ProtocolTCP, p))
		}
		out = append(out, newNetworkPolicy(ns, PresetAllowIngressController, PresetAllowIngressController, networkingv1.NetworkPolicySpec{
			PodSelector: all,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From:  []networkingv1.NetworkPolicyPeer{namespacePeer(ic.Namespace, ic.PodSelector)},
				Ports: ports,
			}},
		}))
	}
	if m := cfg.Monitoring; m != nil {
		out = append(out, newNetworkPolicy(ns, PresetAllowMonitoring, PresetAllowMonitoring, networkingv1.NetworkPolicySpec{
			PodSelector: all,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From:  []networkingv1.NetworkPolicyPeer{namespacePeer(m.Namespace, m.PodSelector)},
				Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, m.Port)},
			}},
		}))
	}
	// The egress side of HTTP rules whose clients live in this (target)
	// namespace: without it the clients' default deny drops the requests.
	for _, h := range cfg.HTTPIngress {
		servers := h.Namespaces
		if len(servers) == 0 {
			servers = cfg.Namespaces
		}
		var dst []string
		for _, server := range servers {
			if slices.Contains(httpClientNamespaces(h, server), ns) {
				dst = append(dst, server)
			}
		}
		if len(dst) == 0 {
			continue
		}
		slices.Sort(dst)
		out = append(out, newNetworkPolicy(ns, HTTPIngressPolicyName(h.Name)+"-egress", PresetHTTPIngress, networkingv1.NetworkPolicySpec{
			PodSelector: all,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{{
				To: []networkingv1.NetworkPolicyPeer{{
					NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
						Key: NamespaceNameLabel, Operator: metav1.LabelSelectorOpIn, Values: dst,
					}}},
					PodSelector: &metav1.LabelSelector{MatchLabels: cloneLabels(h.PodSelector)},
				}},
				Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, h.Port)},
			}},
		}))
	}
	return out
}

// ciliumPolicies are the CiliumNetworkPolicies of one namespace.
func ciliumPolicies(cfg Config, ns string) []CiliumNetworkPolicy {
	var out []CiliumNetworkPolicy
	for _, f := range cfg.FQDNEgress {
		if len(f.Namespaces) > 0 && !slices.Contains(f.Namespaces, ns) {
			continue
		}
		out = append(out, fqdnPolicy(ns, f))
	}
	for _, h := range cfg.HTTPIngress {
		if len(h.Namespaces) > 0 && !slices.Contains(h.Namespaces, ns) {
			continue
		}
		out = append(out, httpPolicy(ns, h))
	}
	return out
}

// FQDNPolicyName is the name of the CiliumNetworkPolicy of an FQDNEgress.
func FQDNPolicyName(name string) string { return "fqdn-" + name }

// HTTPIngressPolicyName is the name of the CiliumNetworkPolicy of an HTTPIngress.
func HTTPIngressPolicyName(name string) string { return "l7-http-" + name }

// fqdnPolicy allows egress to DNS names. Two rules, because Cilium refuses
// toFQDNs combined with toEndpoints: DNS to kube-dns through Cilium's DNS
// proxy (rules.dns, so it learns the names' addresses), then the names.
func fqdnPolicy(ns string, f FQDNEgress) CiliumNetworkPolicy {
	var names []CiliumFQDNSelector
	for _, n := range f.MatchNames {
		names = append(names, CiliumFQDNSelector{MatchName: n})
	}
	for _, p := range f.MatchPatterns {
		names = append(names, CiliumFQDNSelector{MatchPattern: p})
	}
	var ports []CiliumPortProtocol
	for _, p := range f.Ports {
		ports = append(ports, CiliumPortProtocol{Port: strconv.Itoa(int(p)), Protocol: "TCP"})
	}
	cnp := NewCiliumNetworkPolicy(ns, FQDNPolicyName(f.Name))
	cnp.Metadata.Labels = objectLabels(PresetFQDNEgress)
	cnp.Spec = CiliumPolicySpec{
		EndpointSelector: ciliumSelector(f.PodSelector),
		Egress: []CiliumEgressRule{
			{
				ToEndpoints: []metav1.LabelSelector{{MatchLabels: map[string]string{
					CiliumNamespaceLabel:                KubeDNSNamespace,
					CiliumLabelPrefix + KubeDNSLabelKey: KubeDNSLabel,
				}}},
				ToPorts: []CiliumPortRule{{
					Ports: []CiliumPortProtocol{{Port: "53", Protocol: "ANY"}},
					Rules: &CiliumL7Rules{DNS: slices.Clone(names)},
				}},
			},
			{
				ToFQDNs: names,
				ToPorts: []CiliumPortRule{{Ports: ports}},
			},
		},
	}
	return cnp
}

// httpPolicy allows HTTP requests from the client namespaces into the
// selected pods of ns by method and path.
func httpPolicy(ns string, h HTTPIngress) CiliumNetworkPolicy {
	var from []metav1.LabelSelector
	for _, client := range httpClientNamespaces(h, ns) {
		from = append(from, metav1.LabelSelector{MatchLabels: map[string]string{CiliumNamespaceLabel: client}})
	}
	var rules []CiliumHTTPRule
	for _, r := range h.Rules {
		rules = append(rules, CiliumHTTPRule{Method: r.Method, Path: r.Path})
	}
	cnp := NewCiliumNetworkPolicy(ns, HTTPIngressPolicyName(h.Name))
	cnp.Metadata.Labels = objectLabels(PresetHTTPIngress)
	cnp.Spec = CiliumPolicySpec{
		EndpointSelector: ciliumSelector(h.PodSelector),
		Ingress: []CiliumIngressRule{{
			FromEndpoints: from,
			ToPorts: []CiliumPortRule{{
				Ports: []CiliumPortProtocol{{Port: strconv.Itoa(int(h.Port)), Protocol: "TCP"}},
				Rules: &CiliumL7Rules{HTTP: rules},
			}},
		}},
	}
	return cnp
}

// httpClientNamespaces are the namespaces allowed to call the servers of h in ns.
func httpClientNamespaces(h HTTPIngress, ns string) []string {
	if len(h.FromNamespaces) == 0 {
		return []string{ns}
	}
	return h.FromNamespaces
}

// GuideAllowEgressToExternal is the AKS guide's "Basic Egress Policy"
// example, verbatim, in namespace ns.
func GuideAllowEgressToExternal(ns string) networkingv1.NetworkPolicy {
	return newNetworkPolicy(ns, PresetAllowEgressToExternal, PresetAllowEgressToExternal, networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
		Egress: []networkingv1.NetworkPolicyEgressRule{{
			To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}},
		}},
	})
}

// GuideAllowAllPods is the AKS guide's "Allow All Pods in All Namespaces"
// example, verbatim, in namespace ns: two peers, any pod of any namespace
// or any pod of ns.
func GuideAllowAllPods(ns string) networkingv1.NetworkPolicy {
	return newNetworkPolicy(ns, PresetAllowAllPods, PresetAllowAllPods, networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
		Egress: []networkingv1.NetworkPolicyEgressRule{{
			To: []networkingv1.NetworkPolicyPeer{
				{NamespaceSelector: &metav1.LabelSelector{}},
				{PodSelector: &metav1.LabelSelector{}},
			},
		}},
	})
}

// Objects returns every policy as an unstructured object with apiVersion
// and kind set, grouped by namespace, NetworkPolicies before
// CiliumNetworkPolicies, each group in its stored order.
func (s PolicySet) Objects() []*unstructured.Unstructured {
	type item struct {
		ns  string
		obj *unstructured.Unstructured
	}
	var items []item
	for i := range s.NetworkPolicies {
		np := s.NetworkPolicies[i]
		np.TypeMeta = metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}
		items = append(items, item{np.Namespace, mustUnstructured(&np)})
	}
	for i := range s.CiliumPolicies {
		cnp := s.CiliumPolicies[i]
		cnp.TypeMeta = metav1.TypeMeta{APIVersion: CiliumAPIVersion, Kind: CiliumPolicyKind}
		items = append(items, item{cnp.Metadata.Namespace, mustUnstructured(&cnp)})
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(a.ns, b.ns) })
	out := make([]*unstructured.Unstructured, len(items))
	for i, it := range items {
		out[i] = it.obj
	}
	return out
}

// mustUnstructured converts one of this package's typed objects. They hold
// only strings, integers, booleans, maps and slices, so the conversion
// cannot fail; a failure is a bug in this package.
func mustUnstructured(obj any) *unstructured.Unstructured {
	u, err := toUnstructured(obj)
	if err != nil {
		panic(fmt.Sprintf("netpol: converting %T: %v", obj, err))
	}
	return u
}

func newNetworkPolicy(ns, name, preset string, spec networkingv1.NetworkPolicySpec) networkingv1.NetworkPolicy {
	return networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: objectLabels(preset)},
		Spec:       spec,
	}
}

func objectLabels(preset string) map[string]string {
	return map[string]string{LabelManagedBy: ManagedByValue, LabelPolicy: preset}
}

func namespaceSelector(ns string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{NamespaceNameLabel: ns}}
}

// namespacePeer is one peer: pods of namespace ns, narrowed by podLabels.
func namespacePeer(ns string, podLabels map[string]string) networkingv1.NetworkPolicyPeer {
	peer := networkingv1.NetworkPolicyPeer{NamespaceSelector: namespaceSelector(ns)}
	if len(podLabels) > 0 {
		peer.PodSelector = &metav1.LabelSelector{MatchLabels: cloneLabels(podLabels)}
	}
	return peer
}

func port(proto corev1.Protocol, n int32) networkingv1.NetworkPolicyPort {
	p := intstr.FromInt32(n)
	return networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &p}
}

func cloneLabels(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
