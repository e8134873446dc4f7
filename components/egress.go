package components

import (
	"fmt"

	network "github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// natGateway creates the NAT gateway of outboundType userAssignedNATGateway
// (spec.Cluster.CreatesNATGateway) with its Standard public IPs, in the
// spec's zone or none. A Standard NAT gateway is zonal (at most one zone),
// and its public IPs must share its zone; it is associated with the node
// subnet in the VNet (newVNet), before the cluster is created, as AKS
// requires ("the NAT gateway is preconfigured on the subnet", AKS docs: NAT
// gateway).
func natGateway(ctx *pulumi.Context, name string, c spec.Cluster, rgName pulumi.StringOutput,
	tags pulumi.StringMap, parent pulumi.Resource,
) (*network.NatGateway, error) {
	g := c.Egress.NATGateway
	var zones pulumi.StringArray
	if g.Zone != "" {
		zones = pulumi.StringArray{pulumi.String(g.Zone)}
	}
	var ips network.SubResourceArray
	for i := range g.PublicIPs {
		pip, err := network.NewPublicIPAddress(ctx, childName(name, fmt.Sprintf("natgw-pip-%d", i)), &network.PublicIPAddressArgs{
			PublicIpAddressName:      pulumi.String(fmt.Sprintf("pip-%s-%d", g.Name, i)),
			ResourceGroupName:        rgName,
			Location:                 pulumi.String(c.Location),
			PublicIPAllocationMethod: pulumi.String(string(network.IPAllocationMethodStatic)),
			Sku: &network.PublicIPAddressSkuArgs{
				Name: pulumi.String(string(network.PublicIPAddressSkuNameStandard)),
				Tier: pulumi.String(string(network.PublicIPAddressSkuTierRegional)),
			},
			Zones: zones,
			Tags:  tags,
		}, pulumi.Parent(parent))
		if err != nil {
			return nil, err
		}
		ips = append(ips, network.SubResourceArgs{Id: pip.ID().ToStringOutput()})
	}
	return network.NewNatGateway(ctx, childName(name, "natgw"), &network.NatGatewayArgs{
		NatGatewayName:       pulumi.String(g.Name),
		ResourceGroupName:    rgName,
		Location:             pulumi.String(c.Location),
		Sku:                  &network.NatGatewaySkuArgs{Name: pulumi.String(string(network.NatGatewaySkuNameStandard))},
		IdleTimeoutInMinutes: pulumi.Int(g.IdleTimeoutMinutes),
		PublicIpAddresses:    ips,
		Zones:                zones,
		Tags:                 tags,
	}, pulumi.Parent(parent))
}

// nodeSubnetEgress is what the node subnet of a VNet created here carries
// for the outbound type: the NAT gateway (created, or existing by ID) or the
// user's route table; nothing for loadBalancer.
func nodeSubnetEgress(c spec.Cluster, created *network.NatGateway) (network.SubResourcePtrInput, network.RouteTableTypePtrInput) {
	e := c.Egress
	switch e.OutboundType {
	case spec.OutboundUserAssignedNATGateway:
		if created != nil {
			return &network.SubResourceArgs{Id: created.ID().ToStringOutput()}, nil
		}
		return &network.SubResourceArgs{Id: pulumi.String(e.NATGateway.ID)}, nil
	case spec.OutboundUserDefinedRouting:
		return nil, &network.RouteTableTypeArgs{Id: pulumi.String(e.RouteTableID)}
	}
	return nil, nil
}
