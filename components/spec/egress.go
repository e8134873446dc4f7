package spec

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Egress is how nodes and pods reach the internet: networkProfile.outboundType
// and what each type needs (AKS docs: "Customize cluster egress with outbound
// types").
type Egress struct {
	// OutboundType is loadBalancer (the default: an AKS-managed public IP
	// on the Standard load balancer), userAssignedNATGateway (a NAT gateway
	// on the node subnet, NATGateway), userDefinedRouting (a route table on
	// the node subnet with a 0.0.0.0/0 route to a firewall or appliance,
	// RouteTableID) or managedNATGateway, which this library refuses: AKS
	// allows it only on a VNet AKS creates, and every cluster here is on a
	// VNet of yours (vnetSubnetID; ARM:
	// ManagedNATGatewayWithCustomVNetNotAllowed). It is set at creation;
	// changing it later replaces the cluster through Pulumi (see
	// ValidateUpdate).
	OutboundType OutboundType `json:"outboundType,omitempty"`
	// NATGateway is the NAT gateway of userAssignedNATGateway: an existing
	// one by ID, or, on a VNet created here, a new one that the Network
	// component creates with its public IPs and associates with the node
	// subnet. With existing subnets the NAT gateway must already be
	// associated with the node subnet (give its ID).
	NATGateway *NATGateway `json:"natGateway,omitempty"`
	// RouteTableID is the route table of userDefinedRouting, an existing
	// one (Microsoft.Network/routeTables) with a 0.0.0.0/0 route whose next
	// hop is a virtual appliance or gateway. On a VNet created here the
	// Network component associates it with the node subnet; with existing
	// subnets it must already be associated. The cluster identity gets
	// Network Contributor on it (AKS reads and writes its routes).
	RouteTableID string `json:"routeTableId,omitempty"`
}

// OutboundType is networkProfile.outboundType.
type OutboundType string

// The outbound types of API 2024-10-01.
const (
	OutboundLoadBalancer           OutboundType = "loadBalancer"
	OutboundManagedNATGateway      OutboundType = "managedNATGateway"
	OutboundUserAssignedNATGateway OutboundType = "userAssignedNATGateway"
	OutboundUserDefinedRouting     OutboundType = "userDefinedRouting"
)

// OutboundTypes are the outbound types the spec accepts as values
// (managedNATGateway is refused with the reason, see Egress).
var OutboundTypes = []OutboundType{OutboundLoadBalancer, OutboundManagedNATGateway, OutboundUserAssignedNATGateway, OutboundUserDefinedRouting}

// NATGateway is an existing NAT gateway (ID) or one to create.
type NATGateway struct {
	// ID is an existing NAT gateway's ARM ID; empty creates one (only on a
	// VNet created here).
	ID string `json:"id,omitempty"`
	// Name of the created NAT gateway; default "natgw-<cluster name>".
	Name string `json:"name,omitempty"`
	// Zone pins the created NAT gateway and its public IPs to one
	// availability zone ("1", "2" or "3"); empty is no zone (Azure picks
	// one). A Standard NAT gateway is zonal: it lives in one zone at most,
	// so it does not survive that zone's outage however many zones the
	// pools span.
	Zone string `json:"zone,omitempty"`
	// IdleTimeoutMinutes of outbound flows, 4 to 120; default 4.
	IdleTimeoutMinutes int `json:"idleTimeoutMinutes,omitempty"`
	// PublicIPs is how many Standard public IPs the created NAT gateway
	// gets, 1 to 16 (64,512 SNAT ports each); default 1.
	PublicIPs int `json:"publicIps,omitempty"`
}

