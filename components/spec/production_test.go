package spec

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// date is a UTC day, for deterministic support-window tests.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

const (
	testIdentityCP      = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-cp"
	testIdentityKubelet = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-kubelet"
	testRouteTable      = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub/providers/Microsoft.Network/routeTables/rt-firewall"
	testNATGateway      = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub/providers/Microsoft.Network/natGateways/natgw-hub"
	testGUID            = "0b3f6a9e-7c1d-4e2a-9f3b-5d6c7e8f9a0b"
)

// TestSupportWindowTable checks the calendar data itself: every row has a
// window, the dates are in order, and the rows are in order.
func TestSupportWindowTable(t *testing.T) {
	var prev SupportWindow
	for _, row := range Versions {
		w := row.Support
		require.False(t, w.GA.IsZero(), "%s has no support window", row.Kubernetes)
		assert.True(t, w.GA.Before(w.EndOfSupport), "%s: GA before end of support", row.Kubernetes)
		assert.True(t, w.EndOfSupport.Before(w.EndOfLTS), "%s: end of support before end of LTS", row.Kubernetes)
		if !prev.GA.IsZero() {
			assert.True(t, prev.GA.Before(w.GA), "%s: GA after the previous minor's", row.Kubernetes)
		}
		prev = w
	}
	w, ok := LookupSupportWindow("1.32")
	require.True(t, ok)
	assert.Equal(t, "GA 2025-04-01, community support to 2026-03-31, LTS to 2027-03-31", w.String(), "months end on their last day")
	_, ok = LookupSupportWindow("1.37")
	assert.False(t, ok, "a minor past the version table has no window")
}

// TestSupportStatusBoundaries: every boundary day is inclusive.
func TestSupportStatusBoundaries(t *testing.T) {
	w, _ := LookupSupportWindow("1.31") // GA Nov 2024, EOL Nov 1 2025, LTS Nov 2026
	for _, tc := range []struct {
		on   time.Time
		want SupportStatus
	}{
		{date(2024, time.October, 31), SupportPreview},
		{date(2024, time.November, 1), SupportCommunity},
		{date(2025, time.November, 1), SupportCommunity},
		{date(2025, time.November, 2), SupportLTSOnly},
		{date(2026, time.November, 30), SupportLTSOnly},
		{date(2026, time.December, 1), SupportEnded},
	} {
		assert.Equal(t, tc.want, w.StatusAt(tc.on), "1.31 on %s", tc.on.Format(time.DateOnly))
	}
	// A time late on the last day in another zone is still that UTC day.
	late := time.Date(2025, time.November, 1, 23, 59, 0, 0, time.UTC).In(time.FixedZone("UTC+2", 2*3600))
	assert.Equal(t, SupportCommunity, w.StatusAt(late))
}

// TestValidateSupport is the calendar rule on a new cluster: preview,
// community, LTS only (Premium with AKSLongTermSupport) and ended, each
// refusal with its dates and an alternative.
func TestValidateSupport(t *testing.T) {
	for _, tc := range supportCases() {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.spec(t).ValidateSupport(tc.on)
			if len(tc.want) == 0 {
				assert.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1)
			assert.Equal(t, "kubernetesVersion", errs[0].Field)
			assert.Equal(t, CodeSupportWindow, CodeOf(errs[0]))
			for _, w := range tc.want {
				assert.Contains(t, errs[0].Detail, w)
			}
		})
	}
}

// supportCase is a spec's version and SKU on a day, and what
// ValidateSupport says.
type supportCase struct {
	name    string
	version string
	on      time.Time
	sku     SKU
	want    []string // substrings of the one error; none for valid
}

// spec is overlay.yaml with the case's version and SKU, defaulted.
func (tc supportCase) spec(t testing.TB) Cluster {
	c := load(t, "overlay.yaml")
	c.KubernetesVersion = tc.version
	c.AllowNewerKubernetes = true
	c.SKU = tc.sku
	return c.WithDefaults()
}

func supportCases() []supportCase {
	return []supportCase{
		{"community", "1.35", date(2026, time.December, 1), SKU{}, nil},
		{"community on the last day", "1.34", date(2026, time.November, 30), SKU{}, nil},
		{"LTS only without Premium", "1.34", date(2026, time.December, 1), SKU{Tier: TierStandard},
			[]string{"left AKS community support on 2026-11-30", "until 2027-11-30", "sku.tier Premium", "AKSLongTermSupport", "1.36 or 1.35"}},
		{"LTS only, Premium (the plan defaults to LTS)", "1.32", date(2026, time.December, 1), SKU{Tier: TierPremium}, nil},
		{"LTS only, Premium on the community plan", "1.32", date(2026, time.December, 1), SKU{Tier: TierPremium, SupportPlan: SupportPlanKubernetesOfficial}, []string{"sku.supportPlan AKSLongTermSupport"}},
		{"LTS only with LTS", "1.32", date(2026, time.December, 1), SKU{Tier: TierPremium, SupportPlan: SupportPlanLTS}, nil},
		{"ended", "1.31", date(2026, time.December, 1), SKU{Tier: TierPremium, SupportPlan: SupportPlanLTS},
			[]string{"no longer creates clusters with Kubernetes 1.31", "community support ended 2025-11-01", "long-term support 2026-11-30"}},
		{"preview", "1.36", date(2026, time.May, 15), SKU{}, []string{"not generally available", "GA June 2026", "1.35"}},
		{"patch versions count as their minor", "1.33.2", date(2026, time.June, 1), SKU{}, nil},
		{"newer than the table is not judged", "1.40", date(2026, time.December, 1), SKU{}, nil},
	}
}

