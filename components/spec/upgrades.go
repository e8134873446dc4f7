package spec

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Upgrades is how AKS upgrades the cluster on its own: the cluster
// auto-upgrade channel and the node OS upgrade channel (ARM's
// autoUpgradeProfile), and a planned maintenance window for each (the
// MaintenanceConfiguration resources aksManagedAutoUpgradeSchedule and
// aksManagedNodeOSUpgradeSchedule). AKS docs: "Automatically upgrade an AKS
// cluster", "Automatically upgrade AKS cluster node operating system
// images", "Use planned maintenance".
type Upgrades struct {
	// Channel is the cluster auto-upgrade channel: none (the default, as in
	// ARM), patch (the latest patch of the cluster's minor), stable (the
	// latest patch of minor N-1), rapid (the latest minor) or node-image
	// (legacy: node images only; it forces nodeOSChannel NodeImage). With
	// patch, kubernetesVersion must be MAJOR.MINOR; with stable or rapid
	// AKS owns the minor too, so kubernetesVersion is only the version the
	// cluster is created with and later changes to it are ignored.
	Channel UpgradeChannel `json:"channel,omitempty"`
	// NodeOSChannel is the node OS upgrade channel: NodeImage (the default:
	// a new node image every week, reimaging the nodes), SecurityPatch
	// (AKS-tested security patches, reimaging only when needed), Unmanaged
	// (the OS's own unattended upgrades, about 06:00 UTC daily, no
	// maintenance window) or None.
	NodeOSChannel NodeOSChannel `json:"nodeOSChannel,omitempty"`
	// ClusterWindow is when cluster auto-upgrades run (the
	// aksManagedAutoUpgradeSchedule maintenance configuration); it needs a
	// channel other than none. Without it AKS upgrades at any time.
	ClusterWindow *MaintenanceWindow `json:"clusterWindow,omitempty"`
	// NodeOSWindow is when node OS upgrades run (the
	// aksManagedNodeOSUpgradeSchedule maintenance configuration); it needs
	// nodeOSChannel NodeImage or SecurityPatch.
	NodeOSWindow *MaintenanceWindow `json:"nodeOSWindow,omitempty"`
}

// UpgradeChannel is the cluster auto-upgrade channel (autoUpgradeProfile.upgradeChannel).
type UpgradeChannel string

// The cluster auto-upgrade channels.
const (
	UpgradeNone      UpgradeChannel = "none"
	UpgradePatch     UpgradeChannel = "patch"
	UpgradeStable    UpgradeChannel = "stable"
	UpgradeRapid     UpgradeChannel = "rapid"
	UpgradeNodeImage UpgradeChannel = "node-image"
)

// UpgradeChannels are the valid cluster auto-upgrade channels.
var UpgradeChannels = []UpgradeChannel{UpgradeNone, UpgradePatch, UpgradeStable, UpgradeRapid, UpgradeNodeImage}

// MovesPatch reports whether AKS upgrades the cluster's patch version on
// this channel (patch, stable and rapid: AKS docs, auto-upgrade-cluster).
func (c UpgradeChannel) MovesPatch() bool {
	return c == UpgradePatch || c.MovesMinor()
}

// MovesMinor reports whether AKS upgrades the cluster's minor version on
// this channel (stable and rapid), so the spec's kubernetesVersion is only
// the version the cluster is created with.
func (c UpgradeChannel) MovesMinor() bool {
	return c == UpgradeStable || c == UpgradeRapid
}

// NodeOSChannel is the node OS upgrade channel (autoUpgradeProfile.nodeOSUpgradeChannel).
type NodeOSChannel string

// The node OS upgrade channels.
const (
	NodeOSNone          NodeOSChannel = "None"
	NodeOSUnmanaged     NodeOSChannel = "Unmanaged"
	NodeOSSecurityPatch NodeOSChannel = "SecurityPatch"
	NodeOSNodeImage     NodeOSChannel = "NodeImage"
)

// NodeOSChannels are the valid node OS upgrade channels.
var NodeOSChannels = []NodeOSChannel{NodeOSNone, NodeOSUnmanaged, NodeOSSecurityPatch, NodeOSNodeImage}

