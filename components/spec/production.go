package spec

import "k8s.io/apimachinery/pkg/util/validation/field"

// productionDefaults fills the defaults of the production settings: SKU,
// upgrades, egress (see their types).
func productionDefaults(c Cluster) Cluster {
	c.SKU = skuDefaults(c.SKU)
	c.Upgrades = upgradesDefaults(c.Upgrades)
	c.Egress = egressDefaults(c.Egress, c.Name, c.Network.VNet.NodeSubnet.IsExisting())
	c.Identity = identityDefaults(c.Identity)
	return c
}

func identityDefaults(i Identity) Identity {
	if i.ControlPlane != nil {
		cp := *i.ControlPlane
		i.ControlPlane = &cp
	}
	if i.Kubelet != nil {
		k := *i.Kubelet
		i.Kubelet = &k
	}
	return i
}

// validateProduction checks the production settings: the SKU, upgrades and
// maintenance windows, egress, identities, OS disks and versioned OS SKUs,
// the node resource group, AKS's limits, and ACNS's API 2026-01-01 features.
func validateProduction(c Cluster, k8s *KubernetesVersion) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateSKU(c.SKU, field.NewPath("sku"))...)
	errs = append(errs, validateUpgrades(c.Upgrades, k8s, field.NewPath("upgrades"))...)
	errs = append(errs, validateEgress(c, field.NewPath("egress"))...)
	errs = append(errs, validateIdentity(c.Identity, field.NewPath("identity"))...)
	for i, pool := range c.Pools() {
		errs = append(errs, validateOSDisk(pool, poolPath(i))...)
		errs = append(errs, validateOSSKUVersion(pool, k8s, poolPath(i))...)
	}
	errs = append(errs, validateNodeResourceGroup(c)...)
	errs = append(errs, validateLimits(c)...)
	errs = append(errs, validateACNSFeatures(c, k8s, field.NewPath("acns"))...)
	return errs
}

// names are typed enum values as strings, for NotSupported.
func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
