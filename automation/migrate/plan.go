package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/aks-cilium/aks-cilium/automation/acns"
	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
	networkingv1 "k8s.io/api/networking/v1"
)

// DataplaneCilium is the data plane (and network policy engine) this
// package migrates clusters to. It is the only value Change.Dataplane takes.
const DataplaneCilium = "cilium"

// Change is what an in-place update does to a cluster's network profile.
// Nothing else in the cluster is changed.
//
//	Change{Dataplane: "cilium"}                                   // az aks update --network-dataplane cilium --network-policy cilium
//	Change{ACNS: &ACNS{Enabled: true, Observability: true, Security: true}} // az aks update --enable-acns
//	Change{ACNS: &ACNS{}}                                         // az aks update --disable-acns
//
// The zero Change means Change{Dataplane: "cilium"}.
type Change struct {
	// Dataplane "cilium" sets networkProfile.networkDataplane and
	// networkProfile.networkPolicy to cilium (ARM requires both).
	// Empty leaves them as they are.
	Dataplane string `json:"dataplane,omitempty"`
	// ACNS, when set, is the wanted networkProfile.advancedNetworking.
	// Nil leaves it as it is.
	ACNS *ACNS `json:"acns,omitempty"`
}

// ACNS is the state of Advanced Container Networking Services (a paid
// add-on), networkProfile.advancedNetworking: the spec's type, so a plan
// and a cluster spec say the same thing (Security is the level None, FQDN
// or L7; L7 is set with API 2025-10-01, see automation/acns).
type ACNS = spec.ACNS

// normalize applies the zero-value default and checks the change.
func (c Change) normalize() (Change, error) {
	if c.Dataplane == "" && c.ACNS == nil {
		c.Dataplane = DataplaneCilium
	}
	c.Dataplane = strings.ToLower(c.Dataplane)
	if c.Dataplane != "" && c.Dataplane != DataplaneCilium {
		return c, fmt.Errorf("invalid change: dataplane %q: only %q is supported (AKS has no in-place path back to the Azure data plane)", c.Dataplane, DataplaneCilium)
	}
	if a := c.ACNS; a != nil {
		if !slices.Contains(spec.ACNSSecurityLevels, a.Security.Level()) {
			return c, fmt.Errorf("invalid change: ACNS security level %q: want one of None, FQDN, L7", a.Security)
		}
		if !a.Enabled && (a.Observability || a.Security.FQDN()) {
			return c, fmt.Errorf("invalid change: ACNS observability or security without ACNS enabled: set Enabled, or turn both off to disable ACNS")
		}
		if a.Enabled && !a.Observability && !a.Security.FQDN() {
			return c, fmt.Errorf("invalid change: ACNS enabled with neither observability nor security: turn one on, or set Enabled false to disable ACNS")
		}
		if a.UsesAPI2026() {
			return c, fmt.Errorf("invalid change: WireGuard transit encryption and eBPF host routing need ARM API %s and the migration's update is API %s: set them in the spec and let the Engine's Up apply them (automation/acns)", acns.EnsureAPIVersion, acns.APIVersion)
		}
		eff := a.Effective()
		c.ACNS = &eff
	}
	return c, nil
}

// IPMode is how pods get their IP addresses. The in-place update cannot
// change it.
type IPMode string

// The pod IP assignment modes of Azure CNI.
const (
	// IPModeOverlay: pods get IPs from a private pod CIDR (networkPluginMode overlay).
	IPModeOverlay IPMode = "overlay"
	// IPModePodSubnet: pods get IPs from a dedicated VNet subnet (podSubnetID on the pools).
	IPModePodSubnet IPMode = "podSubnet"
	// IPModeNodeSubnet: pods share IPs from the node subnet.
	IPModeNodeSubnet IPMode = "nodeSubnet"
	// IPModeNone: not Azure CNI (kubenet, or a bring-your-own CNI).
	IPModeNone IPMode = ""
)

