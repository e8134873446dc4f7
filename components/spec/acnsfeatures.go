package spec

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// TransitEncryption is ACNS's pod traffic encryption between nodes: ARM's
// networkProfile.advancedNetworking.security.transitEncryption.type (API
// 2026-01-01 and later).
type TransitEncryption string

// The transit encryption types.
const (
	TransitEncryptionNone      TransitEncryption = "None"
	TransitEncryptionWireGuard TransitEncryption = "WireGuard"
)

// TransitEncryptions are the valid transit encryption types.
var TransitEncryptions = []TransitEncryption{TransitEncryptionNone, TransitEncryptionWireGuard}

// ACNSAcceleration is ACNS's data path acceleration: ARM's
// networkProfile.advancedNetworking.performance.accelerationMode (API
// 2026-01-01 and later).
type ACNSAcceleration string

// The acceleration modes.
const (
	AccelerationNone ACNSAcceleration = "None"
	// AccelerationBpfVeth is eBPF host routing.
	AccelerationBpfVeth ACNSAcceleration = "BpfVeth"
)

// ACNSAccelerations are the valid acceleration modes.
var ACNSAccelerations = []ACNSAcceleration{AccelerationNone, AccelerationBpfVeth}

// ACNSAPI2026 is the ARM API version that has TransitEncryption and
// Acceleration (specification/containerservice/.../stable/2026-01-01:
// AdvancedNetworkingSecurityTransitEncryption, AdvancedNetworkingPerformance).
const ACNSAPI2026 = "2026-01-01"

// UsesAPI2026 reports whether ACNS sets anything only API 2026-01-01 has.
func (a ACNS) UsesAPI2026() bool {
	a = a.Effective()
	return a.TransitEncryption != "" || a.Acceleration != ""
}

// WithoutAPI2026 is a with the API 2026-01-01 switches cleared: what older
// API versions can express.
func (a ACNS) WithoutAPI2026() ACNS {
	a.TransitEncryption, a.Acceleration = "", ""
	return a
}

// eBPFHostRoutingOS are the node OS releases eBPF host routing runs on (AKS
// docs, how-to-enable-ebpf-host-routing: "Azure Linux 3.0 or Ubuntu 24.04";
// container-network-performance-ebpf-host-routing, limitations).
var eBPFHostRoutingOS = []string{"Azure Linux 3.0", "Ubuntu 24.04"}

// validateACNSFeatures checks WireGuard and eBPF host routing: ACNS on,
// WireGuard without FIPS pools, BpfVeth on Kubernetes 1.33+ with every pool
// on Azure Linux 3.0 or Ubuntu 24.04.
func validateACNSFeatures(c Cluster, k8s *KubernetesVersion, p *field.Path) field.ErrorList {
	a := c.ACNS
	var errs field.ErrorList
	tp, ap := p.Child("transitEncryption"), p.Child("acceleration")
	te := a.TransitEncryption
	if te == "" {
		te = TransitEncryptionNone
	}
	acc := a.Acceleration
	if acc == "" {
		acc = AccelerationNone
	}
	if !slices.Contains(TransitEncryptions, te) {
		errs = append(errs, CodeTransitEncryption.NotSupported(tp, a.TransitEncryption, names(TransitEncryptions)))
	}
	if !slices.Contains(ACNSAccelerations, acc) {
		errs = append(errs, CodeAcceleration.NotSupported(ap, a.Acceleration, names(ACNSAccelerations)))
	}
	if te == TransitEncryptionWireGuard {
		if !a.Enabled {
			errs = append(errs, CodeTransitEncryption.Invalid(tp, a.TransitEncryption, "requires acns.enabled: true (WireGuard is an ACNS feature, paid)"))
		}
		// "WireGuard isn't FIPS compliant." (AKS docs: container-network-
		// security-wireguard-encryption-concepts, considerations & limitations).
		for i, pool := range c.Pools() {
			if pool.FIPS {
				errs = append(errs, CodeTransitEncryption.Invalid(poolPath(i).Child("fips"), true,
					"WireGuard transit encryption is not FIPS compliant (AKS docs: WireGuard encryption, limitations); turn acns.transitEncryption off for a FIPS cluster, or drop fips"))
			}
		}
	}
	if acc == AccelerationBpfVeth {
		if !a.Enabled {
			errs = append(errs, CodeAcceleration.Invalid(ap, a.Acceleration, "requires acns.enabled: true (eBPF host routing is an ACNS feature, paid)"))
		}
		if k8s != nil && !k8s.Available(FeatureEBPFHostRouting) {
			errs = append(errs, CodeAcceleration.Invalid(ap, a.Acceleration, fmt.Sprintf(
				"eBPF host routing needs Kubernetes 1.33 or later (AKS docs: enable eBPF host routing), the cluster runs %s", k8s.Minor)))
		}
		if k8s != nil {
			for i, pool := range c.Pools() {
				if os := NodeOS(pool.OSSKU, *k8s); !slices.Contains(eBPFHostRoutingOS, os) {
					errs = append(errs, CodeAcceleration.Invalid(poolPath(i).Child("osSku"), pool.OSSKU, fmt.Sprintf(
						"eBPF host routing runs only on %s, for every pool; %s gives %s on Kubernetes %s: use AzureLinux, or Ubuntu2404",
						strings.Join(eBPFHostRoutingOS, " or "), capString(pool.OSSKU, MaxEchoValue), capString(os, MaxEchoValue), k8s.Minor)))
				}
			}
		}
	}
	return errs
}
