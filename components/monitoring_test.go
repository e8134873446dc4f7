package components

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

const tokDeploymentStack = "azure-native:resources:DeploymentStackAtResourceGroup"

// resourceIDExpr matches the template outputs' [resourceId('<type>', '<name>')].
var resourceIDExpr = regexp.MustCompile(`^\[resourceId\('([^']+)', '([^']+)'\)\]$`)

// deploymentStackOutputs answers like ARM: each template output's
// resourceId expression evaluated in the stack's resource group.
func deploymentStackOutputs(in resource.PropertyMap) resource.PropertyMap {
	outs := resource.PropertyMap{}
	rg := in["resourceGroupName"].StringValue()
	tmpl := in["template"].ObjectValue()
	if o, ok := tmpl["outputs"]; ok {
		for k, v := range o.ObjectValue() {
			expr := v.ObjectValue()["value"].StringValue()
			m := resourceIDExpr.FindStringSubmatch(expr)
			if m == nil {
				continue
			}
			id := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + rg + "/providers/" + m[1] + "/" + m[2]
			outs[k] = resource.NewProperty(resource.PropertyMap{"type": resource.NewProperty("String"), "value": resource.NewProperty(id)})
		}
	}
	return outs
}

func monitoredSpec() spec.Cluster {
	c := overlaySpec()
	c.Monitoring = spec.Monitoring{
		ContainerInsights: &spec.ContainerInsights{RetentionDays: 60},
		Prometheus:        &spec.Prometheus{},
		Alerts: &spec.Alerts{ActionGroupIDs: []string{
			"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/oncall",
		}},
	}
	return c
}

// templateResources lists a deployment stack's template resources by type/name.
func templateResources(t *testing.T, r registration) map[string]map[string]any {
	t.Helper()
	tmpl := plain(t, r.Inputs)["template"].(map[string]any)
	out := map[string]map[string]any{}
	for _, res := range tmpl["resources"].([]any) {
		m := res.(map[string]any)
		out[m["type"].(string)+"/"+m["name"].(string)] = m
	}
	return out
}

// A 40-character cluster name made a 58-character data collection endpoint
// name, which ARM refuses (at most 44); every derived name now stays within
// its resource's limit, and the template uses the spec's names.
func TestMonitoringNamesWithinLimits(t *testing.T) {
	c := monitoredSpec()
	c.Name = "aks-" + strings.Repeat("x", 30) + "_prod1" // 40 characters
	c.DNSPrefix = ""
	m := deploy(t, c)
	var collection registration
	for _, s := range m.byType(tokDeploymentStack) {
		if !strings.Contains(s.Name, "workspaces") {
			collection = s
		}
	}
	col := templateResources(t, collection)
	d := c.WithDefaults()
	for key, limit := range map[string]int{
		"Microsoft.Insights/dataCollectionEndpoints/" + d.PrometheusDCEName():       spec.MaxDataCollectionEndpointNameLength,
		"Microsoft.Insights/dataCollectionRules/" + d.PrometheusDCRName():           spec.MaxDataCollectionRuleNameLength,
		"Microsoft.Insights/dataCollectionRules/" + d.ContainerInsightsDCRName():    spec.MaxDataCollectionRuleNameLength,
		"Microsoft.AlertsManagement/prometheusRuleGroups/" + d.AlertRuleGroupName(): 260,
	} {
		require.Contains(t, col, key)
		name := col[key]["name"].(string)
		assert.LessOrEqual(t, len(name), limit, name)
	}
	assert.NotContains(t, d.PrometheusDCEName(), "_", "endpoint names take letters, digits and '-'")
	assert.Len(t, d.PrometheusDCEName(), spec.MaxDataCollectionEndpointNameLength, "cut, with a hash suffix")
}

func TestMonitoringOffByDefault(t *testing.T) {
	m := deploy(t, overlaySpec())
	assert.Empty(t, m.byType(tokDeploymentStack))
	assert.Empty(t, m.byType(MonitoringWorkspacesType))
	mc := m.one(t, tokManagedCluster)
	absent(t, mc.Inputs, "addonProfiles")
	absent(t, mc.Inputs, "azureMonitorProfile")
}