// TestValidateAtIsValidatePlusSupport: ValidateAt reports both kinds at once.
func TestValidateAtIsValidatePlusSupport(t *testing.T) {
	c := load(t, "overlay.yaml") // 1.32
	c.Name = "bad.name"
	errs := c.ValidateAt(date(2026, time.December, 1))
	assert.ElementsMatch(t, []string{"name", "kubernetesVersion"}, paths(errs))
	assert.ElementsMatch(t, []string{"name"}, paths(c.Validate()), "Validate alone does not judge the calendar")
	assert.ElementsMatch(t, []string{"name"}, paths(c.ValidateAt(date(2025, time.September, 1))), "1.32 was in community support then")
}

func paths(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

func TestProductionDefaults(t *testing.T) {
	c := load(t, "overlay.yaml")
	assert.Equal(t, SKU{Tier: TierFree, SupportPlan: SupportPlanKubernetesOfficial}, c.SKU, "ARM's defaults, written out")
	assert.Equal(t, UpgradeNone, c.Upgrades.Channel)
	assert.Equal(t, NodeOSNodeImage, c.Upgrades.NodeOSChannel)
	assert.Equal(t, OutboundLoadBalancer, c.Egress.OutboundType)
	assert.Nil(t, c.Identity.ControlPlane, "system-assigned by default")
	assert.Equal(t, "MC_rg-aks-overlay_aks-overlay_westeurope", c.EffectiveNodeResourceGroup())

	c.Upgrades = Upgrades{Channel: UpgradePatch, ClusterWindow: &MaintenanceWindow{DurationHours: 4, StartTime: "02:00",
		Schedule: Schedule{Weekly: &WeeklySchedule{DayOfWeek: "Sunday", IntervalWeeks: 1}}}}
	c.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{}}
	d := c.WithDefaults()
	assert.Equal(t, "+00:00", d.Upgrades.ClusterWindow.UTCOffset)
	assert.Equal(t, NATGateway{Name: "natgw-aks-overlay", IdleTimeoutMinutes: 4, PublicIPs: 1}, *d.Egress.NATGateway)
	assert.Empty(t, c.Egress.NATGateway.Name, "WithDefaults copies, never writes through a pointer")
	assert.Equal(t, d, d.WithDefaults(), "idempotent")
	assert.Empty(t, d.Validate())

	nodeImage := load(t, "overlay.yaml")
	nodeImage.Upgrades = Upgrades{Channel: UpgradeNodeImage}
	assert.Equal(t, NodeOSNodeImage, nodeImage.WithDefaults().Upgrades.NodeOSChannel)

	premium := load(t, "overlay.yaml")
	premium.SKU = SKU{Tier: TierPremium}
	assert.Equal(t, SupportPlanLTS, premium.WithDefaults().SKU.SupportPlan, "Premium and LTS go together: the plan follows the tier")
	assert.Equal(t, MaxNodesPerClusterFree, SKU{Tier: TierFree}.MaxNodes())
	assert.Equal(t, MaxNodesPerCluster, SKU{Tier: TierStandard}.MaxNodes())
}

