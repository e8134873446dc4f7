// Package spec is the typed desired state of an AKS cluster running Azure CNI
// powered by Cilium, with its validation, IP planning and version table.
//
// The package is pure Go and imports no Pulumi: an internal platform can decode
// and validate a request (microseconds, no cloud) before it queues a deployment.
// Components in the parent package translate a validated Cluster into Azure
// resources; they hold no rules of their own.
//
// The usual flow is:
//
//	c, err := spec.DecodeYAML(data) // or build a spec.Cluster in Go
//	c = c.WithDefaults()           // the one place defaults are applied
//	if errs := c.Validate(); len(errs) > 0 { ... } // every problem, with field paths
package spec

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Cluster is the desired state of one AKS cluster with the Cilium data plane.
type Cluster struct {
	// Name is the ManagedCluster resource name (1-63 letters, digits, '-' or '_').
	Name string `json:"name"`
	// Location is the Azure region, for example "westeurope".
	Location string `json:"location"`
	// ResourceGroup holds the cluster, the VNet and the subnets.
	ResourceGroup ResourceGroup `json:"resourceGroup"`
	// DNSPrefix prefixes the API server FQDN. Defaults to Name with '_' replaced by '-'.
	DNSPrefix string `json:"dnsPrefix,omitempty"`
	// KubernetesVersion is "1.32" or "1.32.4"; it must be in the version table
	// (see Versions) unless AllowNewerKubernetes is set for a newer release.
	KubernetesVersion string `json:"kubernetesVersion"`
	// AllowNewerKubernetes accepts a Kubernetes minor newer than the version
	// table; the expected Cilium minimum is then the table's last row.
	AllowNewerKubernetes bool `json:"allowNewerKubernetes,omitempty"`
	// Network is the pod IP mode, the VNet, its subnets and the service range.
	Network Network `json:"network"`
	// SystemPool is the pool of mode System that runs the cluster's add-ons.
	SystemPool NodePool `json:"systemPool"`
	// UserPools are extra pools of mode User, each its own AgentPool resource.
	UserPools []NodePool `json:"userPools,omitempty"`
	// Security is identity and API server access.
	Security Security `json:"security"`
	// ACNS is Advanced Container Networking Services (paid; off by default).
	ACNS ACNS `json:"acns"`
	// Monitoring is Azure Monitor: Container Insights, managed Prometheus
	// and Cilium health alerts (each billed; off by default).
	Monitoring Monitoring `json:"monitoring,omitempty"`
	// SKU is the pricing tier (Free, Standard with an uptime SLA, Premium
	// with long-term support) and the Kubernetes support plan.
	SKU SKU `json:"sku,omitempty"`
	// Upgrades are the auto-upgrade channels and their maintenance windows.
	Upgrades Upgrades `json:"upgrades,omitempty"`
	// Egress is the outbound type: load balancer, NAT gateway or
	// user-defined routing through your firewall.
	Egress Egress `json:"egress,omitempty"`
	// Identity chooses user-assigned control-plane and kubelet identities;
	// the zero value keeps the system-assigned identity.
	Identity Identity `json:"identity,omitempty"`
	// NodeResourceGroup names the resource group AKS creates for the nodes
	// (at most 80 characters, not an existing group); empty is AKS's
	// MC_<resource group>_<cluster>_<location>. Fixed at creation.
	NodeResourceGroup string `json:"nodeResourceGroup,omitempty"`
	// DeletionProtection protects the cluster from `pulumi destroy` and replacement.
	DeletionProtection bool `json:"deletionProtection,omitempty"`
	// Tags are applied to every Azure resource the components create.
	Tags map[string]string `json:"tags,omitempty"`
}

// ResourceGroup names the resource group for the cluster and its network.
type ResourceGroup struct {
	// Name of the resource group.
	Name string `json:"name"`
	// Existing means the group exists already and is not created (nor deleted).
	Existing bool `json:"existing,omitempty"`
}