// NetworkState is the part of a cluster's networkProfile the migration reads
// and writes, as ARM reports it (empty means unset).
type NetworkState struct {
	// Plugin is networkPlugin: azure, kubenet or none.
	Plugin string `json:"networkPlugin"`
	// PluginMode is networkPluginMode: overlay or empty.
	PluginMode string `json:"networkPluginMode,omitempty"`
	// Policy is networkPolicy: azure (NPM), calico, cilium or empty (none).
	Policy string `json:"networkPolicy,omitempty"`
	// Dataplane is networkDataplane: azure or cilium.
	Dataplane string `json:"networkDataplane,omitempty"`
	// PodCIDR is podCidr (overlay and kubenet).
	PodCIDR string `json:"podCidr,omitempty"`
	// ACNS is advancedNetworking, off when absent.
	ACNS ACNS `json:"acns"`
}

// satisfies reports whether the state already is what the change asks for.
func (s NetworkState) satisfies(c Change) bool {
	if c.Dataplane != "" && (!strings.EqualFold(s.Dataplane, DataplaneCilium) || !strings.EqualFold(s.Policy, DataplaneCilium)) {
		return false
	}
	if c.ACNS != nil && c.ACNS.Effective() != s.ACNS.Effective() {
		return false
	}
	return true
}

// apply returns the state after the change.
func (s NetworkState) apply(c Change) NetworkState {
	if c.Dataplane != "" {
		s.Dataplane, s.Policy = c.Dataplane, c.Dataplane
	}
	if c.ACNS != nil {
		s.ACNS = *c.ACNS
	}
	return s
}

// Pool is one agent pool as the plan sees it.
type Pool struct {
	// Name of the pool.
	Name string `json:"name"`
	// Mode is System or User.
	Mode string `json:"mode"`
	// OSType is Linux or Windows.
	OSType string `json:"osType"`
	// OSSKU is Ubuntu, AzureLinux, ...
	OSSKU string `json:"osSku,omitempty"`
	// Count is the current node count.
	Count int32 `json:"count"`
	// MaxSurge is upgradeSettings.maxSurge; empty means the AKS default.
	MaxSurge string `json:"maxSurge,omitempty"`
	// VNetSubnetID is the node subnet; empty with an AKS-managed VNet.
	VNetSubnetID string `json:"vnetSubnetId,omitempty"`
	// PodSubnetID is the pod subnet (pod subnet mode only).
	PodSubnetID string `json:"podSubnetId,omitempty"`
	// ProvisioningState and PowerState are as ARM reports them.
	ProvisioningState string `json:"provisioningState,omitempty"`
	PowerState        string `json:"powerState,omitempty"`
}

// Issue is a blocker or a warning of a plan.
type Issue struct {
	// Code is stable, one of the Code* constants.
	Code string `json:"code"`
	// Message says what was found.
	Message string `json:"message"`
	// Fix says what to do, often with the command.
	Fix string `json:"fix,omitempty"`
}

