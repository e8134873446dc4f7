package automation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aks-cilium/aks-cilium/automation/result"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/prcomment"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// referenceCreates is what a first preview of the reference spec plans:
// the stack, Platform, Network and Cluster components, the resource group,
// VNet, ManagedCluster, two AgentPools, the Network Contributor role
// assignment on the node subnet and the Kubernetes provider.
const referenceCreates = 11

const (
	typeManagedCluster = "azure-native:containerservice/v20241001:ManagedCluster"
	typeAgentPool      = "azure-native:containerservice/v20241001:AgentPool"
)

func clusterID(c spec.Cluster) string {
	return "/subscriptions/" + azuresim.DefaultSubscriptionID + "/resourceGroups/" + c.ResourceGroup.Name +
		"/providers/Microsoft.ContainerService/managedClusters/" + c.Name
}

// The demo sequence: preview, up, no-op preview, an in-place change with its
// diff and PR comment, a replacing change refused by the guardrail with
// nothing touched in (simulated) Azure, destroy.
func TestE2ELifecycle(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("e2e")
	step := stepTimer(t)
	procs := h.eng.CLI().Processes() // the CLI is shared by every test of the binary

	pre, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err, "first preview")
	assert.Equal(t, referenceCreates, pre.Changes["create"], pre.ChangeSummary())
	assert.Equal(t, result.KindPreview, pre.Kind)
	assert.Empty(t, h.sim.Resources(), "a preview creates nothing")
	assert.Zero(t, h.sim.CallCount("", ""), "a preview makes no ARM call")
	for _, name := range []string{"platform-network-rg", "platform-network-vnet", "platform-cluster-aks", "platform-cluster-pool-apps", "platform-cluster-pool-batch"} {
		s := stepOf(pre, name)
		if assert.NotNil(t, s, name) {
			assert.Equal(t, result.OpCreate, s.Op, name)
		}
	}
	step("preview")

	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err, "up")
	assert.Equal(t, referenceCreates, up.Changes["create"], up.ChangeSummary())
	assert.Equal(t, clusterID(c), up.Outputs["clusterId"].Value, "an ARM ID in the simulated subscription")
	assert.Regexp(t, `^e2e-[0-9a-f]{8}\.hcp\.westeurope\.azmk8s\.io$`, up.Outputs["fqdn"].Value)
	assert.Equal(t, "overlay", up.Outputs["ipMode"].Value)
	assert.Equal(t, "1.17.9", up.Outputs["minCiliumVersion"].Value, "Kubernetes 1.32: the higher of the guide and the AKS docs")
	assert.Equal(t, result.Output{Value: "[secret]", Secret: true}, up.Outputs["kubeconfig"], "the kubeconfig is masked")
	assert.Equal(t, map[string]int{"ResourceGroup": 1, "VirtualNetwork": 1, "ManagedCluster": 1, "AgentPool": 2, "RoleAssignment": 1}, simTypes(h.sim))
	mc, ok := h.sim.Get(clusterID(c))
	require.True(t, ok)
	profile := mc.Outputs["networkProfile"].(map[string]any)
	assert.Equal(t, "cilium", profile["networkDataplane"])
	assert.Equal(t, "cilium", profile["networkPolicy"])
	assert.Equal(t, "overlay", profile["networkPluginMode"])
	outs, err := h.eng.Outputs(ctx, "dev")
	require.NoError(t, err)
	assert.Equal(t, up.Outputs, outs, "Outputs reads the same, kubeconfig masked")
	step("up")

	noop, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, noop.HasChanges(), noop.ChangeSummary())
	assert.Equal(t, "no changes", noop.ChangeSummary())
	step("no-op preview")

	// An in-place change: the apps pool's autoscaler maximum and a tag.
	changed := c
	changed.UserPools = append([]spec.NodePool(nil), c.UserPools...)
	changed.UserPools[0].Autoscale = &spec.Autoscale{Min: 1, Max: 8}
	changed.Tags = map[string]string{"environment": "staging"}
	diff, err := h.eng.Preview(ctx, "dev", changed, PreviewOptions{})
	require.NoError(t, err)
	assert.True(t, diff.HasChanges())
	assert.Zero(t, diff.Changes["replace"], "in place, no replacement")
	assert.Contains(t, diff.ChangeSummary(), "update")
	pool := stepOf(diff, "platform-cluster-pool-apps")
	require.NotNil(t, pool)
	assert.Equal(t, result.OpUpdate, pool.Op)
	assert.Contains(t, pool.Diffs, result.PropertyDiff{Path: "maxCount", Kind: "update", Old: "5", New: "8"})
	cluster := stepOf(diff, "platform-cluster-aks")
	require.NotNil(t, cluster)
	assert.Equal(t, result.OpUpdate, cluster.Op)
	assert.Contains(t, cluster.Diffs, result.PropertyDiff{Path: "tags.environment", Kind: "update", Old: `"test"`, New: `"staging"`})
	md := prcomment.Render(diff, prcomment.Options{Title: "Raise the apps pool maximum"})
	assert.True(t, strings.HasPrefix(md, "<!-- aks-cilium:preview"), "the marker comes first")
	assert.Contains(t, md, "platform-cluster-pool-apps")
	assert.Contains(t, md, "maxCount")
	assert.Contains(t, md, "staging")
	assert.NotContains(t, md, "[!CAUTION]", "nothing is replaced")
	step("preview of an in-place change, PR comment")

	up, err = h.eng.Up(ctx, "dev", changed, UpOptions{})
	require.NoError(t, err, "the in-place change applies")
	assert.Zero(t, up.Changes["replace"])
	apps, ok := h.sim.Get(clusterID(c) + "/agentPools/apps")
	require.True(t, ok)
	assert.EqualValues(t, 8, apps.Inputs["maxCount"])
	step("up of the in-place change")

	// A replacing change: a new pod CIDR in overlay mode. azure-native
	// v2.88.0 replaces the cluster on any update under networkProfile and
	// names the full path; the guardrail refuses it and nothing in Azure is
	// touched.
	replacing := changed
	replacing.Network.Mode = spec.Overlay{PodCIDR: "172.16.0.0/16"}
	rep, err := h.eng.Preview(ctx, "dev", replacing, PreviewOptions{})
	require.NoError(t, err)
	cluster = stepOf(rep, "platform-cluster-aks")
	require.NotNil(t, cluster)
	assert.True(t, cluster.Replaces(), "the preview plans a replacement: %s", rep.ChangeSummary())
	assert.Equal(t, []string{"networkProfile.podCidr"}, cluster.ReplaceKeys)
	assert.Contains(t, cluster.Diffs, result.PropertyDiff{Path: "networkProfile.podCidr", Kind: "update-replace", Old: `"192.168.0.0/16"`, New: `"172.16.0.0/16"`})
	md = prcomment.Render(rep, prcomment.Options{})
	assert.Contains(t, md, "[!CAUTION]", "a replaced cluster is a prominent warning")
	assert.Contains(t, md, "networkProfile")

	// Up refuses it before any pulumi process runs (spec.ValidateUpdate
	// against the spec of the last up); the preview guardrail stays behind it
	// (TestMigrationLeavesNoReplacement shows it refusing a replacement
	// the spec does not see).
	before := h.sim.Resources()
	h.sim.ResetStats()
	started := h.eng.CLI().Processes()
	_, err = h.eng.Up(ctx, "dev", replacing, UpOptions{})
	var invalid *InvalidSpecError
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, []spec.Code{spec.CodePodCIDRChanged}, invalid.Codes())
	assert.Equal(t, "network.mode.overlay.podCidr", invalid.Errs[0].Field)
	assert.True(t, spec.Replaceable(invalid.Errs[0]), "a replacement of the cluster is the valid path")
	assert.Contains(t, err.Error(), `Invalid value: "172.16.0.0/16": [SPEC506] cannot change from "192.168.0.0/16"`)
	assert.Contains(t, err.Error(), "AllowReplace")
	assert.Equal(t, started, h.eng.CLI().Processes(), "refused before any pulumi process")
	assert.Zero(t, h.sim.CallCount("", azuresim.OpCreate)+h.sim.CallCount("", azuresim.OpUpdate)+h.sim.CallCount("", azuresim.OpDelete),
		"the refused Up wrote nothing to Azure")
	assert.Equal(t, before, h.sim.Resources(), "the simulated Azure is unchanged")
	still, err := h.eng.Preview(ctx, "dev", changed, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, still.HasChanges(), "the stack still matches the last applied spec")
	step("replacing change refused")

	des, err := h.eng.Destroy(ctx, "dev", DestroyOptions{})
	require.NoError(t, err)
	assert.Equal(t, referenceCreates, des.Changes["delete"], des.ChangeSummary())
	assert.Empty(t, h.sim.Resources(), "destroy empties the simulated Azure")
	require.NoError(t, h.eng.Remove(ctx, "dev"))
	step("destroy")

	t.Logf("pulumi processes for the whole sequence: %d", h.eng.CLI().Processes()-procs)
}

