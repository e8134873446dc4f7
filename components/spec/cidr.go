package spec

import (
	"fmt"
	"net/netip"
)

// ParseCIDR parses an IPv4 CIDR in canonical form. It refuses IPv6 (not yet
// supported by this library), host bits set ("10.0.0.1/16", naming the
// masked form) and zero-length prefixes. It never panics.
func ParseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("not a CIDR: want an IPv4 range such as 10.0.0.0/16")
	}
	if !p.Addr().Is4() || p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("IPv6 ranges are not supported; use an IPv4 range such as 10.0.0.0/16")
	}
	if p.Bits() == 0 {
		return netip.Prefix{}, fmt.Errorf("a /0 range covers every address; use a private range such as 10.0.0.0/16")
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fmt.Errorf("host bits are set; did you mean %s?", m)
	}
	return p, nil
}

// Contains reports whether outer contains all of inner.
func Contains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// Size is the number of addresses in an IPv4 prefix.
func Size(p netip.Prefix) int64 {
	return int64(1) << (32 - p.Bits())
}

// AzureReservedPerSubnet is the number of addresses Azure keeps in every subnet
// (network, gateway, two DNS, broadcast).
const AzureReservedPerSubnet = 5

// UsableSubnetIPs is the number of addresses Azure lets a subnet's NICs use.
func UsableSubnetIPs(p netip.Prefix) int64 {
	return max(Size(p)-AzureReservedPerSubnet, 0)
}

// Count24 is the number of /24 blocks in a prefix (0 for prefixes longer than /24).
func Count24(p netip.Prefix) int64 {
	if p.Bits() > 24 {
		return 0
	}
	return int64(1) << (24 - p.Bits())
}

// LastAddr is the last address of an IPv4 prefix (its broadcast address).
func LastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// ReservedRange is an address range AKS reserves or that must stay free.
type ReservedRange struct {
	Prefix netip.Prefix
	Why    string
}

// AKSReservedRanges may not be used by any cluster range (AKS docs).
var AKSReservedRanges = []ReservedRange{
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local, used by Azure and the node"},
	{netip.MustParsePrefix("172.30.0.0/16"), "reserved by AKS"},
	{netip.MustParsePrefix("172.31.0.0/16"), "reserved by AKS"},
	{netip.MustParsePrefix("192.0.2.0/24"), "reserved by AKS (TEST-NET-1)"},
}
