package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// A ManagedCluster read back from ARM lists every agent pool in
// agentPoolProfiles, including the pools the stack manages as AgentPool
// resources, and azure-native's refresh carries what changed in the outputs
// into the inputs (pulumi/pulumi-azure-native#2719; provider.go Read and
// applyDiff). After a refresh the cluster's recorded inputs would then list
// the user pools, and the next preview would plan an update of the cluster
// that deletes them from agentPoolProfiles.
//
// Neither component option fixes it: ignoreChanges on agentPoolProfiles
// would also freeze the system pool (its count, labels, taints, surge and
// Kubernetes version) and send stale pool lists to ARM after a pool is
// removed ("A new agent pool was introduced", the failure #2719 reports);
// ignoreChanges on array indexes cannot add or remove elements (Pulumi's
// PropertyPath.Reset). So after a refresh the Engine removes, from each
// ManagedCluster's recorded inputs, the agentPoolProfiles entries of pools
// the same stack manages as AgentPool resources. That changes nothing ARM
// sees: a cluster PUT leaves a pool it does not name as it is
// (pulumi/pulumi-azure-native#579, #1686), and these pools are the
// AgentPool resources' to change. The outputs stay as ARM reported them, so
// the next refresh reads no change. A plain `pulumi refresh` outside the
// Engine still records the entries; the preview then plans a harmless
// cluster update that removes them from the inputs.

// dropManagedPools removes the AgentPool-managed entries from the
// ManagedClusters' recorded agentPoolProfiles, when a refresh touched a
// cluster. It returns how many entries it removed.
func (e *Engine) dropManagedPools(ctx context.Context, st *auto.Stack, refreshed *result.Result) (int, error) {
	touched := false
	for _, s := range refreshed.Steps {
		if s.IsManagedCluster() && s.Op != result.OpSame {
			touched = true
		}
	}
	if !touched {
		return 0, nil
	}
	state, err := st.Export(ctx)
	if err != nil {
		return 0, e.classify(ctx, "export", st.Name(), err, nil)
	}
	var deployment map[string]json.RawMessage
	if err := json.Unmarshal(state.Deployment, &deployment); err != nil {
		return 0, fmt.Errorf("stack %s: reading its state: %w", st.Name(), err)
	}
	var resources []map[string]any
	if raw, ok := deployment["resources"]; ok {
		if err := json.Unmarshal(raw, &resources); err != nil {
			return 0, fmt.Errorf("stack %s: reading its resources: %w", st.Name(), err)
		}
	}
	removed := dropManagedPoolEntries(resources)
	if removed == 0 {
		return 0, nil
	}
	raw, err := json.Marshal(resources)
	if err != nil {
		return 0, err
	}
	deployment["resources"] = raw
	if state.Deployment, err = json.Marshal(deployment); err != nil {
		return 0, err
	}
	if err := st.Import(ctx, state); err != nil {
		return 0, e.classify(ctx, "import", st.Name(), err, nil)
	}
	return removed, nil
}

// dropManagedPoolEntries edits checkpoint resources in place: for every
// ManagedCluster, the agentPoolProfiles entries of its inputs that name an
// AgentPool resource of the same cluster (resource group and cluster name,
// case-insensitively, as ARM compares them) are removed.
func dropManagedPoolEntries(resources []map[string]any) int {
	managed := map[string]bool{} // "<rg>/<cluster>/<pool>", lower-cased
	for _, r := range resources {
		typ, _ := r["type"].(string)
		in, _ := r["inputs"].(map[string]any)
		if in == nil || !(result.Step{Type: typ}).IsAgentPool() {
			continue
		}
		managed[poolKey(in["resourceGroupName"], in["resourceName"], in["agentPoolName"])] = true
	}
	removed := 0
	for _, r := range resources {
		typ, _ := r["type"].(string)
		in, _ := r["inputs"].(map[string]any)
		if in == nil || !(result.Step{Type: typ}).IsManagedCluster() {
			continue
		}
		pools, ok := in["agentPoolProfiles"].([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(pools))
		for _, p := range pools {
			pm, _ := p.(map[string]any)
			if pm != nil && managed[poolKey(in["resourceGroupName"], in["resourceName"], pm["name"])] {
				removed++
				continue
			}
			kept = append(kept, p)
		}
		in["agentPoolProfiles"] = kept
	}
	return removed
}

func poolKey(rg, cluster, pool any) string {
	s := func(v any) string { x, _ := v.(string); return strings.ToLower(x) }
	return s(rg) + "/" + s(cluster) + "/" + s(pool)
}
