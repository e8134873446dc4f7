package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/kubeconfig"
	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// PlatformType is the Pulumi type token of Platform.
const PlatformType = "aks-cilium:index:Platform"

// PlatformArgs are the inputs of NewPlatformWithArgs.
type PlatformArgs struct {
	// Spec is the desired cluster; it is defaulted and validated.
	Spec spec.Cluster
	// Kubelogin chooses the non-interactive login of the Kubeconfig output;
	// the zero value is the Azure CLI login.
	Kubelogin kubeconfig.Options
	// Policies, when set, applies the baseline network policies to the new
	// cluster (BaselinePolicies). Their ACNS switches, Kubernetes version and
	// internet-egress exceptions come from Spec (netpol.ForCluster).
	Policies *PoliciesArgs
}

// PoliciesArgs configure the Platform's baseline network policies. In a
// stack config (aks-cilium:policies) the netpol.Config fields sit beside
// createNamespaces. The type is netpol.StackPolicies (pure, so tools that
// read stack files without Pulumi decode it the same way).
type PoliciesArgs = netpol.StackPolicies

// PoliciesField is the root of the policies' field paths in errors: a
// stack's spec.ConfigPolicies value, next to the cluster spec's fields.
const PoliciesField = netpol.StackPoliciesField

// DecodePolicies decodes a spec.ConfigPolicies value (JSON) as strictly as
// the cluster spec (netpol.DecodeStackPolicies): an unknown field, a key
// given twice or a value of the wrong type is a *spec.InvalidError with
// paths under PoliciesField. The stack program, the automation engine and
// the CLI all read the key with it. PoliciesArgs.CheckFor validates the
// policies for a cluster.
func DecodePolicies(data []byte) (*PoliciesArgs, error) {
	return netpol.DecodeStackPolicies(data)
}

// Platform is the one-call composition: the Network and the Cluster on it.
// Its outputs are the cluster's outputs plus the network IDs.
type Platform struct {
	pulumi.ResourceState

	// Network is the resource group, VNet and subnets.
	Network *Network
	// Cluster is the AKS cluster with the Cilium data plane.
	Cluster *Cluster
	// Policies are the baseline network policies; nil without Args.Policies.
	Policies *BaselinePolicies
	// Workspaces and Monitoring are the Azure Monitor parts; nil when the
	// spec enables no monitoring.
	Workspaces *MonitoringWorkspaces
	Monitoring *ClusterMonitoring

	// ResourceGroupName is the resource group of the cluster and the VNet.
	ResourceGroupName pulumi.StringOutput `pulumi:"resourceGroupName"`
	// VNetID is the VNet created here; "" with existing subnets.
	VNetID pulumi.StringOutput `pulumi:"vnetId"`
	// NodeSubnetID is the node subnet's ARM ID.
	NodeSubnetID pulumi.StringOutput `pulumi:"nodeSubnetId"`
	// PodSubnetIDs are the pod subnets' ARM IDs by name (PodSubnet mode).
	PodSubnetIDs pulumi.StringMapOutput `pulumi:"podSubnetIds"`

	// ClusterID is the ARM ID of the ManagedCluster.
	ClusterID pulumi.StringOutput `pulumi:"clusterId"`
	// ClusterName is the ManagedCluster's name.
	ClusterName pulumi.StringOutput `pulumi:"clusterName"`
	// FQDN is the API server's FQDN (private for a private cluster).
	FQDN pulumi.StringOutput `pulumi:"fqdn"`
	// NodeResourceGroup is the resource group AKS manages for the nodes.
	NodeResourceGroup pulumi.StringOutput `pulumi:"nodeResourceGroup"`
	// OIDCIssuerURL is the cluster's OIDC issuer.
	OIDCIssuerURL pulumi.StringOutput `pulumi:"oidcIssuerUrl"`
	// IPMode is the pod IP mode: overlay, podSubnet or nodeSubnet.
	IPMode pulumi.StringOutput `pulumi:"ipMode"`
	// MinCiliumVersion is the minimum Cilium version expected on the cluster.
	MinCiliumVersion pulumi.StringOutput `pulumi:"minCiliumVersion"`
	// Kubeconfig is the non-interactive kubelogin kubeconfig. Always secret.
	Kubeconfig pulumi.StringOutput `pulumi:"kubeconfig"`
	// Provider is the Kubernetes provider of the cluster.
	Provider *kubernetes.Provider
}

// NewPlatform deploys a cluster spec: Network then Cluster, with the Azure
// CLI kubelogin login for the kubeconfig. The spec is defaulted and
// validated first; an invalid spec returns a *spec.InvalidError and registers
// nothing at all.
func NewPlatform(ctx *pulumi.Context, name string, c spec.Cluster, opts ...pulumi.ResourceOption) (*Platform, error) {
	return NewPlatformWithArgs(ctx, name, PlatformArgs{Spec: c}, opts...)
}