func TestMonitoringResources(t *testing.T) {
	c := monitoredSpec()
	m := deploy(t, c)
	stacks := m.byType(tokDeploymentStack)
	require.Len(t, stacks, 2, "the workspaces stack and the data collection stack")

	var workspaces, collection registration
	for _, s := range stacks {
		if strings.Contains(s.Name, "workspaces") {
			workspaces = s
		} else {
			collection = s
		}
	}
	// Every stack deletes what it stops managing, and denies nothing.
	for _, s := range stacks {
		in := plain(t, s.Inputs)
		assert.Equal(t, "delete", in["actionOnUnmanage"].(map[string]any)["resources"])
		assert.Equal(t, "none", in["denySettings"].(map[string]any)["mode"])
		assert.Equal(t, "rg-aks-overlay", in["resourceGroupName"])
	}

	ws := templateResources(t, workspaces)
	la := ws["Microsoft.OperationalInsights/workspaces/log-aks-overlay"]
	require.NotNil(t, la, "a Log Analytics workspace named after the cluster")
	assert.Equal(t, 60.0, la["properties"].(map[string]any)["retentionInDays"])
	assert.Equal(t, "PerGB2018", la["properties"].(map[string]any)["sku"].(map[string]any)["name"])
	require.NotNil(t, ws["Microsoft.Monitor/accounts/amw-aks-overlay"], "an Azure Monitor workspace")

	col := templateResources(t, collection)
	for _, key := range []string{
		"Microsoft.Insights/dataCollectionRules/MSCI-westeurope-aks-overlay",
		"Microsoft.Insights/dataCollectionRuleAssociations/ContainerInsightsExtension",
		"Microsoft.Insights/dataCollectionEndpoints/MSProm-westeurope-aks-overlay",
		"Microsoft.Insights/dataCollectionRules/MSProm-westeurope-aks-overlay",
		"Microsoft.Insights/dataCollectionRuleAssociations/MSProm-westeurope-aks-overlay",
		"Microsoft.Insights/dataCollectionRuleAssociations/configurationAccessEndpoint",
		"Microsoft.AlertsManagement/prometheusRuleGroups/cilium-health-aks-overlay",
	} {
		assert.Contains(t, col, key)
	}
	rules := col["Microsoft.AlertsManagement/prometheusRuleGroups/cilium-health-aks-overlay"]["properties"].(map[string]any)["rules"].([]any)
	require.Len(t, rules, len(CiliumAlerts))
	first := rules[0].(map[string]any)
	assert.Equal(t, "CiliumAgentNotReady", first["alert"])
	assert.Equal(t, 2.0, first["severity"])
	assert.Equal(t, c.Monitoring.Alerts.ActionGroupIDs[0], first["actions"].([]any)[0].(map[string]any)["actionGroupId"])

	// The data collection stack learns the cluster and workspaces through parameters.
	params := plain(t, collection.Inputs)["parameters"].(map[string]any)
	assert.Equal(t, "aks-overlay", params["clusterName"].(map[string]any)["value"])
	assert.Contains(t, params["logAnalyticsWorkspaceId"].(map[string]any)["value"], "Microsoft.OperationalInsights/workspaces/log-aks-overlay")
	assert.Contains(t, params["prometheusWorkspaceId"].(map[string]any)["value"], "Microsoft.Monitor/accounts/amw-aks-overlay")

	// The cluster: omsagent on the created workspace, with managed identity
	// auth, and managed Prometheus metrics.
	mc := m.one(t, tokManagedCluster)
	assert.Equal(t, true, prop(t, mc.Inputs, "addonProfiles.omsagent.enabled"))
	assert.Contains(t, prop(t, mc.Inputs, "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID"), "workspaces/log-aks-overlay")
	assert.Equal(t, "true", prop(t, mc.Inputs, "addonProfiles.omsagent.config.useAADAuth"))
	assert.Equal(t, true, prop(t, mc.Inputs, "azureMonitorProfile.metrics.enabled"))

	// Parents: stacks under their components, components under the platform.
	assert.Equal(t, MonitoringWorkspacesType, string(workspaces.ParentURN.Type()))
	assert.Equal(t, ClusterMonitoringType, string(collection.ParentURN.Type()))
	assert.Equal(t, PlatformType, string(m.one(t, MonitoringWorkspacesType).ParentURN.Type()))
	assert.Equal(t, PlatformType, string(m.one(t, ClusterMonitoringType).ParentURN.Type()))
}

func TestMonitoringExistingWorkspaces(t *testing.T) {
	c := overlaySpec()
	const la = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/central"
	const amw = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ops/providers/Microsoft.Monitor/accounts/central"
	c.Monitoring = spec.Monitoring{
		ContainerInsights: &spec.ContainerInsights{WorkspaceID: la},
		Prometheus:        &spec.Prometheus{WorkspaceID: amw},
	}
	m := deploy(t, c)
	stacks := m.byType(tokDeploymentStack)
	require.Len(t, stacks, 1, "no workspace is created, only the data collection")
	col := templateResources(t, stacks[0])
	assert.NotContains(t, col, "Microsoft.AlertsManagement/prometheusRuleGroups/cilium-health-aks-overlay", "no alerts asked for")
	params := plain(t, stacks[0].Inputs)["parameters"].(map[string]any)
	assert.Equal(t, la, params["logAnalyticsWorkspaceId"].(map[string]any)["value"])
	assert.Equal(t, amw, params["prometheusWorkspaceId"].(map[string]any)["value"])
	assert.Equal(t, la, prop(t, m.one(t, tokManagedCluster).Inputs, "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID"))
}

// TestMonitoringPrerequisites: a bad monitoring spec (and ACNS security on
// Kubernetes < 1.29) fails with its field paths before anything is registered.
func TestMonitoringPrerequisites(t *testing.T) {
	c := overlaySpec()
	c.KubernetesVersion = "1.28"
	c.ACNS = spec.ACNS{Enabled: true, Security: spec.ACNSSecurityL7}
	c.Monitoring = spec.Monitoring{Alerts: &spec.Alerts{}}
	m := newMocks()
	err := run(t, m, func(ctx *pulumi.Context) error {
		_, err := NewPlatform(ctx, "plat", c)
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "acns.security: Invalid value: \"L7\"")
	assert.Contains(t, err.Error(), "1.29 or later")
	assert.Contains(t, err.Error(), "monitoring.prometheus: Required value")
	assert.Empty(t, m.all())
}
