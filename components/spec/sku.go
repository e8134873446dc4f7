package spec

import (
	"fmt"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// SKU is the cluster's pricing tier and Kubernetes support plan: ARM's
// sku.tier (sku.name is always "Base") and properties.supportPlan.
type SKU struct {
	// Tier is Free (the default, as in ARM: no uptime SLA, a control plane
	// AKS recommends for at most 10 nodes), Standard (financially backed
	// uptime SLA, a control plane that scales to 5,000 nodes) or Premium
	// (Standard plus long-term support, LTS). AKS docs: "Free, Standard and
	// Premium pricing tiers for AKS cluster management".
	Tier Tier `json:"tier,omitempty"`
	// SupportPlan is KubernetesOfficial (community support, about 12 months
	// from a minor's AKS GA) or AKSLongTermSupport (LTS: 12 more months).
	// LTS and tier Premium go together, so the default follows the tier:
	// AKSLongTermSupport with Premium, KubernetesOfficial otherwise. A version
	// past its community support can be created only with LTS (see
	// SupportWindow).
	SupportPlan SupportPlan `json:"supportPlan,omitempty"`
}

// Tier is the AKS pricing tier (ManagedClusterSKU.tier).
type Tier string

// The AKS pricing tiers.
const (
	TierFree     Tier = "Free"
	TierStandard Tier = "Standard"
	TierPremium  Tier = "Premium"
)

// Tiers are the valid tiers.
var Tiers = []Tier{TierFree, TierStandard, TierPremium}

// SupportPlan is the Kubernetes support plan (ManagedClusterProperties.supportPlan).
type SupportPlan string

// The Kubernetes support plans.
const (
	SupportPlanKubernetesOfficial SupportPlan = "KubernetesOfficial"
	SupportPlanLTS                SupportPlan = "AKSLongTermSupport"
)

// SupportPlans are the valid support plans.
var SupportPlans = []SupportPlan{SupportPlanKubernetesOfficial, SupportPlanLTS}

// SKU defaults (ARM's own: a cluster created without sku is Free on
// KubernetesOfficial). With tier Premium the plan defaults to
// AKSLongTermSupport instead (validateSKU says why).
const (
	DefaultTier        = TierFree
	DefaultSupportPlan = SupportPlanKubernetesOfficial
)

// Nodes per cluster by tier (AKS docs, pricing tiers comparison: Free
// "Supports up to 1,000 nodes", Standard and Premium "up to 5,000 nodes").
const (
	MaxNodesPerClusterFree = 1000
	MaxNodesPerCluster     = 5000
)

// MaxNodes is the most nodes AKS allows a cluster of this tier.
func (s SKU) MaxNodes() int {
	if s.Tier == TierFree {
		return MaxNodesPerClusterFree
	}
	return MaxNodesPerCluster
}

// LTS reports whether the spec asks for long-term support.
func (s SKU) LTS() bool { return s.SupportPlan == SupportPlanLTS }

func skuDefaults(s SKU) SKU {
	if s.Tier == "" {
		s.Tier = DefaultTier
	}
	if s.SupportPlan == "" {
		s.SupportPlan = DefaultSupportPlan
		if s.Tier == TierPremium {
			s.SupportPlan = SupportPlanLTS
		}
	}
	return s
}

// validateSKU checks the tier and plan, and that LTS and Premium go
// together: "Enabling LTS requires moving your cluster to the Premium tier
// and explicitly selecting the LTS support plan" (AKS docs: long-term
// support), and "When you create a cluster in the Premium tier, you must
// also enable the LTS plan ... Enable or disable LTS and the Premium tier
// together" (AKS docs: pricing tiers, MicrosoftDocs/azure-aks-docs
// articles/aks/free-standard-pricing-tiers.md at fb060abe of 2026-08-21).
func validateSKU(s SKU, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if !slices.Contains(Tiers, s.Tier) {
		errs = append(errs, CodeTier.NotSupported(p.Child("tier"), s.Tier, names(Tiers)))
	}
	if !slices.Contains(SupportPlans, s.SupportPlan) {
		errs = append(errs, CodeSupportPlan.NotSupported(p.Child("supportPlan"), s.SupportPlan, names(SupportPlans)))
	}
	if s.LTS() && s.Tier != TierPremium {
		errs = append(errs, CodeSupportPlan.Invalid(p.Child("supportPlan"), s.SupportPlan,
			fmt.Sprintf("long-term support needs sku.tier %s (tier is %s); set tier: %s or supportPlan: %s", TierPremium, s.Tier, TierPremium, SupportPlanKubernetesOfficial)))
	}
	if s.Tier == TierPremium && slices.Contains(SupportPlans, s.SupportPlan) && !s.LTS() {
		errs = append(errs, CodeSupportPlan.Invalid(p.Child("supportPlan"), s.SupportPlan,
			fmt.Sprintf("the %s tier goes with long-term support (AKS enables and disables them together); set supportPlan: %s, or tier: %s for the uptime SLA without LTS", TierPremium, SupportPlanLTS, TierStandard)))
	}
	return errs
}

// SourceAKSCalendar is the AKS release calendar: learn.microsoft.com/azure/
// aks/supported-kubernetes-versions, "AKS Kubernetes release calendar" and
// "LTS versions" (MicrosoftDocs/azure-aks-docs, articles/aks/supported-
// kubernetes-versions.md at f988e7e8b of 2026-08-05 for 1.29 to 1.36, and at
// a5974798c of 2026-03-20 for 1.27 and 1.28, which the later page no longer
// lists). "Unless an explicit date is provided, the End of Life (EOL) date is
// the last day of the specified month."
const SourceAKSCalendar Source = "AKS docs: supported-kubernetes-versions, release calendar and LTS versions (2026-08)"

// SupportWindow is when AKS supports a Kubernetes minor, from the AKS
// release calendar (SourceAKSCalendar). Dates are UTC calendar days.
type SupportWindow struct {
	// GA is the first day of the month AKS made the minor generally
	// available (the calendar gives a month; a region may get it up to 10
	// business days later).
	GA time.Time
	// EndOfSupport is the last day of community (standard) support: the
	// calendar's "End of life". After it AKS creates clusters with the
	// minor only under LTS.
	EndOfSupport time.Time
	// EndOfLTS is the last day of long-term support (Premium tier,
	// AKSLongTermSupport); after it AKS creates no cluster with the minor.
	EndOfLTS time.Time
}

// month is the first day of a calendar month, monthEnd its last day and day
// an explicit date: the three forms the calendar's cells take.
func month(y int, m time.Month) time.Time    { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
func monthEnd(y int, m time.Month) time.Time { return month(y, m).AddDate(0, 1, -1) }
func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// LookupSupportWindow returns the AKS support window of a minor ("1.32").
func LookupSupportWindow(minor string) (SupportWindow, bool) {
	for _, row := range Versions {
		if row.Kubernetes == minor && !row.Support.GA.IsZero() {
			return row.Support, true
		}
	}
	return SupportWindow{}, false
}

// SupportStatus is where a minor stands in its AKS support window on a day.
type SupportStatus string

// The support statuses.
const (
	// SupportPreview: before AKS GA; AKS offers it as a preview at most.
	SupportPreview SupportStatus = "preview"
	// SupportCommunity: between GA and the end of community support; any tier.
	SupportCommunity SupportStatus = "community"
	// SupportLTSOnly: past community support, inside LTS: only Premium
	// with AKSLongTermSupport creates it.
	SupportLTSOnly SupportStatus = "LTS only"
	// SupportEnded: past LTS; AKS creates no cluster with it.
	SupportEnded SupportStatus = "ended"
	// SupportUnknown: a minor the calendar does not list (newer than the
	// version table, accepted with allowNewerKubernetes).
	SupportUnknown SupportStatus = "unknown"
)

// StatusAt is the window's status on the UTC calendar day of t. Every
// boundary is inclusive: the minor is GA on GA, in community support on
// EndOfSupport and in LTS on EndOfLTS.
func (w SupportWindow) StatusAt(t time.Time) SupportStatus {
	d := civilDay(t)
	switch {
	case d.Before(w.GA):
		return SupportPreview
	case !d.After(w.EndOfSupport):
		return SupportCommunity
	case !d.After(w.EndOfLTS):
		return SupportLTSOnly
	}
	return SupportEnded
}

// civilDay is t's UTC calendar day at midnight.
func civilDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return day(y, m, d)
}

// Support is the cluster's Kubernetes minor's support status on the day of
// today, with its window; SupportUnknown for a minor the calendar does not
// list or a version that does not parse.
func (c Cluster) Support(today time.Time) (SupportStatus, SupportWindow) {
	k, err := LookupKubernetes(c.KubernetesVersion, c.AllowNewerKubernetes)
	if err != nil || k.NewerThanTable {
		return SupportUnknown, SupportWindow{}
	}
	w, ok := LookupSupportWindow(k.Minor)
	if !ok {
		return SupportUnknown, SupportWindow{}
	}
	return w.StatusAt(today), w
}

// dateLayout is how support dates are written in errors and plans.
const dateLayout = "2006-01-02"

// String is "GA 2026-03-01, community support to 2027-03-31, LTS to 2028-03-31".
func (w SupportWindow) String() string {
	return fmt.Sprintf("GA %s, community support to %s, LTS to %s",
		w.GA.Format(dateLayout), w.EndOfSupport.Format(dateLayout), w.EndOfLTS.Format(dateLayout))
}

// ValidateSupport checks that AKS creates a cluster (or upgrades one) with
// the spec's Kubernetes minor on the day of today, under the spec's tier and
// support plan, from the AKS release calendar (SourceAKSCalendar):
//
//   - before GA the minor is refused (AKS offers it as a preview at most);
//   - in community support any tier is fine;
//   - past community support and inside LTS the minor needs sku.tier Premium
//     and sku.supportPlan AKSLongTermSupport ("you can create a new AKS
//     cluster using an LTS version after its community support period ends
//     if you enable LTS", AKS docs: long-term support);
//   - past LTS it is refused: AKS creates no cluster with it (platform
//     support, N-3, does not cover cluster creation).
//
// Every refusal gives the minor's dates and the valid alternatives. A minor
// newer than the version table (allowNewerKubernetes) has no calendar data
// and is not checked. The spec is expected to be defaulted.
//
// The rule is about creation: an existing cluster keeps running past its
// minor's support (AKS lets it be updated and upgraded), so callers apply it
// when a cluster is created or its version changes (Cluster.ValidateAt; the
// automation Engine does so on a new stack or a version change), not on
// every update.
func (c Cluster) ValidateSupport(today time.Time) field.ErrorList {
	p := field.NewPath("kubernetesVersion")
	status, w := c.Support(today)
	k, _ := LookupKubernetes(c.KubernetesVersion, c.AllowNewerKubernetes)
	on := civilDay(today).Format(dateLayout)
	newest := newestCommunity(today)
	switch status {
	case SupportPreview:
		return field.ErrorList{CodeSupportWindow.Invalid(p, c.KubernetesVersion, fmt.Sprintf(
			"Kubernetes %s is not generally available on AKS on %s (GA %s); use a GA minor such as %s",
			k.Minor, on, w.GA.Format("January 2006"), newest))}
	case SupportLTSOnly:
		if c.SKU.Tier == TierPremium && c.SKU.LTS() {
			return nil
		}
		return field.ErrorList{CodeSupportWindow.Invalid(p, c.KubernetesVersion, fmt.Sprintf(
			"Kubernetes %s left AKS community support on %s and is in long-term support until %s: AKS creates it only with sku.tier %s and sku.supportPlan %s (the spec has %s, %s); set both, or use a minor in community support such as %s",
			k.Minor, w.EndOfSupport.Format(dateLayout), w.EndOfLTS.Format(dateLayout), TierPremium, SupportPlanLTS, c.SKU.Tier, c.SKU.SupportPlan, newest))}
	case SupportEnded:
		return field.ErrorList{CodeSupportWindow.Invalid(p, c.KubernetesVersion, fmt.Sprintf(
			"AKS no longer creates clusters with Kubernetes %s on %s: community support ended %s and long-term support %s; use a supported minor such as %s",
			k.Minor, on, w.EndOfSupport.Format(dateLayout), w.EndOfLTS.Format(dateLayout), newest))}
	}
	return nil
}

// ValidateAt is Validate plus ValidateSupport(today): every problem of a
// spec for a cluster created on the day of today.
func (c Cluster) ValidateAt(today time.Time) field.ErrorList {
	return append(c.Validate(), c.ValidateSupport(today)...)
}

// newestCommunity names the minors of the version table in community
// support on the day of today, newest first ("1.36 or 1.35"), for errors.
func newestCommunity(today time.Time) string {
	var minors []string
	for i := len(Versions) - 1; i >= 0 && len(minors) < 2; i-- {
		if w := Versions[i].Support; !w.GA.IsZero() && w.StatusAt(today) == SupportCommunity {
			minors = append(minors, Versions[i].Kubernetes)
		}
	}
	switch len(minors) {
	case 0:
		return "a minor AKS lists for your region (az aks get-versions)"
	case 1:
		return minors[0]
	}
	return minors[0] + " or " + minors[1]
}
