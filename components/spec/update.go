package spec

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateUpdate returns every change from old (the spec the cluster was
// deployed with) to new that AKS cannot make in place, in the style of
// cluster-api-provider-azure's ValidateUpdate: each error names the field,
// the old value (in the detail) and the new one, and says what to do instead:
// a new node pool, the in-place migration, or a replacement.
//
// A change whose rule is Replaceable (see Replaceable) is valid as a
// replacement that Pulumi plans (a renamed cluster, a new service CIDR, a
// new VM size of a user pool): the automation engine lets it through only
// with UpOptions.AllowReplace. Every other error has no valid path in place
// (azure-native would plan an update that ARM refuses halfway through an up,
// with PropertyChangeNotAllowed and the like).
//
// Both specs are defaulted first. ValidateUpdate does not validate new:
// call Validate (or Check) for that. An empty list means the update can be
// tried.
func ValidateUpdate(old, new Cluster) field.ErrorList {
	o, n := old.WithDefaults(), new.WithDefaults()
	var errs field.ErrorList
	if o.Name != n.Name {
		errs = append(errs, changed(CodeRenamed, field.NewPath("name"), o.Name, n.Name,
			fmt.Sprintf("a new name is a new ManagedCluster: Pulumi creates %q and deletes %q; allow the replacement (UpOptions.AllowReplace) or keep the name", n.Name, o.Name)))
	}
	if o.ResourceGroup.Name != n.ResourceGroup.Name {
		errs = append(errs, changed(CodeResourceGroupChanged, field.NewPath("resourceGroup", "name"), o.ResourceGroup.Name, n.ResourceGroup.Name,
			"the cluster and its network move to a new resource group only as new resources: allow the replacement (UpOptions.AllowReplace) or keep the group"))
	}
	if len(errs) > 0 {
		return errs // a new cluster: none of the old one's fields carry over
	}
	if normalLocation(o.Location) != normalLocation(n.Location) {
		errs = append(errs, changed(CodeLocationChanged, field.NewPath("location"), o.Location, n.Location,
			fmt.Sprintf("a cluster cannot move to another region: deploy a new stack in %s and move the workloads, or keep %s", n.Location, o.Location)))
	}
	if o.DNSPrefix != n.DNSPrefix {
		errs = append(errs, changed(CodeDNSPrefixChanged, field.NewPath("dnsPrefix"), o.DNSPrefix, n.DNSPrefix,
			fmt.Sprintf("the DNS prefix cannot change once the cluster exists (ARM: PropertyChangeNotAllowed); set dnsPrefix: %s", o.DNSPrefix)))
	}
	errs = append(errs, updateNetwork(o.Network, n.Network, field.NewPath("network"))...)
	errs = append(errs, updatePools(o, n)...)
	errs = append(errs, updateVersion(o.KubernetesVersion, n.KubernetesVersion, field.NewPath("kubernetesVersion"))...)
	if !o.Security.PrivateCluster && n.Security.PrivateCluster {
		errs = append(errs, changed(CodePrivateClusterEnabled, field.NewPath("security", "privateCluster"), false, true,
			"AKS cannot convert an existing public cluster into a private one: deploy a new cluster (a new name), or keep privateCluster: false"))
	}
	errs = append(errs, updateProduction(o, n)...)
	return errs
}

// changed is an immutable field's error: the new value, the old one and
// what to do instead.
func changed(code Code, p *field.Path, old, new any, instead string) *field.Error {
	return code.Invalid(p, new, fmt.Sprintf("cannot change from %s: %s", show(old), instead))
}

// show formats an old value for a detail, capped like every echoed value.
func show(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", capString(v, MaxEchoValue))
	case []string:
		return "[" + capString(strings.Join(v, ", "), MaxEchoValue) + "]"
	}
	return fmt.Sprint(v)
}

// normalLocation compares ARM locations as ARM does: case and spaces aside.
func normalLocation(l string) string { return strings.ToLower(strings.ReplaceAll(l, " ", "")) }

