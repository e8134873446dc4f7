package netpol

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Severity of a lint finding.
type Severity string

// Severities, most serious first.
const (
	// SeverityError: the policy does not do what it says, or Cilium refuses it.
	SeverityError Severity = "error"
	// SeverityWarning: the policy behaves differently under Cilium than it reads.
	SeverityWarning Severity = "warning"
	// SeverityInfo: worth knowing, usually when migrating from Azure NPM.
	SeverityInfo Severity = "info"
)

// Lint finding codes. Each has a test that makes it fire.
const (
	// CodeBadContext: a LintContext value cannot be parsed.
	CodeBadContext = "CIL000"
	// CodeIPBlockPods: an ipBlock (or Cilium CIDR) covers pod addresses,
	// which under Cilium it never matches.
	CodeIPBlockPods = "CIL001"
	// CodePolicyTypes: egress rules ignored, or an intended egress deny that
	// does not happen, because policyTypes lacks Egress.
	CodePolicyTypes = "CIL002"
	// CodeFQDNCombined: toFQDNs with another peer kind in one Cilium rule.
	CodeFQDNCombined = "CIL003"
	// CodeNamedPort: a named port, resolved differently by Cilium than by Azure NPM.
	CodeNamedPort = "CIL004"
	// CodeIPBlockNodes: an ipBlock (or Cilium CIDR) covers node addresses
	// (the local host or other nodes), which under Cilium it never matches.
	CodeIPBlockNodes = "CIL005"
	// CodeEndPort: endPort (a port range) on a Cilium older than MinCiliumEndPort.
	CodeEndPort = "CIL006"
	// CodeACNSRequired: FQDN or L7 rules without ACNS security or on
	// Kubernetes older than MinACNSKubernetes.
	CodeACNSRequired = "CIL007"
	// CodeFQDNNoDNSRule: toFQDNs without a DNS rule (rules.dns) in the policy.
	CodeFQDNNoDNSRule = "CIL008"
	// CodeBareWildcard: a DNS matchPattern of "*" alone.
	CodeBareWildcard = "CIL009"
)

// MinCiliumEndPort is the first Cilium version this lint trusts with
// endPort. Cilium long accepted endPort while ignoring it
// (cilium/cilium#28684) before port ranges landed in its policy engine.
const MinCiliumEndPort = "1.17.0"

// Finding is one lint result.
type Finding struct {
	// Code is stable, e.g. "CIL001".
	Code string
	// Severity is error, warning or info.
	Severity Severity
	// Kind is NetworkPolicy or CiliumNetworkPolicy; empty for CIL000.
	Kind string
	// Namespace and Name of the policy.
	Namespace, Name string
	// Field is the path in the object, e.g. "spec.egress[0].to[1].ipBlock.cidr".
	Field string
	// Message says what is wrong.
	Message string
	// Fix says what to do instead.
	Fix string
}

// String is one line: code, severity, object, field, message and fix.
func (f Finding) String() string {
	if f.Kind == "" {
		return fmt.Sprintf("%s %s %s: %s (fix: %s)", f.Code, f.Severity, f.Field, f.Message, f.Fix)
	}
	return fmt.Sprintf("%s %s %s %s/%s %s: %s (fix: %s)", f.Code, f.Severity, f.Kind, f.Namespace, f.Name, f.Field, f.Message, f.Fix)
}

// LintContext is what the lint knows of the cluster. Zero values mean
// unknown, and the checks that need them are skipped.
type LintContext struct {
	// PodCIDR is the overlay pod CIDR.
	PodCIDR netip.Prefix
	// PodSubnets are the VNet pod subnets (pod subnet mode).
	PodSubnets []netip.Prefix
	// NodeSubnets are the node subnets (which also hold the pods in node
	// subnet mode).
	NodeSubnets []netip.Prefix
	// CiliumVersion running in the cluster, e.g. "1.17.9".
	CiliumVersion string
	// KubernetesVersion of the cluster, e.g. "1.32".
	KubernetesVersion string
	// ACNSSecurity is the cluster's ACNS security level (None when ACNS
	// is off); nil means unknown.
	ACNSSecurity *spec.ACNSSecurity
}

