package spec

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/google/uuid"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate returns every problem of a defaulted spec (see WithDefaults), each
// with its field path, the offending value and what would be valid. An empty
// list means the spec can be deployed. It never stops at the first error.
//
// The rules are DESIGN.md section 3's: data plane and policy coupling, the pod
// IP mode and its pools, Linux-only pools, the Kubernetes version table and
// feature gates, CIDR overlaps and AKS-reserved ranges, the DNS service IP,
// subnet sizing per mode (autoscaler maximum plus surge), max pods, and the
// naming rules of Azure and AKS.
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
				errs = append(errs, field.Invalid(capa.Field, capa.Range, capa.Problem()))
			}
		}
	}
	errs = append(errs, validateSecurity(c.Security, field.NewPath("security"))...)
	errs = append(errs, validateACNS(c.ACNS, k8s, field.NewPath("acns"))...)
	errs = append(errs, validateMonitoring(c.Monitoring, field.NewPath("monitoring"))...)
	return errs
}

// Patterns of Azure and AKS names (Azure naming rules for Microsoft.Network
// and Microsoft.ContainerService resources).
var (
	clusterNameRE   = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?$`)
	dnsPrefixRE     = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,52}[a-zA-Z0-9])?$`)
	locationRE      = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	resourceGroupRE = regexp.MustCompile(`^[-\w._()]{0,89}[-\w_()]$`)
	vnetNameRE      = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9_]$`)
	subnetNameRE    = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_])?$`)
	poolNameRE      = regexp.MustCompile(`^[a-z][a-z0-9]{0,11}$`)
)

func validateNames(c Cluster) field.ErrorList {
	var errs field.ErrorList
	if c.Name == "" {
		errs = append(errs, field.Required(field.NewPath("name"), "the cluster name, 1-63 letters, digits, '-' or '_'"))
	} else if !clusterNameRE.MatchString(c.Name) {
		errs = append(errs, field.Invalid(field.NewPath("name"), c.Name,
			"must be 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit"))
	}
	if c.Location == "" {
		errs = append(errs, field.Required(field.NewPath("location"), "the Azure region, e.g. westeurope"))
	} else if !locationRE.MatchString(c.Location) {
		errs = append(errs, field.Invalid(field.NewPath("location"), c.Location,
			fmt.Sprintf("must be an Azure region name in lowercase without spaces, e.g. %q", strings.ToLower(strings.ReplaceAll(c.Location, " ", "")))))
	}
	rg := field.NewPath("resourceGroup", "name")
	if c.ResourceGroup.Name == "" {
		errs = append(errs, field.Required(rg, "the resource group for the cluster and its network"))
	} else if !resourceGroupRE.MatchString(c.ResourceGroup.Name) {
		errs = append(errs, field.Invalid(rg, c.ResourceGroup.Name,
			"must be 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'"))
	}
	if c.DNSPrefix != "" && !dnsPrefixRE.MatchString(c.DNSPrefix) {
		errs = append(errs, field.Invalid(field.NewPath("dnsPrefix"), c.DNSPrefix,
			"must be 1-54 letters, digits or '-', starting and ending with a letter or digit"))
	}
	return errs
}