// NewPlatformWithArgs is NewPlatform with a choice of kubelogin login.
func NewPlatformWithArgs(ctx *pulumi.Context, name string, args PlatformArgs, opts ...pulumi.ResourceOption) (*Platform, error) {
	c, err := checkSpec(name, args.Spec)
	if err != nil {
		return nil, err
	}
	if err := args.Kubelogin.Validate(); err != nil {
		return nil, fmt.Errorf("aks-cilium: %s: Kubelogin: %w", name, err)
	}
	// The policies are built (and refused when invalid) before anything is
	// registered; the lint's findings on them are warnings in the run.
	var policies *netpol.Config
	if args.Policies != nil {
		cfg, err := args.Policies.CheckFor(c)
		if err != nil {
			return nil, fmt.Errorf("aks-cilium: %s: nothing was deployed: %w", name, err)
		}
		baseline, err := netpol.Build(cfg)
		if err != nil {
			return nil, fmt.Errorf("aks-cilium: %s: %w", name, err)
		}
		for _, f := range netpol.Lint(baseline.PolicySet, netpol.LintContextFor(c)) {
			_ = ctx.Log.Warn("aks-cilium: "+f.String(), nil)
		}
		policies = &cfg
	}

	p := &Platform{}
	if err := ctx.RegisterComponentResourceV2(PlatformType, name, specInput(c), p, opts...); err != nil {
		return nil, err
	}

	p.Network, err = NewNetwork(ctx, childName(name, "network"), c, pulumi.Parent(p))
	if err != nil {
		return nil, err
	}
	var workspaceID pulumi.StringInput
	if c.Monitoring.Enabled() {
		p.Workspaces, err = NewMonitoringWorkspaces(ctx, childName(name, "workspaces"), MonitoringWorkspacesArgs{
			Spec: c, ResourceGroupName: p.Network.ResourceGroupName,
		}, pulumi.Parent(p))
		if err != nil {
			return nil, err
		}
		workspaceID = p.Workspaces.LogAnalyticsWorkspaceID
	}
	p.Cluster, err = NewCluster(ctx, childName(name, "cluster"), ClusterArgs{
		Spec:                    c,
		ResourceGroupName:       p.Network.ResourceGroupName,
		NodeSubnetID:            p.Network.NodeSubnetID,
		PodSubnetIDs:            p.Network.PodSubnetIDs,
		Kubelogin:               args.Kubelogin,
		LogAnalyticsWorkspaceID: workspaceID,
	}, pulumi.Parent(p))
	if err != nil {
		return nil, err
	}
	if p.Workspaces != nil {
		p.Monitoring, err = NewClusterMonitoring(ctx, childName(name, "monitoring"), ClusterMonitoringArgs{
			Spec: c, ResourceGroupName: p.Network.ResourceGroupName,
			ClusterName: p.Cluster.ClusterName, Workspaces: p.Workspaces,
		}, pulumi.Parent(p))
		if err != nil {
			return nil, err
		}
	}

	// Resources inside the cluster: on its provider, after the cluster.
	if policies != nil {
		p.Policies, err = NewBaselinePolicies(ctx, childName(name, "policies"), BaselinePoliciesArgs{
			Config:           *policies,
			CreateNamespaces: args.Policies.CreateNamespaces,
			DependsOn:        []pulumi.Resource{p.Cluster.ManagedCluster},
		}, pulumi.Parent(p), pulumi.Providers(p.Cluster.Provider))
		if err != nil {
			return nil, err
		}
	}

	p.ResourceGroupName = p.Network.ResourceGroupName
	p.VNetID = p.Network.VNetID
	p.NodeSubnetID = p.Network.NodeSubnetID
	p.PodSubnetIDs = p.Network.PodSubnetIDs
	p.ClusterID = p.Cluster.ClusterID
	p.ClusterName = p.Cluster.ClusterName
	p.FQDN = p.Cluster.FQDN
	p.NodeResourceGroup = p.Cluster.NodeResourceGroup
	p.OIDCIssuerURL = p.Cluster.OIDCIssuerURL
	p.IPMode = p.Cluster.IPMode
	p.MinCiliumVersion = p.Cluster.MinCiliumVersion
	p.Kubeconfig = p.Cluster.Kubeconfig
	p.Provider = p.Cluster.Provider

	if err := ctx.RegisterResourceOutputs(p, p.Outputs()); err != nil {
		return nil, err
	}
	return p, nil
}

// Outputs are the platform's outputs by their stack output names, ready for
// ctx.Export; the kubeconfig stays secret.
func (p *Platform) Outputs() pulumi.Map {
	return pulumi.Map{
		spec.OutputResourceGroupName: p.ResourceGroupName,
		spec.OutputVNetID:            p.VNetID,
		spec.OutputNodeSubnetID:      p.NodeSubnetID,
		spec.OutputPodSubnetIDs:      p.PodSubnetIDs,
		spec.OutputClusterID:         p.ClusterID,
		spec.OutputClusterName:       p.ClusterName,
		spec.OutputFQDN:              p.FQDN,
		spec.OutputNodeResourceGroup: p.NodeResourceGroup,
		spec.OutputOIDCIssuerURL:     p.OIDCIssuerURL,
		spec.OutputIPMode:            p.IPMode,
		spec.OutputMinCiliumVersion:  p.MinCiliumVersion,
		spec.OutputKubeconfig:        p.Kubeconfig,
	}
}
