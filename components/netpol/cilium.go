package netpol

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// The cilium.io/v2 CiliumNetworkPolicy types below are a small hand-written
// subset of Cilium's pkg/policy/api (checked against Cilium v1.17.6). Their
// JSON field names are Cilium's exactly, so the objects validate against the
// CRD schema. Importing github.com/cilium/cilium for them would pull hundreds
// of packages into every user of this library.

// Cilium API group, version and kind of CiliumNetworkPolicy.
const (
	// CiliumAPIVersion is the apiVersion of CiliumNetworkPolicy.
	CiliumAPIVersion = "cilium.io/v2"
	// CiliumPolicyKind is the kind of CiliumNetworkPolicy.
	CiliumPolicyKind = "CiliumNetworkPolicy"
)

// Cilium label keys used in endpoint selectors. Cilium prefixes Kubernetes
// pod labels with the source "k8s:" and exposes the pod namespace as a label.
const (
	// CiliumNamespaceLabel selects endpoints by namespace.
	CiliumNamespaceLabel = "k8s:io.kubernetes.pod.namespace"
	// CiliumLabelPrefix is the source prefix of Kubernetes pod labels.
	CiliumLabelPrefix = "k8s:"
)

// CiliumNetworkPolicy is a namespaced cilium.io/v2 CiliumNetworkPolicy.
type CiliumNetworkPolicy struct {
	metav1.TypeMeta `json:",inline"`
	// Metadata is the object's name, namespace and labels.
	Metadata metav1.ObjectMeta `json:"metadata"`
	// Spec is the policy rule.
	Spec CiliumPolicySpec `json:"spec"`
}

// CiliumPolicySpec is one Cilium policy rule (Cilium's api.Rule).
type CiliumPolicySpec struct {
	// Description is free text.
	Description string `json:"description,omitempty"`
	// EndpointSelector selects the pods the rule applies to, in the policy's
	// namespace; an empty selector selects all of them.
	EndpointSelector metav1.LabelSelector `json:"endpointSelector"`
	// Ingress rules allow traffic into the selected pods.
	Ingress []CiliumIngressRule `json:"ingress,omitempty"`
	// Egress rules allow traffic out of the selected pods.
	Egress []CiliumEgressRule `json:"egress,omitempty"`
}

// CiliumIngressRule allows traffic from peers to ports. Peer fields are
// alternatives to one another: Cilium refuses two kinds of peer in one rule.
type CiliumIngressRule struct {
	// FromEndpoints are pod selectors; in a namespaced policy a selector
	// without a namespace label matches the policy's namespace only.
	FromEndpoints []metav1.LabelSelector `json:"fromEndpoints,omitempty"`
	// FromCIDR are CIDRs of peers outside the cluster.
	FromCIDR []string `json:"fromCIDR,omitempty"`
	// FromCIDRSet are CIDRs with exceptions.
	FromCIDRSet []CiliumCIDRRule `json:"fromCIDRSet,omitempty"`
	// FromEntities are Cilium entities such as "host" or "remote-node".
	FromEntities []string `json:"fromEntities,omitempty"`
	// ToPorts restricts the rule to ports and, optionally, L7 rules.
	ToPorts []CiliumPortRule `json:"toPorts,omitempty"`
}

// CiliumEgressRule allows traffic to peers on ports. ToFQDNs may not be
// combined with another peer field in the same rule.
type CiliumEgressRule struct {
	// ToEndpoints are pod selectors (see CiliumIngressRule.FromEndpoints).
	ToEndpoints []metav1.LabelSelector `json:"toEndpoints,omitempty"`
	// ToCIDR are CIDRs of peers outside the cluster.
	ToCIDR []string `json:"toCIDR,omitempty"`
	// ToCIDRSet are CIDRs with exceptions.
	ToCIDRSet []CiliumCIDRRule `json:"toCIDRSet,omitempty"`
	// ToEntities are Cilium entities such as "world", "host" or "remote-node".
	ToEntities []string `json:"toEntities,omitempty"`
	// ToFQDNs are DNS names or patterns; they need a DNS rule (rules.dns)
	// to kube-dns in the same policy so Cilium learns the addresses.
	ToFQDNs []CiliumFQDNSelector `json:"toFQDNs,omitempty"`
	// ToPorts restricts the rule to ports and, optionally, L7 rules.
	ToPorts []CiliumPortRule `json:"toPorts,omitempty"`
}