// productionCases make each production rule fire (TestProductionRules and
// TestEveryRuleIsListedAndFires run them).
func productionCases() []invalidCase {
	window := func(mut func(w *MaintenanceWindow)) *MaintenanceWindow {
		w := &MaintenanceWindow{DurationHours: 4, StartTime: "02:00", UTCOffset: "+01:00",
			Schedule: Schedule{Weekly: &WeeklySchedule{DayOfWeek: "Sunday", IntervalWeeks: 1}}}
		if mut != nil {
			mut(w)
		}
		return w
	}
	clusterWindow := func(mut func(w *MaintenanceWindow)) func(c *Cluster) {
		return func(c *Cluster) { c.Upgrades.Channel = UpgradePatch; c.Upgrades.ClusterWindow = window(mut) }
	}
	existingSubnets := func(c *Cluster) {
		const vnet = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub"
		c.Network.VNet = VNet{NodeSubnet: Subnet{ID: vnet + "/subnets/nodes", CIDR: "10.10.0.0/22"}}
	}
	return []invalidCase{
		// SKU.
		{name: "tier", code: CodeTier, mutate: func(c *Cluster) { c.SKU.Tier = "Basic" }, path: "sku.tier", typ: field.ErrorTypeNotSupported},
		{name: "support plan", code: CodeSupportPlan, mutate: func(c *Cluster) { c.SKU.SupportPlan = "Extended" }, path: "sku.supportPlan", typ: field.ErrorTypeNotSupported},
		{name: "LTS without Premium", code: CodeSupportPlan, mutate: func(c *Cluster) { c.SKU = SKU{Tier: TierStandard, SupportPlan: SupportPlanLTS} }, path: "sku.supportPlan", detail: "needs sku.tier Premium"},
		{name: "Premium without LTS", code: CodeSupportPlan, mutate: func(c *Cluster) { c.SKU = SKU{Tier: TierPremium, SupportPlan: SupportPlanKubernetesOfficial} }, path: "sku.supportPlan", detail: "goes with long-term support"},

		// Upgrades.
		{name: "channel", code: CodeUpgradeChannel, mutate: func(c *Cluster) { c.Upgrades.Channel = "weekly" }, path: "upgrades.channel", typ: field.ErrorTypeNotSupported},
		{name: "node OS channel", code: CodeNodeOSChannel, mutate: func(c *Cluster) { c.Upgrades.NodeOSChannel = "nodeimage" }, path: "upgrades.nodeOSChannel", typ: field.ErrorTypeNotSupported},
		{name: "node-image forces NodeImage", code: CodeNodeOSChannel, mutate: func(c *Cluster) {
			c.Upgrades = Upgrades{Channel: UpgradeNodeImage, NodeOSChannel: NodeOSSecurityPatch}
		}, path: "upgrades.nodeOSChannel", detail: "forces nodeOSChannel NodeImage"},
		{name: "patch channel with a pinned patch", code: CodePinnedPatch, base: "podsubnet.yaml", mutate: func(c *Cluster) { c.Upgrades.Channel = UpgradePatch }, path: "kubernetesVersion", detail: `give the minor only, e.g. "1.33"`},
		{name: "window too short", code: CodeMaintenanceWindow, mutate: clusterWindow(func(w *MaintenanceWindow) { w.DurationHours = 3 }), path: "upgrades.clusterWindow.durationHours", detail: "4 to 24"},
		{name: "window too long", code: CodeMaintenanceWindow, mutate: clusterWindow(func(w *MaintenanceWindow) { w.DurationHours = 25 }), path: "upgrades.clusterWindow.durationHours", detail: "4 to 24"},
		{name: "start time 24:00", code: CodeMaintenanceWindow, mutate: clusterWindow(func(w *MaintenanceWindow) { w.StartTime = "24:00" }), path: "upgrades.clusterWindow.startTime", detail: "00:00 to 23:59"},
		{name: "start time without leading zero", code: CodeMaintenanceWindow, mutate: clusterWindow(func(w *MaintenanceWindow) { w.StartTime = "2:00" }), path: "upgrades.clusterWindow.startTime"},
		{name: "UTC offset past +14", code: CodeMaintenanceWindow, mutate: clusterWindow(func(w *MaintenanceWindow) { w.UTCOffset = "+14:30" }), path: "upgrades.clusterWindow.utcOffset", detail: "-12:00 to +14:00"},
		{name: "UTC offset past -12", code: CodeMaintenanceWindow, mutate: clusterWindow(func(w *MaintenanceWindow) { w.UTCOffset = "-13:00" }), path: "upgrades.clusterWindow.utcOffset"},
		{name: "UTC offset without sign", code: CodeMaintenanceWindow, mutate: clusterWindow(func(w *MaintenanceWindow) { w.UTCOffset = "01:00" }), path: "upgrades.clusterWindow.utcOffset"},
		{name: "start date", code: CodeMaintenanceWindow, mutate: clusterWindow(func(w *MaintenanceWindow) { w.StartDate = "2026-13-01" }), path: "upgrades.clusterWindow.startDate"},
		{name: "blackout ends before it starts", code: CodeMaintenanceWindow, mutate: clusterWindow(func(w *MaintenanceWindow) {
			w.NotAllowedDates = []DateSpan{{Start: "2026-12-20", End: "2026-12-19"}}
		}), path: "upgrades.clusterWindow.notAllowedDates[0].end", detail: "before start"},
		{name: "no recurrence", code: CodeMaintenanceSchedule, mutate: clusterWindow(func(w *MaintenanceWindow) { w.Schedule = Schedule{} }), path: "upgrades.clusterWindow.schedule", detail: "exactly one"},
		{name: "two recurrences", code: CodeMaintenanceSchedule, mutate: clusterWindow(func(w *MaintenanceWindow) { w.Schedule.Daily = &DailySchedule{IntervalDays: 1} }), path: "upgrades.clusterWindow.schedule", detail: "exactly one"},
		{name: "weekday in lowercase", code: CodeMaintenanceSchedule, mutate: clusterWindow(func(w *MaintenanceWindow) { w.Schedule.Weekly.DayOfWeek = "sunday" }), path: "upgrades.clusterWindow.schedule.weekly.dayOfWeek", typ: field.ErrorTypeNotSupported},
		{name: "interval weeks", code: CodeMaintenanceSchedule, mutate: clusterWindow(func(w *MaintenanceWindow) { w.Schedule.Weekly.IntervalWeeks = 5 }), path: "upgrades.clusterWindow.schedule.weekly.intervalWeeks", detail: "1 to 4"},
		{name: "interval days", code: CodeMaintenanceSchedule, mutate: clusterWindow(func(w *MaintenanceWindow) { w.Schedule = Schedule{Daily: &DailySchedule{IntervalDays: 8}} }), path: "upgrades.clusterWindow.schedule.daily.intervalDays", detail: "1 to 7"},
		{name: "day of month", code: CodeMaintenanceSchedule, mutate: clusterWindow(func(w *MaintenanceWindow) {
			w.Schedule = Schedule{AbsoluteMonthly: &AbsoluteMonthlySchedule{DayOfMonth: 32, IntervalMonths: 1}}
		}), path: "upgrades.clusterWindow.schedule.absoluteMonthly.dayOfMonth"},
		{name: "week index", code: CodeMaintenanceSchedule, mutate: clusterWindow(func(w *MaintenanceWindow) {
			w.Schedule = Schedule{RelativeMonthly: &RelativeMonthlySchedule{DayOfWeek: "Friday", WeekIndex: "Fifth", IntervalMonths: 1}}
		}), path: "upgrades.clusterWindow.schedule.relativeMonthly.weekIndex", typ: field.ErrorTypeNotSupported},
		{name: "interval months", code: CodeMaintenanceSchedule, mutate: clusterWindow(func(w *MaintenanceWindow) {
			w.Schedule = Schedule{RelativeMonthly: &RelativeMonthlySchedule{DayOfWeek: "Friday", WeekIndex: "Last", IntervalMonths: 7}}
		}), path: "upgrades.clusterWindow.schedule.relativeMonthly.intervalMonths", detail: "1 to 6"},
		{name: "cluster window without a channel", code: CodeWindowChannel, mutate: func(c *Cluster) { c.Upgrades.ClusterWindow = window(nil) }, path: "upgrades.clusterWindow", detail: "channel is none"},
		{name: "node OS window on Unmanaged", code: CodeWindowChannel, mutate: func(c *Cluster) {
			c.Upgrades.NodeOSChannel = NodeOSUnmanaged
			c.Upgrades.NodeOSWindow = window(nil)
		}, path: "upgrades.nodeOSWindow", detail: "nodeOSChannel Unmanaged"},

		// Egress.
		{name: "outbound type", code: CodeOutboundType, mutate: func(c *Cluster) { c.Egress.OutboundType = "none" }, path: "egress.outboundType", typ: field.ErrorTypeNotSupported},
		{name: "managed NAT gateway on a custom VNet", code: CodeManagedNATGateway, mutate: func(c *Cluster) { c.Egress.OutboundType = OutboundManagedNATGateway }, path: "egress.outboundType", detail: "ManagedNATGatewayWithCustomVNetNotAllowed"},
		{name: "NAT gateway missing", code: CodeNATGateway, mutate: func(c *Cluster) { c.Egress.OutboundType = OutboundUserAssignedNATGateway }, path: "egress.natGateway", typ: field.ErrorTypeRequired},
		{name: "NAT gateway on existing subnets without ID", code: CodeNATGateway, mutate: func(c *Cluster) {
			existingSubnets(c)
			c.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{}}
		}, path: "egress.natGateway.id", detail: "already associated with the node subnet"},
		{name: "NAT gateway ID with settings", code: CodeNATGateway, mutate: func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{ID: testNATGateway, Zone: "1"}}
		}, path: "egress.natGateway.zone", typ: field.ErrorTypeForbidden},
		{name: "NAT gateway ID of another type", code: CodeARMID, mutate: func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{ID: testRouteTable}}
		}, path: "egress.natGateway.id", detail: "Microsoft.Network/natGateways"},
		{name: "NAT gateway in two zones", code: CodeNATGateway, mutate: func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{Zone: "1,2"}}
		}, path: "egress.natGateway.zone", typ: field.ErrorTypeNotSupported},
		{name: "NAT gateway public IPs", code: CodeNATGateway, mutate: func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{PublicIPs: 17}}
		}, path: "egress.natGateway.publicIps", detail: "at most 16"},
		{name: "NAT gateway idle timeout", code: CodeNATGateway, mutate: func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{IdleTimeoutMinutes: 121}}
		}, path: "egress.natGateway.idleTimeoutMinutes", detail: "4 to 120"},
		{name: "UDR without route table", code: CodeRouteTable, mutate: func(c *Cluster) { c.Egress.OutboundType = OutboundUserDefinedRouting }, path: "egress.routeTableId", detail: "0.0.0.0/0 route"},
		{name: "UDR with a subnet ID", code: CodeARMID, mutate: func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserDefinedRouting, RouteTableID: testNATGateway}
		}, path: "egress.routeTableId", detail: "Microsoft.Network/routeTables"},
		{name: "route table with the load balancer", code: CodeOutboundType, mutate: func(c *Cluster) { c.Egress.RouteTableID = testRouteTable }, path: "egress.routeTableId", typ: field.ErrorTypeForbidden},
		{name: "NAT gateway with UDR", code: CodeOutboundType, mutate: func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserDefinedRouting, RouteTableID: testRouteTable, NATGateway: &NATGateway{}}
		}, path: "egress.natGateway", typ: field.ErrorTypeForbidden},

		// Identities.
		{name: "kubelet identity without control plane", code: CodeKubeletIdentity, mutate: func(c *Cluster) {
			c.Identity.Kubelet = &UserAssignedIdentity{ResourceID: testIdentityKubelet}
		}, path: "identity.controlPlane", detail: "Managed Identity Operator"},
		{name: "control plane without principal", code: CodeIdentity, mutate: func(c *Cluster) {
			c.Identity.ControlPlane = &UserAssignedIdentity{ResourceID: testIdentityCP}
		}, path: "identity.controlPlane.principalId", typ: field.ErrorTypeRequired},
		{name: "identity of another type", code: CodeARMID, mutate: func(c *Cluster) {
			c.Identity.ControlPlane = &UserAssignedIdentity{ResourceID: testRouteTable, PrincipalID: testGUID}
		}, path: "identity.controlPlane.resourceId", detail: UserAssignedIdentityType},
		{name: "principal not a GUID", code: CodeIdentity, mutate: func(c *Cluster) {
			c.Identity.ControlPlane = &UserAssignedIdentity{ResourceID: testIdentityCP, PrincipalID: "id-aks-cp"}
		}, path: "identity.controlPlane.principalId", detail: "GUID"},
		{name: "kubelet is the control plane", code: CodeKubeletIdentity, mutate: func(c *Cluster) {
			c.Identity.ControlPlane = &UserAssignedIdentity{ResourceID: testIdentityCP, PrincipalID: testGUID}
			c.Identity.Kubelet = &UserAssignedIdentity{ResourceID: strings.ToUpper(testIdentityCP)}
		}, path: "identity.kubelet.resourceId", detail: "its own identity"},

		// Nodes.
		{name: "ephemeral OS disk without local storage", code: CodeEphemeralOSDisk, mutate: func(c *Cluster) {
			c.SystemPool.VMSize, c.SystemPool.OSDiskType = "Standard_D4s_v5", OSDiskEphemeral
		}, path: "systemPool.osDiskType", detail: "no local (temp) storage"},
		{name: "ephemeral OS disk larger than temp", code: CodeEphemeralOSDisk, mutate: func(c *Cluster) {
			c.UserPools[0].OSDiskType, c.UserPools[0].OSDiskSizeGB = OSDiskEphemeral, 301
		}, path: "userPools[0].osDiskSizeGB", detail: "at most 300"},
		{name: "ephemeral OS disk default size does not fit", code: CodeEphemeralOSDisk, mutate: func(c *Cluster) {
			c.SystemPool.VMSize, c.SystemPool.OSDiskType = "Standard_D2ds_v5", OSDiskEphemeral
		}, path: "systemPool.osDiskSizeGB", detail: "at most 75"},
		{name: "OS disk type", code: CodeOSDisk, mutate: func(c *Cluster) { c.SystemPool.OSDiskType = "Premium" }, path: "systemPool.osDiskType", typ: field.ErrorTypeNotSupported},
		{name: "OS disk too small", code: CodeOSDisk, mutate: func(c *Cluster) { c.SystemPool.OSDiskSizeGB = 20 }, path: "systemPool.osDiskSizeGB", detail: "30 to 2048"},
		{name: "OS disk too large", code: CodeOSDisk, mutate: func(c *Cluster) { c.SystemPool.OSDiskSizeGB = 4096 }, path: "systemPool.osDiskSizeGB", detail: "30 to 2048"},
		{name: "versioned OS SKU past its minors", code: CodeOSSKUVersion, mutate: func(c *Cluster) {
			c.KubernetesVersion = "1.31"
			c.UserPools[0].OSSKU = "Ubuntu2404"
		}, path: "userPools[0].osSku", detail: "1.32 to 1.38"},
		{name: "node resource group too long", code: CodeNodeResourceGroup, mutate: func(c *Cluster) { c.NodeResourceGroup = strings.Repeat("n", 81) }, path: "nodeResourceGroup", typ: field.ErrorTypeTooLong},
		{name: "node resource group is the cluster's", code: CodeNodeResourceGroup, mutate: func(c *Cluster) { c.NodeResourceGroup = "RG-aks-overlay" }, path: "nodeResourceGroup", detail: "cannot use an existing one"},
		{name: "default node resource group too long", code: CodeNodeResourceGroup, mutate: func(c *Cluster) {
			c.Name = strings.Repeat("a", 40)
			c.ResourceGroup.Name = strings.Repeat("r", 40)
		}, path: "nodeResourceGroup", detail: "more than AKS's 80"},

		// AKS limits.
		{name: "pools per cluster", code: CodePoolsPerCluster, mutate: func(c *Cluster) {
			for i := range 100 {
				c.UserPools = append(c.UserPools, NodePool{Name: fmt.Sprintf("p%d", i), VMSize: "Standard_D4ds_v5", Count: 0})
			}
		}, path: "userPools", typ: field.ErrorTypeTooMany},
		{name: "nodes per cluster", code: CodeNodesPerCluster, mutate: func(c *Cluster) {
			c.SKU = SKU{Tier: TierStandard}
			for i := range 5 {
				c.UserPools = append(c.UserPools, NodePool{Name: fmt.Sprintf("big%d", i), VMSize: "Standard_D4ds_v5", Count: 1000})
			}
		}, path: "userPools", detail: "5000 per cluster"},
		{name: "nodes per cluster on the Free tier", code: CodeNodesPerCluster, mutate: func(c *Cluster) {
			c.SKU = SKU{Tier: TierFree}
			c.UserPools = append(c.UserPools, NodePool{Name: "big", VMSize: "Standard_D4ds_v5", Count: 1000})
		}, path: "userPools", detail: "1000 per cluster on the Free tier; set sku.tier Standard"},
		{name: "authorized IP ranges", code: CodeAuthorizedIPRangeCount, mutate: func(c *Cluster) {
			c.Security.AuthorizedIPRanges = nil
			for i := range 201 {
				c.Security.AuthorizedIPRanges = append(c.Security.AuthorizedIPRanges, fmt.Sprintf("203.0.%d.%d/32", i/250, i%250))
			}
		}, path: "security.authorizedIpRanges", typ: field.ErrorTypeTooMany},

		// ACNS's API 2026-01-01 features.
		{name: "WireGuard without ACNS", code: CodeTransitEncryption, mutate: func(c *Cluster) { c.ACNS.TransitEncryption = TransitEncryptionWireGuard }, path: "acns.transitEncryption", detail: "acns.enabled: true"},
		{name: "WireGuard with FIPS", code: CodeTransitEncryption, base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.ACNS.TransitEncryption = TransitEncryptionWireGuard
			c.UserPools[0].FIPS = true
		}, path: "userPools[0].fips", detail: "not FIPS compliant"},
		{name: "transit encryption type", code: CodeTransitEncryption, base: "podsubnet.yaml", mutate: func(c *Cluster) { c.ACNS.TransitEncryption = "IPsec" }, path: "acns.transitEncryption", typ: field.ErrorTypeNotSupported},
		{name: "eBPF host routing before 1.33", code: CodeAcceleration, base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.KubernetesVersion = "1.32"
			c.ACNS.Acceleration = AccelerationBpfVeth
		}, path: "acns.acceleration", detail: "1.33 or later"},
		{name: "eBPF host routing on Ubuntu 22.04", code: CodeAcceleration, base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.ACNS.Acceleration = AccelerationBpfVeth
			c.UserPools[0].OSSKU = "Ubuntu" // 22.04 on 1.33
		}, path: "userPools[0].osSku", detail: "Ubuntu gives Ubuntu 22.04 on Kubernetes 1.33"},
		{name: "eBPF host routing on Ubuntu2204", code: CodeAcceleration, base: "podsubnet.yaml", mutate: func(c *Cluster) {
			c.KubernetesVersion = "1.35"
			c.ACNS.Acceleration = AccelerationBpfVeth
			c.SystemPool.OSSKU = "Ubuntu2204"
		}, path: "systemPool.osSku", detail: "Azure Linux 3.0 or Ubuntu 24.04"},
		{name: "acceleration mode", code: CodeAcceleration, base: "podsubnet.yaml", mutate: func(c *Cluster) { c.ACNS.Acceleration = "XDP" }, path: "acns.acceleration", typ: field.ErrorTypeNotSupported},
	}
}