// Upgrade defaults: ARM's for a new cluster ("none"; NodeImage since API
// 2023-06-01), written out so the cluster does not follow a changed default.
const (
	DefaultUpgradeChannel = UpgradeNone
	DefaultNodeOSChannel  = NodeOSNodeImage
	DefaultUTCOffset      = "+00:00"
)

// The names of the two maintenance configurations (planned maintenance:
// "aksManagedAutoUpgradeSchedule controls when to perform cluster upgrades
// scheduled by your designated auto-upgrade channel"; and the node OS one).
const (
	MaintenanceClusterAutoUpgrade = "aksManagedAutoUpgradeSchedule"
	MaintenanceNodeOSUpgrade      = "aksManagedNodeOSUpgradeSchedule"
)

// MaintenanceWindow is a planned maintenance window (ARM's MaintenanceWindow).
type MaintenanceWindow struct {
	// Schedule is how the window recurs: exactly one of daily, weekly,
	// absoluteMonthly or relativeMonthly.
	Schedule Schedule `json:"schedule"`
	// DurationHours is the window's length, 4 to 24 hours (ARM's range;
	// AKS asks for four hours or more for upgrades to finish).
	DurationHours int `json:"durationHours"`
	// StartTime is when the window opens, "HH:MM" from 00:00 to 23:59, in
	// UTCOffset's time zone.
	StartTime string `json:"startTime"`
	// UTCOffset is the window's time zone, "+HH:MM" or "-HH:MM" from -12:00
	// to +14:00; default +00:00.
	UTCOffset string `json:"utcOffset,omitempty"`
	// StartDate, "YYYY-MM-DD", is the day the window starts to apply;
	// empty means at once.
	StartDate string `json:"startDate,omitempty"`
	// NotAllowedDates are date spans with no maintenance (a change freeze),
	// in UTCOffset's time zone.
	NotAllowedDates []DateSpan `json:"notAllowedDates,omitempty"`
}

// Schedule is a recurrence; exactly one field is set.
type Schedule struct {
	// Daily recurs every IntervalDays days.
	Daily *DailySchedule `json:"daily,omitempty"`
	// Weekly recurs on DayOfWeek every IntervalWeeks weeks.
	Weekly *WeeklySchedule `json:"weekly,omitempty"`
	// AbsoluteMonthly recurs on DayOfMonth every IntervalMonths months.
	AbsoluteMonthly *AbsoluteMonthlySchedule `json:"absoluteMonthly,omitempty"`
	// RelativeMonthly recurs on the WeekIndex DayOfWeek of the month every
	// IntervalMonths months ("the last Friday every 2 months").
	RelativeMonthly *RelativeMonthlySchedule `json:"relativeMonthly,omitempty"`
}

// DailySchedule recurs every IntervalDays days.
type DailySchedule struct {
	// IntervalDays is 1 to 7.
	IntervalDays int `json:"intervalDays"`
}

// WeeklySchedule recurs on DayOfWeek every IntervalWeeks weeks.
type WeeklySchedule struct {
	// DayOfWeek is Monday to Sunday.
	DayOfWeek string `json:"dayOfWeek"`
	// IntervalWeeks is 1 to 4.
	IntervalWeeks int `json:"intervalWeeks"`
}

// AbsoluteMonthlySchedule recurs on DayOfMonth every IntervalMonths months.
type AbsoluteMonthlySchedule struct {
	// DayOfMonth is 1 to 31.
	DayOfMonth int `json:"dayOfMonth"`
	// IntervalMonths is 1 to 6.
	IntervalMonths int `json:"intervalMonths"`
}

// RelativeMonthlySchedule recurs on the WeekIndex DayOfWeek every
// IntervalMonths months.
type RelativeMonthlySchedule struct {
	// DayOfWeek is Monday to Sunday.
	DayOfWeek string `json:"dayOfWeek"`
	// WeekIndex is First, Second, Third, Fourth or Last.
	WeekIndex string `json:"weekIndex"`
	// IntervalMonths is 1 to 6.
	IntervalMonths int `json:"intervalMonths"`
}