// Issue codes. Blockers stop Apply; warnings are for the operator to read.
const (
	// CodeKubenet (blocker): networkPlugin kubenet; move to Azure CNI overlay first.
	CodeKubenet = "Kubenet"
	// CodeBringYourOwnCNI (blocker): networkPlugin none.
	CodeBringYourOwnCNI = "BringYourOwnCNI"
	// CodeUnknownPlugin (blocker): a networkPlugin this package does not know.
	CodeUnknownPlugin = "UnknownNetworkPlugin"
	// CodeWindowsPool (blocker): Windows node pools, named in the message
	// (spec.IsWindowsPool, the same definition as spec.CodeWindowsPool).
	CodeWindowsPool = "WindowsPool"
	// CodeNodeAutoProvisioning (blocker): nodeProvisioningProfile.mode Auto.
	CodeNodeAutoProvisioning = "NodeAutoProvisioning"
	// CodeOperationInProgress (blocker): the cluster or a pool is mid-operation.
	// Also the Code of a ConflictError raised by Apply before sending anything.
	CodeOperationInProgress = "OperationInProgress"
	// CodeClusterFailed (blocker): provisioningState Failed; reconcile first.
	CodeClusterFailed = "ClusterFailed"
	// CodeClusterStopped (blocker): the cluster is stopped.
	CodeClusterStopped = "ClusterStopped"
	// CodePolicyErrors (blocker): policy findings of severity error.
	CodePolicyErrors = "PolicyLintErrors"
	// CodeACNSNeedsCilium (blocker): ACNS security without the Cilium data plane.
	CodeACNSNeedsCilium = "ACNSSecurityNeedsCilium"

	// CodePoliciesNotChecked (warning): no NetworkPolicies were given.
	CodePoliciesNotChecked = "PoliciesNotChecked"
	// CodeSubnetUnknown (warning): a subnet's range is unknown, so the ipBlock
	// lint could not check it.
	CodeSubnetUnknown = "SubnetCIDRUnknown"
	// CodePolicyFindings (warning): policy findings of severity warning or info.
	CodePolicyFindings = "PolicyFindings"
	// CodePolicyErrorsAccepted (warning): policy errors let through by
	// PlanOptions.AcceptPolicyFindings.
	CodePolicyErrorsAccepted = "PolicyLintErrorsAccepted"
	// CodeNPMDifferences (warning): Azure NPM goes, Cilium enforces differently.
	CodeNPMDifferences = "NPMToCiliumDifferences"
	// CodeCalicoPolicies (warning): Calico goes, with its own policy resources.
	CodeCalicoPolicies = "CalicoPolicies"
	// CodePoliciesStartEnforced (warning): no policy engine today, so the
	// existing NetworkPolicies start being enforced.
	CodePoliciesStartEnforced = "PoliciesStartBeingEnforced"
	// CodePoolNotRunning (warning): a stopped node pool.
	CodePoolNotRunning = "PoolNotRunning"
	// CodeKubernetesVersion (warning): Kubernetes outside components/spec's version table.
	CodeKubernetesVersion = "KubernetesVersionOutsideTable"
	// CodeResubmit (warning): the cluster is at the target but its last
	// operation failed; Apply sends the same values again.
	CodeResubmit = "ResubmitFailedOperation"
	// CodeACNSCost (warning): ACNS is billed.
	CodeACNSCost = "ACNSCost"
	// CodeACNSSecurityOff (warning): FQDN and L7 policies stop being enforced.
	CodeACNSSecurityOff = "ACNSSecurityOff"
)

// Plan is the pre-flight result for one cluster: what the update would
// change, what blocks it, what to watch, and what it costs. Apply takes it.
type Plan struct {
	// SubscriptionID, ResourceGroup and Cluster name the cluster.
	SubscriptionID string `json:"subscriptionId"`
	ResourceGroup  string `json:"resourceGroup"`
	Cluster        string `json:"cluster"`
	// ClusterID is the ARM resource ID.
	ClusterID string `json:"clusterId,omitempty"`
	// Location is the Azure region.
	Location string `json:"location,omitempty"`
	// KubernetesVersion is the running version (currentKubernetesVersion).
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// MinCiliumVersion is the Cilium version AKS should run at least on this
	// Kubernetes version (components/spec's table); empty outside the table.
	MinCiliumVersion string `json:"minCiliumVersion,omitempty"`
	// ProvisioningState and PowerState of the cluster when planned.
	ProvisioningState string `json:"provisioningState,omitempty"`
	PowerState        string `json:"powerState,omitempty"`

	// Change is what Apply will do.
	Change Change `json:"change"`
	// Current is the network profile as read; Target is after the change.
	Current NetworkState `json:"current"`
	Target  NetworkState `json:"target"`
	// IPMode is the pod IP mode; the update keeps it.
	IPMode IPMode `json:"ipMode"`
	// Pools are the cluster's agent pools.
	Pools []Pool `json:"pools"`

	// NoOp is true when the cluster already is at the target: Apply sends
	// nothing (it still runs AfterUpdate, so a rerun converges).
	NoOp bool `json:"noOp"`
	// Blockers stop Apply. All are reported at once.
	Blockers []Issue `json:"blockers"`
	// Warnings do not stop Apply.
	Warnings []Issue `json:"warnings"`
	// PoliciesChecked says whether NetworkPolicies were linted, and
	// PolicyCount how many.
	PoliciesChecked bool `json:"policiesChecked"`
	PolicyCount     int  `json:"policyCount"`
	// Findings are the policy lint's results (components/netpol.Lint).
	Findings []netpol.Finding `json:"-"`

	// Impact lists what the update does to the running cluster.
	Impact []string `json:"impact"`
	// Command is the Azure CLI equivalent of Apply.
	Command string `json:"command,omitempty"`
	// NextSteps is the whole flow, Pulumi stack included.
	NextSteps []string `json:"nextSteps"`
}

