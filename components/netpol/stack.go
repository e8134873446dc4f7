package netpol

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// StackPolicies is the value of a Platform stack's baseline policies
// (spec.ConfigPolicies, aks-cilium:policies): the Config fields beside
// createNamespaces. It lives here, in a pure package, so that tools that
// read stack files without Pulumi (examples/plan, the plan page) decode it
// exactly as the stack program does; components.PoliciesArgs is this type.
type StackPolicies struct {
	Config
	// CreateNamespaces creates the target namespaces.
	CreateNamespaces bool `json:"createNamespaces,omitempty"`
}

// StackPoliciesField is the root of the policies' field paths in errors: a
// stack's spec.ConfigPolicies value, next to the cluster spec's fields.
const StackPoliciesField = "policies"

// DecodeStackPolicies decodes a spec.ConfigPolicies value (JSON) as strictly
// as the cluster spec (spec.DecodeStrictJSON): an unknown field, a key given
// twice or a value of the wrong type is a *spec.InvalidError with paths
// under StackPoliciesField. The stack program, the automation engine, the
// CLI and the planner all read the key with it.
func DecodeStackPolicies(data []byte) (*StackPolicies, error) {
	var p StackPolicies
	if err := spec.DecodeStrictJSON(data, &p, field.NewPath(StackPoliciesField)); err != nil {
		return nil, err
	}
	return &p, nil
}

// CheckFor validates the policies for the defaulted cluster c (ForCluster:
// its ACNS switches, Kubernetes version and internet-egress exceptions) with
// paths under StackPoliciesField, and returns the Config Build takes, or a
// *spec.InvalidError.
func (p StackPolicies) CheckFor(c spec.Cluster) (Config, error) {
	return ForCluster(p.Config, c).Check(field.NewPath(StackPoliciesField))
}