// Changing the system pool's VM size is an update azure-native plans and ARM
// refuses halfway through an up (PropertyChangeNotAllowed). The Engine
// refuses it with its rule code before any pulumi process starts, whether
// or not replacements are allowed (no replacement makes it valid), and in a
// preview too; the change that is possible, a new user pool, goes through.
func TestE2EImmutableChangeRefusedBeforeAnyProcess(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("imm")
	_, err := h.eng.Up(ctx, "imm", c, UpOptions{})
	require.NoError(t, err)

	resized := c
	resized.SystemPool.VMSize = "Standard_D8ds_v5"
	resized.UserPools = append([]spec.NodePool(nil), c.UserPools...)
	resized.UserPools[1].MaxPods = 110 // batch: max pods is set at creation too
	procs := h.eng.CLI().Processes()
	h.sim.ResetStats()
	for _, run := range []func() error{
		func() error { _, err := h.eng.Up(ctx, "imm", resized, UpOptions{}); return err },
		func() error { _, err := h.eng.Up(ctx, "imm", resized, UpOptions{AllowReplace: true}); return err },
		func() error { _, err := h.eng.Preview(ctx, "imm", resized, PreviewOptions{}); return err },
	} {
		err := run()
		var invalid *InvalidSpecError
		require.ErrorAs(t, err, &invalid)
		assert.Equal(t, "imm", invalid.Stack)
		assert.Equal(t, []spec.Code{spec.CodeSystemVMSizeChanged, spec.CodeMaxPodsChanged}, invalid.Codes())
		assert.Equal(t, "systemPool.vmSize", invalid.Errs[0].Field)
		assert.Contains(t, err.Error(), `systemPool.vmSize: Invalid value: "Standard_D8ds_v5": [SPEC510] cannot change from "Standard_D4ds_v5"`)
		assert.Contains(t, err.Error(), "userPools[1].maxPods")
		var inv *spec.InvalidError
		assert.ErrorAs(t, err, &inv, "the automation error unwraps to the spec's")
	}
	assert.Equal(t, procs, h.eng.CLI().Processes(), "no pulumi process ran")
	assert.Zero(t, h.sim.CallCount("", ""), "no ARM call")

	// What can change does: a new pool with the bigger size.
	grown := c
	grown.UserPools = append(append([]spec.NodePool(nil), c.UserPools...),
		spec.NodePool{Name: "big", VMSize: "Standard_D8ds_v5", Count: 1})
	up, err := h.eng.Up(ctx, "imm", grown, UpOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, up.Changes["create"], up.ChangeSummary())
}