// Blocked reports whether the plan has blockers.
func (p *Plan) Blocked() bool { return len(p.Blockers) > 0 }

// PlanOptions are the inputs of a plan besides the cluster.
type PlanOptions struct {
	// Change is what to plan; the zero value is the Cilium data plane.
	Change Change
	// NetworkPolicies are the cluster's NetworkPolicies, read by the caller
	// (for example with client-go). A non-nil empty slice means "there are
	// none"; nil means "not given" and then Policies is used.
	NetworkPolicies []networkingv1.NetworkPolicy
	// Policies lists the NetworkPolicies of every namespace when
	// NetworkPolicies is nil. A client-go
	// clientset.NetworkingV1().NetworkPolicies("") satisfies it.
	Policies PolicyLister
	// SubnetCIDRs maps subnet resource IDs (compared case-insensitively) to
	// their address prefixes, for the ipBlock lint in node subnet and pod
	// subnet modes.
	SubnetCIDRs map[string][]string
	// LookupSubnet finds a subnet's address prefixes when SubnetCIDRs lacks
	// it, for example with armnetwork's SubnetsClient.Get.
	LookupSubnet SubnetLookup
	// AcceptPolicyFindings turns policy findings of severity error from
	// blockers into warnings.
	AcceptPolicyFindings bool
}

// Plan reads the live cluster (ManagedClusters.Get and the agent pool list)
// and returns the plan for the change with every blocker and warning at once.
// A cluster already at the target gives a NoOp plan, not an error. Errors
// are for what stops the reading itself: see errors.go for their types.
func (c *Client) Plan(ctx context.Context, subscription, resourceGroup, cluster string, opts PlanOptions) (*Plan, error) {
	change, err := opts.Change.normalize()
	if err != nil {
		return nil, err
	}
	clusters, agentPools, err := c.clients(subscription)
	if err != nil {
		return nil, err
	}
	var raw *http.Response
	got, err := clusters.Get(policy.WithCaptureResponse(ctx, &raw), resourceGroup, cluster, nil)
	if err != nil {
		return nil, classify(ctx, cluster, "read cluster", err, false)
	}
	pools, err := listPools(ctx, agentPools, resourceGroup, cluster)
	if err != nil {
		return nil, classify(ctx, cluster, "list agent pools", err, false)
	}

	p := &Plan{SubscriptionID: subscription, ResourceGroup: resourceGroup, Cluster: cluster, Change: change,
		Blockers: []Issue{}, Warnings: []Issue{}, Impact: []string{}, NextSteps: []string{}}
	p.read(got.ManagedCluster, pools)
	p.Target = p.Current.apply(change)
	p.NoOp = p.Current.satisfies(change) && p.ProvisioningState == "Succeeded"
	if p.NoOp {
		p.describe()
		return p, nil
	}
	p.checkState()
	if change.Dataplane != "" {
		p.checkDataplane(nodeProvisioningMode(raw))
		if err := p.lintPolicies(ctx, opts); err != nil {
			return nil, err
		}
	}
	if change.ACNS != nil {
		p.checkACNS()
	}
	p.describe()
	return p, nil
}

