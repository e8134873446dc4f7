package spec

// The contract of a Platform stack (project "aks-cilium"): the configuration
// keys its program reads and the outputs it exports. The components, the
// automation engine, verification and the CLI all name them through these
// constants; the stack files in stacks/ and examples/ spell the keys.
const (
	// ConfigCluster holds the cluster spec as a structured object.
	ConfigCluster = "aks-cilium:cluster"
	// ConfigKubeloginMode chooses the kubeconfig's non-interactive login:
	// azurecli (default), workloadidentity, spn or msi.
	ConfigKubeloginMode = "aks-cilium:kubeloginMode"
	// ConfigKubeloginClientID is the client ID for the spn, msi or
	// workloadidentity login.
	ConfigKubeloginClientID = "aks-cilium:kubeloginClientId"
	// ConfigPolicies holds the baseline network policies as a structured
	// object; optional.
	ConfigPolicies = "aks-cilium:policies"
	// ConfigACNSPending is written by the automation Engine, never read by
	// the program: an ACNS change it must still make through ARM (set
	// before an up, removed once ARM has it).
	ConfigACNSPending = "aks-cilium:acnsPending"
)

// The outputs of a Platform stack (and of its Cluster component, which has
// the cluster's subset).
const (
	OutputResourceGroupName = "resourceGroupName"
	OutputVNetID            = "vnetId"
	OutputNodeSubnetID      = "nodeSubnetId"
	OutputPodSubnetIDs      = "podSubnetIds"
	OutputClusterID         = "clusterId"
	OutputClusterName       = "clusterName"
	OutputFQDN              = "fqdn"
	OutputNodeResourceGroup = "nodeResourceGroup"
	OutputOIDCIssuerURL     = "oidcIssuerUrl"
	OutputIPMode            = "ipMode"
	// OutputMinCiliumVersion is the minimum Cilium version for the
	// cluster's Kubernetes version (the version table); verification
	// compares the running Cilium with it.
	OutputMinCiliumVersion = "minCiliumVersion"
	// OutputKubeconfig is the cluster's kubeconfig, always secret.
	OutputKubeconfig = "kubeconfig"
)

// ProjectName is the Pulumi project of Platform stacks: the root project
// (Pulumi.yaml) and the automation engine's default, so both read the same
// configuration keys.
const ProjectName = "aks-cilium"