// TestProductionRules: each rule refuses its case at its path with its
// code, and the valid alternative in the detail.
func TestProductionRules(t *testing.T) {
	for _, tc := range productionCases() {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base
			if base == "" {
				base = "overlay.yaml"
			}
			c := load(t, base)
			tc.mutate(&c)
			c = c.WithDefaults()
			errs := c.Validate()
			var found *field.Error
			for _, e := range errs {
				if e.Field == tc.path && CodeOf(e) == tc.code && (tc.detail == "" || strings.Contains(e.Error(), tc.detail)) {
					found = e
					break
				}
			}
			require.NotNil(t, found, "want a %s error at %q with %q, got:\n%v", tc.code, tc.path, tc.detail, errs.ToAggregate())
			if tc.typ != "" {
				assert.Equal(t, tc.typ, found.Type, found.Error())
			}
		})
	}
}

// TestProductionSpecsAccepted: the settings the production stack uses, and
// the edges of every range, are valid.
func TestProductionSpecsAccepted(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(c *Cluster)
	}{
		{"Standard tier, patch channel, both windows", func(c *Cluster) {
			c.SKU.Tier = TierStandard
			c.Upgrades = Upgrades{Channel: UpgradePatch, NodeOSChannel: NodeOSSecurityPatch,
				ClusterWindow: &MaintenanceWindow{DurationHours: 24, StartTime: "23:59", UTCOffset: "-12:00",
					Schedule:        Schedule{RelativeMonthly: &RelativeMonthlySchedule{DayOfWeek: "Saturday", WeekIndex: "Last", IntervalMonths: 6}},
					NotAllowedDates: []DateSpan{{Start: "2026-12-20", End: "2027-01-03"}}},
				NodeOSWindow: &MaintenanceWindow{DurationHours: 4, StartTime: "00:00", UTCOffset: "+14:00", StartDate: "2027-01-04",
					Schedule: Schedule{Daily: &DailySchedule{IntervalDays: 7}}}}
		}},
		{"half-hour offset", func(c *Cluster) {
			c.Upgrades = Upgrades{Channel: UpgradeStable, ClusterWindow: &MaintenanceWindow{DurationHours: 8, StartTime: "01:30", UTCOffset: "+05:30",
				Schedule: Schedule{AbsoluteMonthly: &AbsoluteMonthlySchedule{DayOfMonth: 31, IntervalMonths: 1}}}}
		}},
		{"Premium with LTS", func(c *Cluster) { c.SKU = SKU{Tier: TierPremium, SupportPlan: SupportPlanLTS} }},
		{"new NAT gateway in one zone", func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{Zone: "2", PublicIPs: 16, IdleTimeoutMinutes: 120}}
		}},
		{"existing NAT gateway", func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{ID: testNATGateway}}
		}},
		{"UDR", func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserDefinedRouting, RouteTableID: testRouteTable}
		}},
		{"user-assigned identities", func(c *Cluster) {
			c.Identity = Identity{ControlPlane: &UserAssignedIdentity{ResourceID: testIdentityCP, PrincipalID: testGUID},
				Kubelet: &UserAssignedIdentity{ResourceID: testIdentityKubelet, ClientID: testGUID, PrincipalID: testGUID}}
		}},
		{"ephemeral OS disks that fit", func(c *Cluster) {
			c.SystemPool.OSDiskType, c.SystemPool.OSDiskSizeGB = OSDiskEphemeral, 150 // D4ds_v5: 150 GiB temp
			c.UserPools[0].OSDiskType = OSDiskEphemeral                               // D8ds_v5: 300 GiB temp, AKS sizes it
		}},
		{"ephemeral on a size the table does not know", func(c *Cluster) {
			c.SystemPool.VMSize, c.SystemPool.OSDiskType = "Standard_F8s_v2", OSDiskEphemeral
		}},
		{"managed OS disk without local storage", func(c *Cluster) {
			c.SystemPool.VMSize, c.SystemPool.OSDiskType, c.SystemPool.OSDiskSizeGB = "Standard_D4s_v5", OSDiskManaged, 512
		}},
		{"node resource group of 80", func(c *Cluster) { c.NodeResourceGroup = strings.Repeat("n", 80) }},
		{"200 authorized ranges", func(c *Cluster) {
			c.Security.AuthorizedIPRanges = nil
			for i := range 200 {
				c.Security.AuthorizedIPRanges = append(c.Security.AuthorizedIPRanges, fmt.Sprintf("203.0.%d.%d/32", i/250, i%250))
			}
		}},
		{"WireGuard and eBPF host routing on Azure Linux and Ubuntu 24.04", func(c *Cluster) {
			c.KubernetesVersion = "1.34"
			c.ACNS = ACNS{Enabled: true, TransitEncryption: TransitEncryptionWireGuard, Acceleration: AccelerationBpfVeth}
			c.UserPools[0].OSSKU = "Ubuntu2404"
		}},
		{"eBPF host routing on Ubuntu from 1.35", func(c *Cluster) {
			c.KubernetesVersion = "1.35"
			c.ACNS = ACNS{Enabled: true, Acceleration: AccelerationBpfVeth}
			c.SystemPool.OSSKU, c.UserPools[0].OSSKU = "Ubuntu", "AzureLinux3"
		}},
		{"FIPS without WireGuard", func(c *Cluster) { c.UserPools[0].FIPS = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := load(t, "overlay.yaml")
			tc.mutate(&c)
			c = c.WithDefaults()
			assert.Empty(t, c.Validate())
		})
	}
}

