// Package result is the model of what a Pulumi operation did or would do:
// a Result with its Steps, their PropertyDiffs, Diagnostics and Outputs.
//
// It is a leaf: it imports only the standard library, so code that only
// reads or renders results (a PR comment, a report, a dashboard) does not
// pull in the engine, the Pulumi SDK or client-go. The automation package
// produces these values; prcomment renders them.
package result

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// SecretMask replaces a secret value wherever a result shows text.
const SecretMask = "[secret]"

// Kind names the operation a Result comes from.
type Kind string

// The operations that produce a Result.
const (
	KindPreview Kind = "preview"
	KindUp      Kind = "up"
	KindRefresh Kind = "refresh"
	KindDestroy Kind = "destroy"
	// KindDrift is a drift check: a preview that refreshes first, in
	// memory, and writes nothing (Engine.Drift).
	KindDrift Kind = "drift"
)

// Op is what a step does to one resource. The values are Pulumi's own
// operation names (apitype.OpType in the Pulumi SDK), so they compare
// equal to what the engine streams.
type Op string

// The step operations that results carry.
const (
	OpSame              Op = "same"
	OpCreate            Op = "create"
	OpUpdate            Op = "update"
	OpDelete            Op = "delete"
	OpReplace           Op = "replace"
	OpCreateReplacement Op = "create-replacement"
	OpDeleteReplaced    Op = "delete-replaced"
	OpRead              Op = "read"
	OpRefresh           Op = "refresh"
	OpImport            Op = "import"
)

// Result is what an operation did or, for a preview, would do.
type Result struct {
	// Project and Stack name the stack the operation ran on.
	Project, Stack string
	// Kind is the operation: preview, up, refresh or destroy.
	Kind Kind
	// Changes counts resources per step operation, e.g. {"create": 5}.
	Changes map[Op]int
	// Steps are the resources that change (or, with Op "same", do not).
	Steps []Step
	// Diagnostics are the engine's and providers' messages.
	Diagnostics []Diagnostic
	// Outputs are the stack outputs after an up or refresh; secret ones are
	// masked (see Output).
	Outputs map[string]Output `json:",omitempty"`
	// ARMChanges are the changes made (an up) or to be made (a preview)
	// through Azure Resource Manager directly, outside the Pulumi plan:
	// what the azure-native API version cannot express or change in place
	// (ACNS: automation/acns). Steps never include them.
	ARMChanges []ARMChange `json:",omitempty"`
	// Drift are the resources whose real state differs from the stack's
	// state, as a refresh found them (a drift check, a refresh, or a
	// preview that refreshed first).
	Drift []Drift `json:",omitempty"`
	// Upgrades say what a Kubernetes version change of a cluster does to
	// its Cilium data plane, one per changing ManagedCluster.
	Upgrades []Upgrade `json:",omitempty"`
	// Duration is the wall time of the operation.
	Duration time.Duration
}

// Drift is one resource whose real state differs from what the stack's
// state records: changed outside Pulumi (in the portal, by `az`, by a
// policy), or deleted. A resource created outside Pulumi is not in the
// state and is not found this way.
type Drift struct {
	// URN, Type and Name identify the resource.
	URN, Type, Name string
	// Deleted is true when the resource no longer exists.
	Deleted bool `json:",omitempty"`
	// Diffs are the properties that differ: Old is the stack's state, New
	// what the cloud has now; secret values are masked.
	Diffs []PropertyDiff `json:",omitempty"`
}

// Upgrade is what a ManagedCluster's Kubernetes version change does to
// Cilium: the minimum Cilium version AKS runs moving (the version table)
// and the version-gated features that open or close.
type Upgrade struct {
	// Resource is the ManagedCluster's resource name.
	Resource string
	// FromKubernetes and ToKubernetes are the versions, as in the spec.
	FromKubernetes, ToKubernetes string
	// FromMinCilium and ToMinCilium are the minimum Cilium versions for
	// them ("1.17.9", "1.18.6").
	FromMinCilium, ToMinCilium string
	// ToNewerThanTable is true when ToKubernetes is past the version
	// table (allowed by the spec): ToMinCilium is then the table's last row.
	ToNewerThanTable bool `json:",omitempty"`
	// Enabled and Disabled are the gated features that open or close.
	Enabled, Disabled []GatedFeature `json:",omitempty"`
}

// GatedFeature is one feature a Kubernetes version opens or closes.
type GatedFeature struct {
	// Feature is its identifier ("CiliumEndpointSlices"), Title its name
	// for people ("Cilium Endpoint Slices").
	Feature, Title string
	// MinKubernetes is the first Kubernetes minor that has it.
	MinKubernetes string
	// Requires is what else it needs ("ACNS enabled with security"), "" for nothing.
	Requires string `json:",omitempty"`
	// Condition says whether the cluster's spec meets Requires: "met",
	// "not met", "unknown" (the spec cannot tell), "" when nothing is required.
	Condition string `json:",omitempty"`
}

// Drifted reports whether a refresh found any resource changed or deleted
// outside Pulumi.
func (r *Result) Drifted() bool { return len(r.Drift) > 0 }

// Output is one stack output. A secret output's Value is SecretMask.
type Output struct {
	Value  any
	Secret bool
}