// lockFiles lists the stack's lock files in the Engine's file backend.
func lockFiles(t testing.TB, eng *Engine, stack string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(eng.StateDir(), ".pulumi", "locks", "*", DefaultProject, stack, "*.json"))
	require.NoError(t, err)
	return files
}

// cancelWhen cancels ctx once ready reports true (polled every 20 ms).
func cancelWhen(ctx context.Context, cancel context.CancelFunc, ready func() bool) {
	go func() {
		for ctx.Err() == nil {
			if ready() {
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
}

// rgAndVNetExist reports whether the simulated Azure holds a resource group
// and a VNet (and so the cluster's create is the next step).
func rgAndVNetExist(sim *azuresim.Simulator) bool {
	n := simTypes(sim)
	return n["ResourceGroup"] == 1 && n["VirtualNetwork"] == 1
}

// Cancelling an Up halfway, while the ManagedCluster is being created.
// Pulumi is interrupted; it waits for the operations in flight for up to
// 10 s (the Automation API's grace period) and is then killed. In both
// cases the caller gets a *CancelledError, the stack is unlocked, and a
// rerun converges with nothing lost. When pulumi was killed, ARM goes on
// with the cluster's create: the rerun imports the cluster, waits until
// AKS has finished it (AKS refuses its pools meanwhile) and creates it
// only once.
func TestE2ECancelUp(t *testing.T) {
	for _, tc := range []struct {
		name    string
		latency time.Duration // of the ManagedCluster create
		killed  bool          // pulumi outlives the grace period and is killed
	}{
		{"graceful", 1500 * time.Millisecond, false},
		{"killed after the grace period", time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "engine")
			state := filepath.Join(dir, "azure-simulator.json")
			h := newHarness(t, harnessOptions{Dir: dir, Sim: azuresim.Options{StateFile: state,
				Latency: map[azuresim.OpKey]time.Duration{{Type: "ManagedCluster", Op: azuresim.OpCreate}: tc.latency}}})
			c := referenceSpec("cancel")
			step := stepTimer(t)

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			// Cancel while the cluster's create is in flight (its first
			// ARM call has started; the resource group and VNet exist).
			cancelWhen(ctx, cancel, func() bool { return h.sim.CallCount("ManagedCluster", azuresim.OpCreate) > 0 })
			_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
			var cancelled *CancelledError
			require.ErrorAs(t, err, &cancelled)
			assert.Equal(t, "up", cancelled.Operation)
			assert.True(t, rgAndVNetExist(h.sim), "the resource group and VNet were created before the cancel")
			assert.ErrorIs(t, err, context.Canceled)
			if tc.killed {
				assert.Equal(t, 1, cancelled.LocksRemoved, "pulumi was killed holding the lock; the Engine removed it")
				mc, ok := h.sim.Get(clusterID(c))
				require.True(t, ok, "ARM goes on with the create the killed pulumi started")
				assert.Equal(t, "Creating", mc.Outputs["provisioningState"])
			} else {
				assert.Zero(t, cancelled.LocksRemoved, "pulumi released its lock itself")
				assert.Equal(t, 1, simTypes(h.sim)["ManagedCluster"], "the create in flight finished")
			}
			assert.Zero(t, simTypes(h.sim)["AgentPool"], "nothing was started after the cancel")
			assert.Empty(t, lockFiles(t, h.eng, "dev"), "the stack is unlocked")
			assert.Equal(t, tc.killed, strings.Contains(checkpointText(t, h.eng, "dev"), `"pending_operations"`),
				"only a killed pulumi leaves the cluster's create pending")
			step("up cancelled")

			// The same folder and simulated Azure, without the latency.
			h.sim.Stop()
			h2 := newHarness(t, harnessOptions{Dir: dir, Sim: azuresim.Options{StateFile: state}})
			pre, err := h2.eng.Preview(t.Context(), "dev", c, PreviewOptions{})
			require.NoError(t, err, "a preview works right after")
			assert.True(t, pre.HasChanges())
			assert.Equal(t, result.OpSame, stepOf(pre, "platform-network-vnet").Op, "the VNet created before the cancel is in the state")
			// When pulumi was killed, AKS finishes the create (its minute is
			// skipped) once the rerun says it waits for it.
			finished := h2.finishWhenWaiting(t.Context(), "platform-cluster-aks (Creating)")
			up, err := h2.eng.Up(t.Context(), "dev", c, UpOptions{})
			waited := finished()
			if tc.killed {
				require.NoError(t, waited, "the rerun waited for the cluster")
			} else {
				require.ErrorIs(t, waited, context.Canceled, "nothing to wait for after a graceful cancel")
			}
			require.NoError(t, err, "a rerun converges")
			assert.NotContains(t, checkpointText(t, h2.eng, "dev"), `"pending_operations"`, "and leaves nothing pending")
			if tc.killed {
				var said []string
				for _, d := range up.Diagnostics {
					said = append(said, d.Message)
				}
				assert.Contains(t, said, "imported platform-cluster-aks: its create had gone on in Azure ("+clusterID(c)+")")
				assert.True(t, slices.ContainsFunc(said, func(m string) bool {
					return strings.HasPrefix(m, "waited ") && strings.HasSuffix(m, " for Azure to finish what the earlier run started: platform-cluster-aks (Creating)")
				}), "the rerun says it waited: %q", said)
				assert.Zero(t, h2.sim.CallCount("ManagedCluster", azuresim.OpCreate), "the cluster is created once, by the killed run's request")
			}
			assert.Zero(t, up.Changes["replace"]+up.Changes["delete"], up.ChangeSummary())
			assert.Equal(t, map[string]int{"ResourceGroup": 1, "VirtualNetwork": 1, "ManagedCluster": 1, "AgentPool": 2, "RoleAssignment": 1}, simTypes(h2.sim))
			noop, err := h2.eng.Preview(t.Context(), "dev", c, PreviewOptions{})
			require.NoError(t, err)
			assert.False(t, noop.HasChanges(), noop.ChangeSummary())
			step("rerun converged")
		})
	}
}

// Two Ups of one stack at once, from two Engines on the same folder and
// backend: the first holds the stack's lock, the second gets a
// *ConcurrentUpdateError and changes nothing.
func TestE2EConcurrentUps(t *testing.T) {
	h := newHarness(t, harnessOptions{Sim: azuresim.Options{
		Latency: map[azuresim.OpKey]time.Duration{{Type: "ManagedCluster", Op: azuresim.OpCreate}: 4 * time.Second}}})
	other, err := New(Options{Now: testNow, Dir: h.dir, Passphrase: "e2e-passphrase", CLI: h.eng.CLI(), PulumiHome: filepath.Join(h.dir, "home"), Env: h.env})
	require.NoError(t, err)
	c := referenceSpec("concurrent")
	ctx := t.Context()
	_, err = h.eng.Preview(ctx, "dev", c, PreviewOptions{}) // the stack exists before the race
	require.NoError(t, err)
	_, err = other.Preview(ctx, "dev", c, PreviewOptions{}) // and the second Engine's workspace: its Up starts pulumi at once
	require.NoError(t, err)

	var first error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, first = h.eng.Up(ctx, "dev", c, UpOptions{})
	}()
	// The second Up starts once the first's update holds the lock: an Up
	// previews first (the replacement guardrail) and the preview holds the
	// lock too, so wait for the update's first create; the cluster's create
	// then keeps the lock held for seconds.
	require.Eventually(t, func() bool {
		return h.sim.CallCount("ResourceGroup", azuresim.OpCreate) > 0 && len(lockFiles(t, h.eng, "dev")) > 0
	}, time.Minute, 10*time.Millisecond)
	_, second := other.Up(ctx, "dev", c, UpOptions{})
	wg.Wait()

	require.NoError(t, first, "the first Up succeeds")
	var busy *ConcurrentUpdateError
	require.ErrorAs(t, second, &busy, "the second Up is refused: %v", second)
	assert.Equal(t, "dev", busy.Stack)
	assert.Equal(t, 1, h.sim.CallCount("ManagedCluster", azuresim.OpCreate), "only the first Up created the cluster")
	assert.Empty(t, lockFiles(t, h.eng, "dev"))

	for _, eng := range []*Engine{h.eng, other} {
		noop, err := eng.Preview(ctx, "dev", c, PreviewOptions{})
		require.NoError(t, err)
		assert.False(t, noop.HasChanges(), "the state is intact: %s", noop.ChangeSummary())
	}
	up, err := other.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err, "the second Engine's retry succeeds")
	assert.False(t, up.HasChanges(), up.ChangeSummary())
}