// Lint checks policies for Cilium-specific pitfalls and Azure NPM to Cilium
// differences. Findings come in input order: NetworkPolicies, then
// CiliumNetworkPolicies, each object's findings by field.
func Lint(set PolicySet, ctx LintContext) []Finding {
	l := linter{ctx: ctx}
	l.parseContext()
	for i := range set.NetworkPolicies {
		l.networkPolicy(&set.NetworkPolicies[i])
	}
	for i := range set.CiliumPolicies {
		l.ciliumPolicy(&set.CiliumPolicies[i])
	}
	return l.findings
}

type linter struct {
	ctx        LintContext
	podRanges  []netip.Prefix
	nodeRanges []netip.Prefix
	cilium     *semver.Version
	kubernetes *semver.Version
	findings   []Finding
	kind       string
	ns, name   string
}

func (l *linter) parseContext() {
	if l.ctx.PodCIDR.IsValid() {
		l.podRanges = append(l.podRanges, l.ctx.PodCIDR.Masked())
	}
	for _, p := range l.ctx.PodSubnets {
		l.podRanges = append(l.podRanges, p.Masked())
	}
	for _, p := range l.ctx.NodeSubnets {
		l.nodeRanges = append(l.nodeRanges, p.Masked())
	}
	parse := func(field, v string) *semver.Version {
		if v == "" {
			return nil
		}
		parsed, err := semver.NewVersion(v)
		if err != nil {
			l.findings = append(l.findings, Finding{Code: CodeBadContext, Severity: SeverityError, Field: field,
				Message: fmt.Sprintf("%q is not a version", v), Fix: "give MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. \"1.17.9\""})
			return nil
		}
		return parsed
	}
	l.cilium = parse("LintContext.CiliumVersion", l.ctx.CiliumVersion)
	l.kubernetes = parse("LintContext.KubernetesVersion", l.ctx.KubernetesVersion)
}

func (l *linter) add(code string, sev Severity, path *field.Path, msg, fix string) {
	l.findings = append(l.findings, Finding{Code: code, Severity: sev, Kind: l.kind, Namespace: l.ns, Name: l.name,
		Field: path.String(), Message: msg, Fix: fix})
}

func (l *linter) networkPolicy(np *networkingv1.NetworkPolicy) {
	l.kind, l.ns, l.name = "NetworkPolicy", np.Namespace, np.Name
	spec := field.NewPath("spec")
	l.policyTypes(np, spec)
	for i, r := range np.Spec.Ingress {
		rp := spec.Child("ingress").Index(i)
		for j, peer := range r.From {
			if peer.IPBlock != nil {
				l.cidr(rp.Child("from").Index(j).Child("ipBlock", "cidr"), peer.IPBlock.CIDR, peer.IPBlock.Except, "ipBlock")
			}
		}
		l.ports(rp.Child("ports"), r.Ports, false)
	}
	for i, r := range np.Spec.Egress {
		rp := spec.Child("egress").Index(i)
		for j, peer := range r.To {
			if peer.IPBlock != nil {
				l.cidr(rp.Child("to").Index(j).Child("ipBlock", "cidr"), peer.IPBlock.CIDR, peer.IPBlock.Except, "ipBlock")
			}
		}
		l.ports(rp.Child("ports"), r.Ports, len(r.To) > 0 && allIPBlocks(r.To))
	}
}

func allIPBlocks(peers []networkingv1.NetworkPolicyPeer) bool {
	for _, p := range peers {
		if p.IPBlock == nil {
			return false
		}
	}
	return true
}

