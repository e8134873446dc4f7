package spec

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDerivedNamesStayWithinLimits(t *testing.T) {
	short := load(t, "overlay.yaml")
	assert.Equal(t, "MSProm-westeurope-aks-overlay", short.PrometheusDCEName(), "a name that fits is unchanged")
	assert.Equal(t, "MSCI-westeurope-aks-overlay", short.ContainerInsightsDCRName())
	assert.Equal(t, "cilium-health-aks-overlay", short.AlertRuleGroupName())
	assert.Equal(t, "aks-cilium-monitoring-aks-overlay", short.MonitoringStackName())

	a, b := short, short
	a.Name = strings.Repeat("a", 39) + "1" // 40 characters: 58 for the endpoint as it was
	b.Name = strings.Repeat("a", 39) + "2"
	for _, c := range []Cluster{a, b} {
		assert.LessOrEqual(t, len(c.PrometheusDCEName()), MaxDataCollectionEndpointNameLength)
		assert.LessOrEqual(t, len(c.PrometheusDCRName()), MaxDataCollectionRuleNameLength)
		assert.LessOrEqual(t, len(c.ContainerInsightsDCRName()), MaxDataCollectionRuleNameLength)
		assert.Regexp(t, `^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$`, c.PrometheusDCEName())
	}
	assert.NotEqual(t, a.PrometheusDCEName(), b.PrometheusDCEName(), "two long names that share their start stay apart")
	assert.Equal(t, a.PrometheusDCEName(), a.PrometheusDCEName(), "stable")

	long := short
	long.Name = strings.Repeat("n", 60) + "_x1" // a valid 63-character name
	long.Monitoring = Monitoring{ContainerInsights: &ContainerInsights{}, Prometheus: &Prometheus{}}
	// AKS's default node resource group name would pass its 80 characters
	// (CodeNodeResourceGroup), so this cluster names its own.
	long.NodeResourceGroup = "rg-aks-nodes"
	d := long.WithDefaults()
	assert.Empty(t, d.Validate(), "the default workspace names of a valid cluster name are valid")
	assert.LessOrEqual(t, len(d.Monitoring.ContainerInsights.WorkspaceName), MaxWorkspaceNameLength)
	assert.True(t, strings.HasPrefix(d.Monitoring.Prometheus.WorkspaceName, "amw-nnn"))
	assert.LessOrEqual(t, len(d.DNSPrefix), MaxDNSPrefixLength)
}
