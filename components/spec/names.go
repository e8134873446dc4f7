package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// The names the components derive from the cluster's name. Each comes from
// one function here, within the limits of its resource type, so a long
// cluster name never makes a name ARM refuses.
const (
	// MaxDataCollectionRuleNameLength bounds data collection rule (and
	// association) names; MaxDataCollectionEndpointNameLength bounds data
	// collection endpoint names, which take letters, digits and '-' only.
	// Source: the Azure CLI's own defaults for AKS monitoring
	// (azure-cli, acs/azuremonitormetrics/dc/defaults.py: "DCR = 64, DCE = 44,
	// DCRA = 64"; DCE names drop '_').
	MaxDataCollectionRuleNameLength     = 64
	MaxDataCollectionEndpointNameLength = 44
	// MaxDeploymentStackNameLength bounds deployment stack names
	// (Microsoft.Resources/deploymentStacks, like deployments: 1-90).
	MaxDeploymentStackNameLength = 90
)

// DerivedName returns name when it has at most maxLen bytes. A longer name is
// cut to leave room for "-" and eight hex digits of the full name's SHA-256:
// the result is stable, within the limit, and two long names that share
// their start stay apart.
func DerivedName(name string, maxLen int) string {
	if len(name) <= maxLen {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := hex.EncodeToString(sum[:4])
	head := strings.TrimRight(name[:maxLen-len(suffix)-1], "-_.")
	return head + "-" + suffix
}

// dnsPrefixFrom makes a valid DNS prefix from a cluster name: characters
// other than letters, digits and '-' become '-', at most MaxDNSPrefixLength
// characters, no leading or trailing '-'. An invalid name is reported on
// name alone.
func dnsPrefixFrom(name string) string {
	p := []byte(name)
	for i, ch := range p {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-') {
			p[i] = '-'
		}
	}
	if len(p) > MaxDNSPrefixLength {
		p = p[:MaxDNSPrefixLength]
	}
	return strings.Trim(string(p), "-")
}

// defaultWorkspaceName is a created workspace's default name: prefix and
// the cluster name, '_' as '-' (workspace names take letters, digits and
// '-'), within MaxWorkspaceNameLength.
func defaultWorkspaceName(prefix, cluster string) string {
	return DerivedName(prefix+strings.ReplaceAll(cluster, "_", "-"), MaxWorkspaceNameLength)
}

// ContainerInsightsDCRName is the Container Insights data collection rule's
// name: "MSCI-<location>-<cluster>", as `az aks enable-addons` names it,
// within MaxDataCollectionRuleNameLength.
func (c Cluster) ContainerInsightsDCRName() string {
	return DerivedName("MSCI-"+c.Location+"-"+c.Name, MaxDataCollectionRuleNameLength)
}

// PrometheusDCRName is managed Prometheus's data collection rule (and rule
// association) name: "MSProm-<location>-<cluster>", as the Azure CLI names
// it, within MaxDataCollectionRuleNameLength.
func (c Cluster) PrometheusDCRName() string {
	return DerivedName("MSProm-"+c.Location+"-"+c.Name, MaxDataCollectionRuleNameLength)
}

// PrometheusDCEName is managed Prometheus's data collection endpoint name:
// "MSProm-<location>-<cluster>" with '_' as '-', within
// MaxDataCollectionEndpointNameLength. A 40-character cluster name in
// westeurope makes 58 characters, so it takes the hashed form.
func (c Cluster) PrometheusDCEName() string {
	return DerivedName(strings.ReplaceAll("MSProm-"+c.Location+"-"+c.Name, "_", "-"), MaxDataCollectionEndpointNameLength)
}

// AlertRuleGroupName is the Prometheus rule group of the Cilium alerts:
// "cilium-health-<cluster>" (at most 77 characters for a valid cluster name).
func (c Cluster) AlertRuleGroupName() string { return "cilium-health-" + c.Name }

// WorkspacesStackName is the deployment stack that creates the monitoring
// workspaces: "aks-cilium-workspaces-<cluster>".
func (c Cluster) WorkspacesStackName() string {
	return DerivedName("aks-cilium-workspaces-"+c.Name, MaxDeploymentStackNameLength)
}

// MonitoringStackName is the deployment stack of the cluster's data
// collection and alerts: "aks-cilium-monitoring-<cluster>".
func (c Cluster) MonitoringStackName() string {
	return DerivedName("aks-cilium-monitoring-"+c.Name, MaxDeploymentStackNameLength)
}