// policyTypes reports egress rules that policyTypes makes inert, and
// policies whose name promises an egress deny that does not happen.
func (l *linter) policyTypes(np *networkingv1.NetworkPolicy, spec *field.Path) {
	types := np.Spec.PolicyTypes
	hasEgress := slices.Contains(types, networkingv1.PolicyTypeEgress)
	path := spec.Child("policyTypes")
	switch {
	case len(types) > 0 && !hasEgress && len(np.Spec.Egress) > 0:
		l.add(CodePolicyTypes, SeverityError, path, fmt.Sprintf(
			"policyTypes %v has no Egress, so the policy's %d egress rule(s) are ignored", types, len(np.Spec.Egress)),
			"add Egress to policyTypes, or delete the egress rules")
	case len(types) == 0 && len(np.Spec.Egress) > 0:
		l.add(CodePolicyTypes, SeverityInfo, path,
			"policyTypes is empty; the API server makes it [Ingress Egress] only because egress rules exist",
			"state policyTypes explicitly, e.g. [Ingress, Egress] or [Egress]")
	case !hasEgress && intendsEgressDeny(np.Name):
		l.add(CodePolicyTypes, SeverityWarning, path, fmt.Sprintf(
			"the name %q suggests an egress deny, but policyTypes %v has no Egress, so egress is not restricted", np.Name, types),
			"add Egress to policyTypes (with no egress rules it denies all egress)")
	}
}

func intendsEgressDeny(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "egress") || (strings.Contains(n, "deny") && !strings.Contains(n, "ingress"))
}

// ports reports named ports and endPort. toIPBlocksOnly is true for an
// egress rule whose peers are all ipBlocks: a named port resolves on the
// destination, which is then never a pod.
func (l *linter) ports(path *field.Path, ports []networkingv1.NetworkPolicyPort, toIPBlocksOnly bool) {
	for k, p := range ports {
		kp := path.Index(k)
		if p.Port != nil && p.Port.Type == intstr.String {
			if toIPBlocksOnly {
				l.add(CodeNamedPort, SeverityWarning, kp.Child("port"), fmt.Sprintf(
					"named port %q with ipBlock peers only: a name resolves on pods, never on an external address, so nothing matches", p.Port.StrVal),
					"use the port number")
			} else {
				l.add(CodeNamedPort, SeverityInfo, kp.Child("port"), fmt.Sprintf(
					"named port %q: it matches only pods that declare the name with this protocol, and Cilium resolves names on egress from the ports of every pod it knows, so a name bound to different numbers on different pods can open more than one port (a difference from Azure NPM to review when migrating)", p.Port.StrVal),
					"use the port number, or keep each port name bound to one number across pods")
			}
		}
		if p.EndPort != nil {
			l.endPort(kp.Child("endPort"), *p.EndPort)
		}
	}
}

func (l *linter) endPort(path *field.Path, end int32) {
	if l.cilium == nil || !l.cilium.LessThan(semver.MustParse(MinCiliumEndPort)) {
		return
	}
	l.add(CodeEndPort, SeverityWarning, path, fmt.Sprintf(
		"endPort %d: Cilium %s does not enforce port ranges as written (it needs %s or later)", end, l.cilium, MinCiliumEndPort),
		"list the ports one by one, or upgrade Cilium")
}