// Injected ARM faults: 429, 500 and 409 AnotherOperationInProgress are
// retried as azure-native does and the Up succeeds; AKS's 409
// OperationNotAllowed (the cluster is busy with an update started through
// ARM) fails the operation with an *EngineError carrying the ARM code, and
// a rerun converges.
func TestE2EFaults(t *testing.T) {
	h := newHarness(t, harnessOptions{Sim: azuresim.Options{Faults: []azuresim.Fault{
		{Type: "ManagedCluster", Op: azuresim.OpCreate, Kind: azuresim.FaultTooManyRequests, Times: 2},
		{Type: "AgentPool", Op: azuresim.OpCreate, Kind: azuresim.FaultInternalServerError, Times: 2},
	}, Latency: map[azuresim.OpKey]time.Duration{{Type: "ManagedCluster", Op: azuresim.OpUpdate}: 5 * time.Second}}})
	ctx := t.Context()
	c := referenceSpec("faults")

	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err, "429 and 500 are retried")
	assert.Equal(t, referenceCreates, up.Changes["create"])
	assert.Equal(t, 3, h.sim.CallCount("ManagedCluster", azuresim.OpCreate), "two throttled calls, then the create")
	assert.Equal(t, 4, h.sim.CallCount("AgentPool", azuresim.OpCreate), "two pools and two retried 500s")
	creates := 0
	for _, op := range h.sim.Operations() {
		if op.Op == azuresim.OpCreate {
			creates++
		}
	}
	assert.Equal(t, referenceResources, creates, "one create operation per resource, retries inside it")
	assert.Greater(t, h.sim.CallCount("", azuresim.OpCreate), creates, "retries are calls within operations")
	assert.Empty(t, h.sim.Faults(), "every fault was used")

	changed := c
	changed.Tags = map[string]string{"environment": "prod"}
	// A 409 AnotherOperationInProgress is retried inside the provider.
	h.sim.InjectFault(azuresim.Fault{Type: "ManagedCluster", Op: azuresim.OpUpdate, Kind: azuresim.FaultAnotherOperationInProgress})
	_, err = h.eng.Up(ctx, "dev", changed, UpOptions{})
	require.NoError(t, err, "409 AnotherOperationInProgress is retried")
	assert.Equal(t, 2, h.sim.CallCount("ManagedCluster", azuresim.OpUpdate), "the 409, then the update")

	// AKS's 409 OperationNotAllowed is not: the cluster is busy with an
	// update someone started through ARM (as migrate does).
	changed.Tags = map[string]string{"environment": "staging"}
	h.sim.ResetStats()
	armDone := make(chan error, 1)
	go func() { armDone <- slowARMUpdate(ctx, h.sim, c) }()
	require.Eventually(t, func() bool {
		mc, ok := h.sim.Get(clusterID(c))
		return ok && mc.Outputs["provisioningState"] == "Updating"
	}, time.Minute, 5*time.Millisecond, "the ARM update is running")
	_, err = h.eng.Up(ctx, "dev", changed, UpOptions{})
	var failed *EngineError
	require.ErrorAs(t, err, &failed)
	assert.Equal(t, "up", failed.Operation)
	assert.Contains(t, failed.Message, `Status=409 Code="OperationNotAllowed"`)
	assert.Contains(t, failed.Message, "Another operation (Updating) is in progress")
	mc := stepOf(&result.Result{Steps: failed.Steps}, "platform-cluster-aks")
	require.NotNil(t, mc)
	assert.True(t, mc.Failed, "the cluster's step is marked failed")
	assert.Equal(t, 1, h.sim.CallCount("ManagedCluster", azuresim.OpUpdate)-1, "OperationNotAllowed is not retried (one ARM, one engine update)")
	assert.Empty(t, lockFiles(t, h.eng, "dev"))
	require.NoError(t, <-armDone)

	up, err = h.eng.Up(ctx, "dev", changed, UpOptions{})
	require.NoError(t, err, "a rerun converges")
	assert.True(t, up.HasChanges())
	cluster, _ := h.sim.Get(clusterID(c))
	assert.Equal(t, "staging", cluster.Inputs["tags"].(map[string]any)["environment"])
	noop, err := h.eng.Preview(ctx, "dev", changed, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, noop.HasChanges(), noop.ChangeSummary())
}

