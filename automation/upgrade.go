package automation

import (
	"strconv"

	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// withUpgrades attaches to r what each ManagedCluster's Kubernetes version
// change in its steps does to Cilium (spec.CompareKubernetes: the version
// table and the feature gates, the gates' conditions checked against the
// spec c), so that renderers (prcomment) need no spec of their own.
func withUpgrades(r *result.Result, c spec.Cluster) *result.Result {
	if r == nil {
		return r
	}
	for _, s := range r.Steps {
		if !s.IsManagedCluster() || s.Op == result.OpCreate || s.Op == result.OpDelete {
			continue
		}
		for _, d := range s.Diffs {
			if d.Path != "kubernetesVersion" {
				continue
			}
			from, errFrom := strconv.Unquote(d.Old)
			to, errTo := strconv.Unquote(d.New)
			if errFrom != nil || errTo != nil {
				continue // not a plain string: a masked or unknown value
			}
			ch, err := spec.CompareKubernetes(from, to)
			if err != nil {
				continue // outside the table: validation names it where it matters
			}
			up := result.Upgrade{Resource: s.Name, FromKubernetes: from, ToKubernetes: to,
				FromMinCilium: ch.From.Row.MinCilium, ToMinCilium: ch.To.Row.MinCilium, ToNewerThanTable: ch.To.NewerThanTable}
			for _, g := range ch.Enabled {
				up.Enabled = append(up.Enabled, gatedFeature(g, c))
			}
			for _, g := range ch.Disabled {
				up.Disabled = append(up.Disabled, gatedFeature(g, c))
			}
			r.Upgrades = append(r.Upgrades, up)
		}
	}
	return r
}

func gatedFeature(g spec.FeatureGate, c spec.Cluster) result.GatedFeature {
	return result.GatedFeature{Feature: string(g.Feature), Title: g.Feature.Title(), MinKubernetes: g.MinKubernetes,
		Requires: g.Requires, Condition: string(g.MetBy(c.WithDefaults()))}
}