// cidr reports a range (minus except) that covers pod or node addresses:
// Cilium matches ipBlock and CIDR rules against addresses outside the
// cluster only.
func (l *linter) cidr(path *field.Path, cidr string, except []string, what string) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return // the API server refuses it; not a Cilium matter
	}
	var cut []netip.Prefix
	for _, e := range except {
		if ep, err := netip.ParsePrefix(e); err == nil {
			cut = append(cut, ep.Masked())
		}
	}
	block := prefixMinus(p.Masked(), cut)
	all := append(slices.Clone(l.podRanges), l.nodeRanges...)
	entirely := len(block) > 0 && len(prefixesMinus(block, all)) == 0
	scope := "partly"
	if entirely {
		scope = "entirely"
	}
	if hit := overlapping(block, l.podRanges); len(hit) > 0 {
		l.add(CodeIPBlockPods, SeverityWarning, path, fmt.Sprintf(
			"%s %s covers pod addresses (%s), %s: under Cilium %s peers never match pods, so pod traffic is not allowed by it",
			what, cidr, joinPrefixes(hit), scope, what),
			fmt.Sprintf("select pods with namespaceSelector/podSelector; if only external addresses are meant, add %s to except", joinPrefixes(hit)))
	}
	if hit := overlapping(block, l.nodeRanges); len(hit) > 0 {
		l.add(CodeIPBlockNodes, SeverityWarning, path, fmt.Sprintf(
			"%s %s covers node addresses (%s), %s: under Cilium %s peers never match the local host or other nodes (nor hostNetwork pods); Azure NPM matched them",
			what, cidr, joinPrefixes(hit), scope, what),
			fmt.Sprintf("allow nodes with a CiliumNetworkPolicy toEntities/fromEntities [host, remote-node]; if only external addresses are meant, add %s to except", joinPrefixes(hit)))
	}
}

func (l *linter) ciliumPolicy(p *CiliumNetworkPolicy) {
	l.kind, l.ns, l.name = CiliumPolicyKind, p.Metadata.Namespace, p.Metadata.Name
	spec := field.NewPath("spec")
	hasDNSRule := false
	for _, r := range p.Spec.Egress {
		for _, pr := range r.ToPorts {
			if pr.Rules != nil && len(pr.Rules.DNS) > 0 {
				hasDNSRule = true
			}
		}
	}
	for i, r := range p.Spec.Ingress {
		rp := spec.Child("ingress").Index(i)
		for j, c := range r.FromCIDR {
			l.cidr(rp.Child("fromCIDR").Index(j), c, nil, "fromCIDR")
		}
		for j, c := range r.FromCIDRSet {
			l.cidr(rp.Child("fromCIDRSet").Index(j).Child("cidr"), c.CIDR, c.Except, "fromCIDRSet")
		}
		l.ciliumPorts(rp.Child("toPorts"), r.ToPorts)
	}
	for i, r := range p.Spec.Egress {
		rp := spec.Child("egress").Index(i)
		for j, c := range r.ToCIDR {
			l.cidr(rp.Child("toCIDR").Index(j), c, nil, "toCIDR")
		}
		for j, c := range r.ToCIDRSet {
			l.cidr(rp.Child("toCIDRSet").Index(j).Child("cidr"), c.CIDR, c.Except, "toCIDRSet")
		}
		if len(r.ToFQDNs) > 0 {
			fp := rp.Child("toFQDNs")
			var others []string
			for _, o := range []struct {
				name string
				n    int
			}{{"toEndpoints", len(r.ToEndpoints)}, {"toCIDR", len(r.ToCIDR)}, {"toCIDRSet", len(r.ToCIDRSet)}, {"toEntities", len(r.ToEntities)}} {
				if o.n > 0 {
					others = append(others, o.name)
				}
			}
			if len(others) > 0 {
				l.add(CodeFQDNCombined, SeverityError, fp, fmt.Sprintf(
					"toFQDNs combined with %s in one rule: Cilium refuses the policy (\"combining ToFQDNs and ... is not supported\")", strings.Join(others, " and ")),
					"put toFQDNs in an egress rule of its own")
			}
			if !hasDNSRule {
				l.add(CodeFQDNNoDNSRule, SeverityError, fp,
					"toFQDNs without a DNS rule (toPorts.rules.dns to kube-dns) in the policy: Cilium never learns the names' addresses, so the traffic is dropped",
					"add an egress rule to kube-dns (k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns) on port 53 with rules.dns matching the names")
			}
			l.acns(fp, "toFQDNs", false)
			for j, s := range r.ToFQDNs {
				l.bareWildcard(fp.Index(j).Child("matchPattern"), s.MatchPattern)
			}
		}
		l.ciliumPorts(rp.Child("toPorts"), r.ToPorts)
	}
}

