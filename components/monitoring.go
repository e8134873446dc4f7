package components

import (
	"fmt"

	resources "github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Monitoring is built from two ARM templates, each deployed as an Azure
// Deployment Stack (resources.DeploymentStackAtResourceGroup). The pinned
// azure-native SDK v2.88.0 has no Go package served for Log Analytics,
// Azure Monitor workspaces, data collection rules or Prometheus rule groups
// (only other versions are, and mixing versions of the SDK would change the
// provider every resource uses). A deployment stack, unlike a plain ARM
// deployment, owns what it creates: `actionOnUnmanage: delete` removes the
// resources when they leave the template or the stack is destroyed.
const (
	// MonitoringWorkspacesType is the Pulumi type token of MonitoringWorkspaces.
	MonitoringWorkspacesType = "aks-cilium:azure:MonitoringWorkspaces"
	// ClusterMonitoringType is the Pulumi type token of ClusterMonitoring.
	ClusterMonitoringType = "aks-cilium:azure:ClusterMonitoring"
)

// API versions of the monitoring resources in the templates.
const (
	apiLogAnalytics     = "2022-10-01"
	apiMonitorAccount   = "2023-04-03"
	apiDataCollection   = "2022-06-01"
	apiPrometheusRules  = "2023-03-01"
	armTemplateSchema   = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
	armTemplateVersion  = "1.0.0.0"
	containerInsightsDS = "Microsoft-ContainerInsights-Group-Default"
	prometheusStream    = "Microsoft-PrometheusMetrics"
)

// MonitoringWorkspacesArgs are the inputs of NewMonitoringWorkspaces.
type MonitoringWorkspacesArgs struct {
	// Spec is the cluster; only Spec.Monitoring, Name, Location and Tags are read.
	Spec spec.Cluster
	// ResourceGroupName holds the workspaces it creates.
	ResourceGroupName pulumi.StringInput
}

// MonitoringWorkspaces are the Log Analytics workspace (Container
// Insights) and the Azure Monitor workspace (managed Prometheus) a cluster
// reports to: the existing ones the spec names, or new ones in the cluster's
// resource group. They come before the cluster: its omsagent add-on names
// the Log Analytics workspace.
type MonitoringWorkspaces struct {
	pulumi.ResourceState

	// LogAnalyticsWorkspaceID is "" without Container Insights.
	LogAnalyticsWorkspaceID pulumi.StringOutput `pulumi:"logAnalyticsWorkspaceId"`
	// PrometheusWorkspaceID is "" without managed Prometheus.
	PrometheusWorkspaceID pulumi.StringOutput `pulumi:"prometheusWorkspaceId"`
}

// NewMonitoringWorkspaces validates the spec and registers the workspaces
// component; with existing workspaces only (or none) it creates nothing.
func NewMonitoringWorkspaces(ctx *pulumi.Context, name string, args MonitoringWorkspacesArgs, opts ...pulumi.ResourceOption) (*MonitoringWorkspaces, error) {
	c, err := checkSpec(name, args.Spec)
	if err != nil {
		return nil, err
	}
	if args.ResourceGroupName == nil {
		return nil, fmt.Errorf("aks-cilium: %s: ResourceGroupName is required", name)
	}
	w := &MonitoringWorkspaces{}
	if err := ctx.RegisterComponentResourceV2(MonitoringWorkspacesType, name, pulumi.Map{}, w, opts...); err != nil {
		return nil, err
	}
	m := c.Monitoring
	w.LogAnalyticsWorkspaceID = pulumi.String("").ToStringOutput()
	w.PrometheusWorkspaceID = pulumi.String("").ToStringOutput()
	if ci := m.ContainerInsights; ci != nil && ci.WorkspaceID != "" {
		w.LogAnalyticsWorkspaceID = pulumi.String(ci.WorkspaceID).ToStringOutput()
	}
	if p := m.Prometheus; p != nil && p.WorkspaceID != "" {
		w.PrometheusWorkspaceID = pulumi.String(p.WorkspaceID).ToStringOutput()
	}

	if template := workspacesTemplate(c); template != nil {
		stack, err := newDeploymentStack(ctx, childName(name, "stack"), c.WorkspacesStackName(),
			"Monitoring workspaces of AKS cluster "+c.Name, args.ResourceGroupName, template, pulumi.Map{}, c.Tags, w)
		if err != nil {
			return nil, err
		}
		if ci := m.ContainerInsights; ci != nil && ci.WorkspaceID == "" {
			w.LogAnalyticsWorkspaceID = stackOutput(stack, "logAnalyticsWorkspaceId")
		}
		if p := m.Prometheus; p != nil && p.WorkspaceID == "" {
			w.PrometheusWorkspaceID = stackOutput(stack, "prometheusWorkspaceId")
		}
	}

	if err := ctx.RegisterResourceOutputs(w, pulumi.Map{
		"logAnalyticsWorkspaceId": w.LogAnalyticsWorkspaceID,
		"prometheusWorkspaceId":   w.PrometheusWorkspaceID,
	}); err != nil {
		return nil, err
	}
	return w, nil
}

// ClusterMonitoringArgs are the inputs of NewClusterMonitoring.
type ClusterMonitoringArgs struct {
	// Spec is the cluster.
	Spec spec.Cluster
	// ResourceGroupName holds the cluster and the data collection resources.
	ResourceGroupName pulumi.StringInput
	// ClusterName is the ManagedCluster's name (an output, so this waits for it).
	ClusterName pulumi.StringInput
	// Workspaces are where the data goes.
	Workspaces *MonitoringWorkspaces
}

// ClusterMonitoring connects a cluster to its workspaces: the data
// collection rules and their associations for Container Insights and
// managed Prometheus (the resources `az aks enable-addons` and
// `--enable-azure-monitor-metrics` create), and the Prometheus alert rules
// on Cilium's health.
type ClusterMonitoring struct {
	pulumi.ResourceState

	// AlertRuleGroup is the name of the Prometheus rule group ("" without alerts).
	AlertRuleGroup pulumi.StringOutput `pulumi:"alertRuleGroup"`
}

// NewClusterMonitoring registers the cluster's data collection and alerts;
// with no monitoring in the spec it registers only the empty component.
func NewClusterMonitoring(ctx *pulumi.Context, name string, args ClusterMonitoringArgs, opts ...pulumi.ResourceOption) (*ClusterMonitoring, error) {
	c, err := checkSpec(name, args.Spec)
	if err != nil {
		return nil, err
	}
	if args.ResourceGroupName == nil || args.ClusterName == nil || args.Workspaces == nil {
		return nil, fmt.Errorf("aks-cilium: %s: ResourceGroupName, ClusterName and Workspaces are required", name)
	}
	cm := &ClusterMonitoring{}
	if err := ctx.RegisterComponentResourceV2(ClusterMonitoringType, name, pulumi.Map{}, cm, opts...); err != nil {
		return nil, err
	}
	cm.AlertRuleGroup = pulumi.String("").ToStringOutput()
	if template := collectionTemplate(c); template != nil {
		params := pulumi.Map{
			"clusterName":             armParam(args.ClusterName),
			"logAnalyticsWorkspaceId": armParam(args.Workspaces.LogAnalyticsWorkspaceID),
			"prometheusWorkspaceId":   armParam(args.Workspaces.PrometheusWorkspaceID),
		}
		if _, err := newDeploymentStack(ctx, childName(name, "stack"), c.MonitoringStackName(),
			"Data collection and Cilium alerts of AKS cluster "+c.Name, args.ResourceGroupName, template, params, c.Tags, cm); err != nil {
			return nil, err
		}
		if c.Monitoring.Alerts != nil {
			cm.AlertRuleGroup = pulumi.String(c.AlertRuleGroupName()).ToStringOutput()
		}
	}
	if err := ctx.RegisterResourceOutputs(cm, pulumi.Map{"alertRuleGroup": cm.AlertRuleGroup}); err != nil {
		return nil, err
	}
	return cm, nil
}

// newDeploymentStack deploys an ARM template as a deployment stack that
// deletes what it no longer manages.
func newDeploymentStack(ctx *pulumi.Context, name, stackName, description string, rg pulumi.StringInput,
	template map[string]any, params pulumi.Map, tags map[string]string, parent pulumi.Resource,
) (*resources.DeploymentStackAtResourceGroup, error) {
	return resources.NewDeploymentStackAtResourceGroup(ctx, name, &resources.DeploymentStackAtResourceGroupArgs{
		DeploymentStackName: pulumi.String(stackName),
		Description:         pulumi.String(description),
		ResourceGroupName:   rg,
		Template:            pulumi.ToMap(template),
		Parameters:          params,
		ActionOnUnmanage: resources.DeploymentStackPropertiesActionOnUnmanageArgs{
			Resources:      pulumi.String("delete"),
			ResourceGroups: pulumi.String("delete"),
		},
		DenySettings: resources.DenySettingsArgs{Mode: pulumi.String("none")},
		Tags:         pulumi.ToStringMap(tags),
	}, pulumi.Parent(parent))
}

// armParam wraps a value as an ARM template parameter ({"value": v}).
func armParam(v pulumi.StringInput) pulumi.Map { return pulumi.Map{"value": v} }

// stackOutput reads a template output of a deployment stack.
func stackOutput(stack *resources.DeploymentStackAtResourceGroup, key string) pulumi.StringOutput {
	return stack.Outputs.ApplyT(func(outs any) (string, error) {
		m, _ := outs.(map[string]any)
		entry, _ := m[key].(map[string]any)
		v, ok := entry["value"].(string)
		if !ok {
			return "", fmt.Errorf("aks-cilium: deployment stack has no output %q", key)
		}
		return v, nil
	}).(pulumi.StringOutput)
}

// workspacesTemplate creates the workspaces the spec asks to create, or
// returns nil when there is none to create.
func workspacesTemplate(c spec.Cluster) map[string]any {
	m := c.Monitoring
	var res []any
	outputs := map[string]any{}
	if ci := m.ContainerInsights; ci != nil && ci.WorkspaceID == "" {
		res = append(res, map[string]any{
			"type": "Microsoft.OperationalInsights/workspaces", "apiVersion": apiLogAnalytics,
			"name": ci.WorkspaceName, "location": c.Location, "tags": anyMap(c.Tags),
			"properties": map[string]any{"sku": map[string]any{"name": "PerGB2018"}, "retentionInDays": ci.RetentionDays},
		})
		outputs["logAnalyticsWorkspaceId"] = map[string]any{"type": "string",
			"value": fmt.Sprintf("[resourceId('Microsoft.OperationalInsights/workspaces', '%s')]", ci.WorkspaceName)}
	}
	if p := m.Prometheus; p != nil && p.WorkspaceID == "" {
		res = append(res, map[string]any{
			"type": "Microsoft.Monitor/accounts", "apiVersion": apiMonitorAccount,
			"name": p.WorkspaceName, "location": c.Location, "tags": anyMap(c.Tags), "properties": map[string]any{},
		})
		outputs["prometheusWorkspaceId"] = map[string]any{"type": "string",
			"value": fmt.Sprintf("[resourceId('Microsoft.Monitor/accounts', '%s')]", p.WorkspaceName)}
	}
	if len(res) == 0 {
		return nil
	}
	return armTemplate(nil, res, outputs)
}

// collectionTemplate is the data collection for the enabled parts and the
// alert rules, or nil when monitoring is off.
func collectionTemplate(c spec.Cluster) map[string]any {
	m := c.Monitoring
	if m.ContainerInsights == nil && m.Prometheus == nil {
		return nil
	}
	params := map[string]any{
		"clusterName":             map[string]any{"type": "string"},
		"logAnalyticsWorkspaceId": map[string]any{"type": "string"},
		"prometheusWorkspaceId":   map[string]any{"type": "string"},
	}
	const clusterScope = "[format('Microsoft.ContainerService/managedClusters/{0}', parameters('clusterName'))]"
	var res []any
	if m.ContainerInsights != nil {
		dcr := c.ContainerInsightsDCRName()
		res = append(res,
			map[string]any{
				"type": "Microsoft.Insights/dataCollectionRules", "apiVersion": apiDataCollection,
				"name": dcr, "location": c.Location, "kind": "Linux", "tags": anyMap(c.Tags),
				"properties": map[string]any{
					"dataSources": map[string]any{"extensions": []any{map[string]any{
						"name": "ContainerInsightsExtension", "extensionName": "ContainerInsights",
						"streams": []any{containerInsightsDS},
						"extensionSettings": map[string]any{"dataCollectionSettings": map[string]any{
							"interval": "1m", "namespaceFilteringMode": "Off", "enableContainerLogV2": true,
						}},
					}}},
					"destinations": map[string]any{"logAnalytics": []any{map[string]any{
						"name": "ciworkspace", "workspaceResourceId": "[parameters('logAnalyticsWorkspaceId')]",
					}}},
					"dataFlows": []any{map[string]any{"streams": []any{containerInsightsDS}, "destinations": []any{"ciworkspace"}}},
				},
			},
			map[string]any{
				"type": "Microsoft.Insights/dataCollectionRuleAssociations", "apiVersion": apiDataCollection,
				"name": "ContainerInsightsExtension", "scope": clusterScope,
				"dependsOn":  []any{fmt.Sprintf("[resourceId('Microsoft.Insights/dataCollectionRules', '%s')]", dcr)},
				"properties": map[string]any{"dataCollectionRuleId": fmt.Sprintf("[resourceId('Microsoft.Insights/dataCollectionRules', '%s')]", dcr)},
			})
	}
	if m.Prometheus != nil {
		dce, dcr := c.PrometheusDCEName(), c.PrometheusDCRName()
		dceID := fmt.Sprintf("[resourceId('Microsoft.Insights/dataCollectionEndpoints', '%s')]", dce)
		dcrID := fmt.Sprintf("[resourceId('Microsoft.Insights/dataCollectionRules', '%s')]", dcr)
		res = append(res,
			map[string]any{
				"type": "Microsoft.Insights/dataCollectionEndpoints", "apiVersion": apiDataCollection,
				"name": dce, "location": c.Location, "kind": "Linux", "tags": anyMap(c.Tags), "properties": map[string]any{},
			},
			map[string]any{
				"type": "Microsoft.Insights/dataCollectionRules", "apiVersion": apiDataCollection,
				"name": dcr, "location": c.Location, "kind": "Linux", "tags": anyMap(c.Tags),
				"dependsOn": []any{dceID},
				"properties": map[string]any{
					"dataCollectionEndpointId": dceID,
					"dataSources": map[string]any{"prometheusForwarder": []any{map[string]any{
						"name": "PrometheusDataSource", "streams": []any{prometheusStream}, "labelIncludeFilter": map[string]any{},
					}}},
					"destinations": map[string]any{"monitoringAccounts": []any{map[string]any{
						"name": "MonitoringAccount1", "accountResourceId": "[parameters('prometheusWorkspaceId')]",
					}}},
					"dataFlows": []any{map[string]any{"streams": []any{prometheusStream}, "destinations": []any{"MonitoringAccount1"}}},
				},
			},
			map[string]any{
				"type": "Microsoft.Insights/dataCollectionRuleAssociations", "apiVersion": apiDataCollection,
				"name": dcr, "scope": clusterScope, "dependsOn": []any{dcrID},
				"properties": map[string]any{"dataCollectionRuleId": dcrID},
			},
			map[string]any{
				"type": "Microsoft.Insights/dataCollectionRuleAssociations", "apiVersion": apiDataCollection,
				"name": "configurationAccessEndpoint", "scope": clusterScope, "dependsOn": []any{dceID},
				"properties": map[string]any{"dataCollectionEndpointId": dceID},
			})
		if m.Alerts != nil {
			res = append(res, alertRuleGroup(c))
		}
	}
	return armTemplate(params, res, nil)
}

// CiliumAlert is one Prometheus alert rule on Cilium's health.
type CiliumAlert struct {
	Name, Expression, For, Summary string
}

// CiliumAlerts are the alert rules ClusterMonitoring creates. The first
// uses kube-state-metrics, which managed Prometheus scrapes by default; the
// others use Cilium agent metrics, scraped with ACNS observability on or when
// the ama-metrics-settings-configmap enables the cilium target.
var CiliumAlerts = []CiliumAlert{
	{
		Name:       "CiliumAgentNotReady",
		Expression: `kube_daemonset_status_number_ready{namespace="kube-system",daemonset="cilium"} < kube_daemonset_status_desired_number_scheduled{namespace="kube-system",daemonset="cilium"}`,
		For:        "PT10M",
		Summary:    "A node has no ready Cilium agent: its pods have no data plane and no policy enforcement.",
	},
	{
		Name:       "CiliumPolicyDrops",
		Expression: `sum by (cluster) (rate(cilium_drop_count_total{reason="Policy denied"}[5m])) > 10`,
		For:        "PT15M",
		Summary:    "Cilium drops more than 10 packets/s for policy: a policy change may be blocking traffic.",
	},
	{
		Name:       "CiliumEndpointRegenerationFailures",
		Expression: `sum by (cluster) (rate(cilium_endpoint_regenerations_total{outcome="fail"}[5m])) > 0`,
		For:        "PT10M",
		Summary:    "Cilium fails to regenerate endpoints: policy updates are not reaching pods.",
	},
	{
		Name:       "CiliumAPIServerSyncErrors",
		Expression: `sum by (cluster) (rate(cilium_k8s_client_api_calls_total{return_code!~"2.."}[5m])) > 1`,
		For:        "PT15M",
		Summary:    "Cilium agents get errors from the API server: endpoint and policy sync may lag.",
	},
}

// alertRuleGroup is the Prometheus rule group of CiliumAlerts.
func alertRuleGroup(c spec.Cluster) map[string]any {
	a := c.Monitoring.Alerts
	var actions []any
	for _, id := range a.ActionGroupIDs {
		actions = append(actions, map[string]any{"actionGroupId": id})
	}
	var rules []any
	for _, r := range CiliumAlerts {
		rule := map[string]any{
			"alert": r.Name, "expression": r.Expression, "for": r.For, "severity": *a.Severity, "enabled": true,
			"labels":               map[string]any{"team": "platform", "component": "cilium"},
			"annotations":          map[string]any{"summary": r.Summary},
			"resolveConfiguration": map[string]any{"autoResolved": true, "timeToResolve": "PT10M"},
		}
		if len(actions) > 0 {
			rule["actions"] = actions
		}
		rules = append(rules, rule)
	}
	return map[string]any{
		"type": "Microsoft.AlertsManagement/prometheusRuleGroups", "apiVersion": apiPrometheusRules,
		"name": c.AlertRuleGroupName(), "location": c.Location, "tags": anyMap(c.Tags),
		"properties": map[string]any{
			"description": "Cilium health of AKS cluster " + c.Name + " (aks-cilium)",
			"scopes": []any{
				"[parameters('prometheusWorkspaceId')]",
				"[resourceId('Microsoft.ContainerService/managedClusters', parameters('clusterName'))]",
			},
			"clusterName": "[parameters('clusterName')]",
			"enabled":     true,
			"interval":    "PT1M",
			"rules":       rules,
		},
	}
}

func armTemplate(params map[string]any, res []any, outputs map[string]any) map[string]any {
	t := map[string]any{"$schema": armTemplateSchema, "contentVersion": armTemplateVersion, "resources": res}
	if len(params) > 0 {
		t["parameters"] = params
	}
	if len(outputs) > 0 {
		t["outputs"] = outputs
	}
	return t
}

func anyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}