// read fills the plan from the ARM objects.
func (p *Plan) read(mc armcontainerservice.ManagedCluster, pools []*armcontainerservice.AgentPool) {
	p.ClusterID, p.Location = str(mc.ID), str(mc.Location)
	props := mc.Properties
	if props == nil {
		props = &armcontainerservice.ManagedClusterProperties{}
	}
	p.KubernetesVersion = str(props.CurrentKubernetesVersion)
	if p.KubernetesVersion == "" {
		p.KubernetesVersion = str(props.KubernetesVersion)
	}
	p.ProvisioningState = str(props.ProvisioningState)
	if props.PowerState != nil {
		p.PowerState = str((*string)(props.PowerState.Code))
	}
	p.Current = networkState(props.NetworkProfile)
	for _, ap := range pools {
		p.Pools = append(p.Pools, pool(ap))
	}
	slices.SortFunc(p.Pools, func(a, b Pool) int { return strings.Compare(a.Name, b.Name) })
	p.IPMode = ipMode(p.Current, p.Pools)
	if k, err := spec.LookupKubernetes(p.KubernetesVersion, true); err == nil {
		p.MinCiliumVersion = k.Row.MinCilium
	}
}

func networkState(np *armcontainerservice.NetworkProfile) NetworkState {
	if np == nil {
		return NetworkState{}
	}
	s := NetworkState{
		Plugin:     str((*string)(np.NetworkPlugin)),
		PluginMode: str((*string)(np.NetworkPluginMode)),
		Policy:     str((*string)(np.NetworkPolicy)),
		Dataplane:  str((*string)(np.NetworkDataplane)),
		PodCIDR:    str(np.PodCidr),
	}
	s.ACNS = acns.FromARM(np.AdvancedNetworking)
	return s
}

func pool(ap *armcontainerservice.AgentPool) Pool {
	out := Pool{Name: str(ap.Name)}
	pp := ap.Properties
	if pp == nil {
		return out
	}
	out.Mode = str((*string)(pp.Mode))
	out.OSType = str((*string)(pp.OSType))
	out.OSSKU = str((*string)(pp.OSSKU))
	if pp.Count != nil {
		out.Count = *pp.Count
	}
	if pp.UpgradeSettings != nil {
		out.MaxSurge = str(pp.UpgradeSettings.MaxSurge)
	}
	out.VNetSubnetID = str(pp.VnetSubnetID)
	out.PodSubnetID = str(pp.PodSubnetID)
	out.ProvisioningState = str(pp.ProvisioningState)
	if pp.PowerState != nil {
		out.PowerState = str((*string)(pp.PowerState.Code))
	}
	return out
}

func ipMode(s NetworkState, pools []Pool) IPMode {
	if !strings.EqualFold(s.Plugin, "azure") {
		return IPModeNone
	}
	if strings.EqualFold(s.PluginMode, "overlay") {
		return IPModeOverlay
	}
	for _, p := range pools {
		if p.PodSubnetID != "" {
			return IPModePodSubnet
		}
	}
	return IPModeNodeSubnet
}

// listPools reads every page of the agent pool list.
func listPools(ctx context.Context, client *armcontainerservice.AgentPoolsClient, resourceGroup, cluster string) ([]*armcontainerservice.AgentPool, error) {
	var out []*armcontainerservice.AgentPool
	pager := client.NewListPager(resourceGroup, cluster, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Value...)
	}
	return out, nil
}

