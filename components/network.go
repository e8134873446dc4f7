package components

import (
	"fmt"

	network "github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	resources "github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// NetworkType is the Pulumi type token of Network.
const NetworkType = "aks-cilium:azure:Network"

// PodSubnetDelegation is the delegation AKS puts on a pod subnet (dynamic IP
// allocation). It is declared on the pod subnets we create so that the next
// update of the VNet neither removes it nor shows a diff.
const PodSubnetDelegation = "Microsoft.ContainerService/managedClusters"

// Network is the resource group, the VNet, the node subnet and, in PodSubnet
// mode, the pod subnets of one cluster.
//
// Subnets are declared inline in the VirtualNetwork (its Subnets property),
// so the VNet and all its subnets are one ARM PUT. Azure rejects concurrent
// writes to subnets of one VNet (AnotherOperationInProgress), and Pulumi
// creates independent resources in parallel, so standalone Subnet resources
// would race. The alternative, standalone Subnet resources chained with
// DependsOn, serialises them but costs one slow ARM round trip per subnet
// and still races with anything else that writes the VNet. The trade-off of inline subnets: the VNet owns its subnet list, so a
// subnet added to this VNet outside this program is removed on the next
// update; put other subnets in their own VNet or declare them in the spec.
//
// When every subnet is an existing one (spec.Subnet.ID), no VNet is created
// and the outputs are the given IDs. When the resource group is existing, no
// resource group is created either.
type Network struct {
	pulumi.ResourceState

	// ResourceGroupName is the resource group of the cluster and the VNet.
	// It carries a dependency on the group when the group is created here.
	ResourceGroupName pulumi.StringOutput `pulumi:"resourceGroupName"`
	// VNetID is the ID of the VNet created here; "" when the subnets are
	// existing ones (no VNet is created).
	VNetID pulumi.StringOutput `pulumi:"vnetId"`
	// NodeSubnetID is the ARM ID of the node subnet.
	NodeSubnetID pulumi.StringOutput `pulumi:"nodeSubnetId"`
	// PodSubnetIDs maps pod subnet names to ARM IDs (PodSubnet mode; empty otherwise).
	PodSubnetIDs pulumi.StringMapOutput `pulumi:"podSubnetIds"`

	// NATGateway is the NAT gateway created for outboundType
	// userAssignedNATGateway (spec.Cluster.CreatesNATGateway); nil otherwise.
	NATGateway *network.NatGateway
}

// NewNetwork defaults and validates the spec and, only if it is valid,
// registers the Network component and its children. An invalid spec returns
// a *spec.InvalidError and registers nothing.
func NewNetwork(ctx *pulumi.Context, name string, c spec.Cluster, opts ...pulumi.ResourceOption) (*Network, error) {
	c, err := checkSpec(name, c)
	if err != nil {
		return nil, err
	}
	n := &Network{}
	if err := ctx.RegisterComponentResourceV2(NetworkType, name, specInput(c), n, opts...); err != nil {
		return nil, err
	}
	tags := pulumi.ToStringMap(c.Tags)

	// The resource group: created, or an existing one by name (no resource).
	if c.ResourceGroup.Existing {
		n.ResourceGroupName = pulumi.String(c.ResourceGroup.Name).ToStringOutput()
	} else {
		rg, err := resources.NewResourceGroup(ctx, childName(name, "rg"), &resources.ResourceGroupArgs{
			ResourceGroupName: pulumi.String(c.ResourceGroup.Name),
			Location:          pulumi.String(c.Location),
			Tags:              tags,
		}, pulumi.Parent(n))
		if err != nil {
			return nil, err
		}
		n.ResourceGroupName = rg.Name
	}

	podSubnets := podSubnetsOf(c)
	if c.Network.VNet.NodeSubnet.IsExisting() {
		// Validate guarantees that then every subnet is existing.
		n.VNetID = pulumi.String("").ToStringOutput()
		n.NodeSubnetID = pulumi.String(c.Network.VNet.NodeSubnet.ID).ToStringOutput()
		ids := pulumi.StringMap{}
		for _, s := range podSubnets {
			ids[s.Name] = pulumi.String(s.ID)
		}
		n.PodSubnetIDs = ids.ToStringMapOutput()
	} else {
		if c.CreatesNATGateway() {
			if n.NATGateway, err = natGateway(ctx, name, c, n.ResourceGroupName, tags, n); err != nil {
				return nil, err
			}
		}
		vnet, err := newVNet(ctx, name, c, podSubnets, n.ResourceGroupName, n.NATGateway, tags, n)
		if err != nil {
			return nil, err
		}
		n.VNetID = vnet.ID().ToStringOutput()
		n.NodeSubnetID = subnetIDOf(vnet, c.Network.VNet.NodeSubnet.Name)
		ids := pulumi.StringMap{}
		for _, s := range podSubnets {
			ids[s.Name] = subnetIDOf(vnet, s.Name)
		}
		n.PodSubnetIDs = ids.ToStringMapOutput()
	}

	outs := pulumi.Map{
		"resourceGroupName": n.ResourceGroupName,
		"nodeSubnetId":      n.NodeSubnetID,
		"podSubnetIds":      n.PodSubnetIDs,
	}
	if !c.Network.VNet.NodeSubnet.IsExisting() {
		outs["vnetId"] = n.VNetID
	}
	if err := ctx.RegisterResourceOutputs(n, outs); err != nil {
		return nil, err
	}
	return n, nil
}

// newVNet creates the VNet with every subnet inline (see Network). The node
// subnet carries the egress of the outbound type: the NAT gateway or the
// user's route table (nodeSubnetEgress).
func newVNet(ctx *pulumi.Context, name string, c spec.Cluster, podSubnets []spec.Subnet,
	rgName pulumi.StringOutput, nat *network.NatGateway, tags pulumi.StringMap, parent pulumi.Resource,
) (*network.VirtualNetwork, error) {
	v := c.Network.VNet
	natRef, routeTable := nodeSubnetEgress(c, nat)
	subnets := network.SubnetTypeArray{
		network.SubnetTypeArgs{
			Name:          pulumi.String(v.NodeSubnet.Name),
			AddressPrefix: pulumi.String(v.NodeSubnet.CIDR),
			NatGateway:    natRef,
			RouteTable:    routeTable,
		},
	}
	for _, s := range podSubnets {
		subnets = append(subnets, network.SubnetTypeArgs{
			Name:          pulumi.String(s.Name),
			AddressPrefix: pulumi.String(s.CIDR),
			Delegations: network.DelegationArray{
				network.DelegationArgs{
					Name:        pulumi.String("aks-delegation"),
					ServiceName: pulumi.String(PodSubnetDelegation),
				},
			},
		})
	}
	return network.NewVirtualNetwork(ctx, childName(name, "vnet"), &network.VirtualNetworkArgs{
		VirtualNetworkName: pulumi.String(v.Name),
		ResourceGroupName:  rgName,
		Location:           pulumi.String(c.Location),
		AddressSpace: &network.AddressSpaceArgs{
			AddressPrefixes: pulumi.ToStringArray(v.AddressSpace),
		},
		Subnets: subnets,
		Tags:    tags,
	}, pulumi.Parent(parent))
}

// subnetIDOf is the ID of the named subnet as the VNet reports it, so
// whatever uses it depends on the VNet (and waits for it).
func subnetIDOf(vnet *network.VirtualNetwork, subnet string) pulumi.StringOutput {
	return vnet.Subnets.ApplyT(func(subnets []network.SubnetResponse) (string, error) {
		for _, s := range subnets {
			if s.Name != nil && *s.Name == subnet && s.Id != nil {
				return *s.Id, nil
			}
		}
		return "", fmt.Errorf("aks-cilium: the VNet reports no subnet named %q", subnet)
	}).(pulumi.StringOutput)
}

// podSubnetsOf returns the pod subnets in PodSubnet mode, nil otherwise.
func podSubnetsOf(c spec.Cluster) []spec.Subnet {
	if ps, ok := c.Network.Mode.(spec.PodSubnet); ok {
		return ps.Subnets
	}
	return nil
}