// Network describes pod IP assignment, the VNet and the service range.
type Network struct {
	// Mode is the pod IP assignment mode: Overlay, PodSubnet or NodeSubnet.
	// In YAML/JSON it is an object with exactly one of the keys
	// "overlay", "podSubnet" or "nodeSubnet".
	Mode PodIPMode `json:"mode"`
	// Dataplane is the network data plane; this library supports "cilium" only.
	Dataplane string `json:"dataplane,omitempty"`
	// Policy is the network policy engine; Cilium's data plane requires "cilium".
	Policy string `json:"policy,omitempty"`
	// ServiceCIDR is the Kubernetes service range, e.g. "10.0.0.0/16".
	ServiceCIDR string `json:"serviceCidr"`
	// DNSServiceIP is kube-dns's address inside ServiceCIDR, e.g. "10.0.0.10".
	DNSServiceIP string `json:"dnsServiceIP"`
	// VNet is the virtual network and the node subnet.
	VNet VNet `json:"vnet"`
	// PeeredRanges are ranges reachable from the cluster (peered VNets,
	// on-premises) that no cluster range may overlap.
	PeeredRanges []string `json:"peeredRanges,omitempty"`
}

// VNet is the virtual network that holds the node subnet (and pod subnets in
// PodSubnet mode). Either the VNet is new (Name and AddressSpace, subnets with
// CIDR only) or every subnet is an existing one given by ID.
type VNet struct {
	// Name of a new VNet.
	Name string `json:"name,omitempty"`
	// AddressSpace of the VNet, one or more CIDRs. For existing subnets it is
	// optional and only used for overlap checks.
	AddressSpace []string `json:"addressSpace,omitempty"`
	// NodeSubnet hosts the nodes (and the pods in NodeSubnet mode).
	NodeSubnet Subnet `json:"nodeSubnet"`
}

// Subnet is a new subnet (Name and CIDR) or an existing one (ID and its CIDR,
// which planning needs because an ARM ID does not carry it).
type Subnet struct {
	// Name of a new subnet (the last segment of ID for an existing one).
	Name string `json:"name,omitempty"`
	// CIDR is the subnet's address prefix, always required.
	CIDR string `json:"cidr"`
	// ID is the ARM resource ID of an existing subnet; empty for a new one.
	ID string `json:"id,omitempty"`
}

// IsExisting reports whether the subnet already exists (it has an ID).
func (s Subnet) IsExisting() bool { return s.ID != "" }

// NodePool is a Linux node pool. The system pool and each user pool use it.
type NodePool struct {
	// Name is 1-12 lowercase letters and digits, starting with a letter.
	Name string `json:"name"`
	// VMSize is the Azure VM size, e.g. "Standard_D4ds_v5".
	VMSize string `json:"vmSize"`
	// Count is the node count (the initial count when autoscaling).
	Count int `json:"count"`
	// Autoscale, when set, enables the cluster autoscaler between Min and Max.
	Autoscale *Autoscale `json:"autoscale,omitempty"`
	// MaxPods per node; defaults depend on the IP mode (see WithDefaults).
	MaxPods int `json:"maxPods,omitempty"`
	// MaxSurge is the upgrade surge: a node count ("1") or a percentage ("33%").
	MaxSurge string `json:"maxSurge,omitempty"`
	// OSType must be "Linux"; Windows pools are not supported with Cilium.
	OSType string `json:"osType,omitempty"`
	// OSSKU is "AzureLinux" (default) or "Ubuntu".
	OSSKU string `json:"osSku,omitempty"`
	// Zones are availability zones, e.g. ["1","2","3"].
	Zones []string `json:"zones,omitempty"`
	// PodSubnet names the pod subnet this pool uses (PodSubnet mode only);
	// defaults to the first pod subnet.
	PodSubnet string `json:"podSubnet,omitempty"`
	// Labels are Kubernetes node labels.
	Labels map[string]string `json:"labels,omitempty"`
	// Taints are Kubernetes node taints, "key=value:Effect".
	Taints []string `json:"taints,omitempty"`
	// OSDiskType is Ephemeral (the OS disk on the VM's local storage: it
	// must fit, see VMStorage) or Managed; empty lets AKS choose (Ephemeral
	// when the VM's local storage holds the OS disk, else Managed). Fixed at
	// creation.
	OSDiskType OSDiskType `json:"osDiskType,omitempty"`
	// OSDiskSizeGB is the OS disk size, 30 to 2048 GB; 0 is AKS's default
	// (the VM's temp storage for an ephemeral disk of 128 GiB or more, 128
	// GB or more by vCPU count for a managed one). Fixed at creation.
	OSDiskSizeGB int `json:"osDiskSizeGB,omitempty"`
	// FIPS uses FIPS 140-validated node images (enableFIPS). WireGuard
	// transit encryption is not FIPS compliant and is refused with it.
	FIPS bool `json:"fips,omitempty"`
}