// validateVersion checks the Kubernetes version against the table and returns
// it parsed (nil when it is invalid, so gated checks are skipped).
func validateVersion(c Cluster) (*KubernetesVersion, field.ErrorList) {
	p := field.NewPath("kubernetesVersion")
	if c.KubernetesVersion == "" {
		return nil, field.ErrorList{field.Required(p, fmt.Sprintf("a Kubernetes version from %s to %s",
			Versions[0].Kubernetes, Versions[len(Versions)-1].Kubernetes))}
	}
	k, err := LookupKubernetes(c.KubernetesVersion, c.AllowNewerKubernetes)
	if err != nil {
		return nil, field.ErrorList{field.Invalid(p, c.KubernetesVersion, err.Error())}
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

func validateNetwork(n Network, p *field.Path) (networkPlan, field.ErrorList) {
	var errs field.ErrorList
	plan := networkPlan{podSubnets: map[string]*netip.Prefix{}}
	var ranges []namedRange

	parse := func(path *field.Path, value string, role rangeRole) *netip.Prefix {
		if value == "" {
			errs = append(errs, field.Required(path, "an IPv4 CIDR such as 10.0.0.0/16"))
			return nil
		}
		pfx, err := ParseCIDR(value)
		if err != nil {
			errs = append(errs, field.Invalid(path, value, err.Error()))
			return nil
		}
		ranges = append(ranges, namedRange{path, value, pfx, role})
		return &pfx
	}

	if n.Dataplane != DefaultDataplane {
		errs = append(errs, field.NotSupported(p.Child("dataplane"), n.Dataplane, []string{DefaultDataplane}))
	}
	if n.Policy != DefaultPolicy {
		errs = append(errs, field.Invalid(p.Child("policy"), n.Policy,
			"networkDataplane cilium requires networkPolicy cilium (ARM: CiliumDataplaneRequiresNetworkPolicyCilium); set \"cilium\""))
	}

	// The VNet: new (name, address space, subnets by CIDR) or existing subnets by ID.
	vp := p.Child("vnet")
	subnets := []subnetAt{{vp.Child("nodeSubnet"), n.VNet.NodeSubnet}}
	switch m := n.Mode.(type) {
	case nil:
		errs = append(errs, field.Required(p.Child("mode"), "exactly one of overlay (with podCidr), podSubnet (with subnets) or nodeSubnet"))
	case Overlay:
		plan.podCIDR = parse(p.Child("mode", "overlay", "podCidr"), m.PodCIDR, rolePodCIDR)
	case PodSubnet:
		sp := p.Child("mode", "podSubnet", "subnets")
		if len(m.Subnets) == 0 {
			errs = append(errs, field.Required(sp, "at least one pod subnet (name and cidr, or id and cidr)"))
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
			errs = append(errs, field.Required(sub.path.Child("name"), "the subnet name, 1-80 letters, digits, '-', '_' or '.'"))
		case !subnetNameRE.MatchString(sub.s.Name):
			errs = append(errs, field.Invalid(sub.path.Child("name"), sub.s.Name, "must be 1-80 letters, digits, '-', '_' or '.', starting with a letter or digit, not ending with '-' or '.'"))
		case names[sub.s.Name] != nil:
			errs = append(errs, field.Duplicate(sub.path.Child("name"), sub.s.Name))
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
			errs = append(errs, field.Required(vp.Child("name"), "the name of the new VNet (or give every subnet an existing id)"))
		} else if !vnetNameRE.MatchString(n.VNet.Name) {
			errs = append(errs, field.Invalid(vp.Child("name"), n.VNet.Name, "must be 2-64 letters, digits, '-', '_' or '.', starting with a letter or digit, ending with a letter, digit or '_'"))
		}
		if len(n.VNet.AddressSpace) == 0 {
			errs = append(errs, field.Required(vp.Child("addressSpace"), "one or more IPv4 CIDRs that contain the subnets, e.g. [10.10.0.0/16]"))
		}
	case existing < len(subnets):
		errs = append(errs, field.Invalid(vp, fmt.Sprintf("%d existing, %d new subnets", existing, len(subnets)-existing),
			"either every subnet is new (no id; the VNet is created) or every subnet is existing (id and cidr; nothing is created)"))
	default: // every subnet exists
		if n.VNet.Name != "" {
			errs = append(errs, field.Forbidden(vp.Child("name"), "must be empty when the subnets are existing ones: the VNet is not managed here"))
		}
		errs = append(errs, sameVNet(subnets[0].s.ID, subnets)...)
	}
	for i, a := range n.VNet.AddressSpace {
		parse(vp.Child("addressSpace").Index(i), a, roleVNet)
	}

	parse(p.Child("serviceCidr"), n.ServiceCIDR, roleService)
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
		return field.ErrorList{field.Invalid(p, id,
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
			errs = append(errs, field.Invalid(sub.path.Child("id"), sub.s.ID,
				fmt.Sprintf("pod subnets must be in the node subnet's VNet %s", node.Parent.String())))
		}
	}
	return errs
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
				errs = append(errs, field.Invalid(b.path, b.value,
					fmt.Sprintf("overlaps %s (%s); choose a range outside 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16 and 192.0.2.0/24", res.Prefix, res.Why)))
			}
		}
		if b.role == roleSubnet && len(vnet) > 0 && !insideAny(b.prefix, vnet) {
			errs = append(errs, field.Invalid(b.path, b.value,
				fmt.Sprintf("must be inside the VNet address space %s", joinValues(vnet))))
		}
		for _, a := range ranges[:i] {
			if !mustBeApart(a.role, b.role) || !a.prefix.Overlaps(b.prefix) {
				continue
			}
			errs = append(errs, field.Invalid(b.path, b.value,
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
		return field.ErrorList{field.Required(p, "an address inside serviceCidr other than its first, e.g. the .10 address")}
	}
	ip, err := netip.ParseAddr(n.DNSServiceIP)
	if err != nil || !ip.Is4() {
		return field.ErrorList{field.Invalid(p, n.DNSServiceIP, "must be an IPv4 address inside serviceCidr, e.g. 10.0.0.10")}
	}
	for _, r := range ranges {
		if r.role != roleService {
			continue
		}
		svc := r.prefix
		suggest, _ := tenth(svc)
		switch {
		case !svc.Contains(ip):
			return field.ErrorList{field.Invalid(p, n.DNSServiceIP, fmt.Sprintf("must be inside serviceCidr %s, e.g. %s", svc, suggest))}
		case ip == svc.Addr():
			return field.ErrorList{field.Invalid(p, n.DNSServiceIP, fmt.Sprintf("is the network address of serviceCidr %s; use e.g. %s", svc, suggest))}
		case ip == svc.Addr().Next():
			return field.ErrorList{field.Invalid(p, n.DNSServiceIP, fmt.Sprintf("is the first address of serviceCidr %s, taken by the kubernetes service; use e.g. %s", svc, suggest))}
		case ip == LastAddr(svc):
			return field.ErrorList{field.Invalid(p, n.DNSServiceIP, fmt.Sprintf("is the broadcast address of serviceCidr %s; use e.g. %s", svc, suggest))}
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

var (
	supportedOSSKUs = []string{"AzureLinux", "Ubuntu", "Ubuntu2204"}
	validZones      = map[string]bool{"1": true, "2": true, "3": true}
	taintEffects    = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}
)

// poolNeed is what one pool takes from the subnets at its largest.
type poolNeed struct {
	path      *field.Path
	name      string
	nodes     int64 // autoscaler max (or count) plus surge
	maxPods   int64
	podSubnet string
}

// validatePools checks each pool and returns what the valid ones need from
// the subnets, for capacity planning.
func validatePools(c Cluster, plan networkPlan) (field.ErrorList, []poolNeed) {
	var errs field.ErrorList
	var needs []poolNeed
	names := map[string]bool{}
	for i, pool := range c.Pools() {
		path, system := field.NewPath("systemPool"), i == 0
		if !system {
			path = field.NewPath("userPools").Index(i - 1)
		}
		perrs, need := validatePool(pool, system, plan, path)
		errs = append(errs, perrs...)
		if pool.Name != "" {
			if names[pool.Name] {
				errs = append(errs, field.Duplicate(path.Child("name"), pool.Name))
			}
			names[pool.Name] = true
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
		errs = append(errs, field.Required(path.Child("name"), "1-12 lowercase letters and digits, starting with a letter"))
	} else if !poolNameRE.MatchString(p.Name) {
		errs = append(errs, field.Invalid(path.Child("name"), p.Name, "must be 1-12 lowercase letters and digits, starting with a letter"))
	}
	if p.VMSize == "" {
		errs = append(errs, field.Required(path.Child("vmSize"), "an Azure VM size such as Standard_D4ds_v5"))
	}
	linux := strings.EqualFold(p.OSType, "Linux")
	if !linux {
		errs = append(errs, field.Invalid(path.Child("osType"), p.OSType,
			"Windows node pools are not supported with Azure CNI powered by Cilium; use Linux"))
	}
	if strings.HasPrefix(strings.ToLower(p.OSSKU), "windows") {
		errs = append(errs, field.Invalid(path.Child("osSku"), p.OSSKU,
			"Windows node pools are not supported with Azure CNI powered by Cilium; use one of AzureLinux, Ubuntu, Ubuntu2204"))
	} else if linux && !slices.Contains(supportedOSSKUs, p.OSSKU) {
		errs = append(errs, field.NotSupported(path.Child("osSku"), p.OSSKU, supportedOSSKUs))
	}

	minNodes := 0
	if system {
		minNodes = 1
	}
	countOK := true
	if p.Autoscale == nil {
		if p.Count < minNodes || p.Count > MaxNodesPerPool {
			countOK = false
			errs = append(errs, field.Invalid(path.Child("count"), p.Count, fmt.Sprintf("must be %d to %d", minNodes, MaxNodesPerPool)))
		}
	} else {
		a := p.Autoscale
		ap := path.Child("autoscale")
		if a.Min < minNodes {
			countOK = false
			errs = append(errs, field.Invalid(ap.Child("min"), a.Min, fmt.Sprintf("must be at least %d", minNodes)))
		}
		if a.Max < a.Min || a.Max > MaxNodesPerPool || a.Max < 1 {
			countOK = false
			errs = append(errs, field.Invalid(ap.Child("max"), a.Max, fmt.Sprintf("must be at least min (%d), at least 1 and at most %d", a.Min, MaxNodesPerPool)))
		} else if p.Count < a.Min || p.Count > a.Max {
			countOK = false
			errs = append(errs, field.Invalid(path.Child("count"), p.Count, fmt.Sprintf("must be between autoscale.min %d and autoscale.max %d", a.Min, a.Max)))
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
			detail += " (overlay gives each node a /24: at most 250 pods)"
		}
		errs = append(errs, field.Invalid(path.Child("maxPods"), p.MaxPods, detail))
	}

	surge, err := surgeNodes(p.MaxSurge, p.MaxNodes())
	if err != nil {
		errs = append(errs, field.Invalid(path.Child("maxSurge"), p.MaxSurge, err.Error()))
	}

	seen := map[string]bool{}
	for i, z := range p.Zones {
		switch {
		case !validZones[z]:
			errs = append(errs, field.NotSupported(path.Child("zones").Index(i), z, []string{"1", "2", "3"}))
		case seen[z]:
			errs = append(errs, field.Duplicate(path.Child("zones").Index(i), z))
		}
		seen[z] = true
	}
	errs = append(errs, validateLabels(p.Labels, path.Child("labels"))...)
	errs = append(errs, validateTaints(p.Taints, path.Child("taints"))...)

	psp := path.Child("podSubnet")
	switch plan.modeKind {
	case KindPodSubnet:
		if _, ok := plan.podSubnets[p.PodSubnet]; !ok {
			errs = append(errs, field.NotSupported(psp, p.PodSubnet, plan.podSubnetNm))
		}
	case KindOverlay:
		if p.PodSubnet != "" {
			errs = append(errs, field.Forbidden(psp, "overlay mode cannot use a pod subnet (ARM: NetworkPluginMode overlay cannot be used with PodSubnetID); remove it or use mode podSubnet"))
		}
	case KindNodeSubnet:
		if p.PodSubnet != "" {
			errs = append(errs, field.Forbidden(psp, "nodeSubnet mode takes pod IPs from the node subnet; remove it or use mode podSubnet"))
		}
	}
	if !countOK || !podsOK || err != nil {
		return errs, nil
	}
	return errs, &poolNeed{path: path, name: p.Name, nodes: int64(p.MaxNodes() + surge), maxPods: int64(p.MaxPods), podSubnet: p.PodSubnet}
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
			errs = append(errs, field.Invalid(p.Key(k), k, "label key "+msg))
		}
		for _, msg := range validation.IsValidLabelValue(labels[k]) {
			errs = append(errs, field.Invalid(p.Key(k), labels[k], "label value "+msg))
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
			errs = append(errs, field.Invalid(p.Index(i), t, "must be key=value:Effect with Effect one of NoSchedule, PreferNoSchedule, NoExecute"))
		}
	}
	return errs
}

func validateSecurity(s Security, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, id := range s.AdminGroupObjectIDs {
		if !isGUID(id) {
			errs = append(errs, field.Invalid(p.Child("adminGroupObjectIds").Index(i), id, "must be an Entra ID group object ID (a GUID)"))
		}
	}
	if s.TenantID != "" && !isGUID(s.TenantID) {
		errs = append(errs, field.Invalid(p.Child("tenantId"), s.TenantID, "must be an Entra ID tenant ID (a GUID)"))
	}
	for i, r := range s.AuthorizedIPRanges {
		if _, err := ParseCIDR(r); err != nil {
			errs = append(errs, field.Invalid(p.Child("authorizedIpRanges").Index(i), r, err.Error()+" (a single address is x.x.x.x/32)"))
		}
	}
	if s.PrivateCluster && len(s.AuthorizedIPRanges) > 0 {
		errs = append(errs, field.Forbidden(p.Child("authorizedIpRanges"),
			"authorized IP ranges apply to a public API server; remove them or set privateCluster: false"))
	}
	if !BoolValue(s.AzureRBAC, true) && !s.LocalAccounts && len(s.AdminGroupObjectIDs) == 0 {
		errs = append(errs, field.Invalid(p.Child("azureRbac"), false,
			"with Azure RBAC off and local accounts disabled nobody can administer the cluster; keep azureRbac: true or set adminGroupObjectIds"))
	}
	return errs
}

// validateACNS checks the ACNS switches: features need ACNS on, the
// security level is one of ACNSSecurityLevels, and FQDN filtering and L7
// policies need Kubernetes 1.29 or later.
func validateACNS(a ACNS, k8s *KubernetesVersion, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	sp := p.Child("security")
	if !slices.Contains(ACNSSecurityLevels, a.Security.Level()) {
		errs = append(errs, field.NotSupported(sp, a.Security, ACNSSecurityLevels))
	}
	if !a.Enabled {
		if a.Observability {
			errs = append(errs, field.Invalid(p.Child("observability"), true, "requires acns.enabled: true (ACNS is a paid, explicit opt-in)"))
		}
		if a.Security.FQDN() {
			errs = append(errs, field.Invalid(sp, a.Security, "requires acns.enabled: true (ACNS is a paid, explicit opt-in)"))
		}
	}
	feature := FeatureACNSFQDNFiltering
	if a.Security.L7() {
		feature = FeatureACNSL7Policies
	}
	if a.Security.FQDN() && k8s != nil && !k8s.Available(feature) {
		errs = append(errs, field.Invalid(sp, a.Security,
			fmt.Sprintf("ACNS security %s needs Kubernetes 1.29 or later, the cluster runs %s", a.Security, k8s.Minor)))
	}
	return errs
}

func isGUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
