package components

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	authorization "github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	containerservice "github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2/v20241001"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/kubeconfig"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// ClusterType is the Pulumi type token of Cluster.
const ClusterType = "aks-cilium:azure:Cluster"

// ClusterArgs are the inputs of NewCluster: the spec and where the network is.
type ClusterArgs struct {
	// Spec is the desired cluster; NewCluster defaults and validates it.
	Spec spec.Cluster
	// ResourceGroupName holds the cluster (Network.ResourceGroupName).
	ResourceGroupName pulumi.StringInput
	// NodeSubnetID is the node subnet of every pool (Network.NodeSubnetID).
	NodeSubnetID pulumi.StringInput
	// PodSubnetIDs maps pod subnet names to IDs; required in PodSubnet mode
	// (Network.PodSubnetIDs), unused otherwise.
	PodSubnetIDs pulumi.StringMapInput
	// Kubelogin chooses the non-interactive login of the Kubeconfig output;
	// the zero value is the Azure CLI login.
	Kubelogin kubeconfig.Options
	// LogAnalyticsWorkspaceID is where Container Insights sends data
	// (MonitoringWorkspaces.LogAnalyticsWorkspaceID); required when the spec
	// enables monitoring.containerInsights.
	LogAnalyticsWorkspaceID pulumi.StringInput
}

// Cluster is an AKS ManagedCluster with Azure CNI powered by Cilium, its user
// node pools, the user kubeconfig (kubelogin, non-interactive) and a
// Kubernetes provider for resources inside the cluster.
//
// The networkProfile is the one AKS documents per pod IP mode for Azure CNI
// powered by Cilium (learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium):
// networkPlugin azure, networkDataplane and networkPolicy cilium, and
// networkPluginMode overlay with podCidr only in overlay mode; every pool sets
// vnetSubnetID to the node subnet and, only in PodSubnet mode, podSubnetID.
// The system pool is inline in the ManagedCluster (mode System); each user
// pool is its own AgentPool resource (mode User). For an autoscaled pool the
// count is only the initial size: the autoscaler owns it afterwards, so
// changes to it are ignored rather than scaling the pool back on every update.
//
// AKS runs one operation at a time on a cluster and its agent pools and
// answers any other with 409 OperationNotAllowed ("Another agentpool
// operation (... - Creating) is in progress": cilium/cilium#25944,
// Azure/AKS#1913), which azure-native does not retry; unordered AgentPool
// resources are created, updated and deleted concurrently by Pulumi and
// fail. So the user pools form a chain: the first depends on the cluster,
// each next on the one before, in the spec's order; Pulumi then runs their
// creates and updates one after the other and their deletes in reverse.
// Creating the user pools inline with the cluster would be faster for a new
// cluster (measured on the simulator with ARM latencies of 200 ms for the
// resource group, 400 ms the VNet, 1 s the cluster and 600 ms a pool, two
// user pools: 1.6 s inline against 2.9 s chained; BenchmarkPoolLayouts in
// automation), but AKS refuses a pool added to an existing cluster through
// the cluster ("A new agent pool was introduced. Adding agent pools to an
// existing cluster is not allowed through managed cluster operations":
// pulumi/pulumi-azure-nextgen#168) and keeps a pool the cluster's PUT leaves
// out (pulumi/pulumi-azure-native#579, #1686), so inline pools could never be
// added or removed later. The chain costs one pool operation per pool on
// the critical path, which AKS imposes anyway.
//
// The production settings map one to one to ARM: spec.SKU to sku.tier and
// supportPlan, spec.Upgrades to autoUpgradeProfile and one
// MaintenanceConfiguration per window (maintenance.go), spec.Egress to
// networkProfile.outboundType (the NAT gateway or route table sits on the
// node subnet, see Network), spec.Identity to identity and
// identityProfile.kubeletidentity (identity.go), the pools' OS disks and
// FIPS to osDiskType, osDiskSizeGB and enableFIPS. With a user-assigned
// control-plane identity the role assignments it needs are created before
// the ManagedCluster, which waits for them (grantClusterRoles).
//
// With spec.DeletionProtection the ManagedCluster is protected: Pulumi then
// refuses to delete or replace it.
type Cluster struct {
	pulumi.ResourceState

	// ClusterID is the ARM ID of the ManagedCluster.
	ClusterID pulumi.StringOutput `pulumi:"clusterId"`
	// ClusterName is the ManagedCluster's name.
	ClusterName pulumi.StringOutput `pulumi:"clusterName"`
	// FQDN is the API server's FQDN: the private FQDN for a private cluster.
	FQDN pulumi.StringOutput `pulumi:"fqdn"`
	// NodeResourceGroup is the resource group AKS manages for the nodes.
	NodeResourceGroup pulumi.StringOutput `pulumi:"nodeResourceGroup"`
	// OIDCIssuerURL is the cluster's OIDC issuer (for workload identity federation).
	OIDCIssuerURL pulumi.StringOutput `pulumi:"oidcIssuerUrl"`
	// IPMode is the pod IP mode: overlay, podSubnet or nodeSubnet.
	IPMode pulumi.StringOutput `pulumi:"ipMode"`
	// MinCiliumVersion is the minimum Cilium version AKS should run for the
	// cluster's Kubernetes version (spec.Versions); verification compares it
	// with the running Cilium image.
	MinCiliumVersion pulumi.StringOutput `pulumi:"minCiliumVersion"`
	// Kubeconfig is the user kubeconfig with a non-interactive kubelogin
	// exec plugin. Always secret. It holds no static credential: with local
	// accounts disabled there is none.
	Kubeconfig pulumi.StringOutput `pulumi:"kubeconfig"`

	// Provider is a Kubernetes provider for this cluster, built from
	// Kubeconfig; pass it to resources that live inside the cluster.
	Provider *kubernetes.Provider
	// ManagedCluster is the underlying resource (for DependsOn).
	ManagedCluster *containerservice.ManagedCluster
	// UserPools are the AgentPool resources of the user pools, by pool name.
	UserPools map[string]*containerservice.AgentPool
	// NetworkRoles are the cluster identity's Network Contributor
	// assignments on its subnets and route table, by "nodes",
	// "pods-<subnet>" and "routetable" (see grantClusterRoles).
	NetworkRoles map[string]*authorization.RoleAssignment
	// KubeletOperator is the control-plane identity's Managed Identity
	// Operator assignment on the kubelet identity; nil without one.
	KubeletOperator *authorization.RoleAssignment
	// MaintenanceConfigurations are the planned maintenance windows, by
	// configuration name (aksManagedAutoUpgradeSchedule,
	// aksManagedNodeOSUpgradeSchedule).
	MaintenanceConfigurations map[string]*containerservice.MaintenanceConfiguration
}

