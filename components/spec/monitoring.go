package spec

import (
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Monitoring wires the cluster to Azure Monitor (learn.microsoft.com/azure/aks/monitor-aks).
// Everything is off by default because it is billed; see the field docs for
// what each part costs.
type Monitoring struct {
	// ContainerInsights sends container logs, events and inventory to a Log
	// Analytics workspace (the omsagent add-on with managed identity auth).
	// Cost: Log Analytics ingestion, billed per GB (the largest monitoring
	// cost of a busy cluster), plus retention past 31 days.
	ContainerInsights *ContainerInsights `json:"containerInsights,omitempty"`
	// Prometheus enables Azure Monitor managed Prometheus: the cluster's
	// metrics (Cilium's among them) go to an Azure Monitor workspace. Cost:
	// metrics ingestion, billed per million samples, and queries.
	Prometheus *Prometheus `json:"prometheus,omitempty"`
	// Alerts creates Prometheus alert rules for Cilium's health (needs
	// Prometheus). Cost: each rule group evaluation is billed, a few cents a
	// month per rule.
	Alerts *Alerts `json:"alerts,omitempty"`
}

// ContainerInsights is the Log Analytics side of monitoring.
type ContainerInsights struct {
	// WorkspaceID is an existing Log Analytics workspace's ARM ID; empty
	// creates one in the cluster's resource group.
	WorkspaceID string `json:"workspaceId,omitempty"`
	// WorkspaceName of the created workspace; default "log-<cluster name>"
	// (within the name's limits: see DerivedName).
	WorkspaceName string `json:"workspaceName,omitempty"`
	// RetentionDays of the created workspace, 30 to 730; default 30 (free).
	RetentionDays int `json:"retentionDays,omitempty"`
}

// Prometheus is Azure Monitor managed Prometheus.
type Prometheus struct {
	// WorkspaceID is an existing Azure Monitor workspace's ARM ID; empty
	// creates one in the cluster's resource group.
	WorkspaceID string `json:"workspaceId,omitempty"`
	// WorkspaceName of the created workspace; default "amw-<cluster name>"
	// (within the name's limits: see DerivedName).
	WorkspaceName string `json:"workspaceName,omitempty"`
}

// Alerts are Prometheus alert rules on Cilium's health.
type Alerts struct {
	// ActionGroupIDs receive the alerts (ARM IDs of action groups); empty
	// creates rules that fire without notifying anyone.
	ActionGroupIDs []string `json:"actionGroupIds,omitempty"`
	// Severity of the alerts, 0 (critical) to 4 (verbose); default 2.
	Severity *int `json:"severity,omitempty"`
}

// Enabled reports whether any monitoring part is on.
func (m Monitoring) Enabled() bool {
	return m.ContainerInsights != nil || m.Prometheus != nil || m.Alerts != nil
}

// Monitoring defaults (see WithDefaults).
const (
	DefaultLogRetentionDays = 30
	DefaultAlertSeverity    = 2
	// MinRetentionDays and MaxRetentionDays bound a created Log Analytics
	// workspace's retention; MaxAlertSeverity is Azure Monitor's lowest
	// severity (0 is critical).
	MinRetentionDays = 30
	MaxRetentionDays = 730
	MaxAlertSeverity = 4
)

// monitoringDefaults fills in workspace names, retention and severity.
func monitoringDefaults(m Monitoring, cluster string) Monitoring {
	if ci := m.ContainerInsights; ci != nil {
		c := *ci
		if c.WorkspaceID == "" && c.WorkspaceName == "" {
			c.WorkspaceName = defaultWorkspaceName("log-", cluster)
		}
		if c.WorkspaceID == "" && c.RetentionDays == 0 {
			c.RetentionDays = DefaultLogRetentionDays
		}
		m.ContainerInsights = &c
	}
	if p := m.Prometheus; p != nil {
		c := *p
		if c.WorkspaceID == "" && c.WorkspaceName == "" {
			c.WorkspaceName = defaultWorkspaceName("amw-", cluster)
		}
		m.Prometheus = &c
	}
	if a := m.Alerts; a != nil {
		c := *a
		c.ActionGroupIDs = append([]string(nil), a.ActionGroupIDs...)
		if c.Severity == nil {
			c.Severity = ptr(DefaultAlertSeverity)
		}
		m.Alerts = &c
	}
	return m
}

func validateMonitoring(m Monitoring, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if ci := m.ContainerInsights; ci != nil {
		cp := p.Child("containerInsights")
		errs = append(errs, validateWorkspace(cp, ci.WorkspaceID, ci.WorkspaceName, "Microsoft.OperationalInsights/workspaces")...)
		if ci.WorkspaceID == "" && (ci.RetentionDays < MinRetentionDays || ci.RetentionDays > MaxRetentionDays) {
			errs = append(errs, CodeRetention.Invalid(cp.Child("retentionDays"), ci.RetentionDays,
				fmt.Sprintf("must be %d to %d days (the first 31 days are included in the ingestion price)", MinRetentionDays, MaxRetentionDays)))
		}
		if ci.WorkspaceID != "" && ci.RetentionDays != 0 {
			errs = append(errs, CodeMonitoringWorkspace.Forbidden(cp.Child("retentionDays"), "applies to a created workspace only; set it on the existing workspace"))
		}
	}
	if pr := m.Prometheus; pr != nil {
		errs = append(errs, validateWorkspace(p.Child("prometheus"), pr.WorkspaceID, pr.WorkspaceName, "Microsoft.Monitor/accounts")...)
	}
	if a := m.Alerts; a != nil {
		ap := p.Child("alerts")
		if m.Prometheus == nil {
			errs = append(errs, CodeAlerts.Required(p.Child("prometheus"), "alerts evaluate Prometheus metrics: enable monitoring.prometheus too"))
		}
		for i, id := range a.ActionGroupIDs {
			errs = append(errs, validateARMID(ap.Child("actionGroupIds").Index(i), id, "Microsoft.Insights/actionGroups")...)
		}
		if a.Severity != nil && (*a.Severity < 0 || *a.Severity > MaxAlertSeverity) {
			errs = append(errs, CodeAlerts.Invalid(ap.Child("severity"), *a.Severity, fmt.Sprintf("must be 0 (critical) to %d (verbose)", MaxAlertSeverity)))
		}
	}
	return errs
}

// validateWorkspace: an existing workspace's ID, or a name for a new one.
func validateWorkspace(p *field.Path, id, name, armType string) field.ErrorList {
	if id != "" {
		errs := validateARMID(p.Child("workspaceId"), id, armType)
		if name != "" {
			errs = append(errs, CodeMonitoringWorkspace.Forbidden(p.Child("workspaceName"), "names a workspace to create; remove it when workspaceId gives an existing one"))
		}
		return errs
	}
	if !workspaceNameRE.MatchString(name) {
		return field.ErrorList{CodeWorkspaceName.Invalid(p.Child("workspaceName"), name, "must be "+wantWorkspaceName)}
	}
	return nil
}

// validateARMID checks that id is the ARM ID of a resource of armType.
func validateARMID(p *field.Path, id, armType string) field.ErrorList {
	rid, err := arm.ParseResourceID(id)
	if err != nil || !strings.EqualFold(rid.ResourceType.String(), armType) {
		return field.ErrorList{CodeARMID.Invalid(p, id, fmt.Sprintf("must be the ARM ID of a %s resource: /subscriptions/<id>/resourceGroups/<group>/providers/%s/<name>", armType, armType))}
	}
	return nil
}