func updateNetwork(o, n Network, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	replace := "only a new cluster changes it: allow the replacement (UpOptions.AllowReplace) or keep it"
	if o.ServiceCIDR != n.ServiceCIDR {
		errs = append(errs, changed(CodeServiceCIDRChanged, p.Child("serviceCidr"), o.ServiceCIDR, n.ServiceCIDR,
			"the service CIDR is fixed at creation; "+replace))
	}
	if o.DNSServiceIP != n.DNSServiceIP {
		errs = append(errs, changed(CodeDNSServiceIPChanged, p.Child("dnsServiceIP"), o.DNSServiceIP, n.DNSServiceIP,
			"kube-dns's address is fixed at creation; "+replace))
	}
	switch {
	case o.Mode == nil || n.Mode == nil:
	case o.Mode.Kind() == n.Mode.Kind():
		if oo, ok := o.Mode.(Overlay); ok && oo.PodCIDR != n.Mode.(Overlay).PodCIDR {
			errs = append(errs, changed(CodePodCIDRChanged, p.Child("mode", "overlay", "podCidr"), oo.PodCIDR, n.Mode.(Overlay).PodCIDR,
				"the overlay pod CIDR is given at creation; "+replace))
		}
	case o.Mode.Kind() == KindNodeSubnet && n.Mode.Kind() == KindOverlay:
		// AKS migrates a node subnet cluster to overlay in place (one way);
		// azure-native plans it as nested adds under networkProfile, an update.
	default:
		errs = append(errs, changed(CodePodIPModeChanged, p.Child("mode"), string(o.Mode.Kind()), string(n.Mode.Kind()),
			fmt.Sprintf("AKS changes the pod IP mode in place only from %s to %s (one way); deploy a new cluster (a new name) for %s", KindNodeSubnet, KindOverlay, n.Mode.Kind())))
	}
	if before, after := subnetIdentity(o.VNet.NodeSubnet), subnetIdentity(n.VNet.NodeSubnet); before != after {
		sp := p.Child("vnet", "nodeSubnet", "name")
		if n.VNet.NodeSubnet.IsExisting() || o.VNet.NodeSubnet.IsExisting() {
			sp = p.Child("vnet", "nodeSubnet", "id")
		}
		errs = append(errs, changed(CodeNodeSubnetChanged, sp, before, after,
			"every pool sits on the node subnet and a pool cannot move to another subnet (ARM: Changing property 'agentPoolProfile.vnetSubnetID' is not allowed); keep the node subnet, or deploy a new cluster (a new name)"))
	}
	return errs
}

// subnetIdentity is what a pool's subnet ID follows: an existing subnet's
// ID, or a new subnet's name.
func subnetIdentity(s Subnet) string {
	if s.IsExisting() {
		return strings.ToLower(s.ID)
	}
	return s.Name
}

// podSubnetOf is the identity of a pool's pod subnet in a spec ("" outside
// pod subnet mode).
func podSubnetOf(c Cluster, p NodePool) string {
	ps, ok := c.Network.Mode.(PodSubnet)
	if !ok {
		return ""
	}
	for _, s := range ps.Subnets {
		if s.Name == p.PodSubnet {
			return subnetIdentity(s)
		}
	}
	return p.PodSubnet
}

// updatePools compares the system pool with the system pool and each user
// pool with the user pool of the same name (a renamed pool is a new pool,
// which is always possible).
func updatePools(o, n Cluster) field.ErrorList {
	errs := updatePool(o, n, o.SystemPool, n.SystemPool, true, field.NewPath("systemPool"))
	old := map[string]NodePool{}
	for _, p := range o.UserPools {
		old[p.Name] = p
	}
	for i, p := range n.UserPools {
		if before, ok := old[p.Name]; ok {
			errs = append(errs, updatePool(o, n, before, p, false, field.NewPath("userPools").Index(i))...)
		}
	}
	return errs
}