func (l *linter) ciliumPorts(path *field.Path, rules []CiliumPortRule) {
	for k, pr := range rules {
		kp := path.Index(k)
		for m, pp := range pr.Ports {
			if pp.EndPort != 0 {
				l.endPort(kp.Child("ports").Index(m).Child("endPort"), pp.EndPort)
			}
		}
		if pr.Rules == nil {
			continue
		}
		if len(pr.Rules.HTTP) > 0 {
			l.acns(kp.Child("rules", "http"), "L7 HTTP rules", true)
		}
		for m, d := range pr.Rules.DNS {
			l.bareWildcard(kp.Child("rules", "dns").Index(m).Child("matchPattern"), d.MatchPattern)
		}
	}
}

// acns reports FQDN and L7 rules that the cluster cannot enforce: FQDN
// rules need the ACNS security level FQDN or L7, HTTP rules need L7.
func (l *linter) acns(path *field.Path, what string, l7 bool) {
	if lv := l.ctx.ACNSSecurity; lv != nil {
		switch {
		case l7 && !lv.L7():
			l.add(CodeACNSRequired, SeverityError, path, fmt.Sprintf("%s need the ACNS security level L7; the cluster has %s", what, lv.Level()),
				"set acns.security: L7 (networkProfile.advancedNetworking.security.advancedNetworkPolicies L7, API 2025-08-01 or later), or drop the rule")
		case !l7 && !lv.FQDN():
			l.add(CodeACNSRequired, SeverityError, path, fmt.Sprintf("%s need the ACNS security level FQDN or L7; the cluster has %s", what, lv.Level()),
				"set acns.security: FQDN (networkProfile.advancedNetworking.security.enabled), or drop the rule")
		}
	}
	if l.kubernetes != nil && l.kubernetes.LessThan(semver.MustParse(MinACNSKubernetes)) {
		l.add(CodeACNSRequired, SeverityError, path, fmt.Sprintf("%s need Kubernetes %s or later; the cluster runs %s", what, MinACNSKubernetes, l.kubernetes),
			"upgrade the cluster, or drop the rule")
	}
}

func (l *linter) bareWildcard(path *field.Path, pattern string) {
	if pattern != "" && strings.Trim(pattern, "*.") == "" {
		l.add(CodeBareWildcard, SeverityError, path, fmt.Sprintf("matchPattern %q matches every DNS name", pattern),
			"name the domains, e.g. \"*.blob.core.windows.net\"")
	}
}

// prefixMinus returns p without the ranges in cut, as disjoint prefixes.
func prefixMinus(p netip.Prefix, cut []netip.Prefix) []netip.Prefix {
	for _, c := range cut {
		if !c.Overlaps(p) {
			continue
		}
		if c.Bits() <= p.Bits() { // c covers p
			return nil
		}
		// c is inside p: split p in halves and cut each.
		lo, hi := halves(p)
		return append(prefixMinus(lo, cut), prefixMinus(hi, cut)...)
	}
	return []netip.Prefix{p}
}

func prefixesMinus(ps, cut []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range ps {
		out = append(out, prefixMinus(p, cut)...)
	}
	return out
}

// halves splits p into its two sub-prefixes one bit longer.
func halves(p netip.Prefix) (netip.Prefix, netip.Prefix) {
	bits := p.Bits() + 1
	lo := netip.PrefixFrom(p.Addr(), bits)
	a := p.Addr().AsSlice()
	i := (bits - 1) / 8
	a[i] |= 0x80 >> ((bits - 1) % 8)
	hiAddr, _ := netip.AddrFromSlice(a)
	if p.Addr().Is4() {
		hiAddr = hiAddr.Unmap()
	}
	return lo, netip.PrefixFrom(hiAddr, bits)
}

// overlapping returns the ranges of ranges that block reaches.
func overlapping(block, ranges []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for _, r := range ranges {
		for _, b := range block {
			if b.Overlaps(r) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
