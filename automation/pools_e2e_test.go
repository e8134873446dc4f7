package automation_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// AKS runs one operation at a time on a cluster and its agent pools
// (409 OperationNotAllowed otherwise: cilium/cilium#25944, Azure/AKS#1913),
// so the Cluster chains its user pools. With operations that take long
// enough to overlap, an up creates the pools one after the other, an update
// of every pool updates them one after the other, and a destroy deletes
// them in reverse. Without the chain the up fails with OperationNotAllowed.
func TestE2EPoolOperationsAreSerial(t *testing.T) {
	slow := 400 * time.Millisecond
	h := newHarness(t, harnessOptions{Sim: azuresim.Options{Latency: map[azuresim.OpKey]time.Duration{
		{Type: "AgentPool"}: slow,
	}}})
	ctx := t.Context()
	c := referenceSpec("serial")
	step := stepTimer(t)

	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err, "the pools are created one at a time")
	creates := poolOps(h.sim, azuresim.OpCreate)
	require.Len(t, creates, 2)
	assertSerial(t, creates)
	assert.Equal(t, []string{"apps", "batch"}, opPools(creates), "in the spec's order")
	step("up")

	// Labels on both pools: two updates, serial.
	for i := range c.UserPools {
		c.UserPools[i].Labels = map[string]string{"tier": "x"}
	}
	h.sim.ResetStats()
	_, err = h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err, "the pools are updated one at a time")
	updates := poolOps(h.sim, azuresim.OpUpdate)
	require.Len(t, updates, 2)
	assertSerial(t, updates)
	step("update both pools")

	h.sim.ResetStats()
	_, err = h.eng.Destroy(ctx, "dev", DestroyOptions{})
	require.NoError(t, err, "the pools are deleted one at a time")
	deletes := poolOps(h.sim, azuresim.OpDelete)
	require.Len(t, deletes, 2)
	assertSerial(t, deletes)
	assert.Equal(t, []string{"batch", "apps"}, opPools(deletes), "in reverse")
	step("destroy")
}

// poolOps are the recorded agent pool operations of one kind, by start.
func poolOps(sim *azuresim.Simulator, op azuresim.Op) []azuresim.Operation {
	var out []azuresim.Operation
	for _, o := range sim.Operations() {
		if o.Type == typeAgentPool && o.Op == op {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func opPools(ops []azuresim.Operation) []string {
	var out []string
	for _, o := range ops {
		out = append(out, o.ID[strings.LastIndex(o.ID, "/")+1:])
	}
	return out
}

// assertSerial checks that each operation started after the one before ended.
func assertSerial(t *testing.T, ops []azuresim.Operation) {
	t.Helper()
	for i := 1; i < len(ops); i++ {
		assert.False(t, ops[i].Start.Before(ops[i-1].End), "%s started at %s, before %s ended at %s",
			ops[i].ID, ops[i].Start.Format(time.StampMilli), ops[i-1].ID, ops[i-1].End.Format(time.StampMilli))
		assert.Empty(t, ops[i].Err)
	}
}

// slowARMUpdate PUTs the cluster as it is through the simulator's ARM front
// end (the Azure SDK for Go), as an in-place change through ARM would; the
// operation holds the cluster for its latency.
func slowARMUpdate(ctx context.Context, sim *azuresim.Simulator, c spec.Cluster) error {
	client, err := acs.NewManagedClustersClient(azuresim.DefaultSubscriptionID, &azfake.TokenCredential{},
		&arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: sim.ARMTransport()}})
	if err != nil {
		return err
	}
	mc, err := client.Get(ctx, c.ResourceGroup.Name, c.Name, nil)
	if err != nil {
		return err
	}
	poller, err := client.BeginCreateOrUpdate(ctx, c.ResourceGroup.Name, c.Name, mc.ManagedCluster, nil)
	if err != nil {
		return err
	}
	_, err = poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Millisecond})
	return err
}

// A timeout after ARM accepted a create: the pool exists in Azure, the
// engine records it as created with an initialization error (azure-native's
// partial failure), the Up fails, and the rerun updates it instead of
// creating it again ("cannot create already existing resource").
func TestE2ETimeoutAfterARMAcceptedIsRecorded(t *testing.T) {
	h := newHarness(t, harnessOptions{Sim: azuresim.Options{Faults: []azuresim.Fault{
		{Type: "AgentPool", Op: azuresim.OpCreate, Kind: azuresim.FaultTimeout},
	}}})
	ctx := t.Context()
	c := referenceSpec("timeout")

	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	var failed *EngineError
	require.ErrorAs(t, err, &failed)
	assert.Contains(t, failed.Message, "timed out")
	assert.Equal(t, 1, simTypes(h.sim)["AgentPool"], "ARM finished the timed-out create")

	pre, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	apps := stepOf(pre, "pool-apps")
	require.NotNil(t, apps)
	assert.Equal(t, "update", string(apps.Op), "the engine recorded the pool; its initialization error makes the next up update it")
	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err, "the rerun converges")
	assert.Zero(t, up.Changes["replace"], up.ChangeSummary())
	assert.Equal(t, 2, simTypes(h.sim)["AgentPool"])
	noop, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, noop.HasChanges(), noop.ChangeSummary())
}