// DateSpan is an inclusive span of calendar days, "YYYY-MM-DD".
type DateSpan struct {
	// Start is the first day.
	Start string `json:"start"`
	// End is the last day, not before Start.
	End string `json:"end"`
}

// The limits of a maintenance window: ARM's schema of MaintenanceWindow
// and its schedules at API 2024-10-01 (durationHours minValue 4 maxValue 24;
// intervalDays 1-7; intervalWeeks 1-4; dayOfMonth 1-31; intervalMonths 1-6;
// startTime pattern ^\d{2}:\d{2}$; utcOffset pattern ^(-|\+)[0-9]{2}:[0-9]{2}$;
// Azure/bicep-types-az generated/containerservice/microsoft.containerservice/
// 2024-10-01/types.md). The UTC offset range is that of real time zones
// (UTC-12:00 to UTC+14:00), which the pattern alone does not bound.
const (
	MinWindowHours    = 4
	MaxWindowHours    = 24
	MaxIntervalDays   = 7
	MaxIntervalWeeks  = 4
	MaxIntervalMonths = 6
)

var (
	weekdays     = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	weekIndexes  = []string{"First", "Second", "Third", "Fourth", "Last"}
	startTimeRE  = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	utcOffsetRE  = regexp.MustCompile(`^([+-])([0-9]{2}):([0-9]{2})$`)
	calendarDate = "2006-01-02"
)

func upgradesDefaults(u Upgrades) Upgrades {
	if u.Channel == "" {
		u.Channel = DefaultUpgradeChannel
	}
	if u.NodeOSChannel == "" {
		u.NodeOSChannel = DefaultNodeOSChannel
		if u.Channel == UpgradeNodeImage {
			u.NodeOSChannel = NodeOSNodeImage
		}
	}
	u.ClusterWindow = windowDefaults(u.ClusterWindow)
	u.NodeOSWindow = windowDefaults(u.NodeOSWindow)
	return u
}

func windowDefaults(w *MaintenanceWindow) *MaintenanceWindow {
	if w == nil {
		return nil
	}
	c := *w
	if c.UTCOffset == "" {
		c.UTCOffset = DefaultUTCOffset
	}
	c.NotAllowedDates = append([]DateSpan(nil), w.NotAllowedDates...)
	return &c
}

// validateUpgrades checks the channels, how they combine with the version,
// and both windows.
func validateUpgrades(u Upgrades, k8s *KubernetesVersion, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	cp, np := p.Child("channel"), p.Child("nodeOSChannel")
	if !slices.Contains(UpgradeChannels, u.Channel) {
		errs = append(errs, CodeUpgradeChannel.NotSupported(cp, u.Channel, names(UpgradeChannels)))
	}
	if !slices.Contains(NodeOSChannels, u.NodeOSChannel) {
		errs = append(errs, CodeNodeOSChannel.NotSupported(np, u.NodeOSChannel, names(NodeOSChannels)))
	}
	// "when you set the cluster autoupgrade channel to node-image, it also
	// automatically sets the node OS autoupgrade channel to NodeImage. You
	// can't change the node OS autoupgrade channel value" (AKS docs:
	// auto-upgrade-node-os-image, known limitations).
	if u.Channel == UpgradeNodeImage && u.NodeOSChannel != NodeOSNodeImage {
		errs = append(errs, CodeNodeOSChannel.Invalid(np, u.NodeOSChannel,
			"channel node-image (legacy) forces nodeOSChannel NodeImage; set nodeOSChannel: NodeImage, or use channel patch with the node OS channel you want"))
	}
	// With a channel that moves the version, a pinned patch or minor would
	// have Pulumi downgrade what AKS upgraded (ARM refuses downgrades).
	if k8s != nil && k8s.Version != nil && hasPatch(k8s) && u.Channel.MovesPatch() {
		errs = append(errs, CodePinnedPatch.Invalid(field.NewPath("kubernetesVersion"), k8s.Version.Original(), fmt.Sprintf(
			"upgrades.channel %s moves the patch version, so a pinned patch would be reverted on the next up; give the minor only, e.g. %q", u.Channel, k8s.Minor)))
	}
	errs = append(errs, validateWindow(u.ClusterWindow, p.Child("clusterWindow"))...)
	errs = append(errs, validateWindow(u.NodeOSWindow, p.Child("nodeOSWindow"))...)
	if u.ClusterWindow != nil && u.Channel == UpgradeNone {
		errs = append(errs, CodeWindowChannel.Invalid(p.Child("clusterWindow"), "set",
			"schedules cluster auto-upgrades, and channel is none (planned maintenance does not enable upgrades); set a channel such as patch, or remove the window"))
	}
	if u.NodeOSWindow != nil && (u.NodeOSChannel == NodeOSNone || u.NodeOSChannel == NodeOSUnmanaged) {
		errs = append(errs, CodeWindowChannel.Invalid(p.Child("nodeOSWindow"), "set", fmt.Sprintf(
			"schedules node OS upgrades, and nodeOSChannel %s does not follow a maintenance window; set nodeOSChannel NodeImage or SecurityPatch, or remove the window", u.NodeOSChannel)))
	}
	return errs
}