// Autoscale bounds the cluster autoscaler for one pool.
type Autoscale struct {
	// Min nodes.
	Min int `json:"min"`
	// Max nodes; subnet sizing counts this, not the current count.
	Max int `json:"max"`
}

// MaxNodes is the most nodes the pool can have outside an upgrade:
// the autoscaler maximum when autoscaling, the count otherwise.
func (p NodePool) MaxNodes() int {
	if p.Autoscale != nil && p.Autoscale.Max > p.Count {
		return p.Autoscale.Max
	}
	return p.Count
}

// Security is identity and API server access.
type Security struct {
	// AzureRBAC enables Microsoft Entra ID integration with Azure RBAC for
	// Kubernetes authorization. Default true.
	AzureRBAC *bool `json:"azureRbac,omitempty"`
	// AdminGroupObjectIDs are Entra ID groups with cluster-admin.
	AdminGroupObjectIDs []string `json:"adminGroupObjectIds,omitempty"`
	// TenantID of Entra ID; empty means the deployment's tenant.
	TenantID string `json:"tenantId,omitempty"`
	// LocalAccounts keeps the static admin credentials. Default false
	// (disabled), so no admin kubeconfig exists.
	LocalAccounts bool `json:"localAccounts,omitempty"`
	// PrivateCluster puts the API server on a private endpoint.
	PrivateCluster bool `json:"privateCluster,omitempty"`
	// AuthorizedIPRanges restrict a public API server to these CIDRs.
	AuthorizedIPRanges []string `json:"authorizedIpRanges,omitempty"`
	// WorkloadIdentity enables the workload identity webhook. Default true.
	WorkloadIdentity *bool `json:"workloadIdentity,omitempty"`
}

// ACNS is Advanced Container Networking Services: a paid, explicit opt-in.
//
// What reaches the cluster through which API is in docs/acns.md: Pulumi
// (azure-native 2.88.0, ManagedCluster API 2024-10-01) creates the cluster
// with enabled, observability and security.enabled; the automation Engine
// sets everything that API cannot (the L7 level, and every switch on an
// existing cluster) through ARM with API 2025-10-01.
type ACNS struct {
	// Enabled turns ACNS on.
	Enabled bool `json:"enabled,omitempty"`
	// Observability enables network metrics and flow logs (needs Enabled).
	Observability bool `json:"observability,omitempty"`
	// Security is the security level: None (the default; empty means None),
	// FQDN (FQDN filtering) or L7 (FQDN filtering and L7 HTTP policies). FQDN and L7
	// need Enabled and Kubernetes 1.29 or later. For specs written before
	// the level existed, true reads as FQDN (what API 2024-10-01's
	// security.enabled turns on) and false as None.
	Security ACNSSecurity `json:"security,omitempty"`
	// TransitEncryption encrypts pod traffic between nodes with WireGuard:
	// None (the default; empty means None) or WireGuard. It needs Enabled,
	// it is not FIPS compliant (no pool may set fips), and it costs
	// throughput (AKS measured about 1.5 Gbps at MTU 1500). ARM has it from
	// API 2026-01-01 (security.transitEncryption.type, GA April 2026), which
	// no SDK here speaks: the automation Engine sets it through ARM after
	// the create (automation/acns), see docs/acns.md.
	TransitEncryption TransitEncryption `json:"transitEncryption,omitempty"`
	// Acceleration is eBPF host routing: None (the default; empty means
	// None) or BpfVeth, which routes pod traffic in eBPF and bypasses
	// iptables in the host namespace. It needs Enabled, Kubernetes 1.33 or
	// later and every pool on Azure Linux 3.0 or Ubuntu 24.04. Like
	// TransitEncryption it is API 2026-01-01 (performance.accelerationMode)
	// and set through ARM after the create.
	Acceleration ACNSAcceleration `json:"acceleration,omitempty"`
}

