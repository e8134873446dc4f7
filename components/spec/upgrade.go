package spec

import "fmt"

// Title is a feature's name for people ("Cilium Endpoint Slices").
func (f Feature) Title() string {
	switch f {
	case FeatureCiliumEndpointSlices:
		return "Cilium Endpoint Slices"
	case FeatureACNSFQDNFiltering:
		return "ACNS FQDN filtering"
	case FeatureACNSL7Policies:
		return "ACNS L7 policies"
	case FeatureContainerNetworkFlowLogs:
		return "container network flow logs"
	case FeatureEBPFHostRouting:
		return "eBPF host routing"
	}
	return string(f)
}

// Condition is whether a cluster meets a gate's Requires, as far as its
// spec tells.
type Condition string

// The answers of FeatureGate.MetBy.
const (
	// ConditionNone: the feature needs nothing beyond the Kubernetes version.
	ConditionNone Condition = ""
	// ConditionMet: the spec turns on what the feature needs.
	ConditionMet Condition = "met"
	// ConditionNotMet: the spec does not (the feature stays off).
	ConditionNotMet Condition = "not met"
	// ConditionUnknown: the spec cannot tell (the node image's OS version).
	ConditionUnknown Condition = "unknown"
)

// MetBy says whether the cluster c meets the gate's Requires.
func (g FeatureGate) MetBy(c Cluster) Condition {
	switch g.Feature {
	case FeatureACNSFQDNFiltering:
		return met(c.ACNS.Enabled && c.ACNS.Security.FQDN())
	case FeatureACNSL7Policies:
		return met(c.ACNS.Enabled && c.ACNS.Security.Level() == ACNSSecurityL7)
	case FeatureContainerNetworkFlowLogs:
		return met(c.ACNS.Enabled && c.ACNS.Observability)
	case FeatureEBPFHostRouting:
		return ConditionUnknown // the OS version of the node image is not in the spec
	}
	if g.Requires == "" {
		return ConditionNone
	}
	return ConditionUnknown
}

func met(ok bool) Condition {
	if ok {
		return ConditionMet
	}
	return ConditionNotMet
}

// KubernetesChange is what moving a cluster from one Kubernetes version to
// another means for its Cilium data plane, from the version table and the
// feature gates.
type KubernetesChange struct {
	// From and To are the two versions, as parsed.
	From, To KubernetesVersion
	// Enabled are the gates that open with To (a feature available on To,
	// not on From); Disabled those that close (To older than From).
	Enabled, Disabled []FeatureGate
}

// CompareKubernetes looks both versions up (a version newer than the table
// is accepted: it was, or is, allowed by the spec's AllowNewerKubernetes)
// and lists the gates that open or close between them. Whether the change
// is allowed at all (one minor up at a time) is ValidateUpdate's rule.
func CompareKubernetes(from, to string) (KubernetesChange, error) {
	f, err := LookupKubernetes(from, true)
	if err != nil {
		return KubernetesChange{}, fmt.Errorf("from Kubernetes %q: %w", from, err)
	}
	t, err := LookupKubernetes(to, true)
	if err != nil {
		return KubernetesChange{}, fmt.Errorf("to Kubernetes %q: %w", to, err)
	}
	ch := KubernetesChange{From: f, To: t}
	for _, g := range FeatureGates {
		was, is := f.AtLeast(g.MinKubernetes), t.AtLeast(g.MinKubernetes)
		switch {
		case is && !was:
			ch.Enabled = append(ch.Enabled, g)
		case was && !is:
			ch.Disabled = append(ch.Disabled, g)
		}
	}
	return ch, nil
}

// CiliumMoves reports whether the minimum Cilium version differs.
func (ch KubernetesChange) CiliumMoves() bool { return ch.From.Row.MinCilium != ch.To.Row.MinCilium }