// CiliumCIDRRule is a CIDR with exceptions (Cilium's api.CIDRRule).
type CiliumCIDRRule struct {
	// CIDR is the range.
	CIDR string `json:"cidr"`
	// Except are sub-ranges left out.
	Except []string `json:"except,omitempty"`
}

// CiliumFQDNSelector matches a DNS name exactly (MatchName) or by a pattern
// with "*" wildcards (MatchPattern); exactly one of them is set.
type CiliumFQDNSelector struct {
	// MatchName is a literal DNS name.
	MatchName string `json:"matchName,omitempty"`
	// MatchPattern is a DNS name with "*" wildcards.
	MatchPattern string `json:"matchPattern,omitempty"`
}

// CiliumPortRule is a list of ports and the L7 rules that apply on them.
type CiliumPortRule struct {
	// Ports are the L4 ports.
	Ports []CiliumPortProtocol `json:"ports,omitempty"`
	// Rules are L7 rules; nil allows all traffic on Ports.
	Rules *CiliumL7Rules `json:"rules,omitempty"`
}

// CiliumPortProtocol is a port (a number or a name, as a string) and a
// protocol: TCP, UDP, SCTP or ANY.
type CiliumPortProtocol struct {
	// Port is a number or a named port, as a string.
	Port string `json:"port"`
	// EndPort makes Port the start of a range.
	EndPort int32 `json:"endPort,omitempty"`
	// Protocol is TCP, UDP, SCTP or ANY; empty means ANY.
	Protocol string `json:"protocol,omitempty"`
}

// CiliumL7Rules are the L7 rules of a port rule: HTTP or DNS.
type CiliumL7Rules struct {
	// HTTP rules allow requests that match any of them.
	HTTP []CiliumHTTPRule `json:"http,omitempty"`
	// DNS rules allow lookups that match any of them.
	DNS []CiliumFQDNSelector `json:"dns,omitempty"`
}

// CiliumHTTPRule matches HTTP requests. Method and Path are extended POSIX
// regular expressions; empty matches everything.
type CiliumHTTPRule struct {
	// Method, e.g. "GET" or "GET|HEAD".
	Method string `json:"method,omitempty"`
	// Path, e.g. "/api/v1/.*".
	Path string `json:"path,omitempty"`
}

// NewCiliumNetworkPolicy returns a policy with apiVersion and kind set.
func NewCiliumNetworkPolicy(namespace, name string) CiliumNetworkPolicy {
	return CiliumNetworkPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: CiliumAPIVersion, Kind: CiliumPolicyKind},
		Metadata: metav1.ObjectMeta{Namespace: namespace, Name: name},
	}
}

// ToUnstructured converts the policy for dynamic clients and appliers such
// as Pulumi's kubernetes provider. apiVersion and kind are always set.
func (p CiliumNetworkPolicy) ToUnstructured() (*unstructured.Unstructured, error) {
	p.TypeMeta = metav1.TypeMeta{APIVersion: CiliumAPIVersion, Kind: CiliumPolicyKind}
	obj, err := toUnstructured(&p)
	if err != nil {
		return nil, fmt.Errorf("CiliumNetworkPolicy %s/%s: %w", p.Metadata.Namespace, p.Metadata.Name, err)
	}
	return obj, nil
}

// toUnstructured converts a typed object (a pointer to it) by its JSON
// field names, and drops the null creationTimestamp that an unset
// metav1.ObjectMeta carries.
func toUnstructured(obj any) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	if md, ok := m["metadata"].(map[string]any); ok {
		if ts, present := md["creationTimestamp"]; present && ts == nil {
			delete(md, "creationTimestamp")
		}
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// ciliumSelector turns Kubernetes pod labels into a Cilium endpoint selector
// (labels keep their names; Cilium matches them with or without "k8s:").
func ciliumSelector(podLabels map[string]string) metav1.LabelSelector {
	if len(podLabels) == 0 {
		return metav1.LabelSelector{}
	}
	m := make(map[string]string, len(podLabels))
	for k, v := range podLabels {
		m[k] = v
	}
	return metav1.LabelSelector{MatchLabels: m}
}
