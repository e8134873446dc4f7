package spec

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/google/uuid"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate returns every problem of a defaulted spec (see WithDefaults), each
// with its field path, the offending value, what would be valid and its rule
// code (Rules, docs/rules.md). An empty list means the spec can be deployed.
// It never stops at the first error.
//
// The rules: data plane and policy coupling, the pod IP mode and its pools,
// Linux-only pools, the Kubernetes version table and feature gates, CIDR
// overlaps, AKS-reserved ranges and the service range's size, the DNS
// service IP, subnet sizing per mode (autoscaler maximum plus surge), max
// pods, Azure's tag limits and the naming rules of Azure and AKS.
func (c Cluster) Validate() field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateNames(c)...)
	k8s, verrs := validateVersion(c)
	errs = append(errs, verrs...)
	plan, nerrs := validateNetwork(c.Network, field.NewPath("network"))
	errs = append(errs, nerrs...)
	perrs, needs := validatePools(c, plan)
	errs = append(errs, perrs...)
	if len(perrs) == 0 { // sizing is meaningful only when every pool is valid
		for _, capa := range capacities(c, plan, needs) {
			if capa.Needed > capa.Available {
				errs = append(errs, CodeCapacity.Invalid(capa.Field, capa.Range, capa.Problem()))
			}
		}
	}
	errs = append(errs, validateSecurity(c.Security, field.NewPath("security"))...)
	errs = append(errs, validateACNS(c.ACNS, k8s, field.NewPath("acns"))...)
	errs = append(errs, validateMonitoring(c.Monitoring, field.NewPath("monitoring"))...)
	errs = append(errs, validateTags(c.Tags, field.NewPath("tags"))...)
	errs = append(errs, validateProduction(c, k8s)...)
	return errs
}

// Check applies WithDefaults, then Validate: it returns the defaulted spec,
// or an *InvalidError with every problem. It is the first step of every
// component constructor and of the automation engine.
func (c Cluster) Check() (Cluster, error) {
	c = c.WithDefaults()
	if err := NewInvalidError(c.Validate()); err != nil {
		return Cluster{}, err
	}
	return c, nil
}

// Name lengths of Azure and AKS resources (srcNaming, the AKS REST API).
const (
	MaxClusterNameLength       = 63
	MaxDNSPrefixLength         = 54
	MaxResourceGroupNameLength = 90
	MaxVNetNameLength          = 64
	MaxSubnetNameLength        = 80
	MaxPoolNameLength          = 12
	MinWorkspaceNameLength     = 4
	MaxWorkspaceNameLength     = 63
)

// Patterns of Azure and AKS names, built from the lengths above.
var (
	clusterNameRE   = regexp.MustCompile(fmt.Sprintf(`^[a-zA-Z0-9]([a-zA-Z0-9_-]{0,%d}[a-zA-Z0-9])?$`, MaxClusterNameLength-2))
	dnsPrefixRE     = regexp.MustCompile(fmt.Sprintf(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,%d}[a-zA-Z0-9])?$`, MaxDNSPrefixLength-2))
	locationRE      = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	resourceGroupRE = regexp.MustCompile(fmt.Sprintf(`^[-\w._()]{0,%d}[-\w_()]$`, MaxResourceGroupNameLength-1))
	vnetNameRE      = regexp.MustCompile(fmt.Sprintf(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,%d}[a-zA-Z0-9_]$`, MaxVNetNameLength-2))
	subnetNameRE    = regexp.MustCompile(fmt.Sprintf(`^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,%d}[a-zA-Z0-9_])?$`, MaxSubnetNameLength-2))
	poolNameRE      = regexp.MustCompile(fmt.Sprintf(`^[a-z][a-z0-9]{0,%d}$`, MaxPoolNameLength-1))
	workspaceNameRE = regexp.MustCompile(fmt.Sprintf(`^[a-zA-Z0-9][a-zA-Z0-9-]{%d,%d}[a-zA-Z0-9]$`, MinWorkspaceNameLength-2, MaxWorkspaceNameLength-2))
)

// The wants of the names, with their numbers.
var (
	wantClusterName   = fmt.Sprintf("1-%d letters, digits, '-' or '_', starting and ending with a letter or digit", MaxClusterNameLength)
	wantDNSPrefix     = fmt.Sprintf("1-%d letters, digits or '-', starting and ending with a letter or digit", MaxDNSPrefixLength)
	wantResourceGroup = fmt.Sprintf("1-%d letters, digits, '-', '_', '.', '(' or ')', not ending with '.'", MaxResourceGroupNameLength)
	wantVNetName      = fmt.Sprintf("2-%d letters, digits, '-', '_' or '.', starting with a letter or digit, ending with a letter, digit or '_'", MaxVNetNameLength)
	wantSubnetName    = fmt.Sprintf("1-%d letters, digits, '-', '_' or '.', starting with a letter or digit, not ending with '-' or '.'", MaxSubnetNameLength)
	wantPoolName      = fmt.Sprintf("1-%d lowercase letters and digits, starting with a letter", MaxPoolNameLength)
	wantWorkspaceName = fmt.Sprintf("%d-%d letters, digits or '-', starting and ending with a letter or digit", MinWorkspaceNameLength, MaxWorkspaceNameLength)
)

