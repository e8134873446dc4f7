// Package components holds the Pulumi ComponentResources that deploy an AKS
// cluster with Azure CNI powered by Cilium: Network (resource group, VNet and
// subnets), Cluster (the ManagedCluster, its user pools, a kubeconfig and a
// Kubernetes provider) and Platform, the one-call composition of both.
//
// The components hold no rules of their own. Every constructor applies
// spec.Cluster.WithDefaults, then spec.Cluster.Validate, and returns a
// *SpecError listing every problem before it registers anything, not even
// itself; only a valid spec is translated into resources.
//
// Providers flow the Pulumi way: options given to a component (for example
// pulumi.Providers(azureNative)) apply to the component, and every child is
// parented to it, so the children inherit them.
package components

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// SpecError is the error of a constructor given an invalid spec: every
// problem, each with its field path, the offending value and what is valid.
// Nothing was registered when it is returned.
type SpecError struct {
	// Component is the Pulumi name of the component that refused the spec.
	Component string
	// Errs are all the problems Validate found.
	Errs field.ErrorList
}

// Error lists every problem on its own line.
func (e *SpecError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "aks-cilium: %s: invalid cluster spec (%d problem", e.Component, len(e.Errs))
	if len(e.Errs) != 1 {
		b.WriteString("s")
	}
	b.WriteString("); nothing was deployed:")
	for _, err := range e.Errs {
		b.WriteString("\n  - ")
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns the problems as one aggregate error (errs.ToAggregate()).
func (e *SpecError) Unwrap() error { return e.Errs.ToAggregate() }

// checkSpec defaults and validates a spec: the first step of every
// constructor, before anything is registered.
func checkSpec(component string, c spec.Cluster) (spec.Cluster, error) {
	c = c.WithDefaults()
	if errs := c.Validate(); len(errs) > 0 {
		return spec.Cluster{}, &SpecError{Component: component, Errs: errs}
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