// nodeProvisioningMode reads properties.nodeProvisioningProfile.mode from
// the raw GET body, independent of the SDK's typed model (the v6 SDK of
// API 2025-02-01 had no field for it); ARM or a stand-in that sends it is
// heard.
func nodeProvisioningMode(raw *http.Response) string {
	if raw == nil {
		return ""
	}
	body, err := runtime.Payload(raw)
	if err != nil {
		return ""
	}
	var doc struct {
		Properties struct {
			NodeProvisioningProfile struct {
				Mode string `json:"mode"`
			} `json:"nodeProvisioningProfile"`
		} `json:"properties"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	return doc.Properties.NodeProvisioningProfile.Mode
}

// terminal provisioning states; any other state means an operation runs.
func terminal(state string) bool {
	return state == "Succeeded" || state == "Failed" || state == "Canceled"
}

// checkState blocks on a cluster that is busy, failed or stopped.
func (p *Plan) checkState() {
	az := fmt.Sprintf("az aks show -g %s -n %s --query provisioningState", p.ResourceGroup, p.Cluster)
	switch {
	case !terminal(p.ProvisioningState):
		p.block(CodeOperationInProgress, fmt.Sprintf("the cluster's provisioningState is %q: another operation is running", p.ProvisioningState),
			"wait for it to finish ("+az+"), then plan again")
	case p.ProvisioningState != "Succeeded" && p.Current.satisfies(p.Change):
		p.warn(CodeResubmit, fmt.Sprintf("the cluster already has the target network profile but its provisioningState is %q: the last operation did not finish", p.ProvisioningState),
			"Apply sends the same values again, which retries the operation")
	case p.ProvisioningState != "Succeeded":
		p.block(CodeClusterFailed, fmt.Sprintf("the cluster's provisioningState is %q", p.ProvisioningState),
			fmt.Sprintf("reconcile it first (az aks update -g %s -n %s), then plan again", p.ResourceGroup, p.Cluster))
	}
	if p.PowerState == "Stopped" {
		p.block(CodeClusterStopped, "the cluster is stopped",
			fmt.Sprintf("start it first (az aks start -g %s -n %s)", p.ResourceGroup, p.Cluster))
	}
	for _, pl := range p.Pools {
		if pl.ProvisioningState != "" && !terminal(pl.ProvisioningState) {
			p.block(CodeOperationInProgress, fmt.Sprintf("node pool %s is %q: another operation is running", pl.Name, pl.ProvisioningState),
				"wait for it to finish, then plan again")
		}
	}
}

// checkDataplane refuses clusters the Cilium data plane update cannot take.
func (p *Plan) checkDataplane(napMode string) {
	switch plugin := strings.ToLower(p.Current.Plugin); plugin {
	case "azure":
	case "kubenet":
		podCIDR := p.Current.PodCIDR
		if podCIDR == "" {
			podCIDR = "192.168.0.0/16"
		}
		p.block(CodeKubenet, "the cluster uses kubenet: it must move to Azure CNI overlay first (the Cilium update starts from Azure CNI only, and cannot change the IP mode in the same operation)",
			fmt.Sprintf("az aks update -g %s -n %s --network-plugin azure --network-plugin-mode overlay --pod-cidr %s, then plan again", p.ResourceGroup, p.Cluster, podCIDR))
	case "none":
		p.block(CodeBringYourOwnCNI, "the cluster uses networkPlugin none (bring your own CNI): AKS cannot switch it to the managed Cilium data plane in place",
			"keep managing that CNI yourself, or build a new cluster with Azure CNI powered by Cilium and move the workloads")
	default:
		p.block(CodeUnknownPlugin, fmt.Sprintf("networkPlugin %q: the Cilium data plane update needs Azure CNI (networkPlugin azure)", p.Current.Plugin), "")
	}
	var windows []string
	for _, pl := range p.Pools {
		if spec.IsWindowsPool(pl.OSType, pl.OSSKU) {
			windows = append(windows, pl.Name)
		}
	}
	if len(windows) > 0 {
		p.block(CodeWindowsPool, fmt.Sprintf("%s: %s", spec.WindowsPoolsUnsupported, strings.Join(windows, ", ")),
			fmt.Sprintf("move their workloads to Linux pools and delete them (az aks nodepool delete -g %s --cluster-name %s -n <pool>), then plan again", p.ResourceGroup, p.Cluster))
	}
	if strings.EqualFold(napMode, "Auto") {
		p.block(CodeNodeAutoProvisioning, "node auto-provisioning is on (nodeProvisioningProfile.mode Auto): its nodes are not in an agent pool this update reimages",
			fmt.Sprintf("turn it off first (az aks update -g %s -n %s --node-provisioning-mode Manual) or build a new cluster with Cilium", p.ResourceGroup, p.Cluster))
	}
	for _, pl := range p.Pools {
		if pl.PowerState == "Stopped" {
			p.warn(CodePoolNotRunning, fmt.Sprintf("node pool %s is stopped: AKS may refuse to reimage it", pl.Name),
				fmt.Sprintf("start it (az aks nodepool start -g %s --cluster-name %s -n %s) before applying", p.ResourceGroup, p.Cluster, pl.Name))
		}
	}
	if p.KubernetesVersion != "" && p.MinCiliumVersion == "" {
		first, last := spec.Versions[0].Kubernetes, spec.Versions[len(spec.Versions)-1].Kubernetes
		p.warn(CodeKubernetesVersion, fmt.Sprintf("Kubernetes %s is outside the Cilium version table (%s to %s)", p.KubernetesVersion, first, last),
			"upgrade the cluster to a supported version first")
	}
	switch strings.ToLower(p.Current.Policy) {
	case "azure":
		p.warn(CodeNPMDifferences, "Azure NPM is replaced by Cilium, which enforces the same NetworkPolicies with differences: ipBlock never matches pod or node addresses, hostNetwork pods are not policed, named ports resolve differently",
			"read the policy findings; select pods with namespaceSelector/podSelector instead of ipBlock")
	case "calico":
		p.warn(CodeCalicoPolicies, "Calico is removed: its own policy resources (projectcalico.org NetworkPolicy and GlobalNetworkPolicy) are no longer enforced",
			"translate them into Kubernetes NetworkPolicies or CiliumNetworkPolicies before applying")
	}
}

// checkACNS checks an ACNS change.
func (p *Plan) checkACNS() {
	want := *p.Change.ACNS
	if want.Security.FQDN() && !strings.EqualFold(p.Target.Dataplane, DataplaneCilium) {
		p.block(CodeACNSNeedsCilium, "ACNS security (FQDN filtering, L7 policies) works only on the Cilium data plane, and the cluster is not on it",
			"migrate to Cilium first (Change{Dataplane: \"cilium\"}), or turn security off")
	}
	if want.Enabled && !p.Current.ACNS.Enabled {
		p.warn(CodeACNSCost, "ACNS is a paid add-on, billed per node", "")
	}
	if p.Current.ACNS.Security.L7() && !want.Security.L7() && want.Security.FQDN() {
		p.warn(CodeACNSSecurityOff, "the ACNS security level goes from L7 to FQDN: CiliumNetworkPolicies with L7 HTTP rules stop being enforced as written",
			"remove or rewrite those policies first (components/netpol refuses httpIngress below L7)")
	}
	if p.Current.ACNS.Security.FQDN() && !want.Security.FQDN() {
		p.warn(CodeACNSSecurityOff, "ACNS security turns off: CiliumNetworkPolicies with toFQDNs or L7 HTTP rules stop being enforced as written",
			"remove or rewrite those policies first")
	}
}

func (p *Plan) block(code, msg, fix string) {
	p.Blockers = append(p.Blockers, Issue{Code: code, Message: msg, Fix: fix})
}

func (p *Plan) warn(code, msg, fix string) {
	p.Warnings = append(p.Warnings, Issue{Code: code, Message: msg, Fix: fix})
}

// describe writes the impact, the az equivalent and the next steps.
func (p *Plan) describe() {
	p.Command = azCommand(p.ResourceGroup, p.Cluster, p.Change)
	if p.NoOp {
		p.Impact = append(p.Impact, "none: the cluster already has "+p.Target.summary(p.Change))
		p.NextSteps = append(p.NextSteps,
			"nothing to apply; if the Pulumi stack still records the old network profile, refresh it (Apply with AfterUpdate does that)",
			"set the same values in the stack's cluster spec; the next preview must show no replacement of the ManagedCluster")
		return
	}
	if p.Change.Dataplane != "" && !strings.EqualFold(p.Current.Dataplane, DataplaneCilium) {
		var nodes int32
		var list []string
		for _, pl := range p.Pools {
			nodes += pl.Count
			surge := pl.MaxSurge
			if surge == "" {
				surge = "AKS default"
			}
			list = append(list, fmt.Sprintf("%s (%s, %s, %d nodes, max surge %s)", pl.Name, pl.Mode, pl.OSType, pl.Count, surge))
		}
		p.Impact = append(p.Impact,
			fmt.Sprintf("every node pool is reimaged, node by node like a node image upgrade: %d nodes in %d pools: %s", nodes, len(p.Pools), strings.Join(list, "; ")),
			"pods are evicted and rescheduled as their nodes are reimaged; PodDisruptionBudgets are honoured, so one that allows no disruption stalls the update")
		switch strings.ToLower(p.Current.Policy) {
		case "azure":
			p.Impact = append(p.Impact, "Azure Network Policy Manager (NPM) is removed; Cilium enforces the NetworkPolicies")
		case "calico":
			p.Impact = append(p.Impact, "Calico is removed; Cilium enforces the NetworkPolicies")
		default:
			p.Impact = append(p.Impact, "Cilium starts enforcing NetworkPolicies (there was no policy engine)")
		}
		p.Impact = append(p.Impact,
			"kube-proxy is removed: Cilium's eBPF data plane serves Services from then on",
			fmt.Sprintf("the pod IP mode stays %s: the update cannot change it", orNone(string(p.IPMode))),
			fmt.Sprintf("expect it to take about as long as a node image upgrade of these %d nodes (roughly tens of minutes for a few nodes, hours for hundreds); give Apply a deadline that allows it", nodes))
		if p.MinCiliumVersion != "" {
			p.Impact = append(p.Impact, fmt.Sprintf("AKS installs Cilium %s or later on Kubernetes %s", p.MinCiliumVersion, p.KubernetesVersion))
		}
	}
	if p.Change.ACNS != nil && p.Change.ACNS.Effective() != p.Current.ACNS.Effective() {
		p.Impact = append(p.Impact, fmt.Sprintf("ACNS goes from %s to %s, in place", p.Current.ACNS, p.Change.ACNS))
	}
	if p.Blocked() {
		p.NextSteps = append(p.NextSteps, "resolve every blocker, then plan again; nothing is changed until then")
		return
	}
	p.NextSteps = append(p.NextSteps,
		"Apply the plan (Azure CLI equivalent: "+p.Command+")",
		"refresh the Pulumi stack so its state records "+p.Target.summary(p.Change)+" (ApplyToStack does it; with Client.Apply, ApplyOptions.AfterUpdate)",
		"set the same values in the stack's cluster spec before the next up: with azure-native v2.88.0 a program whose networkProfile differs from state replaces the cluster",
		"preview: it must show no replacement of the ManagedCluster; then up as usual",
		"verify Cilium: the cilium DaemonSet in kube-system is ready on every node, and its logs carry no errors")
}

// summary names the fields the change touches, with their target values.
func (s NetworkState) summary(c Change) string {
	var parts []string
	if c.Dataplane != "" {
		parts = append(parts, fmt.Sprintf("networkDataplane %s and networkPolicy %s", s.Dataplane, s.Policy))
	}
	if c.ACNS != nil {
		parts = append(parts, "ACNS "+s.ACNS.String())
	}
	return strings.Join(parts, ", ")
}

// azCommand is the Azure CLI equivalent of the change.
func azCommand(resourceGroup, cluster string, c Change) string {
	cmd := fmt.Sprintf("az aks update -g %s -n %s", resourceGroup, cluster)
	if c.Dataplane != "" {
		cmd += " --network-dataplane cilium --network-policy cilium"
	}
	if a := c.ACNS; a != nil {
		switch {
		case !a.Enabled:
			cmd += " --disable-acns"
		default:
			cmd += " --enable-acns"
			if !a.Observability {
				cmd += " --disable-acns-observability"
			}
			switch {
			case !a.Security.FQDN():
				cmd += " --disable-acns-security"
			case a.Security.L7():
				cmd += " --acns-advanced-networkpolicies L7"
			}
		}
	}
	return cmd
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