// hasPatch reports whether the version was given as MAJOR.MINOR.PATCH.
func hasPatch(k *KubernetesVersion) bool {
	return strings.Count(k.Version.Original(), ".") >= 2
}

// validateWindow checks one maintenance window against ARM's limits.
func validateWindow(w *MaintenanceWindow, p *field.Path) field.ErrorList {
	if w == nil {
		return nil
	}
	var errs field.ErrorList
	if w.DurationHours < MinWindowHours || w.DurationHours > MaxWindowHours {
		errs = append(errs, CodeMaintenanceWindow.Invalid(p.Child("durationHours"), w.DurationHours,
			fmt.Sprintf("must be %d to %d hours (ARM's range; AKS needs four hours or more for an upgrade)", MinWindowHours, MaxWindowHours)))
	}
	if !startTimeRE.MatchString(w.StartTime) {
		errs = append(errs, CodeMaintenanceWindow.Invalid(p.Child("startTime"), w.StartTime, `must be "HH:MM" from 00:00 to 23:59, e.g. "02:00"`))
	}
	if err := checkUTCOffset(w.UTCOffset); err != "" {
		errs = append(errs, CodeMaintenanceWindow.Invalid(p.Child("utcOffset"), w.UTCOffset, err))
	}
	if w.StartDate != "" {
		if _, err := time.Parse(calendarDate, w.StartDate); err != nil {
			errs = append(errs, CodeMaintenanceWindow.Invalid(p.Child("startDate"), w.StartDate, `must be a date "YYYY-MM-DD"`))
		}
	}
	for i, d := range w.NotAllowedDates {
		dp := p.Child("notAllowedDates").Index(i)
		start, serr := time.Parse(calendarDate, d.Start)
		end, eerr := time.Parse(calendarDate, d.End)
		if serr != nil {
			errs = append(errs, CodeMaintenanceWindow.Invalid(dp.Child("start"), d.Start, `must be a date "YYYY-MM-DD"`))
		}
		if eerr != nil {
			errs = append(errs, CodeMaintenanceWindow.Invalid(dp.Child("end"), d.End, `must be a date "YYYY-MM-DD"`))
		}
		if serr == nil && eerr == nil && end.Before(start) {
			errs = append(errs, CodeMaintenanceWindow.Invalid(dp.Child("end"), d.End, fmt.Sprintf("is before start %s", d.Start)))
		}
	}
	return append(errs, validateSchedule(w.Schedule, p.Child("schedule"))...)
}

// checkUTCOffset returns what is wrong with an offset, or "".
func checkUTCOffset(s string) string {
	const want = `must be "+HH:MM" or "-HH:MM" from -12:00 to +14:00, e.g. "+01:00"`
	m := utcOffsetRE.FindStringSubmatch(s)
	if m == nil {
		return want
	}
	h, _ := strconv.Atoi(m[2])
	mins, _ := strconv.Atoi(m[3])
	total := h*60 + mins
	if mins > 59 || (m[1] == "+" && total > 14*60) || (m[1] == "-" && total > 12*60) {
		return want
	}
	return ""
}