func updatePool(oc, nc Cluster, o, n NodePool, system bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	newPool := fmt.Sprintf("add a pool (a new name) with the new value and remove %s, or keep it", o.Name)
	if o.VMSize != n.VMSize {
		if system {
			errs = append(errs, changed(CodeSystemVMSizeChanged, p.Child("vmSize"), o.VMSize, n.VMSize,
				fmt.Sprintf("AKS cannot resize a node pool, and the system pool is part of the cluster here: keep %s (a new cluster under a new name can use %s)", o.VMSize, n.VMSize)))
		} else {
			errs = append(errs, changed(CodePoolVMSizeChanged, p.Child("vmSize"), o.VMSize, n.VMSize,
				fmt.Sprintf("AKS cannot resize a node pool: add a pool with %s (a new name), move the workloads and remove %s; or allow the replacement (UpOptions.AllowReplace): Pulumi deletes %s and creates it again, its workloads without these nodes meanwhile", n.VMSize, o.Name, o.Name)))
		}
	}
	if before, after := podSubnetOf(oc, o), podSubnetOf(nc, n); before != after && before != "" && after != "" {
		errs = append(errs, changed(CodePoolPodSubnetChanged, p.Child("podSubnet"), before, after,
			"a pool cannot move to another pod subnet (ARM: PropertyChangeNotAllowed on podSubnetID); "+newPool))
	}
	if !strings.EqualFold(o.OSType, n.OSType) {
		errs = append(errs, changed(CodeOSTypeChanged, p.Child("osType"), o.OSType, n.OSType, "a pool's OS type is set at creation; "+newPool))
	}
	if !sameSet(o.Zones, n.Zones) {
		errs = append(errs, changed(CodeZonesChanged, p.Child("zones"), o.Zones, n.Zones,
			"a pool's availability zones are set at creation; "+newPool))
	}
	if o.MaxPods != n.MaxPods {
		why := "a pool's max pods is set at creation; " + newPool
		if oc.Network.Mode != nil && nc.Network.Mode != nil && oc.Network.Mode.Kind() != nc.Network.Mode.Kind() {
			why += fmt.Sprintf(" (the IP mode's default moved: set maxPods: %d)", o.MaxPods)
		}
		errs = append(errs, changed(CodeMaxPodsChanged, p.Child("maxPods"), o.MaxPods, n.MaxPods, why))
	}
	return errs
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// updateVersion refuses a downgrade and an upgrade that skips a minor. A
// MAJOR.MINOR alias stands for that minor's latest patch: 1.32.4 to 1.32
// neither upgrades nor downgrades (the AKS REST API's kubernetesVersion).
func updateVersion(old, new string, p *field.Path) field.ErrorList {
	o, err1 := LookupKubernetes(old, true)
	n, err2 := LookupKubernetes(new, true)
	if err1 != nil || err2 != nil {
		return nil // an invalid version is Validate's to report
	}
	ov, nv := o.Version, n.Version
	switch {
	case nv.Major() < ov.Major() || nv.Major() == ov.Major() && nv.Minor() < ov.Minor():
		return field.ErrorList{changed(CodeKubernetesDowngrade, p, old, new, fmt.Sprintf("Kubernetes cannot go down a version; keep %s or later", o.Minor))}
	case nv.Major() == ov.Major() && nv.Minor() == ov.Minor():
		if strings.Count(old, ".") == 2 && strings.Count(new, ".") == 2 && nv.LessThan(ov) {
			return field.ErrorList{changed(CodeKubernetesDowngrade, p, old, new, fmt.Sprintf("Kubernetes cannot go down a patch version; keep %s or later", old))}
		}
	case nv.Major() != ov.Major() || nv.Minor() > ov.Minor()+1:
		next := fmt.Sprintf("%d.%d", ov.Major(), ov.Minor()+1)
		return field.ErrorList{changed(CodeKubernetesSkipsMinor, p, old, new, fmt.Sprintf("AKS upgrades one minor version at a time: upgrade to %s first", next))}
	}
	return nil
}