// TestOSDiskPlan: what plan says about a pool's OS disk.
func TestOSDiskPlan(t *testing.T) {
	for _, tc := range []struct {
		pool NodePool
		want string
	}{
		{NodePool{VMSize: "Standard_D8ds_v5"}, "AKS default: Ephemeral 300 GiB (the VM's temp storage)"},
		{NodePool{VMSize: "Standard_D2ds_v5"}, "AKS default: Managed 128 GB"},
		{NodePool{VMSize: "Standard_D2ds_v5", OSDiskSizeGB: 60}, "AKS default: Ephemeral 60 GB"},
		{NodePool{VMSize: "standard_d4s_v5"}, "AKS default: Managed 128 GB"},
		{NodePool{VMSize: "Standard_D4ds_v5", OSDiskType: OSDiskEphemeral}, "Ephemeral 150 GiB (the VM's temp storage)"},
		{NodePool{VMSize: "Standard_D4ds_v5", OSDiskType: OSDiskManaged, OSDiskSizeGB: 256}, "Managed 256 GB"},
		{NodePool{VMSize: "Standard_F8s_v2"}, "AKS default for Standard_F8s_v2 (not in the VM size table)"},
	} {
		assert.Equal(t, tc.want, tc.pool.OSDisk(), "%+v", tc.pool)
	}
}