func validateNames(c Cluster) field.ErrorList {
	var errs field.ErrorList
	if c.Name == "" {
		errs = append(errs, CodeClusterName.Required(field.NewPath("name"), "the cluster name, "+wantClusterName))
	} else if !clusterNameRE.MatchString(c.Name) {
		errs = append(errs, CodeClusterName.Invalid(field.NewPath("name"), c.Name, "must be "+wantClusterName))
	}
	if c.Location == "" {
		errs = append(errs, CodeLocation.Required(field.NewPath("location"), "the Azure region, e.g. westeurope"))
	} else if !locationRE.MatchString(c.Location) {
		errs = append(errs, CodeLocation.Invalid(field.NewPath("location"), c.Location,
			fmt.Sprintf("must be an Azure region name in lowercase without spaces, e.g. %q",
				capString(strings.ToLower(strings.ReplaceAll(c.Location, " ", "")), MaxEchoValue))))
	}
	rg := field.NewPath("resourceGroup", "name")
	if c.ResourceGroup.Name == "" {
		errs = append(errs, CodeResourceGroupName.Required(rg, "the resource group for the cluster and its network"))
	} else if !resourceGroupRE.MatchString(c.ResourceGroup.Name) {
		errs = append(errs, CodeResourceGroupName.Invalid(rg, c.ResourceGroup.Name, "must be "+wantResourceGroup))
	}
	if c.DNSPrefix != "" && !dnsPrefixRE.MatchString(c.DNSPrefix) {
		errs = append(errs, CodeDNSPrefix.Invalid(field.NewPath("dnsPrefix"), c.DNSPrefix, "must be "+wantDNSPrefix))
	}
	return errs
}