// Secrets (the passphrase and the kubeconfig, both carrying a canary)
// never appear in the state files, the progress output, diagnostics,
// errors, Result JSON or the PR comment.
func TestE2ESecretsNeverLeak(t *testing.T) {
	canary := fmt.Sprintf("canary%x", time.Now().UnixNano())
	passphrase := "pass-" + canary
	server := "https://kube-" + canary + ".example:6443"
	h := newHarness(t, harnessOptions{Passphrase: passphrase, Sim: azuresim.Options{
		KubeconfigServer: &azuresim.KubeconfigServer{URL: server}}})
	ctx := t.Context()
	c := referenceSpec("secrets")
	var shown []string // every text the Engine gave back
	record := func(r *result.Result, err error) {
		t.Helper()
		if r != nil {
			data, jerr := json.Marshal(r)
			require.NoError(t, jerr)
			shown = append(shown, string(data), prcomment.Render(r, prcomment.Options{}))
		}
		if err != nil {
			data, _ := json.Marshal(err)
			shown = append(shown, err.Error(), fmt.Sprintf("%+v", err), string(data))
		}
	}

	record(h.eng.Preview(ctx, "dev", c, PreviewOptions{}))
	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	record(up, nil)

	// The canary really is in the kubeconfig (so its absence elsewhere
	// means something): the caller who asks for it gets the plaintext.
	kubeconfig, err := h.eng.SecretOutput(ctx, "dev", "kubeconfig")
	require.NoError(t, err)
	require.Contains(t, kubeconfig, canary)

	changed := c
	changed.Tags = map[string]string{"environment": "changed"}
	record(h.eng.Preview(ctx, "dev", changed, PreviewOptions{}))
	// A saved plan (kept in the Engine's folder, so the walk below reads it)
	// holds the stack's outputs too, the kubeconfig among them.
	plan := filepath.Join(h.dir, "changed.plan.json")
	record(h.eng.Preview(ctx, "dev", changed, PreviewOptions{SavePlan: plan}))
	require.FileExists(t, plan)
	h.sim.InjectFault(azuresim.Fault{Type: "ManagedCluster", Op: azuresim.OpUpdate, Kind: azuresim.FaultInternalServerError, Times: 4})
	_, err = h.eng.Up(ctx, "dev", changed, UpOptions{})
	require.Error(t, err, "a 500 after the provider's retries fails the update")
	record(nil, err)
	record(h.eng.Up(ctx, "dev", changed, UpOptions{}))
	record(h.eng.Refresh(ctx, "dev", RefreshOptions{}))
	outs, err := h.eng.Outputs(ctx, "dev")
	require.NoError(t, err)
	data, _ := json.Marshal(outs)
	shown = append(shown, string(data))
	replacing := changed
	replacing.Network.Mode = spec.Overlay{PodCIDR: "172.16.0.0/16"}
	_, err = h.eng.Up(ctx, "dev", replacing, UpOptions{})
	require.Error(t, err)
	record(nil, err)
	record(h.eng.Destroy(ctx, "dev", DestroyOptions{}))
	shown = append(shown, h.progress.String())

	for i, text := range shown {
		assert.NotContains(t, text, canary, "output %d leaks the canary:\n%s", i, text)
	}
	// Every file the Engine keeps: the backend's state, history and
	// backups, the stack settings, PULUMI_HOME.
	files := 0
	require.NoError(t, filepath.WalkDir(h.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		assert.NotContains(t, string(data), canary, "%s holds the canary in plain text", path)
		return nil
	}))
	assert.Greater(t, files, 5, "the state, its history and backups were searched")
	info, err := os.Stat(h.dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), "the Engine's folder is private")
}

