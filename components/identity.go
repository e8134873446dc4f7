package components

import (
	containerservice "github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2/v20241001"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// KubeletIdentityKey is the one key ARM accepts in identityProfile
// ("The only accepted key is \"kubeletidentity\"", ManagedClusterProperties
// at API 2024-10-01).
const KubeletIdentityKey = "kubeletidentity"

// clusterIdentity is the ManagedCluster's identity: system-assigned (the
// default), or the spec's user-assigned control-plane identity by ID.
func clusterIdentity(i spec.Identity) *containerservice.ManagedClusterIdentityArgs {
	if i.ControlPlane == nil {
		return &containerservice.ManagedClusterIdentityArgs{Type: containerservice.ResourceIdentityTypeSystemAssigned}
	}
	return &containerservice.ManagedClusterIdentityArgs{
		Type:                   containerservice.ResourceIdentityTypeUserAssigned,
		UserAssignedIdentities: pulumi.StringArray{pulumi.String(i.ControlPlane.ResourceID)},
	}
}

// kubeletIdentityProfile is identityProfile.kubeletidentity for the spec's
// kubelet identity, nil when AKS creates one. ARM needs the resource ID;
// the client and object IDs are passed when the spec gives them (the Azure
// Verified Module sends the resource ID alone).
func kubeletIdentityProfile(i spec.Identity) containerservice.UserAssignedIdentityMapInput {
	k := i.Kubelet
	if k == nil {
		return nil
	}
	id := containerservice.UserAssignedIdentityArgs{ResourceId: pulumi.String(k.ResourceID)}
	if k.ClientID != "" {
		id.ClientId = pulumi.String(k.ClientID)
	}
	if k.PrincipalID != "" {
		id.ObjectId = pulumi.String(k.PrincipalID)
	}
	return containerservice.UserAssignedIdentityMap{KubeletIdentityKey: id}
}