// kubernetesVersionRE is the form ARM takes: MAJOR.MINOR or
// MAJOR.MINOR.PATCH, decimal numbers without leading zeros.
var kubernetesVersionRE = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?$`)

// validateVersion checks the Kubernetes version's form and its place in the
// table and returns it parsed (nil when it is invalid, so gated checks are
// skipped). A form ARM does not take ("v1.32", "01.32") is refused, not
// rewritten: the spec says what is sent to ARM.
func validateVersion(c Cluster) (*KubernetesVersion, field.ErrorList) {
	p := field.NewPath("kubernetesVersion")
	first, last := Versions[0].Kubernetes, Versions[len(Versions)-1].Kubernetes
	if c.KubernetesVersion == "" {
		return nil, field.ErrorList{CodeKubernetesVersionForm.Required(p, fmt.Sprintf("a Kubernetes version from %s to %s", first, last))}
	}
	if !kubernetesVersionRE.MatchString(c.KubernetesVersion) {
		detail := fmt.Sprintf("must be MAJOR.MINOR or MAJOR.MINOR.PATCH as ARM takes it, e.g. %q (no 'v', no leading zeros, no pre-release)", last)
		if k, err := LookupKubernetes(c.KubernetesVersion, true); err == nil && strings.Count(c.KubernetesVersion, ".") > 0 {
			want := k.Version.String()
			if strings.Count(c.KubernetesVersion, ".") == 1 {
				want = k.Minor
			}
			detail += fmt.Sprintf("; did you mean %q?", want)
		}
		return nil, field.ErrorList{CodeKubernetesVersionForm.Invalid(p, c.KubernetesVersion, detail)}
	}
	k, err := LookupKubernetes(c.KubernetesVersion, c.AllowNewerKubernetes)
	if err != nil {
		return nil, field.ErrorList{CodeKubernetesVersion.Invalid(p, c.KubernetesVersion, err.Error())}
	}
	return &k, nil
}

// rangeRole says what a cluster range is, for the overlap rules.
type rangeRole int

const (
	roleVNet rangeRole = iota
	roleSubnet
	rolePodCIDR
	roleService
	rolePeered
)

// namedRange is a parsed range with the field it came from.
type namedRange struct {
	path   *field.Path
	value  string
	prefix netip.Prefix
	role   rangeRole
}

// subnetAt is a subnet with its field path.
type subnetAt struct {
	path *field.Path
	s    Subnet
}

// networkPlan is the parsed network that sizing needs; nil prefixes were invalid.
type networkPlan struct {
	nodeSubnet  *netip.Prefix
	podCIDR     *netip.Prefix
	podSubnets  map[string]*netip.Prefix // by name; nil when the CIDR is invalid
	modeKind    ModeKind
	podSubnetNm []string
}

// MinServiceCIDRBits is the shortest service CIDR prefix: kube-apiserver
// refuses an IPv4 service range of more than 2^20 addresses ("for 32-bit
// addresses, the mask must be >= 12").
const MinServiceCIDRBits = 12

func validateNetwork(n Network, p *field.Path) (networkPlan, field.ErrorList) {
	var errs field.ErrorList
	plan := networkPlan{podSubnets: map[string]*netip.Prefix{}}
	var ranges []namedRange

	parse := func(path *field.Path, value string, role rangeRole) *netip.Prefix {
		if value == "" {
			errs = append(errs, CodeCIDR.Required(path, "an IPv4 CIDR such as 10.0.0.0/16"))
			return nil
		}
		pfx, err := ParseCIDR(value)
		if err != nil {
			errs = append(errs, CodeCIDR.Invalid(path, value, err.Error()))
			return nil
		}
		ranges = append(ranges, namedRange{path, value, pfx, role})
		return &pfx
	}

	if n.Dataplane != DefaultDataplane {
		errs = append(errs, CodeDataplane.NotSupported(p.Child("dataplane"), n.Dataplane, []string{DefaultDataplane}))
	}
	if n.Policy != DefaultPolicy {
		errs = append(errs, CodeNetworkPolicy.Invalid(p.Child("policy"), n.Policy,
			"networkDataplane cilium requires networkPolicy cilium (ARM: CiliumDataplaneRequiresNetworkPolicyCilium); set \"cilium\""))
	}

	// The VNet: new (name, address space, subnets by CIDR) or existing subnets by ID.
	vp := p.Child("vnet")
	subnets := []subnetAt{{vp.Child("nodeSubnet"), n.VNet.NodeSubnet}}
	switch m := n.Mode.(type) {
	case nil:
		errs = append(errs, CodePodIPMode.Required(p.Child("mode"), "exactly one of overlay (with podCidr), podSubnet (with subnets) or nodeSubnet"))
	case Overlay:
		plan.podCIDR = parse(p.Child("mode", "overlay", "podCidr"), m.PodCIDR, rolePodCIDR)
	case PodSubnet:
		sp := p.Child("mode", "podSubnet", "subnets")
		if len(m.Subnets) == 0 {
			errs = append(errs, CodePodSubnets.Required(sp, "at least one pod subnet (name and cidr, or id and cidr)"))
		}
		for i, s := range m.Subnets {
			subnets = append(subnets, subnetAt{sp.Index(i), s})
		}
	case NodeSubnet:
	}
	if n.Mode != nil {
		plan.modeKind = n.Mode.Kind()
	}

	existing := 0
	names := map[string]*field.Path{}
	for i, sub := range subnets {
		if sub.s.IsExisting() {
			existing++
			errs = append(errs, validateSubnetID(sub.path.Child("id"), sub.s.ID)...)
		}
		switch {
		case sub.s.Name == "":
			errs = append(errs, CodeSubnetName.Required(sub.path.Child("name"), "the subnet name, "+wantSubnetName))
		case !subnetNameRE.MatchString(sub.s.Name):
			errs = append(errs, CodeSubnetName.Invalid(sub.path.Child("name"), sub.s.Name, "must be "+wantSubnetName))
		case names[sub.s.Name] != nil:
			errs = append(errs, CodeSubnetName.Duplicate(sub.path.Child("name"), sub.s.Name, "also the name of "+names[sub.s.Name].String()))
		default:
			names[sub.s.Name] = sub.path
		}
		pfx := parse(sub.path.Child("cidr"), sub.s.CIDR, roleSubnet)
		if i == 0 {
			plan.nodeSubnet = pfx
		} else {
			plan.podSubnets[sub.s.Name] = pfx
			plan.podSubnetNm = append(plan.podSubnetNm, sub.s.Name)
		}
	}
	switch {
	case existing == 0: // a new VNet
		if n.VNet.Name == "" {
			errs = append(errs, CodeVNetName.Required(vp.Child("name"), "the name of the new VNet (or give every subnet an existing id)"))
		} else if !vnetNameRE.MatchString(n.VNet.Name) {
			errs = append(errs, CodeVNetName.Invalid(vp.Child("name"), n.VNet.Name, "must be "+wantVNetName))
		}
		if len(n.VNet.AddressSpace) == 0 {
			errs = append(errs, CodeVNetKind.Required(vp.Child("addressSpace"), "one or more IPv4 CIDRs that contain the subnets, e.g. [10.10.0.0/16]"))
		}
	case existing < len(subnets):
		errs = append(errs, CodeVNetKind.Invalid(vp, fmt.Sprintf("%d existing, %d new subnets", existing, len(subnets)-existing),
			"either every subnet is new (no id; the VNet is created) or every subnet is existing (id and cidr; nothing is created)"))
	default: // every subnet exists
		if n.VNet.Name != "" {
			errs = append(errs, CodeVNetKind.Forbidden(vp.Child("name"), "must be empty when the subnets are existing ones: the VNet is not managed here"))
		}
		errs = append(errs, sameVNet(subnets[0].s.ID, subnets)...)
	}
	for i, a := range n.VNet.AddressSpace {
		parse(vp.Child("addressSpace").Index(i), a, roleVNet)
	}

	if svc := parse(p.Child("serviceCidr"), n.ServiceCIDR, roleService); svc != nil && svc.Bits() < MinServiceCIDRBits {
		errs = append(errs, CodeServiceCIDRTooWide.Invalid(p.Child("serviceCidr"), n.ServiceCIDR,
			fmt.Sprintf("is a /%d (%d addresses): the API server takes a service range of at most /%d (%d addresses); use e.g. %s",
				svc.Bits(), Size(*svc), MinServiceCIDRBits, int64(1)<<(32-MinServiceCIDRBits), DefaultServiceCIDR)))
	}
	for i, r := range n.PeeredRanges {
		parse(p.Child("peeredRanges").Index(i), r, rolePeered)
	}

	errs = append(errs, checkRanges(ranges)...)
	errs = append(errs, validateDNSServiceIP(n, ranges, p.Child("dnsServiceIP"))...)
	return plan, errs
}

// validateSubnetID checks that id is the ARM ID of a subnet.
func validateSubnetID(p *field.Path, id string) field.ErrorList {
	rid, err := arm.ParseResourceID(id)
	if err != nil || !strings.EqualFold(rid.ResourceType.String(), "Microsoft.Network/virtualNetworks/subnets") {
		return field.ErrorList{CodeSubnetID.Invalid(p, id,
			"must be a subnet resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>")}
	}
	return nil
}

// sameVNet checks that every existing subnet is in the node subnet's VNet,
// as AKS requires of pod subnets.
func sameVNet(nodeID string, subnets []subnetAt) field.ErrorList {
	var errs field.ErrorList
	node, err := arm.ParseResourceID(nodeID)
	if err != nil || node.Parent == nil {
		return nil // reported by validateSubnetID
	}
	for _, sub := range subnets[1:] {
		rid, err := arm.ParseResourceID(sub.s.ID)
		if err != nil || rid.Parent == nil {
			continue
		}
		if !strings.EqualFold(rid.Parent.String(), node.Parent.String()) {
			errs = append(errs, CodePodSubnetVNet.Invalid(sub.path.Child("id"), sub.s.ID,
				fmt.Sprintf("pod subnets must be in the node subnet's VNet %s", capString(node.Parent.String(), MaxEchoValue*2))))
		}
	}
	return errs
}

// reservedList names the AKS-reserved ranges, from AKSReservedRanges.
func reservedList() string {
	var vs []string
	for _, r := range AKSReservedRanges {
		vs = append(vs, r.Prefix.String())
	}
	return strings.Join(vs, ", ")
}

// checkRanges applies the overlap rules: subnets inside the VNet address
// space and apart from each other; pod CIDR, service CIDR, VNet and peered
// ranges pairwise apart; nothing in an AKS-reserved range.
func checkRanges(ranges []namedRange) field.ErrorList {
	var errs field.ErrorList
	var vnet []namedRange
	for _, r := range ranges {
		if r.role == roleVNet {
			vnet = append(vnet, r)
		}
	}
	for i, b := range ranges {
		for _, res := range AKSReservedRanges {
			if b.role != rolePeered && b.prefix.Overlaps(res.Prefix) {
				errs = append(errs, CodeReservedRange.Invalid(b.path, b.value,
					fmt.Sprintf("overlaps %s (%s); choose a range outside %s", res.Prefix, res.Why, reservedList())))
			}
		}
		if b.role == roleSubnet && len(vnet) > 0 && !insideAny(b.prefix, vnet) {
			errs = append(errs, CodeSubnetOutsideVNet.Invalid(b.path, b.value,
				fmt.Sprintf("must be inside the VNet address space %s", joinValues(vnet))))
		}
		for _, a := range ranges[:i] {
			if !mustBeApart(a.role, b.role) || !a.prefix.Overlaps(b.prefix) {
				continue
			}
			errs = append(errs, CodeOverlap.Invalid(b.path, b.value,
				fmt.Sprintf("overlaps %s (%s %s); %s", a.prefix, roleName(a.role), a.path, apartAdvice(a.role, b.role))))
		}
	}
	return errs
}

// mustBeApart says whether two roles may not overlap. Subnets sit inside the
// VNet by design; peered ranges may overlap each other.
func mustBeApart(a, b rangeRole) bool {
	pair := func(x, y rangeRole) bool { return (a == x && b == y) || (a == y && b == x) }
	switch {
	case pair(roleSubnet, roleVNet), a == rolePeered && b == rolePeered:
		return false
	}
	return true
}

func apartAdvice(a, b rangeRole) string {
	if a == b {
		return "ranges of the same kind must not overlap"
	}
	return fmt.Sprintf("the %s and the %s must not overlap", roleName(a), roleName(b))
}

func roleName(r rangeRole) string {
	switch r {
	case roleVNet:
		return "VNet address space"
	case roleSubnet:
		return "subnet"
	case rolePodCIDR:
		return "pod CIDR"
	case roleService:
		return "service CIDR"
	default:
		return "peered range"
	}
}

func insideAny(p netip.Prefix, outer []namedRange) bool {
	for _, o := range outer {
		if Contains(o.prefix, p) {
			return true
		}
	}
	return false
}

func joinValues(rs []namedRange) string {
	var vs []string
	for _, r := range rs {
		vs = append(vs, r.value)
	}
	return strings.Join(vs, ", ")
}

// validateDNSServiceIP checks that kube-dns's IP is inside the service CIDR and
// is neither its network address, the kubernetes service's (.1), nor broadcast.
func validateDNSServiceIP(n Network, ranges []namedRange, p *field.Path) field.ErrorList {
	if n.DNSServiceIP == "" {
		return field.ErrorList{CodeDNSServiceIP.Required(p, "an address inside serviceCidr other than its first, e.g. the .10 address")}
	}
	ip, err := netip.ParseAddr(n.DNSServiceIP)
	if err != nil || !ip.Is4() {
		return field.ErrorList{CodeDNSServiceIP.Invalid(p, n.DNSServiceIP, "must be an IPv4 address inside serviceCidr, e.g. 10.0.0.10")}
	}
	for _, r := range ranges {
		if r.role != roleService {
			continue
		}
		svc := r.prefix
		suggest, _ := tenth(svc)
		switch {
		case !svc.Contains(ip):
			return field.ErrorList{CodeDNSServiceIP.Invalid(p, n.DNSServiceIP, fmt.Sprintf("must be inside serviceCidr %s, e.g. %s", svc, suggest))}
		case ip == svc.Addr():
			return field.ErrorList{CodeDNSServiceIP.Invalid(p, n.DNSServiceIP, fmt.Sprintf("is the network address of serviceCidr %s; use e.g. %s", svc, suggest))}
		case ip == svc.Addr().Next():
			return field.ErrorList{CodeDNSServiceIP.Invalid(p, n.DNSServiceIP, fmt.Sprintf("is the first address of serviceCidr %s, taken by the kubernetes service; use e.g. %s", svc, suggest))}
		case ip == LastAddr(svc):
			return field.ErrorList{CodeDNSServiceIP.Invalid(p, n.DNSServiceIP, fmt.Sprintf("is the broadcast address of serviceCidr %s; use e.g. %s", svc, suggest))}
		}
	}
	return nil
}

// tenth is the .10 address of a range, the conventional kube-dns address.
func tenth(p netip.Prefix) (netip.Addr, bool) {
	a := p.Addr()
	for range 10 {
		a = a.Next()
	}
	return a, p.Contains(a)
}

// Limits of AKS node pools.
const (
	MinMaxPods       = 10
	MinMaxPodsSystem = 30
	MaxMaxPods       = 250
	MaxNodesPerPool  = 1000
	// PodSubnetBatch is how many pod IPs dynamic allocation hands a node at a time.
	PodSubnetBatch = 16
	// OverlayNodeBlockBits: every overlay node takes a /24 of the pod CIDR.
	OverlayNodeBlockBits = 24
)

// OSTypeLinux is the only OS type of a pool with Cilium.
const OSTypeLinux = "Linux"

// WindowsPoolsUnsupported is the one statement of the Linux-only rule
// (CodeWindowsPool): validation and the migration pre-flight both say it.
const WindowsPoolsUnsupported = "Windows node pools are not supported with Azure CNI powered by Cilium"

// IsWindowsPool reports whether a pool with this OS type and OS SKU (as
// the spec or ARM spells them) is a Windows pool. It is the one definition
// of the Linux-only rule; the simulator keeps its own ARM-side check.
func IsWindowsPool(osType, osSKU string) bool {
	return strings.EqualFold(osType, "Windows") || strings.HasPrefix(strings.ToLower(osSKU), "windows")
}

// SupportedOSSKUs are the Linux OS SKUs a pool may use.
var SupportedOSSKUs = []string{"AzureLinux", "AzureLinux3", "Ubuntu", "Ubuntu2204", "Ubuntu2404"}

var (
	validZones   = []string{"1", "2", "3"}
	taintEffects = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}
)

// poolNeed is what one pool takes from the subnets at its largest.
type poolNeed struct {
	path      *field.Path
	name      string
	nodes     int64 // autoscaler max (or count) plus surge
	maxPods   int64
	podSubnet string
}

// poolPath is the field path of the i-th pool of c.Pools().
func poolPath(i int) *field.Path {
	if i == 0 {
		return field.NewPath("systemPool")
	}
	return field.NewPath("userPools").Index(i - 1)
}

// validatePools checks each pool and returns what the valid ones need from
// the subnets, for capacity planning.
func validatePools(c Cluster, plan networkPlan) (field.ErrorList, []poolNeed) {
	var errs field.ErrorList
	var needs []poolNeed
	names := map[string]*field.Path{}
	for i, pool := range c.Pools() {
		path := poolPath(i)
		perrs, need := validatePool(pool, i == 0, plan, path)
		errs = append(errs, perrs...)
		if pool.Name != "" {
			if first, dup := names[pool.Name]; dup {
				errs = append(errs, CodePoolName.Duplicate(path.Child("name"), pool.Name, "also the name of "+first.String()))
			} else {
				names[pool.Name] = path
			}
		}
		if need != nil {
			needs = append(needs, *need)
		}
	}
	return errs, needs
}

func validatePool(p NodePool, system bool, plan networkPlan, path *field.Path) (field.ErrorList, *poolNeed) {
	var errs field.ErrorList
	if p.Name == "" {
		errs = append(errs, CodePoolName.Required(path.Child("name"), wantPoolName))
	} else if !poolNameRE.MatchString(p.Name) {
		errs = append(errs, CodePoolName.Invalid(path.Child("name"), p.Name, "must be "+wantPoolName))
	}
	if p.VMSize == "" {
		errs = append(errs, CodeVMSize.Required(path.Child("vmSize"), "an Azure VM size such as Standard_D4ds_v5"))
	}
	errs = append(errs, validatePoolOS(p, path)...)

	minNodes := 0
	if system {
		minNodes = 1
	}
	countOK := true
	if p.Autoscale == nil {
		if p.Count < minNodes || p.Count > MaxNodesPerPool {
			countOK = false
			errs = append(errs, CodeNodeCount.Invalid(path.Child("count"), p.Count, fmt.Sprintf("must be %d to %d", minNodes, MaxNodesPerPool)))
		}
	} else {
		a := p.Autoscale
		ap := path.Child("autoscale")
		if a.Min < minNodes {
			countOK = false
			errs = append(errs, CodeNodeCount.Invalid(ap.Child("min"), a.Min, fmt.Sprintf("must be at least %d", minNodes)))
		}
		if a.Max < a.Min || a.Max > MaxNodesPerPool || a.Max < 1 {
			countOK = false
			errs = append(errs, CodeNodeCount.Invalid(ap.Child("max"), a.Max, fmt.Sprintf("must be at least min (%d), at least 1 and at most %d", a.Min, MaxNodesPerPool)))
		} else if p.Count < a.Min || p.Count > a.Max {
			countOK = false
			errs = append(errs, CodeNodeCount.Invalid(path.Child("count"), p.Count, fmt.Sprintf("must be between autoscale.min %d and autoscale.max %d", a.Min, a.Max)))
		}
	}

	lowPods := MinMaxPods
	if system {
		lowPods = MinMaxPodsSystem
	}
	podsOK := p.MaxPods >= lowPods && p.MaxPods <= MaxMaxPods
	if !podsOK {
		detail := fmt.Sprintf("must be %d to %d", lowPods, MaxMaxPods)
		if plan.modeKind == KindOverlay && p.MaxPods > MaxMaxPods {
			detail += fmt.Sprintf(" (overlay gives each node a /%d: at most %d pods)", OverlayNodeBlockBits, MaxMaxPods)
		}
		errs = append(errs, CodeMaxPods.Invalid(path.Child("maxPods"), p.MaxPods, detail))
	}

	surge, err := surgeNodes(p.MaxSurge, p.MaxNodes())
	if err != nil {
		errs = append(errs, CodeMaxSurge.Invalid(path.Child("maxSurge"), p.MaxSurge, err.Error()))
	}

	seen := map[string]bool{}
	for i, z := range p.Zones {
		switch {
		case !slices.Contains(validZones, z):
			errs = append(errs, CodeZones.NotSupported(path.Child("zones").Index(i), z, validZones))
		case seen[z]:
			errs = append(errs, CodeZones.Duplicate(path.Child("zones").Index(i), z, "each zone once"))
		}
		seen[z] = true
	}
	errs = append(errs, validateLabels(p.Labels, path.Child("labels"))...)
	errs = append(errs, validateTaints(p.Taints, path.Child("taints"))...)

	psp := path.Child("podSubnet")
	switch plan.modeKind {
	case KindPodSubnet:
		if _, ok := plan.podSubnets[p.PodSubnet]; !ok {
			errs = append(errs, CodePoolPodSubnet.NotSupported(psp, p.PodSubnet, plan.podSubnetNm))
		}
	case KindOverlay:
		if p.PodSubnet != "" {
			errs = append(errs, CodePoolPodSubnet.Forbidden(psp, "overlay mode cannot use a pod subnet (ARM: NetworkPluginMode overlay cannot be used with PodSubnetID); remove it or use mode podSubnet"))
		}
	case KindNodeSubnet:
		if p.PodSubnet != "" {
			errs = append(errs, CodePoolPodSubnet.Forbidden(psp, "nodeSubnet mode takes pod IPs from the node subnet; remove it or use mode podSubnet"))
		}
	}
	if !countOK || !podsOK || err != nil {
		return errs, nil
	}
	return errs, &poolNeed{path: path, name: p.Name, nodes: int64(p.MaxNodes() + surge), maxPods: int64(p.MaxPods), podSubnet: p.PodSubnet}
}

// validatePoolOS applies the Linux-only rule (IsWindowsPool) and the OS SKUs.
func validatePoolOS(p NodePool, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	windowsSKU := IsWindowsPool("", p.OSSKU)
	switch {
	case IsWindowsPool(p.OSType, ""):
		errs = append(errs, CodeWindowsPool.Invalid(path.Child("osType"), p.OSType, WindowsPoolsUnsupported+"; use "+OSTypeLinux))
	case !strings.EqualFold(p.OSType, OSTypeLinux):
		errs = append(errs, CodeWindowsPool.NotSupported(path.Child("osType"), p.OSType, []string{OSTypeLinux}))
	case !windowsSKU && !slices.Contains(SupportedOSSKUs, p.OSSKU):
		errs = append(errs, CodeOSSKU.NotSupported(path.Child("osSku"), p.OSSKU, SupportedOSSKUs))
	}
	if windowsSKU {
		errs = append(errs, CodeWindowsPool.Invalid(path.Child("osSku"), p.OSSKU,
			WindowsPoolsUnsupported+"; use one of "+strings.Join(SupportedOSSKUs, ", ")))
	}
	return errs
}

// surgeNodes is how many extra nodes an upgrade adds: "N" or "P%" of the
// pool's maximum, rounded up as AKS does.
func surgeNodes(s string, nodes int) (int, error) {
	const want = "must be a node count such as \"1\" or a percentage from 1% to 100% such as \"33%\""
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.Atoi(pct)
		if err != nil || v < 1 || v > 100 {
			return 0, fmt.Errorf("%s", want)
		}
		return (nodes*v + 99) / 100, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		return 0, fmt.Errorf("%s", want)
	}
	return v, nil
}

func validateLabels(labels map[string]string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, CodeLabels.Invalid(keyPath(p, k), k, "label key "+msg))
		}
		for _, msg := range validation.IsValidLabelValue(labels[k]) {
			errs = append(errs, CodeLabels.Invalid(keyPath(p, k), labels[k], "label value "+msg))
		}
	}
	return errs
}

func validateTaints(taints []string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, t := range taints {
		kv, effect, ok := strings.Cut(t, ":")
		key, value, _ := strings.Cut(kv, "=")
		if !ok || !slices.Contains(taintEffects, effect) || len(validation.IsQualifiedName(key)) > 0 ||
			len(validation.IsValidLabelValue(value)) > 0 {
			errs = append(errs, CodeTaints.Invalid(p.Index(i), t, "must be key=value:Effect with Effect one of "+strings.Join(taintEffects, ", ")))
		}
	}
	return errs
}

func validateSecurity(s Security, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, id := range s.AdminGroupObjectIDs {
		if !isGUID(id) {
			errs = append(errs, CodeEntraID.Invalid(p.Child("adminGroupObjectIds").Index(i), id, "must be an Entra ID group object ID (a GUID)"))
		}
	}
	if s.TenantID != "" && !isGUID(s.TenantID) {
		errs = append(errs, CodeEntraID.Invalid(p.Child("tenantId"), s.TenantID, "must be an Entra ID tenant ID (a GUID)"))
	}
	for i, r := range s.AuthorizedIPRanges {
		if _, err := ParseCIDR(r); err != nil {
			errs = append(errs, CodeCIDR.Invalid(p.Child("authorizedIpRanges").Index(i), r, err.Error()+" (a single address is x.x.x.x/32)"))
		}
	}
	if s.PrivateCluster && len(s.AuthorizedIPRanges) > 0 {
		errs = append(errs, CodeAuthorizedIPRanges.Forbidden(p.Child("authorizedIpRanges"),
			"authorized IP ranges apply to a public API server; remove them or set privateCluster: false"))
	}
	if !BoolValue(s.AzureRBAC, true) && !s.LocalAccounts && len(s.AdminGroupObjectIDs) == 0 {
		errs = append(errs, CodeAdminAccess.Invalid(p.Child("azureRbac"), false,
			"with Azure RBAC off and local accounts disabled nobody can administer the cluster; keep azureRbac: true or set adminGroupObjectIds"))
	}
	return errs
}

// validateACNS checks the ACNS switches: features need ACNS on, the
// security level is one of ACNSSecurityLevels, and FQDN filtering and L7
// policies need their Kubernetes version (FeatureGates).
func validateACNS(a ACNS, k8s *KubernetesVersion, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	sp := p.Child("security")
	if !slices.Contains(ACNSSecurityLevels, a.Security.Level()) {
		errs = append(errs, CodeACNSSecurityLevel.NotSupported(sp, string(a.Security), acnsLevelNames()))
	}
	if !a.Enabled {
		if a.Observability {
			errs = append(errs, CodeACNSEnabled.Invalid(p.Child("observability"), true, "requires acns.enabled: true (ACNS is a paid, explicit opt-in)"))
		}
		if a.Security.FQDN() {
			errs = append(errs, CodeACNSEnabled.Invalid(sp, string(a.Security), "requires acns.enabled: true (ACNS is a paid, explicit opt-in)"))
		}
	}
	feature := FeatureACNSFQDNFiltering
	if a.Security.L7() {
		feature = FeatureACNSL7Policies
	}
	if a.Security.FQDN() && k8s != nil && !k8s.Available(feature) {
		errs = append(errs, CodeFeatureGate.Invalid(sp, string(a.Security),
			fmt.Sprintf("ACNS security %s needs Kubernetes %s or later, the cluster runs %s", a.Security, MinKubernetesFor(feature), k8s.Minor)))
	}
	return errs
}

// Azure's tag limits (srcTags): per resource, and per name and value.
const (
	MaxTags           = 50
	MaxTagKeyLength   = 512
	MaxTagValueLength = 256
	// TagKeyForbidden are the characters a tag name may not contain.
	TagKeyForbidden = `<>%&\?/`
)

// validateTags applies Azure's tag limits: every resource the components
// create carries the spec's tags.
func validateTags(tags map[string]string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(tags) > MaxTags {
		errs = append(errs, CodeTagCount.TooMany(p, len(tags), MaxTags, fmt.Sprintf("Azure allows at most %d tags per resource", MaxTags)))
	}
	folded := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		kp := keyPath(p, k)
		switch n := utf8.RuneCountInString(k); {
		case n == 0:
			errs = append(errs, CodeTagKey.Invalid(kp, k, fmt.Sprintf("a tag name is 1 to %d characters", MaxTagKeyLength)))
		case n > MaxTagKeyLength:
			errs = append(errs, CodeTagKey.TooLong(kp, k, MaxTagKeyLength, fmt.Sprintf("a tag name is at most %d characters, this one has %d", MaxTagKeyLength, n)))
		case strings.ContainsAny(k, TagKeyForbidden):
			errs = append(errs, CodeTagKey.Invalid(kp, k, fmt.Sprintf("a tag name may not contain any of %s", strings.Join(strings.Split(TagKeyForbidden, ""), " "))))
		}
		if other, dup := folded[strings.ToLower(k)]; dup {
			errs = append(errs, CodeTagKey.Duplicate(kp, k, fmt.Sprintf("Azure tag names ignore case: the same name as %q", capString(other, MaxEchoValue))))
		} else {
			folded[strings.ToLower(k)] = k
		}
		if n := utf8.RuneCountInString(tags[k]); n > MaxTagValueLength {
			errs = append(errs, CodeTagValue.TooLong(kp, tags[k], MaxTagValueLength, fmt.Sprintf("a tag value is at most %d characters, this one has %d", MaxTagValueLength, n)))
		}
	}
	return errs
}

// acnsLevelNames are ACNSSecurityLevels as strings, for an error.
func acnsLevelNames() []string {
	out := make([]string, len(ACNSSecurityLevels))
	for i, l := range ACNSSecurityLevels {
		out[i] = string(l)
	}
	return out
}

func isGUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
