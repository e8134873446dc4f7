package automation

import (
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// A refresh reads a ManagedCluster back with every pool in
// agentPoolProfiles, the pools the stack manages as AgentPool resources
// too (pulumi/pulumi-azure-native#2719; agentpools.go says how Refresh
// keeps them out of the state). A preview or an update that refreshes first
// (Drift, a preview saving a plan, Up with a plan or Refresh) does so in
// the same run, so its refresh reports those entries as if added outside
// Pulumi, and its plan removes them from the cluster's inputs again: an
// update of the cluster that changes nothing in Azure (a cluster PUT keeps
// the pools it does not name, #579, #1686). The recorder notes which
// agentPoolProfiles entries of a cluster's diffs are such pools, and the
// results leave them out: they are neither drift nor a change to review.

var poolEntryRE = regexp.MustCompile(`^agentPoolProfiles\[\d+\]$`)

// notePools records, from one step event, the pools managed as AgentPool
// resources and a cluster's agentPoolProfiles entries that name a pool.
// The caller holds r.mu.
func (r *recorder) notePools(m apitype.StepEventMetadata) {
	inputs := func(s *apitype.StepEventStateMetadata) map[string]any {
		if s == nil {
			return nil
		}
		return s.Inputs
	}
	olds, news := inputs(m.Old), inputs(m.New)
	step := result.Step{Type: m.Type}
	switch {
	case step.IsAgentPool():
		for _, in := range []map[string]any{olds, news} {
			if in != nil {
				if r.managedPools == nil {
					r.managedPools = map[string]bool{}
				}
				r.managedPools[poolKey(in["resourceGroupName"], in["resourceName"], in["agentPoolName"])] = true
			}
		}
	case step.IsManagedCluster():
		for path := range m.DetailedDiff {
			if !poolEntryRE.MatchString(path) {
				continue
			}
			for _, in := range []map[string]any{news, olds} {
				v, ok := lookup(in, path)
				entry, _ := v.(map[string]any)
				if !ok || entry == nil {
					continue
				}
				if r.poolEntries == nil {
					r.poolEntries = map[string]map[string]string{}
				}
				if r.poolEntries[m.URN] == nil {
					r.poolEntries[m.URN] = map[string]string{}
				}
				r.poolEntries[m.URN][path] = poolKey(in["resourceGroupName"], in["resourceName"], entry["name"])
				break
			}
		}
	}
}

// managedPoolEntry reports whether a diff of a cluster is the
// agentPoolProfiles entry of a pool managed as an AgentPool resource.
// The caller holds r.mu.
func (r *recorder) managedPoolEntry(urn string, d result.PropertyDiff) bool {
	key, ok := r.poolEntries[urn][d.Path]
	return ok && r.managedPools[key]
}

// withoutPoolEntries leaves the managed pools' entries out of the drift
// and, for a preview, out of the planned steps: a cluster update that has
// nothing else is shown as same, and the counts follow.
func (r *recorder) withoutPoolEntries(res *result.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.poolEntries) == 0 {
		return
	}
	keep := func(urn string, diffs []result.PropertyDiff) []result.PropertyDiff {
		var out []result.PropertyDiff
		for _, d := range diffs {
			if !r.managedPoolEntry(urn, d) {
				out = append(out, d)
			}
		}
		return out
	}
	var drift []result.Drift
	for _, d := range res.Drift {
		if !d.Deleted && len(d.Diffs) > 0 {
			if d.Diffs = keep(d.URN, d.Diffs); len(d.Diffs) == 0 {
				continue // nothing but the pools' entries: no drift
			}
		}
		drift = append(drift, d)
	}
	res.Drift = drift
	if res.Kind != result.KindPreview && res.Kind != result.KindDrift {
		return // what an update did is reported as it happened
	}
	for i := range res.Steps {
		s := &res.Steps[i]
		if !s.IsManagedCluster() || s.Op != result.OpUpdate || len(s.Diffs) == 0 {
			continue
		}
		s.Diffs = keep(s.URN, s.Diffs)
		if len(s.Diffs) == 0 && res.Changes[result.OpUpdate] > 0 {
			s.Op = result.OpSame
			res.Changes[result.OpUpdate]--
			res.Changes[result.OpSame]++
			if res.Changes[result.OpUpdate] == 0 {
				delete(res.Changes, result.OpUpdate)
			}
		}
	}
}
