// Package components holds the Pulumi ComponentResources that deploy an AKS
// cluster with Azure CNI powered by Cilium: Network (resource group, VNet and
// subnets), Cluster (the ManagedCluster, its user pools, a kubeconfig and a
// Kubernetes provider) and Platform, the one-call composition of both.
//
// The components hold no rules of their own. Every constructor applies
// spec.Cluster.Check (WithDefaults, then Validate) and returns the
// *spec.InvalidError listing every problem (find it with errors.As) before
// it registers anything, not even itself; only a valid spec is translated
// into resources.
//
// Providers flow the Pulumi way: options given to a component (for example
// pulumi.Providers(azureNative)) apply to the component, and every child is
// parented to it, so the children inherit them.
package components

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// checkSpec defaults and validates a spec (spec.Cluster.Check): the first
// step of every constructor, before anything is registered. An invalid spec
// is a *spec.InvalidError, wrapped with the component's name.
func checkSpec(component string, c spec.Cluster) (spec.Cluster, error) {
	c, err := c.Check()
	if err != nil {
		return spec.Cluster{}, fmt.Errorf("aks-cilium: %s: nothing was deployed: %w", component, err)
	}
	return c, nil
}

// specInput records the defaulted spec as the component's input in state
// (RegisterComponentResourceV2), so a preview shows what changed in the
// request, not only in the resources. The spec holds no secrets.
func specInput(c spec.Cluster) pulumi.Map {
	data, err := json.Marshal(c)
	if err != nil {
		return pulumi.Map{}
	}
	var plain map[string]any
	if err := json.Unmarshal(data, &plain); err != nil {
		return pulumi.Map{}
	}
	return pulumi.Map{"spec": pulumi.ToMap(plain)}
}

// childName is the Pulumi name of a component's child: the component name
// and the child's role, so two components never collide.
func childName(component, role string) string { return component + "-" + role }
