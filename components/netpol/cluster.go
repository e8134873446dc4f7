package netpol

import (
	"net/netip"
	"slices"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// ForCluster completes a Config for one cluster: the ACNS switches and
// the Kubernetes version come from the cluster spec (a policy config cannot
// disagree with the cluster it runs on), and every cluster range outside
// DefaultInternetExcept (a pod CIDR such as 100.64.0.0/10, a public VNet
// space, peered ranges) is added to InternetEgressExcept, so the internet
// egress rule never covers the cluster's own or its neighbours' addresses.
// The spec should be valid and defaulted.
func ForCluster(cfg Config, c spec.Cluster) Config {
	out := cfg
	eff := c.ACNS.Effective()
	out.ACNS = ACNS{Enabled: eff.Enabled, Security: eff.Security}
	out.KubernetesVersion = c.KubernetesVersion
	out.AllowNewerKubernetes = c.AllowNewerKubernetes
	out.InternetEgressExcept = slices.Clone(cfg.InternetEgressExcept)
	for _, r := range clusterRanges(c) {
		if covered(r, DefaultInternetExcept) || covered(r, out.InternetEgressExcept) {
			continue
		}
		out.InternetEgressExcept = append(out.InternetEgressExcept, r.String())
	}
	return out
}

// LintContextFor is what Lint should know of a cluster, from its spec.
func LintContextFor(c spec.Cluster) LintContext {
	ctx := LintContext{KubernetesVersion: c.KubernetesVersion}
	security := c.ACNS.Effective().Security.Level()
	ctx.ACNSSecurity = &security
	if p, err := spec.ParseCIDR(c.Network.VNet.NodeSubnet.CIDR); err == nil {
		ctx.NodeSubnets = []netip.Prefix{p}
	}
	switch m := c.Network.Mode.(type) {
	case spec.Overlay:
		if p, err := spec.ParseCIDR(m.PodCIDR); err == nil {
			ctx.PodCIDR = p
		}
	case spec.PodSubnet:
		for _, s := range m.Subnets {
			if p, err := spec.ParseCIDR(s.CIDR); err == nil {
				ctx.PodSubnets = append(ctx.PodSubnets, p)
			}
		}
	}
	if min, err := c.MinCiliumVersion(); err == nil {
		ctx.CiliumVersion = min
	}
	return ctx
}

// clusterRanges are the ranges a cluster's pods must not reach as "internet".
func clusterRanges(c spec.Cluster) []netip.Prefix {
	var raw []string
	raw = append(raw, c.Network.VNet.AddressSpace...)
	raw = append(raw, c.Network.VNet.NodeSubnet.CIDR, c.Network.ServiceCIDR)
	raw = append(raw, c.Network.PeeredRanges...)
	switch m := c.Network.Mode.(type) {
	case spec.Overlay:
		raw = append(raw, m.PodCIDR)
	case spec.PodSubnet:
		for _, s := range m.Subnets {
			raw = append(raw, s.CIDR)
		}
	}
	var out []netip.Prefix
	for _, r := range raw {
		if p, err := spec.ParseCIDR(r); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// covered reports whether one of the ranges contains all of p.
func covered(p netip.Prefix, ranges []string) bool {
	for _, r := range ranges {
		if q, err := netip.ParsePrefix(r); err == nil && spec.Contains(q, p) {
			return true
		}
	}
	return false
}
