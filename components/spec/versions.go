package spec

import (
	"fmt"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Source is where a row of the version table comes from.
type Source string

// The sources of the version table.
const (
	// SourceGuide is the guide this project was written from, "Configure Cilium
	// as the data plane for Azure CNI in AKS" (not in this repository; see the
	// README's Sources); its table is the one an earlier edition of the AKS
	// page below published.
	SourceGuide Source = "AKS guide: Azure CNI powered by Cilium, Kubernetes to Cilium version table"
	// SourceAKSDocs is the current AKS documentation's table
	// (learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium, "Versions").
	SourceAKSDocs Source = "AKS docs: azure-cni-powered-by-cilium, versions table (2026)"
)

// VersionRow is one Kubernetes minor and the minimum Cilium version AKS runs on it.
type VersionRow struct {
	// Kubernetes is the minor version, "1.32".
	Kubernetes string
	// MinCilium is the higher of the sources' minimums.
	MinCilium string
	// Sources are the documents that give a value for this row; when they
	// differ, MinCilium is the higher one and Notes says so.
	Sources []Source
	// Notes explains a difference between the sources.
	Notes string
	// Support is the minor's AKS support window (GA, end of community
	// support, end of LTS) from the AKS release calendar, SourceAKSCalendar.
	Support SupportWindow
}

// Versions is the Kubernetes to minimum Cilium table, oldest first, with each
// minor's AKS support window. It is data: add a row when AKS ships a new
// minor. The windows are the AKS release calendar's (SourceAKSCalendar): LTS
// end for 1.27 and 1.28 is from the March 2026 page, which the later one no
// longer lists; 1.33's end of community support moved from June to July 2026
// between the two, and the later page is kept.
var Versions = []VersionRow{
	{Kubernetes: "1.27", MinCilium: "1.13.18", Sources: []Source{SourceGuide},
		Support: SupportWindow{GA: month(2023, time.July), EndOfSupport: monthEnd(2024, time.July), EndOfLTS: monthEnd(2025, time.July)}},
	{Kubernetes: "1.28", MinCilium: "1.13.18", Sources: []Source{SourceGuide},
		Support: SupportWindow{GA: month(2023, time.November), EndOfSupport: monthEnd(2025, time.January), EndOfLTS: monthEnd(2026, time.February)}},
	{Kubernetes: "1.29", MinCilium: "1.14.19", Sources: []Source{SourceGuide},
		Support: SupportWindow{GA: month(2024, time.March), EndOfSupport: monthEnd(2025, time.March), EndOfLTS: monthEnd(2026, time.April)}},
	{Kubernetes: "1.30", MinCilium: "1.14.19", Sources: []Source{SourceGuide},
		Support: SupportWindow{GA: month(2024, time.July), EndOfSupport: day(2025, time.August, 22), EndOfLTS: monthEnd(2026, time.July)}},
	{Kubernetes: "1.31", MinCilium: "1.16.16", Sources: []Source{SourceGuide, SourceAKSDocs},
		Notes:   "guide 1.16.6, AKS docs 1.16.16: the higher is kept",
		Support: SupportWindow{GA: month(2024, time.November), EndOfSupport: day(2025, time.November, 1), EndOfLTS: monthEnd(2026, time.November)}},
	{Kubernetes: "1.32", MinCilium: "1.17.9", Sources: []Source{SourceGuide, SourceAKSDocs},
		Notes:   "guide 1.17.0, AKS docs 1.17.9: the higher is kept",
		Support: SupportWindow{GA: month(2025, time.April), EndOfSupport: monthEnd(2026, time.March), EndOfLTS: monthEnd(2027, time.March)}},
	{Kubernetes: "1.33", MinCilium: "1.17.9", Sources: []Source{SourceAKSDocs},
		Support: SupportWindow{GA: month(2025, time.June), EndOfSupport: monthEnd(2026, time.July), EndOfLTS: monthEnd(2027, time.July)}},
	{Kubernetes: "1.34", MinCilium: "1.18.6", Sources: []Source{SourceAKSDocs},
		Support: SupportWindow{GA: month(2025, time.November), EndOfSupport: monthEnd(2026, time.November), EndOfLTS: monthEnd(2027, time.November)}},
	{Kubernetes: "1.35", MinCilium: "1.18.6", Sources: []Source{SourceAKSDocs},
		Support: SupportWindow{GA: month(2026, time.March), EndOfSupport: monthEnd(2027, time.March), EndOfLTS: monthEnd(2028, time.March)}},
	{Kubernetes: "1.36", MinCilium: "1.18.9", Sources: []Source{SourceAKSDocs},
		Support: SupportWindow{GA: month(2026, time.June), EndOfSupport: monthEnd(2027, time.June), EndOfLTS: monthEnd(2028, time.June)}},
}

// Feature is a capability gated by the Kubernetes version.
type Feature string

// The gated features of Azure CNI powered by Cilium.
const (
	FeatureCiliumEndpointSlices     Feature = "CiliumEndpointSlices"
	FeatureACNSFQDNFiltering        Feature = "ACNSFQDNFiltering"
	FeatureACNSL7Policies           Feature = "ACNSL7Policies"
	FeatureContainerNetworkFlowLogs Feature = "ContainerNetworkFlowLogs"
	FeatureEBPFHostRouting          Feature = "EBPFHostRouting"
)

// FeatureGate is the first Kubernetes minor with a feature, and its conditions.
type FeatureGate struct {
	Feature       Feature
	MinKubernetes string
	Requires      string
}

// FeatureGates lists every gated feature with the first Kubernetes minor AKS
// offers it on (the AKS guide, see the README's Sources, and the AKS docs:
// learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium and
// learn.microsoft.com/azure/aks/advanced-container-networking-services-overview).
var FeatureGates = []FeatureGate{
	{FeatureCiliumEndpointSlices, "1.32", ""},
	{FeatureACNSFQDNFiltering, "1.29", "ACNS enabled with security"},
	{FeatureACNSL7Policies, "1.29", "ACNS enabled with security"},
	{FeatureContainerNetworkFlowLogs, "1.33", "ACNS enabled with observability"},
	{FeatureEBPFHostRouting, "1.33", "Azure Linux 3 or Ubuntu 24.04 nodes"},
}

// KubernetesVersion is a parsed Kubernetes version and what the table says of it.
type KubernetesVersion struct {
	// Version is the parsed version ("1.32" parses as 1.32.0).
	Version *semver.Version
	// Minor is "1.32".
	Minor string
	// Row is the table row for Minor, or the last row for a newer minor
	// accepted with AllowNewerKubernetes.
	Row VersionRow
	// NewerThanTable is true when Minor is past the table's last row.
	NewerThanTable bool
}

// LookupKubernetes parses v ("1.32" or "1.32.4"; it also reads the "v1.32.4"
// a cluster reports, though Validate refuses that form in a spec) and finds
// its table row. A minor older than the table is an error; a newer
// one is an error unless allowNewer is true. The error names the supported range.
func LookupKubernetes(v string, allowNewer bool) (KubernetesVersion, error) {
	parsed, err := semver.NewVersion(v)
	if err != nil || parsed.Prerelease() != "" || parsed.Metadata() != "" {
		return KubernetesVersion{}, fmt.Errorf("not a Kubernetes version: want MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. %q", Versions[len(Versions)-1].Kubernetes)
	}
	minor := fmt.Sprintf("%d.%d", parsed.Major(), parsed.Minor())
	for _, row := range Versions {
		if row.Kubernetes == minor {
			return KubernetesVersion{Version: parsed, Minor: minor, Row: row}, nil
		}
	}
	first, last := Versions[0], Versions[len(Versions)-1]
	if parsed.GreaterThan(semver.MustParse(last.Kubernetes + ".999")) {
		if allowNewer {
			return KubernetesVersion{Version: parsed, Minor: minor, Row: last, NewerThanTable: true}, nil
		}
		return KubernetesVersion{}, fmt.Errorf("Kubernetes %s is newer than the version table (supported %s to %s); "+
			"set allowNewerKubernetes: true to accept it with the Cilium minimum of %s", minor, first.Kubernetes, last.Kubernetes, last.Kubernetes)
	}
	return KubernetesVersion{}, fmt.Errorf("Kubernetes %s is not supported with Azure CNI powered by Cilium (supported %s to %s)",
		minor, first.Kubernetes, last.Kubernetes)
}

// AtLeast reports whether the version's minor is at least the given "1.N".
func (k KubernetesVersion) AtLeast(minor string) bool {
	return !k.Version.LessThan(semver.MustParse(minor))
}

// Available reports whether a gated feature exists on this version
// (its other conditions are checked where the feature is used).
func (k KubernetesVersion) Available(f Feature) bool {
	for _, g := range FeatureGates {
		if g.Feature == f {
			return k.AtLeast(g.MinKubernetes)
		}
	}
	return false
}

// MinKubernetesFor is the first Kubernetes minor with a gated feature, from
// FeatureGates ("" for a feature that is not gated), so messages take the
// number from the table.
func MinKubernetesFor(f Feature) string {
	for _, g := range FeatureGates {
		if g.Feature == f {
			return g.MinKubernetes
		}
	}
	return ""
}

// Features lists the gated features available on this version.
func (k KubernetesVersion) Features() []Feature {
	var out []Feature
	for _, g := range FeatureGates {
		if k.AtLeast(g.MinKubernetes) {
			out = append(out, g.Feature)
		}
	}
	return out
}

// MinCiliumVersion is the minimum Cilium version the cluster's Kubernetes
// version should run, from the version table. The spec must be valid.
func (c Cluster) MinCiliumVersion() (string, error) {
	k, err := LookupKubernetes(c.KubernetesVersion, c.AllowNewerKubernetes)
	if err != nil {
		return "", err
	}
	return k.Row.MinCilium, nil
}