// ARMChange is one change made through ARM outside the Pulumi plan.
type ARMChange struct {
	// Resource is the resource's ARM ID, or its name when the ID is not
	// known yet (a first deployment).
	Resource string
	// Property is the ARM property path, e.g. "networkProfile.advancedNetworking".
	Property string
	// Old and New are display values; Old is "" when not known (a preview
	// does not read ARM).
	Old, New string
	// Applied is true when the change was made, false when it is planned.
	Applied bool
	// Note says why the change goes through ARM.
	Note string `json:",omitempty"`
}

// HasChanges reports whether anything other than "same" is planned or
// done, ARM changes outside the plan included.
func (r *Result) HasChanges() bool {
	if len(r.ARMChanges) > 0 {
		return true
	}
	for op, n := range r.Changes {
		if op != OpSame && n > 0 {
			return true
		}
	}
	return false
}

// ChangeSummary is a stable one-line summary such as "2 create, 1 update"
// (operations in alphabetical order, then "N through ARM" for ARMChanges),
// or "no changes".
func (r *Result) ChangeSummary() string {
	ops := make([]string, 0, len(r.Changes))
	for op, n := range r.Changes {
		if n > 0 && op != OpSame {
			ops = append(ops, string(op))
		}
	}
	if len(ops) == 0 && len(r.ARMChanges) == 0 {
		return "no changes"
	}
	sort.Strings(ops)
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%d %s", r.Changes[Op(op)], op)
	}
	if n := len(r.ARMChanges); n > 0 {
		parts = append(parts, fmt.Sprintf("%d through ARM", n))
	}
	return strings.Join(parts, ", ")
}

// Step is one resource's planned or performed change.
type Step struct {
	// URN, Type and Name identify the resource.
	URN, Type, Name string
	// Op is the operation on the resource.
	Op Op
	// ReplaceKeys are the properties that force a replacement.
	ReplaceKeys []string `json:",omitempty"`
	// Diffs are the changed properties, with old and new values where the
	// engine gave them; secret values are masked.
	Diffs []PropertyDiff `json:",omitempty"`
	// Failed is true when the step's operation failed.
	Failed bool `json:",omitempty"`
}

// PropertyDiff is one changed property of a step.
type PropertyDiff struct {
	// Path is the property path, e.g. "networkProfile.networkDataplane".
	Path string
	// Kind is add, delete, update, or the same with "-replace".
	Kind string
	// Old and New are display values ("" when absent); secrets show as
	// SecretMask.
	Old, New string
}

// Diagnostic is a message the engine or a provider printed.
type Diagnostic struct {
	// URN is the resource it is about ("" for the whole run).
	URN string `json:",omitempty"`
	// Severity is info, warning or error.
	Severity string
	// Message has ANSI codes removed and secrets masked.
	Message string
}

// Replaces reports whether the step replaces its resource.
func (s Step) Replaces() bool {
	return s.Op == OpReplace || s.Op == OpCreateReplacement || s.Op == OpDeleteReplaced
}

// Destroys reports whether the step replaces or deletes its resource.
func (s Step) Destroys() bool { return s.Replaces() || s.Op == OpDelete }

// IsManagedCluster reports whether the step is on an AKS ManagedCluster, of
// any API version: replacing it recreates the cluster.
func (s Step) IsManagedCluster() bool {
	return isAzureNative(s.Type, "containerservice", "ManagedCluster")
}

// IsAgentPool reports whether the step is on an AKS AgentPool (a user node
// pool managed as its own resource), of any API version.
func (s Step) IsAgentPool() bool {
	return isAzureNative(s.Type, "containerservice", "AgentPool")
}

// IsNetwork reports whether the step is on a VNet or a subnet, of any API
// version: replacing one that a cluster uses takes the cluster's nodes with it.
func (s Step) IsNetwork() bool {
	return isAzureNative(s.Type, "network", "VirtualNetwork") || isAzureNative(s.Type, "network", "Subnet")
}

// isAzureNative reports whether an azure-native type token is the resource
// kind of module, in the default or any versioned module:
// "azure-native:network:Subnet" and "azure-native:network/v20240301:Subnet".
func isAzureNative(token, module, kind string) bool {
	parts := strings.Split(token, ":")
	if len(parts) != 3 || parts[0] != "azure-native" || parts[2] != kind {
		return false
	}
	mod, _, _ := strings.Cut(parts[1], "/")
	return mod == module
}

// Guarded returns the steps a careful Up refuses unless replacements are
// allowed: a replace or delete of a ManagedCluster, and of a VNet or subnet
// while a cluster in the same run stays (it is in use). azure-native
// v2.88.0 replaces a ManagedCluster on an update under networkProfile
// (pulumi-azure-native#4756), so a harmless-looking edit can plan a new
// cluster.
func Guarded(steps []Step) []Step {
	clusterStays := false
	for _, s := range steps {
		if s.IsManagedCluster() && s.Op != OpDelete {
			clusterStays = true
		}
	}
	var refused []Step
	for _, s := range steps {
		switch {
		case !s.Destroys():
		case s.IsManagedCluster():
			refused = append(refused, s)
		case s.IsNetwork() && clusterStays:
			refused = append(refused, s)
		}
	}
	return refused
}
