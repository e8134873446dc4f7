package spec

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Identity chooses the cluster's managed identities. The zero value keeps
// the system-assigned control-plane identity and the kubelet identity AKS
// creates in the node resource group.
//
// Platform teams that bring their own VNet, route table or private DNS zone
// use user-assigned identities instead, so that the roles the cluster needs
// exist before the cluster does (AKS docs: "Use a managed identity in AKS":
// "If you're using your own VNet, ... route table, or user-assigned kubelet
// identity ..., we recommend using a user-assigned managed identity for the
// control plane and manually performing the required role assignment"). The
// identities are brought by resource ID: this library creates none (the
// azure-native Microsoft.ManagedIdentity SDK package is not available to
// it). With a user-assigned control-plane identity the Cluster component
// grants it Network Contributor on the subnets (and the route table) and,
// with a kubelet identity, Managed Identity Operator on the kubelet identity,
// and creates the cluster only after those role assignments.
type Identity struct {
	// ControlPlane is a user-assigned managed identity for the control
	// plane; nil keeps the system-assigned one.
	ControlPlane *UserAssignedIdentity `json:"controlPlane,omitempty"`
	// Kubelet is a user-assigned managed identity for the kubelet (pulling
	// images, for example from ACR); it needs ControlPlane, as in AKS
	// ("--assign-kubelet-identity can only be specified when
	// --assign-identity is specified", azure-cli). Nil lets AKS create one.
	Kubelet *UserAssignedIdentity `json:"kubelet,omitempty"`
}

// UserAssignedIdentity is an existing user-assigned managed identity.
type UserAssignedIdentity struct {
	// ResourceID is its ARM ID: /subscriptions/<id>/resourceGroups/<group>/
	// providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>.
	ResourceID string `json:"resourceId"`
	// PrincipalID is its object (principal) ID, a GUID: role assignments
	// name it. Required for the control-plane identity, which the
	// component grants roles before the cluster exists.
	PrincipalID string `json:"principalId,omitempty"`
	// ClientID is its client (application) ID, a GUID; optional, passed to
	// ARM's identityProfile.kubeletidentity.clientId for the kubelet.
	ClientID string `json:"clientId,omitempty"`
}

// UserAssignedIdentityType is the ARM type of a user-assigned identity.
const UserAssignedIdentityType = "Microsoft.ManagedIdentity/userAssignedIdentities"

// UserAssigned reports whether the control plane has a user-assigned identity.
func (i Identity) UserAssigned() bool { return i.ControlPlane != nil }

// validateIdentity checks the identities' IDs and that a kubelet identity
// comes with a control-plane one.
func validateIdentity(i Identity, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if cp := i.ControlPlane; cp != nil {
		ip := p.Child("controlPlane")
		errs = append(errs, validateIdentityRef(*cp, ip)...)
		if cp.PrincipalID == "" {
			errs = append(errs, CodeIdentity.Required(ip.Child("principalId"),
				"the identity's object (principal) ID, so that its role assignments can be made before the cluster exists: az identity show --ids <resourceId> --query principalId"))
		}
	}
	if k := i.Kubelet; k != nil {
		kp := p.Child("kubelet")
		errs = append(errs, validateIdentityRef(*k, kp)...)
		if i.ControlPlane == nil {
			errs = append(errs, CodeKubeletIdentity.Required(p.Child("controlPlane"),
				"a kubelet identity needs a user-assigned control-plane identity, which is granted Managed Identity Operator on it (AKS docs: managed identity overview, pre-created kubelet identity)"))
		} else if strings.EqualFold(k.ResourceID, i.ControlPlane.ResourceID) {
			errs = append(errs, CodeKubeletIdentity.Invalid(kp.Child("resourceId"), k.ResourceID,
				"is the control-plane identity; give the kubelet its own identity, which holds only what the nodes need (AcrPull), not the control plane's network roles"))
		}
	}
	return errs
}

func validateIdentityRef(u UserAssignedIdentity, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if u.ResourceID == "" {
		errs = append(errs, CodeIdentity.Required(p.Child("resourceId"), "the ARM ID of an existing user-assigned managed identity"))
	} else {
		errs = append(errs, validateARMID(p.Child("resourceId"), u.ResourceID, UserAssignedIdentityType)...)
	}
	if u.PrincipalID != "" && !isGUID(u.PrincipalID) {
		errs = append(errs, CodeIdentity.Invalid(p.Child("principalId"), u.PrincipalID, "must be the identity's object ID (a GUID)"))
	}
	if u.ClientID != "" && !isGUID(u.ClientID) {
		errs = append(errs, CodeIdentity.Invalid(p.Child("clientId"), u.ClientID, "must be the identity's client ID (a GUID)"))
	}
	return errs
}

// String is "system-assigned" or "user-assigned <name> (kubelet <name>)".
func (i Identity) String() string {
	if i.ControlPlane == nil {
		return "system-assigned control plane, AKS-created kubelet identity"
	}
	out := "user-assigned control plane " + lastSegmentOf(i.ControlPlane.ResourceID)
	if i.Kubelet != nil {
		return out + ", kubelet " + lastSegmentOf(i.Kubelet.ResourceID)
	}
	return out + ", AKS-created kubelet identity"
}

func lastSegmentOf(id string) string { return id[strings.LastIndex(id, "/")+1:] }