// TestACNSAPI2026 is the split the ARM step relies on.
func TestACNSAPI2026(t *testing.T) {
	a := ACNS{Enabled: true, Security: ACNSSecurityL7, TransitEncryption: TransitEncryptionWireGuard, Acceleration: AccelerationNone}
	assert.True(t, a.UsesAPI2026())
	assert.Equal(t, ACNS{Enabled: true, Security: ACNSSecurityL7, TransitEncryption: TransitEncryptionWireGuard}, a.Effective(), "None is written as empty")
	assert.Equal(t, ACNS{Enabled: true, Security: ACNSSecurityL7}, a.WithoutAPI2026())
	assert.False(t, ACNS{TransitEncryption: TransitEncryptionWireGuard}.UsesAPI2026(), "off is off")
	assert.Equal(t, "on (security L7, WireGuard encryption)", a.String())
}

// productionUpdateCases make each production update rule fire
// (TestProductionUpdates and TestEveryRuleIsListedAndFires run them).
func productionUpdateCases() []updateCase {
	return []updateCase{
		{name: "outbound type", mutate: func(c *Cluster) {
			c.Egress = Egress{OutboundType: OutboundUserDefinedRouting, RouteTableID: testRouteTable}
		}, path: "egress.outboundType", code: CodeOutboundTypeChanged, replaceable: true, detail: `cannot change from "loadBalancer"`},
		{name: "node resource group", mutate: func(c *Cluster) { c.NodeResourceGroup = "rg-nodes" },
			path: "nodeResourceGroup", code: CodeNodeResourceGroupChanged, replaceable: true, detail: `"MC_rg-aks-overlay_aks-overlay_westeurope"`},
		{name: "OS disk type", base: "production", mutate: func(c *Cluster) { c.SystemPool.OSDiskType = OSDiskManaged },
			path: "systemPool.osDiskType", code: CodeOSDiskChanged, detail: "add a pool with the new disk"},
		{name: "OS disk size", base: "production", mutate: func(c *Cluster) { c.UserPools[0].OSDiskSizeGB = 200 },
			path: "userPools[0].osDiskSizeGB", code: CodeOSDiskChanged, detail: "cannot change from 100"},
	}
}

