package spec

import "strings"

// Default values applied by WithDefaults. They are the only defaults in the
// project: components read the spec as it is.
const (
	DefaultDataplane    = "cilium"
	DefaultPolicy       = "cilium"
	DefaultOSType       = "Linux"
	DefaultOSSKU        = "AzureLinux"
	DefaultMaxSurge     = "10%"
	DefaultServiceCIDR  = "10.0.0.0/16"
	DefaultDNSServiceIP = "10.0.0.10"
	// DefaultMaxPodsOverlay and DefaultMaxPodsPodSubnet follow the AKS guide (250).
	DefaultMaxPodsOverlay   = 250
	DefaultMaxPodsPodSubnet = 250
	// DefaultMaxPodsNodeSubnet is AKS's default for Azure CNI node subnet mode;
	// every pod takes a node subnet address, so it is kept small.
	DefaultMaxPodsNodeSubnet = 30
)

// WithDefaults returns a copy of c with every unset field that has a default
// filled in. It is idempotent and never overrides a value the user set.
// Validate expects a defaulted spec.
func (c Cluster) WithDefaults() Cluster {
	out := c
	if out.DNSPrefix == "" {
		out.DNSPrefix = dnsPrefixFrom(out.Name)
	}
	n := &out.Network
	if n.Dataplane == "" {
		n.Dataplane = DefaultDataplane
	}
	if n.Policy == "" {
		n.Policy = DefaultPolicy
	}
	if n.ServiceCIDR == "" && n.DNSServiceIP == "" {
		n.ServiceCIDR, n.DNSServiceIP = DefaultServiceCIDR, DefaultDNSServiceIP
	}
	n.VNet.NodeSubnet = subnetDefaults(n.VNet.NodeSubnet)
	if ps, ok := n.Mode.(PodSubnet); ok {
		subnets := make([]Subnet, len(ps.Subnets))
		for i, s := range ps.Subnets {
			subnets[i] = subnetDefaults(s)
		}
		n.Mode = PodSubnet{Subnets: subnets}
	}
	n.VNet.AddressSpace = append([]string(nil), n.VNet.AddressSpace...)

	if out.Security.AzureRBAC == nil {
		out.Security.AzureRBAC = ptr(true)
	}
	if out.Security.WorkloadIdentity == nil {
		out.Security.WorkloadIdentity = ptr(true)
	}

	out.Monitoring = monitoringDefaults(out.Monitoring, out.Name)
	out = productionDefaults(out)
	out.SystemPool = poolDefaults(out.SystemPool, n.Mode)
	out.UserPools = append([]NodePool(nil), c.UserPools...)
	for i := range out.UserPools {
		out.UserPools[i] = poolDefaults(out.UserPools[i], n.Mode)
	}
	return out
}

func poolDefaults(p NodePool, mode PodIPMode) NodePool {
	if p.OSType == "" {
		p.OSType = DefaultOSType
	}
	if p.OSSKU == "" && strings.EqualFold(p.OSType, DefaultOSType) {
		p.OSSKU = DefaultOSSKU
	}
	if p.MaxSurge == "" {
		p.MaxSurge = DefaultMaxSurge
	}
	if p.Autoscale != nil {
		a := *p.Autoscale
		p.Autoscale = &a
		if p.Count == 0 {
			p.Count = a.Min
		}
	}
	if ps, ok := mode.(PodSubnet); ok && p.PodSubnet == "" && len(ps.Subnets) > 0 {
		p.PodSubnet = ps.Subnets[0].Name
	}
	if p.MaxPods == 0 {
		p.MaxPods = defaultMaxPods(mode)
	}
	return p
}

func defaultMaxPods(mode PodIPMode) int {
	switch mode.(type) {
	case Overlay:
		return DefaultMaxPodsOverlay
	case PodSubnet:
		return DefaultMaxPodsPodSubnet
	case NodeSubnet:
		return DefaultMaxPodsNodeSubnet
	}
	return 0
}

// subnetDefaults names an existing subnet after the last segment of its ID.
func subnetDefaults(s Subnet) Subnet {
	if s.Name == "" && s.ID != "" {
		s.Name = s.ID[strings.LastIndex(s.ID, "/")+1:]
	}
	return s
}

// BoolValue returns *b, or def when b is nil.
func BoolValue(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func ptr[T any](v T) *T { return &v }