// ACNSSecurity is the ACNS security level: ARM's
// networkProfile.advancedNetworking.security.advancedNetworkPolicies
// (API 2025-08-01 and later; "FQDN" when unset with security on).
type ACNSSecurity string

// The ACNS security levels.
const (
	// ACNSSecurityNone: no FQDN filtering, no L7 policies.
	ACNSSecurityNone ACNSSecurity = "None"
	// ACNSSecurityFQDN: FQDN filtering (toFQDNs), what API 2024-10-01's
	// security.enabled turns on.
	ACNSSecurityFQDN ACNSSecurity = "FQDN"
	// ACNSSecurityL7: FQDN filtering and L7 (HTTP) policies; settable only
	// with API 2025-08-01 or later.
	ACNSSecurityL7 ACNSSecurity = "L7"
)

// ACNSSecurityLevels are the valid levels, weakest first.
var ACNSSecurityLevels = []ACNSSecurity{ACNSSecurityNone, ACNSSecurityFQDN, ACNSSecurityL7}

// UnmarshalJSON reads a level name, or a boolean as the field was before
// the level existed: true is FQDN, false is None.
func (s *ACNSSecurity) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true":
		*s = ACNSSecurityFQDN
		return nil
	case "false", "null":
		*s = ""
		return nil
	}
	var v string
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("acns.security: want one of None, FQDN, L7, got %s", data)
	}
	*s = ACNSSecurity(v)
	return nil
}

// FQDN reports whether the level includes FQDN filtering (FQDN or L7).
func (s ACNSSecurity) FQDN() bool { return s == ACNSSecurityFQDN || s == ACNSSecurityL7 }

// L7 reports whether the level includes L7 (HTTP) policies.
func (s ACNSSecurity) L7() bool { return s == ACNSSecurityL7 }

// Effective is ACNS as the cluster gets it, in one canonical form that ==
// compares: the zero value when ACNS is off, and the level None written as
// empty.
func (a ACNS) Effective() ACNS {
	if !a.Enabled {
		return ACNS{}
	}
	if a.Security == ACNSSecurityNone {
		a.Security = ""
	}
	if a.TransitEncryption == TransitEncryptionNone {
		a.TransitEncryption = ""
	}
	if a.Acceleration == AccelerationNone {
		a.Acceleration = ""
	}
	return a
}

// Level is the security level with None for empty.
func (s ACNSSecurity) Level() ACNSSecurity {
	if s == "" {
		return ACNSSecurityNone
	}
	return s
}

// String is "off", or "on (observability, security L7)".
func (a ACNS) String() string {
	a = a.Effective()
	if !a.Enabled {
		return "off"
	}
	parts := []string{}
	if a.Observability {
		parts = append(parts, "observability")
	}
	parts = append(parts, "security "+string(a.Security.Level()))
	if a.TransitEncryption != "" {
		parts = append(parts, string(a.TransitEncryption)+" encryption")
	}
	if a.Acceleration != "" {
		parts = append(parts, string(a.Acceleration)+" host routing")
	}
	return "on (" + strings.Join(parts, ", ") + ")"
}

// Pools returns the system pool followed by the user pools.
func (c Cluster) Pools() []NodePool {
	return append([]NodePool{c.SystemPool}, c.UserPools...)
}