// Many stacks previewed at once from one process, each in its own
// workspace, with a bounded worker pool.
func TestE2EPreviewFleet(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	var stacks []StackSpec
	for i := range 8 {
		name := fmt.Sprintf("fleet%d", i)
		c := referenceSpec(name)
		if i%2 == 1 {
			c.UserPools = c.UserPools[:1] // a smaller stack: one AgentPool fewer
		}
		stacks = append(stacks, StackSpec{Name: name, Spec: c})
	}
	procs := h.eng.CLI().Processes() // the CLI is shared by every test of the binary
	results := h.eng.PreviewFleet(t.Context(), stacks, 4)
	require.Len(t, results, len(stacks))
	for i, r := range results {
		require.NoError(t, r.Err, r.Stack)
		assert.Equal(t, stacks[i].Name, r.Stack, "results come in the order of the stacks")
		want := referenceCreates
		if i%2 == 1 {
			want--
		}
		assert.Equal(t, want, r.Result.Changes["create"], "%s: %s", r.Stack, r.Result.ChangeSummary())
		assert.FileExists(t, filepath.Join(h.eng.WorkDir(r.Stack), "Pulumi."+r.Stack+".yaml"), "each stack has its own workspace")
	}
	assert.Zero(t, h.sim.CallCount("", ""), "previews reach no ARM")
	md := prcomment.RenderFleet(func() []*result.Result {
		var rs []*result.Result
		for _, r := range results {
			rs = append(rs, r.Result)
		}
		return rs
	}(), prcomment.Options{})
	assert.Contains(t, md, "8 stacks")
	t.Logf("pulumi processes for the first previews of %d stacks: %d", len(stacks), h.eng.CLI().Processes()-procs)

	// Warm, every stack's preview is one pulumi process.
	procs = h.eng.CLI().Processes()
	for _, r := range h.eng.PreviewFleet(t.Context(), stacks, 4) {
		require.NoError(t, r.Err, r.Stack)
	}
	assert.Equal(t, int64(len(stacks)), h.eng.CLI().Processes()-procs, "one pulumi process per warm preview")

	// A bad spec fails its own stack only, before any process runs.
	bad := referenceSpec("bad")
	bad.Network.DNSServiceIP = "10.0.0.0"
	results = h.eng.PreviewFleet(t.Context(), append(stacks[:2:2], StackSpec{Name: "bad", Spec: bad}), 2)
	var invalid *InvalidSpecError
	assert.ErrorAs(t, results[2].Err, &invalid)
	assert.NoError(t, results[0].Err)
	assert.NoError(t, results[1].Err)
}

