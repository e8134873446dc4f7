package prcomment

import (
	"strings"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// upgradeNote says what each Kubernetes version change in r does to Cilium
// (result.Upgrade, computed by the Engine from the version table and the
// feature gates): the minimum Cilium version before and after, and the
// gated features that turn on or off with what else they need. Empty
// without a version change.
func upgradeNote(r *result.Result, c cleaner) string {
	if len(r.Upgrades) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("> [!IMPORTANT]\n")
	for i, u := range r.Upgrades {
		if i > 0 {
			b.WriteString(">\n")
		}
		b.WriteString("> **Kubernetes " + mdText(c.line(u.FromKubernetes)) + " → " + mdText(c.line(u.ToKubernetes)) + "** on " +
			code(c.line(u.Resource)) + ": ")
		from, to := mdText(c.line(u.FromMinCilium)), mdText(c.line(u.ToMinCilium))
		if from == to {
			b.WriteString("the minimum Cilium version stays **≥ " + to + "**")
		} else {
			b.WriteString("the minimum Cilium version moves from **≥ " + from + "** to **≥ " + to + "**")
		}
		if u.ToNewerThanTable {
			b.WriteString(" (" + mdText(c.line(u.ToKubernetes)) + " is newer than the table: its last row's)")
		}
		b.WriteString(" (the version table); after the update, `platform verify` checks the running Cilium against the stack's `minCiliumVersion`.\n")
		if len(u.Enabled) > 0 {
			b.WriteString("> - Turns on: " + featureList(u.Enabled, c) + ".\n")
		}
		if len(u.Disabled) > 0 {
			b.WriteString("> - Turns off: " + featureList(u.Disabled, c) + ".\n")
		}
	}
	b.WriteString("\n")
	return b.String()
}

// featureList names features with their gate and condition.
func featureList(fs []result.GatedFeature, c cleaner) string {
	var parts []string
	for _, f := range fs {
		p := "**" + mdText(c.line(f.Title)) + "** (Kubernetes " + mdText(c.line(f.MinKubernetes)) + "+"
		if f.Requires != "" {
			p += "; needs " + mdText(c.line(f.Requires))
			switch f.Condition {
			case "met":
				p += ": on in this spec"
			case "not met":
				p += ": off in this spec, so it stays off"
			default:
				p += ": not known from the spec"
			}
		}
		parts = append(parts, p+")")
	}
	return strings.Join(parts, ", ")
}