// validateSchedule checks that exactly one recurrence is set and its fields.
func validateSchedule(s Schedule, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	set := 0
	if d := s.Daily; d != nil {
		set++
		if d.IntervalDays < 1 || d.IntervalDays > MaxIntervalDays {
			errs = append(errs, CodeMaintenanceSchedule.Invalid(p.Child("daily", "intervalDays"), d.IntervalDays, fmt.Sprintf("must be 1 to %d", MaxIntervalDays)))
		}
	}
	if w := s.Weekly; w != nil {
		set++
		wp := p.Child("weekly")
		if !slices.Contains(weekdays, w.DayOfWeek) {
			errs = append(errs, CodeMaintenanceSchedule.NotSupported(wp.Child("dayOfWeek"), w.DayOfWeek, weekdays))
		}
		if w.IntervalWeeks < 1 || w.IntervalWeeks > MaxIntervalWeeks {
			errs = append(errs, CodeMaintenanceSchedule.Invalid(wp.Child("intervalWeeks"), w.IntervalWeeks, fmt.Sprintf("must be 1 to %d", MaxIntervalWeeks)))
		}
	}
	if a := s.AbsoluteMonthly; a != nil {
		set++
		ap := p.Child("absoluteMonthly")
		if a.DayOfMonth < 1 || a.DayOfMonth > 31 {
			errs = append(errs, CodeMaintenanceSchedule.Invalid(ap.Child("dayOfMonth"), a.DayOfMonth, "must be 1 to 31"))
		}
		if a.IntervalMonths < 1 || a.IntervalMonths > MaxIntervalMonths {
			errs = append(errs, CodeMaintenanceSchedule.Invalid(ap.Child("intervalMonths"), a.IntervalMonths, fmt.Sprintf("must be 1 to %d", MaxIntervalMonths)))
		}
	}
	if r := s.RelativeMonthly; r != nil {
		set++
		rp := p.Child("relativeMonthly")
		if !slices.Contains(weekdays, r.DayOfWeek) {
			errs = append(errs, CodeMaintenanceSchedule.NotSupported(rp.Child("dayOfWeek"), r.DayOfWeek, weekdays))
		}
		if !slices.Contains(weekIndexes, r.WeekIndex) {
			errs = append(errs, CodeMaintenanceSchedule.NotSupported(rp.Child("weekIndex"), r.WeekIndex, weekIndexes))
		}
		if r.IntervalMonths < 1 || r.IntervalMonths > MaxIntervalMonths {
			errs = append(errs, CodeMaintenanceSchedule.Invalid(rp.Child("intervalMonths"), r.IntervalMonths, fmt.Sprintf("must be 1 to %d", MaxIntervalMonths)))
		}
	}
	if set != 1 {
		errs = append(errs, CodeMaintenanceSchedule.Invalid(p, fmt.Sprintf("%d recurrences", set),
			"must set exactly one of daily, weekly, absoluteMonthly or relativeMonthly"))
	}
	return errs
}

// String is "every 1 week on Sunday, 02:00 +00:00 for 4h".
func (w MaintenanceWindow) String() string {
	var when string
	s := w.Schedule
	switch {
	case s.Daily != nil:
		when = fmt.Sprintf("every %d day(s)", s.Daily.IntervalDays)
	case s.Weekly != nil:
		when = fmt.Sprintf("every %d week(s) on %s", s.Weekly.IntervalWeeks, s.Weekly.DayOfWeek)
	case s.AbsoluteMonthly != nil:
		when = fmt.Sprintf("every %d month(s) on day %d", s.AbsoluteMonthly.IntervalMonths, s.AbsoluteMonthly.DayOfMonth)
	case s.RelativeMonthly != nil:
		when = fmt.Sprintf("every %d month(s) on the %s %s", s.RelativeMonthly.IntervalMonths, s.RelativeMonthly.WeekIndex, s.RelativeMonthly.DayOfWeek)
	}
	out := fmt.Sprintf("%s, %s %s for %dh", when, w.StartTime, w.UTCOffset, w.DurationHours)
	if w.StartDate != "" {
		out += ", from " + w.StartDate
	}
	if n := len(w.NotAllowedDates); n > 0 {
		out += fmt.Sprintf(", %d blackout span(s)", n)
	}
	return out
}
