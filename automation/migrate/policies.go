package migrate

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/aks-cilium/aks-cilium/components/netpol"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PolicyLister lists NetworkPolicies. client-go's
// clientset.NetworkingV1().NetworkPolicies(metav1.NamespaceAll) satisfies it,
// so this package needs no client-go import.
type PolicyLister interface {
	List(ctx context.Context, opts metav1.ListOptions) (*networkingv1.NetworkPolicyList, error)
}

// SubnetLookup returns the address prefixes of a subnet, given its ARM
// resource ID. With armnetwork:
//
//	func(ctx context.Context, id string) ([]string, error) {
//		r, err := arm.ParseResourceID(id)
//		if err != nil {
//			return nil, err
//		}
//		s, err := subnets.Get(ctx, r.ResourceGroupName, r.Parent.Name, r.Name, nil)
//		if err != nil {
//			return nil, err
//		}
//		if p := s.Properties.AddressPrefix; p != nil {
//			return []string{*p}, nil
//		}
//		return to.SliceOfValues(s.Properties.AddressPrefixes), nil
//	}
type SubnetLookup func(ctx context.Context, subnetID string) ([]string, error)

// listPolicies reads every page.
func listPolicies(ctx context.Context, l PolicyLister) ([]networkingv1.NetworkPolicy, error) {
	var out []networkingv1.NetworkPolicy
	opts := metav1.ListOptions{Limit: 500}
	for {
		list, err := l.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, list.Items...)
		if list.Continue == "" {
			return out, nil
		}
		opts.Continue = list.Continue
	}
}

// lintPolicies runs components/netpol's lint on the cluster's
// NetworkPolicies with the cluster's pod and node ranges, and records the
// findings: severity error blocks unless accepted; the rest warn.
func (p *Plan) lintPolicies(ctx context.Context, opts PlanOptions) error {
	policies := opts.NetworkPolicies
	if policies == nil && opts.Policies != nil {
		var err error
		if policies, err = listPolicies(ctx, opts.Policies); err != nil {
			return fmt.Errorf("list NetworkPolicies of cluster %s: %w", p.Cluster, err)
		}
		if policies == nil {
			policies = []networkingv1.NetworkPolicy{}
		}
	}
	if policies == nil {
		p.warn(CodePoliciesNotChecked, "the cluster's NetworkPolicies were not given, so ipBlock and NPM-to-Cilium differences were not checked",
			"pass PlanOptions.NetworkPolicies or PlanOptions.Policies")
		return nil
	}
	p.PoliciesChecked, p.PolicyCount = true, len(policies)
	if len(policies) > 0 && p.Current.Policy == "" {
		p.warn(CodePoliciesStartEnforced, fmt.Sprintf("the cluster has no network policy engine: its %d NetworkPolicies are not enforced today and will be after the update", len(policies)),
			"review them as if they were new: a default-deny among them starts denying")
	}

	p.Findings = netpol.Lint(netpol.PolicySet{NetworkPolicies: policies}, p.lintContext(ctx, opts))
	var errs, others int
	for _, f := range p.Findings {
		if f.Severity == netpol.SeverityError {
			errs++
		} else {
			others++
		}
	}
	if errs > 0 {
		msg := fmt.Sprintf("%d policy finding(s) of severity error: the policies do not do what they say under Cilium", errs)
		if opts.AcceptPolicyFindings {
			p.warn(CodePolicyErrorsAccepted, msg+" (accepted with AcceptPolicyFindings)", "fix them after the update")
		} else {
			p.block(CodePolicyErrors, msg, "fix the policies (see the findings), or set PlanOptions.AcceptPolicyFindings to go ahead anyway")
		}
	}
	if others > 0 {
		p.warn(CodePolicyFindings, fmt.Sprintf("%d policy finding(s) of severity warning or info: behaviour that changes under Cilium", others),
			"read each finding's fix")
	}
	return nil
}

// lintContext is what the lint knows of the cluster: the overlay pod
// CIDR, the pod and node subnets' ranges, the Kubernetes and expected Cilium
// versions, and ACNS security after the change.
func (p *Plan) lintContext(ctx context.Context, opts PlanOptions) netpol.LintContext {
	security := p.Target.ACNS.Security
	lc := netpol.LintContext{
		KubernetesVersion: p.KubernetesVersion,
		CiliumVersion:     p.MinCiliumVersion,
		ACNSSecurity:      &security,
	}
	if p.IPMode == IPModeOverlay && p.Current.PodCIDR != "" {
		if pfx, err := netip.ParsePrefix(p.Current.PodCIDR); err == nil {
			lc.PodCIDR = pfx
		}
	}
	seen := map[string]bool{}
	managedVNet := false
	for _, pl := range p.Pools {
		if pl.VNetSubnetID == "" {
			managedVNet = true
		} else if !seen[strings.ToLower(pl.VNetSubnetID)] {
			seen[strings.ToLower(pl.VNetSubnetID)] = true
			lc.NodeSubnets = append(lc.NodeSubnets, p.subnetRanges(ctx, opts, pl.VNetSubnetID, "node")...)
		}
		if pl.PodSubnetID != "" && !seen[strings.ToLower(pl.PodSubnetID)] {
			seen[strings.ToLower(pl.PodSubnetID)] = true
			lc.PodSubnets = append(lc.PodSubnets, p.subnetRanges(ctx, opts, pl.PodSubnetID, "pod")...)
		}
	}
	if managedVNet {
		p.warn(CodeSubnetUnknown, "some pools are in the AKS-managed VNet, whose node range is not known here: ipBlocks covering node addresses there are not reported",
			"check ipBlocks against the managed VNet's range (az network vnet list -g <node resource group>)")
	}
	return lc
}

// subnetRanges resolves a subnet ID to its prefixes, from
// PlanOptions.SubnetCIDRs or LookupSubnet; an unknown subnet is a warning.
func (p *Plan) subnetRanges(ctx context.Context, opts PlanOptions, id, role string) []netip.Prefix {
	var raw []string
	for k, v := range opts.SubnetCIDRs {
		if strings.EqualFold(k, id) {
			raw = v
		}
	}
	if raw == nil && opts.LookupSubnet != nil {
		var err error
		if raw, err = opts.LookupSubnet(ctx, id); err != nil {
			p.warn(CodeSubnetUnknown, fmt.Sprintf("%s subnet %s: lookup failed (%v): ipBlocks covering its addresses are not reported", role, id, err), "")
			return nil
		}
	}
	if raw == nil {
		p.warn(CodeSubnetUnknown, fmt.Sprintf("%s subnet %s: its address range is unknown, so ipBlocks covering its addresses are not reported", role, id),
			"give it in PlanOptions.SubnetCIDRs, or set PlanOptions.LookupSubnet")
		return nil
	}
	var out []netip.Prefix
	for _, r := range raw {
		pfx, err := netip.ParsePrefix(r)
		if err != nil {
			p.warn(CodeSubnetUnknown, fmt.Sprintf("%s subnet %s: %q is not a CIDR", role, id, r), "")
			continue
		}
		out = append(out, pfx)
	}
	return out
}