// NewCluster defaults and validates the spec and, only if it and the args
// are valid, registers the Cluster component and its children. An invalid
// spec returns a *spec.InvalidError and registers nothing.
func NewCluster(ctx *pulumi.Context, name string, args ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	c, err := checkSpec(name, args.Spec)
	if err != nil {
		return nil, err
	}
	if err := checkClusterArgs(name, c, args); err != nil {
		return nil, err
	}
	minCilium, err := c.MinCiliumVersion()
	if err != nil {
		return nil, fmt.Errorf("aks-cilium: %s: %w", name, err)
	}
	warnSupport(ctx, c, time.Now())

	cl := &Cluster{UserPools: map[string]*containerservice.AgentPool{}}
	if err := ctx.RegisterComponentResourceV2(ClusterType, name, specInput(c), cl, opts...); err != nil {
		return nil, err
	}
	tags := pulumi.ToStringMap(c.Tags)
	nodeSubnetID := args.NodeSubnetID.ToStringOutput()
	var podSubnetIDs pulumi.StringMapOutput
	if args.PodSubnetIDs != nil {
		podSubnetIDs = args.PodSubnetIDs.ToStringMapOutput()
	}

	// With a user-assigned control-plane identity its roles come first
	// and the cluster after them (grantClusterRoles).
	var roles clusterRoles
	if cp := c.Identity.ControlPlane; cp != nil {
		if roles, err = grantClusterRoles(ctx, name, c, pulumi.String(cp.PrincipalID).ToStringOutput(), nodeSubnetID, podSubnetIDs, cl); err != nil {
			return nil, err
		}
	}

	// The ManagedCluster with the system pool inline.
	system := poolInputsFor(c, c.SystemPool, nodeSubnetID, podSubnetIDs)
	clusterIgnore, poolIgnore := versionIgnorePaths(c.Upgrades)
	mcOpts := []pulumi.ResourceOption{
		pulumi.Parent(cl),
		pulumi.Protect(c.DeletionProtection),
		keepPodCIDR(podCIDROf(c)),
		acnsOptions(),
		pulumi.DependsOn(roles.all()),
	}
	if c.SystemPool.Autoscale != nil {
		clusterIgnore = append(clusterIgnore, "agentPoolProfiles[0].count")
	}
	if len(clusterIgnore) > 0 {
		mcOpts = append(mcOpts, pulumi.IgnoreChanges(clusterIgnore))
	}
	mc, err := containerservice.NewManagedCluster(ctx, childName(name, "aks"), &containerservice.ManagedClusterArgs{
		ResourceName:      pulumi.String(c.Name),
		ResourceGroupName: args.ResourceGroupName,
		Location:          pulumi.String(c.Location),
		DnsPrefix:         pulumi.String(c.DNSPrefix),
		KubernetesVersion: pulumi.String(c.KubernetesVersion),
		Sku: &containerservice.ManagedClusterSKUArgs{
			Name: pulumi.String(string(containerservice.ManagedClusterSKUNameBase)),
			Tier: pulumi.String(string(c.SKU.Tier)),
		},
		SupportPlan:          pulumi.String(string(c.SKU.SupportPlan)),
		AutoUpgradeProfile:   autoUpgradeProfile(c.Upgrades),
		NodeResourceGroup:    stringPtrOrNil(c.NodeResourceGroup),
		Identity:             clusterIdentity(c.Identity),
		IdentityProfile:      kubeletIdentityProfile(c.Identity),
		AadProfile:           aadProfile(c.Security),
		EnableRBAC:           pulumi.Bool(true),
		DisableLocalAccounts: pulumi.Bool(!c.Security.LocalAccounts),
		OidcIssuerProfile: &containerservice.ManagedClusterOIDCIssuerProfileArgs{
			Enabled: pulumi.Bool(true),
		},
		SecurityProfile: &containerservice.ManagedClusterSecurityProfileArgs{
			WorkloadIdentity: &containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs{
				Enabled: pulumi.Bool(spec.BoolValue(c.Security.WorkloadIdentity, true)),
			},
		},
		ApiServerAccessProfile: apiServerAccess(c.Security),
		NetworkProfile:         networkProfile(c),
		AddonProfiles:          addonProfiles(c, args.LogAnalyticsWorkspaceID),
		AzureMonitorProfile:    azureMonitorProfile(c),
		AgentPoolProfiles: containerservice.ManagedClusterAgentPoolProfileArray{
			containerservice.ManagedClusterAgentPoolProfileArgs{
				Name:                pulumi.String(c.SystemPool.Name),
				Mode:                pulumi.String(string(containerservice.AgentPoolModeSystem)),
				Type:                pulumi.String(string(containerservice.AgentPoolTypeVirtualMachineScaleSets)),
				VmSize:              system.vmSize,
				Count:               system.count,
				EnableAutoScaling:   system.autoscale,
				MinCount:            system.minCount,
				MaxCount:            system.maxCount,
				MaxPods:             system.maxPods,
				OsType:              system.osType,
				OsSKU:               system.osSKU,
				OsDiskType:          system.osDiskType,
				OsDiskSizeGB:        system.osDiskSizeGB,
				EnableFIPS:          system.fips,
				AvailabilityZones:   system.zones,
				NodeLabels:          system.labels,
				NodeTaints:          system.taints,
				UpgradeSettings:     system.upgrade,
				VnetSubnetID:        system.vnetSubnetID,
				PodSubnetID:         system.podSubnetID,
				OrchestratorVersion: system.orchestratorVersion,
				Tags:                tags,
			},
		},
		Tags: tags,
	}, mcOpts...)
	if err != nil {
		return nil, err
	}
	cl.ManagedCluster = mc

	// Each user pool is its own AgentPool resource, one after the other:
	// the first after the cluster, each next after the one before (see the
	// Cluster doc comment), so creates, updates and deletes never overlap.
	var previous pulumi.Resource = mc
	for _, p := range c.UserPools {
		in := poolInputsFor(c, p, nodeSubnetID, podSubnetIDs)
		poolOpts := []pulumi.ResourceOption{pulumi.Parent(cl), pulumi.DependsOn([]pulumi.Resource{previous})}
		ignore := poolIgnore
		if p.Autoscale != nil {
			ignore = append(slices.Clone(ignore), "count")
		}
		if len(ignore) > 0 {
			poolOpts = append(poolOpts, pulumi.IgnoreChanges(ignore))
		}
		pool, err := containerservice.NewAgentPool(ctx, childName(name, "pool-"+p.Name), &containerservice.AgentPoolArgs{
			AgentPoolName:       pulumi.String(p.Name),
			ResourceGroupName:   args.ResourceGroupName,
			ResourceName:        mc.Name,
			Mode:                pulumi.String(string(containerservice.AgentPoolModeUser)),
			Type:                pulumi.String(string(containerservice.AgentPoolTypeVirtualMachineScaleSets)),
			VmSize:              in.vmSize,
			Count:               in.count,
			EnableAutoScaling:   in.autoscale,
			MinCount:            in.minCount,
			MaxCount:            in.maxCount,
			MaxPods:             in.maxPods,
			OsType:              in.osType,
			OsSKU:               in.osSKU,
			OsDiskType:          in.osDiskType,
			OsDiskSizeGB:        in.osDiskSizeGB,
			EnableFIPS:          in.fips,
			AvailabilityZones:   in.zones,
			NodeLabels:          in.labels,
			NodeTaints:          in.taints,
			UpgradeSettings:     in.upgrade,
			VnetSubnetID:        in.vnetSubnetID,
			PodSubnetID:         in.podSubnetID,
			OrchestratorVersion: in.orchestratorVersion,
			Tags:                tags,
		}, poolOpts...)
		if err != nil {
			return nil, err
		}
		cl.UserPools[p.Name] = pool
		previous = pool
	}

	// With the system-assigned identity the roles follow the cluster.
	if c.Identity.ControlPlane == nil {
		if roles, err = grantClusterRoles(ctx, name, c, mc.Identity.PrincipalId().Elem(), nodeSubnetID, podSubnetIDs, cl); err != nil {
			return nil, err
		}
	}
	cl.NetworkRoles, cl.KubeletOperator = roles.network, roles.kubeletOperator

	// The maintenance windows, after the cluster's last pool operation.
	cl.MaintenanceConfigurations, err = maintenanceConfigurations(ctx, name, c, args.ResourceGroupName, mc.Name, previous, cl)
	if err != nil {
		return nil, err
	}

	cl.ClusterID = mc.ID().ToStringOutput()
	cl.ClusterName = mc.Name
	if c.Security.PrivateCluster {
		cl.FQDN = mc.PrivateFQDN
	} else {
		cl.FQDN = mc.Fqdn
	}
	cl.NodeResourceGroup = mc.NodeResourceGroup.Elem()
	cl.OIDCIssuerURL = mc.OidcIssuerProfile.IssuerURL().Elem()
	cl.IPMode = pulumi.String(string(c.Network.Mode.Kind())).ToStringOutput()
	cl.MinCiliumVersion = pulumi.String(minCilium).ToStringOutput()
	cl.Kubeconfig = userKubeconfig(ctx, cl, args.ResourceGroupName, mc.Name, args.Kubelogin)

	cl.Provider, err = kubernetes.NewProvider(ctx, childName(name, "k8s"), &kubernetes.ProviderArgs{
		Kubeconfig: cl.Kubeconfig,
	}, pulumi.Parent(cl))
	if err != nil {
		return nil, err
	}

	if err := ctx.RegisterResourceOutputs(cl, pulumi.Map{
		spec.OutputClusterID:         cl.ClusterID,
		spec.OutputClusterName:       cl.ClusterName,
		spec.OutputFQDN:              cl.FQDN,
		spec.OutputNodeResourceGroup: cl.NodeResourceGroup,
		spec.OutputOIDCIssuerURL:     cl.OIDCIssuerURL,
		spec.OutputIPMode:            cl.IPMode,
		spec.OutputMinCiliumVersion:  cl.MinCiliumVersion,
		spec.OutputKubeconfig:        cl.Kubeconfig,
	}); err != nil {
		return nil, err
	}
	return cl, nil
}