// production is overlay.yaml with explicit OS disks, the base of the OS
// disk update cases.
func production(t testing.TB) Cluster {
	c := load(t, "overlay.yaml")
	c.SystemPool.OSDiskType = OSDiskEphemeral
	c.UserPools[0].OSDiskType, c.UserPools[0].OSDiskSizeGB = OSDiskEphemeral, 100
	return c
}

func TestProductionUpdates(t *testing.T) {
	for _, tc := range productionUpdateCases() {
		t.Run(tc.name, func(t *testing.T) {
			old := load(t, "overlay.yaml")
			if tc.base == "production" {
				old = production(t)
			}
			c := old
			c.UserPools = append([]NodePool(nil), old.UserPools...)
			tc.mutate(&c)
			require.Empty(t, c.WithDefaults().Validate(), "the new spec itself is valid")
			errs := ValidateUpdate(old, c)
			require.Len(t, errs, 1, "%v", errs)
			assert.Equal(t, tc.path, errs[0].Field)
			assert.Equal(t, tc.code, CodeOf(errs[0]))
			assert.Equal(t, tc.replaceable, Replaceable(errs[0]))
			assert.Contains(t, errs[0].Error(), tc.detail)
		})
	}

	// In place: the tier, support plan, channels, windows, identities, an
	// OS disk AKS chose being named, FIPS, another NAT gateway.
	old := load(t, "overlay.yaml")
	c := old
	c.UserPools = append([]NodePool(nil), old.UserPools...)
	c.SKU = SKU{Tier: TierPremium, SupportPlan: SupportPlanLTS}
	c.Upgrades = Upgrades{Channel: UpgradePatch, NodeOSChannel: NodeOSSecurityPatch, ClusterWindow: &MaintenanceWindow{DurationHours: 4, StartTime: "02:00",
		Schedule: Schedule{Weekly: &WeeklySchedule{DayOfWeek: "Sunday", IntervalWeeks: 1}}}}
	c.Identity = Identity{ControlPlane: &UserAssignedIdentity{ResourceID: testIdentityCP, PrincipalID: testGUID}}
	c.SystemPool.OSDiskType = OSDiskEphemeral
	c.UserPools[0].FIPS = true
	c.NodeResourceGroup = old.WithDefaults().DefaultNodeResourceGroup() // naming AKS's default is no change
	require.Empty(t, c.WithDefaults().Validate())
	assert.Empty(t, ValidateUpdate(old, c))

	nat := old
	nat.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{}}
	other := nat
	other.Egress = Egress{OutboundType: OutboundUserAssignedNATGateway, NATGateway: &NATGateway{ID: testNATGateway}}
	assert.Empty(t, ValidateUpdate(nat, other), "another NAT gateway on the node subnet is a subnet update")
}