// The process running an Up is killed (kill -9, with its pulumi process)
// while the ManagedCluster is being created: the stack is left locked with
// a pending operation, and ARM goes on creating the cluster. Recover
// removes the stale lock and, once AKS has finished, imports the cluster
// the pending create made; a rerun converges without creating it again.
func TestE2EKilledUp(t *testing.T) {
	testCLI(t)
	dir := filepath.Join(t.TempDir(), "engine")
	state := filepath.Join(dir, "azure-simulator.json")
	step := stepTimer(t)

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), helperEnv+"=up", "AKS_CILIUM_E2E_DIR="+dir, "AKS_CILIUM_E2E_STATE="+state)
	output := &syncBuffer{}
	child.Stdout, child.Stderr = output, output
	require.NoError(t, child.Start())
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	defer func() {
		_ = child.Process.Kill()
		<-exited
		t.Logf("child output:\n%s", output.String())
	}()

	// Wait until the stack's checkpoint records the cluster's create as
	// pending (its create is in flight, for minutes) and read the pid of
	// the pulumi process from the stack's lock.
	azure := azuresim.New(azuresim.Options{StateFile: state}) // reads the child's simulated Azure
	checkpoint := filepath.Join(dir, "state", ".pulumi", "stacks", DefaultProject, "dev.json")
	var pulumiPID int
	require.Eventually(t, func() bool {
		data, err := os.ReadFile(checkpoint)
		if err != nil || !strings.Contains(string(data), `"pending_operations"`) || !strings.Contains(string(data), "platform-cluster-aks") {
			return false
		}
		locks, _ := filepath.Glob(filepath.Join(dir, "state", ".pulumi", "locks", "*", DefaultProject, "dev", "*.json"))
		if len(locks) != 1 {
			return false
		}
		var lock struct{ Pid int }
		data, err = os.ReadFile(locks[0])
		return err == nil && json.Unmarshal(data, &lock) == nil && lock.Pid > 0 && func() bool { pulumiPID = lock.Pid; return true }()
	}, 2*time.Minute, 20*time.Millisecond, "the child's Up never reached the cluster's create:\n%s", output.String())
	assert.True(t, rgAndVNetExist(azure), "the resource group and VNet exist")
	step("child up in flight")

	// kill -9 the pulumi process, let the child reap it, then kill -9 the
	// child (which holds the inline program and the simulator).
	require.NoError(t, syscall.Kill(pulumiPID, syscall.SIGKILL))
	require.Eventually(t, func() bool {
		_, err := os.Stat(fmt.Sprintf("/proc/%d", pulumiPID))
		return err != nil
	}, 30*time.Second, 10*time.Millisecond, "pulumi (pid %d) is gone", pulumiPID)
	_ = child.Process.Signal(syscall.SIGKILL)
	<-exited
	exited <- nil // for the deferred cleanup
	mc, ok := azure.Get(clusterID(referenceSpec("crash")))
	require.True(t, ok, "ARM goes on with the create of the killed run")
	assert.Equal(t, "Creating", mc.Outputs["provisioningState"])
	step("killed")

	h := newHarness(t, harnessOptions{Dir: dir, Sim: azuresim.Options{StateFile: state}})
	ctx := t.Context()
	c := referenceSpec("crash")
	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	var busy *ConcurrentUpdateError
	require.ErrorAs(t, err, &busy, "the dead run's lock still holds the stack")
	step("up refused: locked")

	// Meanwhile AKS finished the create (the simulated minutes skipped).
	_, err = azure.FinishOperations()
	require.NoError(t, err)
	report, err := h.eng.Recover(ctx, "dev")
	require.NoError(t, err)
	assert.Equal(t, 1, report.LocksRemoved)
	mcURN := "urn:pulumi:dev::" + DefaultProject + "::aks-cilium:index:Platform$aks-cilium:azure:Cluster$" + typeManagedCluster + "::platform-cluster-aks"
	assert.Equal(t, map[string]string{mcURN: "creating"}, report.PendingOperations)
	require.NotNil(t, report.Pending)
	assert.Equal(t, map[string]string{mcURN: clusterID(c)}, report.Pending.Imported, "the cluster the dead run's create made is imported")
	assert.Empty(t, report.Pending.Waited, "AKS had finished: nothing to wait for")
	require.NotNil(t, report.Refresh)
	assert.Empty(t, lockFiles(t, h.eng, "dev"))
	step("recover")

	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err, "a rerun converges")
	assert.Zero(t, up.Changes["replace"]+up.Changes["delete"], up.ChangeSummary())
	assert.Equal(t, map[string]int{"ResourceGroup": 1, "VirtualNetwork": 1, "ManagedCluster": 1, "AgentPool": 2, "RoleAssignment": 1}, simTypes(h.sim))
	assert.Zero(t, h.sim.CallCount("ManagedCluster", azuresim.OpCreate), "the cluster was not created again")
	noop, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, noop.HasChanges(), noop.ChangeSummary())
	step("rerun converged")
}