// warnSupport warns when AKS would not create a cluster with the spec's
// Kubernetes minor today (spec.Cluster.ValidateSupport). It is a warning,
// not an error: a program cannot tell a new cluster from an existing one,
// and AKS keeps running and updating a cluster past its minor's support.
// The automation Engine, which knows, refuses the creation instead.
func warnSupport(ctx *pulumi.Context, c spec.Cluster, now time.Time) {
	for _, e := range c.ValidateSupport(now) {
		_ = ctx.Log.Warn("aks-cilium: "+e.Error()+" (an existing cluster keeps running; AKS refuses to create a new one)", nil)
	}
}

// checkClusterArgs checks what ClusterArgs adds to the spec.
func checkClusterArgs(name string, c spec.Cluster, args ClusterArgs) error {
	var errs []error
	if args.ResourceGroupName == nil {
		errs = append(errs, errors.New("ResourceGroupName is required (Network.ResourceGroupName)"))
	}
	if args.NodeSubnetID == nil {
		errs = append(errs, errors.New("NodeSubnetID is required (Network.NodeSubnetID)"))
	}
	if _, ok := c.Network.Mode.(spec.PodSubnet); ok && args.PodSubnetIDs == nil {
		errs = append(errs, errors.New("PodSubnetIDs is required in podSubnet mode (Network.PodSubnetIDs)"))
	}
	if err := args.Kubelogin.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("Kubelogin: %w", err))
	}
	if c.Monitoring.ContainerInsights != nil && args.LogAnalyticsWorkspaceID == nil {
		errs = append(errs, errors.New("LogAnalyticsWorkspaceID is required with monitoring.containerInsights (MonitoringWorkspaces.LogAnalyticsWorkspaceID)"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("aks-cilium: %s: invalid ClusterArgs: %w", name, errors.Join(errs...))
	}
	return nil
}

// networkProfile is the ARM networkProfile for the spec's pod IP mode
// (the shapes Cluster's doc comment lists).
func networkProfile(c spec.Cluster) *containerservice.ContainerServiceNetworkProfileArgs {
	n := c.Network
	np := &containerservice.ContainerServiceNetworkProfileArgs{
		NetworkPlugin:    pulumi.String(string(containerservice.NetworkPluginAzure)),
		NetworkDataplane: pulumi.String(n.Dataplane),
		NetworkPolicy:    pulumi.String(n.Policy),
		ServiceCidr:      pulumi.String(n.ServiceCIDR),
		DnsServiceIP:     pulumi.String(n.DNSServiceIP),
		OutboundType:     pulumi.String(string(c.Egress.OutboundType)),
	}
	if overlay, ok := n.Mode.(spec.Overlay); ok {
		np.NetworkPluginMode = pulumi.String(string(containerservice.NetworkPluginModeOverlay))
		np.PodCidr = pulumi.String(overlay.PodCIDR)
	}
	np.AdvancedNetworking = advancedNetworking(c.ACNS)
	return np
}

// podCIDROf is the pod CIDR in overlay mode, nil in the other modes.
func podCIDROf(c spec.Cluster) *string {
	if overlay, ok := c.Network.Mode.(spec.Overlay); ok {
		return &overlay.PodCIDR
	}
	return nil
}

// keepPodCIDR sets the ManagedCluster's networkProfile.podCidr to exactly
// podCIDR (nil: absent). It is needed because NewManagedCluster applies the
// schema defaults of the generated SDK, which fill podCidr with
// 10.244.0.0/16 whenever it is unset, and a pod CIDR is only valid in overlay
// mode (Azure CNI without overlay takes pod IPs from subnets; the Azure CLI
// refuses --pod-cidr there). The transformation runs after those defaults and
// before registration, and touches nothing else.
func keepPodCIDR(podCIDR *string) pulumi.ResourceOption {
	return pulumi.Transformations([]pulumi.ResourceTransformation{
		func(t *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
			args, ok := t.Props.(*containerservice.ManagedClusterArgs)
			if !ok || args.NetworkProfile == nil {
				return nil
			}
			args.NetworkProfile = args.NetworkProfile.ToContainerServiceNetworkProfilePtrOutput().ApplyT(
				func(p *containerservice.ContainerServiceNetworkProfile) *containerservice.ContainerServiceNetworkProfile {
					if p == nil {
						return nil
					}
					out := *p
					out.PodCidr = podCIDR
					return &out
				}).(containerservice.ContainerServiceNetworkProfilePtrOutput)
			return &pulumi.ResourceTransformationResult{Props: args, Opts: t.Opts}
		},
	})
}

// addonProfiles turns on the omsagent (Container Insights) add-on with
// managed identity auth when the spec asks for it.
func addonProfiles(c spec.Cluster, workspaceID pulumi.StringInput) containerservice.ManagedClusterAddonProfileMapInput {
	if c.Monitoring.ContainerInsights == nil {
		return nil
	}
	return containerservice.ManagedClusterAddonProfileMap{
		"omsagent": containerservice.ManagedClusterAddonProfileArgs{
			Enabled: pulumi.Bool(true),
			Config: pulumi.StringMap{
				"logAnalyticsWorkspaceResourceID": workspaceID,
				"useAADAuth":                      pulumi.String("true"),
			},
		},
	}
}

// azureMonitorProfile turns on managed Prometheus metrics (the ama-metrics
// agents) when the spec asks for it.
func azureMonitorProfile(c spec.Cluster) containerservice.ManagedClusterAzureMonitorProfilePtrInput {
	if c.Monitoring.Prometheus == nil {
		return nil
	}
	return containerservice.ManagedClusterAzureMonitorProfileArgs{
		Metrics: containerservice.ManagedClusterAzureMonitorProfileMetricsArgs{
			Enabled:          pulumi.Bool(true),
			KubeStateMetrics: containerservice.ManagedClusterAzureMonitorProfileKubeStateMetricsArgs{},
		},
	}
}

// aadProfile is AKS-managed Microsoft Entra ID, with Azure RBAC by default.
func aadProfile(s spec.Security) *containerservice.ManagedClusterAADProfileArgs {
	aad := &containerservice.ManagedClusterAADProfileArgs{
		Managed:         pulumi.Bool(true),
		EnableAzureRBAC: pulumi.Bool(spec.BoolValue(s.AzureRBAC, true)),
	}
	if len(s.AdminGroupObjectIDs) > 0 {
		aad.AdminGroupObjectIDs = pulumi.ToStringArray(s.AdminGroupObjectIDs)
	}
	if s.TenantID != "" {
		aad.TenantID = pulumi.String(s.TenantID)
	}
	return aad
}

// apiServerAccess is the API server's exposure: a private endpoint and/or
// authorized IP ranges; nil (AKS's public default) when neither is set.
func apiServerAccess(s spec.Security) containerservice.ManagedClusterAPIServerAccessProfilePtrInput {
	if !s.PrivateCluster && len(s.AuthorizedIPRanges) == 0 {
		return nil
	}
	a := &containerservice.ManagedClusterAPIServerAccessProfileArgs{}
	if s.PrivateCluster {
		a.EnablePrivateCluster = pulumi.Bool(true)
	}
	if len(s.AuthorizedIPRanges) > 0 {
		a.AuthorizedIPRanges = pulumi.ToStringArray(s.AuthorizedIPRanges)
	}
	return a
}

// poolInputs are the fields the inline system pool and the AgentPool
// resources share, computed once from a pool's spec.
type poolInputs struct {
	vmSize              pulumi.StringPtrInput
	count               pulumi.IntPtrInput
	autoscale           pulumi.BoolPtrInput
	minCount            pulumi.IntPtrInput
	maxCount            pulumi.IntPtrInput
	maxPods             pulumi.IntPtrInput
	osType              pulumi.StringPtrInput
	osSKU               pulumi.StringPtrInput
	osDiskType          pulumi.StringPtrInput
	osDiskSizeGB        pulumi.IntPtrInput
	fips                pulumi.BoolPtrInput
	zones               pulumi.StringArrayInput
	labels              pulumi.StringMapInput
	taints              pulumi.StringArrayInput
	upgrade             containerservice.AgentPoolUpgradeSettingsPtrInput
	vnetSubnetID        pulumi.StringPtrInput
	podSubnetID         pulumi.StringPtrInput
	orchestratorVersion pulumi.StringPtrInput
}

// poolInputsFor translates one pool. Every pool is Linux, on the node
// subnet; only in PodSubnet mode does it get its pod subnet.
func poolInputsFor(c spec.Cluster, p spec.NodePool, nodeSubnetID pulumi.StringOutput, podSubnetIDs pulumi.StringMapOutput) poolInputs {
	in := poolInputs{
		vmSize:              pulumi.String(p.VMSize),
		count:               pulumi.Int(p.Count),
		autoscale:           pulumi.Bool(p.Autoscale != nil),
		maxPods:             pulumi.Int(p.MaxPods),
		osType:              pulumi.String(p.OSType),
		osSKU:               pulumi.String(p.OSSKU),
		upgrade:             &containerservice.AgentPoolUpgradeSettingsArgs{MaxSurge: pulumi.String(p.MaxSurge)},
		vnetSubnetID:        nodeSubnetID,
		orchestratorVersion: pulumi.String(c.KubernetesVersion),
	}
	if p.Autoscale != nil {
		in.minCount = pulumi.Int(p.Autoscale.Min)
		in.maxCount = pulumi.Int(p.Autoscale.Max)
	}
	if p.OSDiskType != "" {
		in.osDiskType = pulumi.String(string(p.OSDiskType))
	}
	if p.OSDiskSizeGB > 0 {
		in.osDiskSizeGB = pulumi.Int(p.OSDiskSizeGB)
	}
	in.fips = pulumi.Bool(p.FIPS)
	if len(p.Zones) > 0 {
		in.zones = pulumi.ToStringArray(p.Zones)
	}
	if len(p.Labels) > 0 {
		in.labels = pulumi.ToStringMap(p.Labels)
	}
	if len(p.Taints) > 0 {
		in.taints = pulumi.ToStringArray(p.Taints)
	}
	if _, ok := c.Network.Mode.(spec.PodSubnet); ok {
		in.podSubnetID = podSubnetIDOf(podSubnetIDs, p.PodSubnet)
	}
	return in
}

// stringPtrOrNil is the string as an input, or nil (absent) when empty.
func stringPtrOrNil(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.String(s)
}

// podSubnetIDOf looks a pod subnet's ID up by name.
func podSubnetIDOf(ids pulumi.StringMapOutput, name string) pulumi.StringOutput {
	return ids.ApplyT(func(m map[string]string) (string, error) {
		id, ok := m[name]
		if !ok || id == "" {
			return "", fmt.Errorf("aks-cilium: no ID for pod subnet %q", name)
		}
		return id, nil
	}).(pulumi.StringOutput)
}

// userKubeconfig fetches the user kubeconfig in exec format and rewrites its
// kubelogin plugin to a non-interactive login. The result is secret; errors
// never carry the kubeconfig.
func userKubeconfig(ctx *pulumi.Context, parent pulumi.Resource, rgName pulumi.StringInput,
	clusterName pulumi.StringOutput, login kubeconfig.Options,
) pulumi.StringOutput {
	creds := containerservice.ListManagedClusterUserCredentialsOutput(ctx, containerservice.ListManagedClusterUserCredentialsOutputArgs{
		ResourceGroupName: rgName,
		ResourceName:      clusterName,
		Format:            pulumi.String("exec"),
	}, pulumi.Parent(parent))
	rewritten := creds.Kubeconfigs().ApplyT(func(list []containerservice.CredentialResultResponse) (string, error) {
		if len(list) == 0 {
			return "", errors.New("aks-cilium: AKS returned no user kubeconfig")
		}
		raw, err := base64.StdEncoding.DecodeString(list[0].Value)
		if err != nil {
			return "", errors.New("aks-cilium: the user kubeconfig AKS returned is not base64")
		}
		out, err := kubeconfig.Rewrite(raw, login)
		if err != nil {
			return "", fmt.Errorf("aks-cilium: %w", err)
		}
		return string(out), nil
	}).(pulumi.StringOutput)
	return pulumi.ToSecret(rewritten).(pulumi.StringOutput)
}