// Egress defaults and limits: a NAT gateway takes at most 16 public IPs
// and an idle timeout of 4 to 120 minutes, 4 by default (AKS docs: NAT
// gateway, "up to 64,512 outbound UDP and TCP traffic flows per IP address
// with a maximum of 16 IP addresses"; ManagedClusterNATGatewayProfile in API
// 2024-10-01: idleTimeoutInMinutes minValue 4 maxValue 120, default 4).
const (
	DefaultOutboundType       = OutboundLoadBalancer
	DefaultNATIdleTimeout     = 4
	DefaultNATPublicIPs       = 1
	MaxNATPublicIPs           = 16
	MinNATIdleTimeout         = 4
	MaxNATIdleTimeout         = 120
	maxNATGatewayNameLength   = 80
	natGatewayNameDerivedFrom = "natgw-"
)

func egressDefaults(e Egress, cluster string, existingSubnets bool) Egress {
	if e.OutboundType == "" {
		e.OutboundType = DefaultOutboundType
	}
	if g := e.NATGateway; g != nil {
		c := *g
		if c.ID == "" && !existingSubnets {
			if c.Name == "" {
				c.Name = truncate(natGatewayNameDerivedFrom+cluster, maxNATGatewayNameLength)
			}
			if c.IdleTimeoutMinutes == 0 {
				c.IdleTimeoutMinutes = DefaultNATIdleTimeout
			}
			if c.PublicIPs == 0 {
				c.PublicIPs = DefaultNATPublicIPs
			}
		}
		e.NATGateway = &c
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// CreatesNATGateway reports whether the Network component creates the NAT
// gateway (userAssignedNATGateway on a VNet created here, without an ID).
func (c Cluster) CreatesNATGateway() bool {
	e := c.Egress
	return e.OutboundType == OutboundUserAssignedNATGateway && e.NATGateway != nil && e.NATGateway.ID == "" &&
		!c.Network.VNet.NodeSubnet.IsExisting()
}

// validateEgress checks the outbound type and what it needs.
func validateEgress(c Cluster, p *field.Path) field.ErrorList {
	e := c.Egress
	var errs field.ErrorList
	tp, gp, rp := p.Child("outboundType"), p.Child("natGateway"), p.Child("routeTableId")
	existing := c.Network.VNet.NodeSubnet.IsExisting()
	if !slices.Contains(OutboundTypes, e.OutboundType) {
		errs = append(errs, CodeOutboundType.NotSupported(tp, e.OutboundType, names(OutboundTypes)))
		return errs
	}
	if e.OutboundType != OutboundUserAssignedNATGateway && e.NATGateway != nil {
		errs = append(errs, CodeOutboundType.Forbidden(gp, fmt.Sprintf("applies to outboundType %s only; remove it or set that type", OutboundUserAssignedNATGateway)))
	}
	if e.OutboundType != OutboundUserDefinedRouting && e.RouteTableID != "" {
		errs = append(errs, CodeOutboundType.Forbidden(rp, fmt.Sprintf("applies to outboundType %s only; remove it or set that type", OutboundUserDefinedRouting)))
	}
	switch e.OutboundType {
	case OutboundManagedNATGateway:
		// CAPZ#5429 and MicrosoftDocs/azure-docs#83858 quote ARM: "Outbound
		// type is managedNATGateway but agent pool '' is using custom VNet,
		// which is not allowed." (subcode ManagedNATGatewayWithCustomVNetNotAllowed).
		errs = append(errs, CodeManagedNATGateway.Invalid(tp, e.OutboundType, fmt.Sprintf(
			"AKS allows managedNATGateway only on a VNet AKS creates, and every cluster here is on your VNet (ARM: ManagedNATGatewayWithCustomVNetNotAllowed); use %s (the NAT gateway is created and associated with the node subnet for you) or %s",
			OutboundUserAssignedNATGateway, OutboundLoadBalancer)))
	case OutboundUserAssignedNATGateway:
		// AKS docs, NAT gateway: "This configuration requires bring-your-own
		// networking ... and that the NAT gateway is preconfigured on the subnet."
		g := e.NATGateway
		switch {
		case g == nil && existing:
			errs = append(errs, CodeNATGateway.Required(gp.Child("id"), "the ID of the NAT gateway already associated with the node subnet (the subnets are existing ones, so nothing is associated here)"))
		case g == nil:
			errs = append(errs, CodeNATGateway.Required(gp, "a NAT gateway: {} creates one on the node subnet, or {id: ...} uses an existing one"))
		default:
			errs = append(errs, validateNATGateway(*g, existing, gp)...)
		}
	case OutboundUserDefinedRouting:
		// AKS docs, egress-udr: "Outbound type of UDR requires a route for
		// 0.0.0.0/0 and a next hop destination of NVA in the route table."
		if e.RouteTableID == "" {
			errs = append(errs, CodeRouteTable.Required(rp, "the ID of a route table with a 0.0.0.0/0 route to your firewall or appliance; AKS configures no egress with userDefinedRouting"))
		} else {
			errs = append(errs, validateARMID(rp, e.RouteTableID, "Microsoft.Network/routeTables")...)
		}
	}
	return errs
}

func validateNATGateway(g NATGateway, existingSubnets bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if g.ID != "" {
		errs = append(errs, validateARMID(p.Child("id"), g.ID, "Microsoft.Network/natGateways")...)
		for _, f := range []struct {
			name string
			set  bool
		}{{"name", g.Name != ""}, {"zone", g.Zone != ""}, {"idleTimeoutMinutes", g.IdleTimeoutMinutes != 0}, {"publicIps", g.PublicIPs != 0}} {
			if f.set {
				errs = append(errs, CodeNATGateway.Forbidden(p.Child(f.name), "configures a NAT gateway created here; remove it when id gives an existing one"))
			}
		}
		return errs
	}
	if existingSubnets {
		return field.ErrorList{CodeNATGateway.Required(p.Child("id"), "the subnets are existing ones, so a NAT gateway cannot be associated here: give the ID of the one already associated with the node subnet")}
	}
	if !subnetNameRE.MatchString(g.Name) || len(g.Name) > maxNATGatewayNameLength {
		errs = append(errs, CodeNATGateway.Invalid(p.Child("name"), g.Name, "must be 1-80 letters, digits, '-', '_' or '.', starting with a letter or digit, ending with a letter, digit or '_'"))
	}
	if g.Zone != "" && !slices.Contains(validZones, g.Zone) {
		errs = append(errs, CodeNATGateway.NotSupported(p.Child("zone"), g.Zone, []string{"", "1", "2", "3"}))
	}
	if g.IdleTimeoutMinutes < MinNATIdleTimeout || g.IdleTimeoutMinutes > MaxNATIdleTimeout {
		errs = append(errs, CodeNATGateway.Invalid(p.Child("idleTimeoutMinutes"), g.IdleTimeoutMinutes, fmt.Sprintf("must be %d to %d minutes", MinNATIdleTimeout, MaxNATIdleTimeout)))
	}
	if g.PublicIPs < 1 || g.PublicIPs > MaxNATPublicIPs {
		errs = append(errs, CodeNATGateway.Invalid(p.Child("publicIps"), g.PublicIPs, fmt.Sprintf("must be 1 to %d (a NAT gateway takes at most 16 public IPs)", MaxNATPublicIPs)))
	}
	return errs
}

// String says the egress path: "NAT gateway natgw-x (new, 2 public IPs, zone 1)".
func (e Egress) String() string {
	switch e.OutboundType {
	case OutboundUserAssignedNATGateway:
		if e.NATGateway == nil {
			return "NAT gateway"
		}
		g := e.NATGateway
		if g.ID != "" {
			return "NAT gateway " + g.ID + " (existing)"
		}
		zone := "no zone"
		if g.Zone != "" {
			zone = "zone " + g.Zone
		}
		return fmt.Sprintf("NAT gateway %s (new, %d public IP(s), %s, idle timeout %d min)", g.Name, g.PublicIPs, zone, g.IdleTimeoutMinutes)
	case OutboundUserDefinedRouting:
		return "user-defined routing through route table " + e.RouteTableID
	case OutboundManagedNATGateway:
		return "managed NAT gateway"
	}
	return "Standard load balancer (AKS-managed public IP)"
}
