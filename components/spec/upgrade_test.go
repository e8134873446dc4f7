package spec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// From 1.32 to 1.34 (two upgrades; ValidateUpdate allows one minor at a
// time) the Cilium minimum moves from 1.17.9 to 1.18.6 and the two 1.33
// gates open; the way down closes them.
func TestCompareKubernetes(t *testing.T) {
	ch, err := CompareKubernetes("1.32", "1.34.2")
	require.NoError(t, err)
	assert.Equal(t, "1.32", ch.From.Minor)
	assert.Equal(t, "1.34", ch.To.Minor)
	assert.Equal(t, "1.17.9", ch.From.Row.MinCilium)
	assert.Equal(t, "1.18.6", ch.To.Row.MinCilium)
	assert.True(t, ch.CiliumMoves())
	var enabled []Feature
	for _, g := range ch.Enabled {
		enabled = append(enabled, g.Feature)
	}
	assert.Equal(t, []Feature{FeatureContainerNetworkFlowLogs, FeatureEBPFHostRouting}, enabled)
	assert.Empty(t, ch.Disabled)

	back, err := CompareKubernetes("1.34", "1.31")
	require.NoError(t, err)
	var disabled []Feature
	for _, g := range back.Disabled {
		disabled = append(disabled, g.Feature)
	}
	assert.Equal(t, []Feature{FeatureCiliumEndpointSlices, FeatureContainerNetworkFlowLogs, FeatureEBPFHostRouting}, disabled)

	same, err := CompareKubernetes("1.34", "1.35")
	require.NoError(t, err)
	assert.False(t, same.CiliumMoves(), "1.34 and 1.35 share a minimum")
	assert.Empty(t, same.Enabled)

	newer, err := CompareKubernetes("1.36", "1.40")
	require.NoError(t, err)
	assert.True(t, newer.To.NewerThanTable)
	assert.Equal(t, "1.18.9", newer.To.Row.MinCilium, "the table's last row")

	_, err = CompareKubernetes("1.20", "1.32")
	assert.ErrorContains(t, err, `from Kubernetes "1.20"`)
}

// The gate conditions against the spec: ACNS switches decide the ACNS
// features; the OS of the node image is not in the spec.
func TestFeatureGateMetBy(t *testing.T) {
	gate := func(f Feature) FeatureGate {
		for _, g := range FeatureGates {
			if g.Feature == f {
				return g
			}
		}
		t.Fatalf("no gate %s", f)
		return FeatureGate{}
	}
	off := Cluster{}
	on := Cluster{ACNS: ACNS{Enabled: true, Security: ACNSSecurityL7, Observability: true}}
	fqdn := Cluster{ACNS: ACNS{Enabled: true, Security: ACNSSecurityFQDN}}
	assert.Equal(t, ConditionNone, gate(FeatureCiliumEndpointSlices).MetBy(off))
	assert.Equal(t, ConditionNotMet, gate(FeatureACNSFQDNFiltering).MetBy(off))
	assert.Equal(t, ConditionMet, gate(FeatureACNSL7Policies).MetBy(on))
	assert.Equal(t, ConditionMet, gate(FeatureACNSFQDNFiltering).MetBy(fqdn))
	assert.Equal(t, ConditionNotMet, gate(FeatureACNSL7Policies).MetBy(fqdn), "L7 needs the L7 level")
	assert.Equal(t, ConditionNotMet, gate(FeatureContainerNetworkFlowLogs).MetBy(fqdn))
	assert.Equal(t, ConditionMet, gate(FeatureContainerNetworkFlowLogs).MetBy(on))
	assert.Equal(t, ConditionUnknown, gate(FeatureEBPFHostRouting).MetBy(on))
	for _, g := range FeatureGates {
		assert.NotEqual(t, string(g.Feature), g.Feature.Title(), "%s has a title", g.Feature)
	}
}
