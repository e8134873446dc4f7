package components

import (
	containerservice "github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2/v20241001"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// ACNSIgnorePath is the ManagedCluster input Pulumi leaves alone after the
// cluster is created: ACNS (networkProfile.advancedNetworking) on an
// existing cluster belongs to the ARM path (automation/acns, run by the
// automation Engine after every up, and automation/migrate's ACNS change).
//
// Why not let Pulumi switch it: with azure-native v2.88.0, networkProfile
// is a forced-new property, and its diff (provider/pkg/provider/diff.go)
// promotes every nested *update* under it to a replacement, while a nested
// *add* or *delete* stays in place. So turning an existing ACNS setting on
// or off, or changing observability or security, plans a new cluster
// (pulumi-azure-native#4756); adding advancedNetworking to a cluster that
// never had it is in place; and removing it is in place but does nothing,
// because ARM disables ACNS only when advancedNetworking.enabled: false is
// spelled out (pulumi-azure-native#4206). And the L7 level
// (security.advancedNetworkPolicies) does not exist in API 2024-10-01 at
// all. One path for every change is simpler and safe: Pulumi renders ACNS
// on create only, ARM (API 2025-10-01) does the rest, and the stack is
// refreshed after each ARM update so that state, program and cluster agree.
const ACNSIgnorePath = "networkProfile.advancedNetworking"

// advancedNetworking is the ACNS a new cluster is created with, in API
// 2024-10-01's shape: nil when ACNS is off (ARM's default), else enabled
// with observability and security spelled out. Security on means FQDN
// filtering at that API version; the L7 level is set through ARM after the
// cluster exists.
func advancedNetworking(a spec.ACNS) *containerservice.AdvancedNetworkingArgs {
	a = a.Effective()
	if !a.Enabled {
		return nil
	}
	return &containerservice.AdvancedNetworkingArgs{
		Enabled: pulumi.Bool(true),
		Observability: &containerservice.AdvancedNetworkingObservabilityArgs{
			Enabled: pulumi.Bool(a.Observability),
		},
		Security: &containerservice.AdvancedNetworkingSecurityArgs{
			Enabled: pulumi.Bool(a.Security.FQDN()),
		},
	}
}

// acnsOptions keeps Pulumi from planning ACNS changes on an existing
// cluster (see ACNSIgnorePath).
func acnsOptions() pulumi.ResourceOption {
	return pulumi.IgnoreChanges([]string{ACNSIgnorePath})
}
