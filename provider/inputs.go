package provider

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/kubeconfig"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// The inputs of the multi-language components. Their doc comments, and those
// of every type they reach, are the schema's descriptions (schemagen reads
// them); a json-tagged field is plain data, decoded like a stack config value,
// and a pulumi-tagged field is a Pulumi input (see package props).

// PlatformInputs are the inputs of aks-cilium:index:Platform
// (components.NewPlatformWithArgs).
type PlatformInputs struct {
	// Cluster is the desired cluster, the same object as the stack config key
	// aks-cilium:cluster. It is defaulted and validated before anything is
	// registered: an invalid spec fails with every problem and its field path.
	// It is plain data, known at preview (not an output of another resource).
	Cluster spec.Cluster `json:"cluster"`
	// Policies, when set, applies the baseline network policies to the new
	// cluster (a BaselinePolicies child on the cluster's Kubernetes provider).
	// Their ACNS switches, Kubernetes version and internet-egress exceptions
	// come from the cluster spec.
	Policies *components.PoliciesArgs `json:"policies,omitempty"`
	// Kubelogin chooses the non-interactive kubelogin login of the kubeconfig
	// output; the default is the Azure CLI login.
	Kubelogin kubeconfig.Options `json:"kubelogin,omitempty"`
}

// NetworkInputs are the inputs of aks-cilium:azure:Network
// (components.NewNetwork).
type NetworkInputs struct {
	// Cluster is the desired cluster; the Network uses its resource group,
	// VNet and subnets. It is defaulted and validated like Platform's.
	Cluster spec.Cluster `json:"cluster"`
}

// ClusterInputs are the inputs of aks-cilium:azure:Cluster
// (components.NewCluster): the spec and where the network is.
type ClusterInputs struct {
	// Cluster is the desired cluster; it is defaulted and validated like
	// Platform's.
	Cluster spec.Cluster `json:"cluster"`
	// ResourceGroupName holds the cluster (a Network's resourceGroupName).
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// NodeSubnetID is the node subnet of every pool (a Network's nodeSubnetId).
	NodeSubnetID pulumi.StringInput `pulumi:"nodeSubnetId"`
	// PodSubnetIDs maps pod subnet names to IDs; required in podSubnet mode
	// (a Network's podSubnetIds), unused otherwise.
	PodSubnetIDs pulumi.StringMapInput `pulumi:"podSubnetIds,optional"`
	// Kubelogin chooses the non-interactive kubelogin login of the kubeconfig
	// output; the default is the Azure CLI login.
	Kubelogin kubeconfig.Options `json:"kubelogin,omitempty"`
	// LogAnalyticsWorkspaceID is where Container Insights sends data;
	// required when the spec enables monitoring.containerInsights.
	LogAnalyticsWorkspaceID pulumi.StringInput `pulumi:"logAnalyticsWorkspaceId,optional"`
}

// BaselinePoliciesInputs are the inputs of
// aks-cilium:kubernetes:BaselinePolicies (components.NewBaselinePolicies):
// the policy config's fields and createNamespaces, as in the stack config key
// aks-cilium:policies. Give the component the cluster's Kubernetes provider
// with the providers resource option.
type BaselinePoliciesInputs struct {
	components.PoliciesArgs
}
