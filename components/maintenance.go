package components

import (
	containerservice "github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2/v20241001"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// autoUpgradeProfile is the ManagedCluster's autoUpgradeProfile: both
// channels, always written out (spec.Upgrades defaults them to ARM's own).
func autoUpgradeProfile(u spec.Upgrades) *containerservice.ManagedClusterAutoUpgradeProfileArgs {
	return &containerservice.ManagedClusterAutoUpgradeProfileArgs{
		UpgradeChannel:       pulumi.String(string(u.Channel)),
		NodeOSUpgradeChannel: pulumi.String(string(u.NodeOSChannel)),
	}
}

// versionIgnorePaths are the ManagedCluster inputs Pulumi leaves alone when
// the auto-upgrade channel moves the minor (stable, rapid): AKS upgrades the
// cluster and its pools on its own, and a program that kept asking for the
// first minor would try to downgrade it, which ARM refuses. The spec's
// kubernetesVersion is then the version the cluster is created with.
func versionIgnorePaths(u spec.Upgrades) (cluster, pool []string) {
	if !u.Channel.MovesMinor() {
		return nil, nil
	}
	return []string{"kubernetesVersion", "agentPoolProfiles[0].orchestratorVersion"}, []string{"orchestratorVersion"}
}

// maintenanceConfigurations creates the planned maintenance windows of the
// spec: aksManagedAutoUpgradeSchedule for cluster auto-upgrades and
// aksManagedNodeOSUpgradeSchedule for node OS upgrades, each a
// MaintenanceConfiguration of the cluster (containerservice v20241001,
// maintenanceWindow only: timeInWeek and notAllowedTime are the legacy
// "default" configuration's). They are made after "after", the last resource
// of the cluster's chain of operations, so no two cluster operations overlap.
func maintenanceConfigurations(ctx *pulumi.Context, name string, c spec.Cluster, rgName pulumi.StringInput,
	clusterName pulumi.StringOutput, after pulumi.Resource, parent pulumi.Resource,
) (map[string]*containerservice.MaintenanceConfiguration, error) {
	out := map[string]*containerservice.MaintenanceConfiguration{}
	for _, w := range []struct {
		config, role string
		window       *spec.MaintenanceWindow
	}{
		{spec.MaintenanceClusterAutoUpgrade, "maint-cluster", c.Upgrades.ClusterWindow},
		{spec.MaintenanceNodeOSUpgrade, "maint-nodeos", c.Upgrades.NodeOSWindow},
	} {
		if w.window == nil {
			continue
		}
		mcfg, err := containerservice.NewMaintenanceConfiguration(ctx, childName(name, w.role), &containerservice.MaintenanceConfigurationArgs{
			ConfigName:        pulumi.String(w.config),
			ResourceGroupName: rgName,
			ResourceName:      clusterName,
			MaintenanceWindow: maintenanceWindow(*w.window),
		}, pulumi.Parent(parent), pulumi.DependsOn([]pulumi.Resource{after}))
		if err != nil {
			return nil, err
		}
		out[w.config] = mcfg
		after = mcfg
	}
	return out, nil
}

// maintenanceWindow is ARM's MaintenanceWindow for a spec window.
func maintenanceWindow(w spec.MaintenanceWindow) *containerservice.MaintenanceWindowArgs {
	out := &containerservice.MaintenanceWindowArgs{
		DurationHours: pulumi.Int(w.DurationHours),
		StartTime:     pulumi.String(w.StartTime),
		UtcOffset:     pulumi.String(w.UTCOffset),
		Schedule:      schedule(w.Schedule),
	}
	if w.StartDate != "" {
		out.StartDate = pulumi.String(w.StartDate)
	}
	if len(w.NotAllowedDates) > 0 {
		spans := containerservice.DateSpanArray{}
		for _, d := range w.NotAllowedDates {
			spans = append(spans, containerservice.DateSpanArgs{Start: pulumi.String(d.Start), End: pulumi.String(d.End)})
		}
		out.NotAllowedDates = spans
	}
	return out
}

func schedule(s spec.Schedule) containerservice.ScheduleArgs {
	var out containerservice.ScheduleArgs
	switch {
	case s.Daily != nil:
		out.Daily = &containerservice.DailyScheduleArgs{IntervalDays: pulumi.Int(s.Daily.IntervalDays)}
	case s.Weekly != nil:
		out.Weekly = &containerservice.WeeklyScheduleArgs{DayOfWeek: pulumi.String(s.Weekly.DayOfWeek), IntervalWeeks: pulumi.Int(s.Weekly.IntervalWeeks)}
	case s.AbsoluteMonthly != nil:
		out.AbsoluteMonthly = &containerservice.AbsoluteMonthlyScheduleArgs{
			DayOfMonth: pulumi.Int(s.AbsoluteMonthly.DayOfMonth), IntervalMonths: pulumi.Int(s.AbsoluteMonthly.IntervalMonths)}
	case s.RelativeMonthly != nil:
		out.RelativeMonthly = &containerservice.RelativeMonthlyScheduleArgs{
			DayOfWeek: pulumi.String(s.RelativeMonthly.DayOfWeek), WeekIndex: pulumi.String(s.RelativeMonthly.WeekIndex),
			IntervalMonths: pulumi.Int(s.RelativeMonthly.IntervalMonths)}
	}
	return out
}
