package azuresim

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// AKS runs one operation at a time on a cluster and its agent pools: a
// second one meets 409 OperationNotAllowed, which azure-native does not
// retry (cilium/cilium#25944, Azure/AKS#1913).
func TestOneOperationAtATimePerCluster(t *testing.T) {
	slow := time.Second // long enough that a loaded machine still meets the operation in progress
	f := newFixture(t, Options{Latency: map[OpKey]time.Duration{
		{Type: "AgentPool", Op: OpCreate}:      slow,
		{Type: "ManagedCluster", Op: OpUpdate}: slow,
	}})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	clusterID, _ := f.mustCreate(TypeManagedCluster, "aks", clusterInputs())

	// Two pools at once: the second is refused while the first is created.
	first := make(chan error, 1)
	go func() {
		_, _, err := f.create(TypeAgentPool, "user", poolInputs())
		first <- err
	}()
	waitPending(t, f.sim, clusterID+"/agentPools/user")
	during, ok := f.sim.Get(clusterID + "/agentPools/user")
	require.True(t, ok, "ARM shows the pool while it is created")
	assert.Equal(t, "Creating", during.Outputs["provisioningState"])
	cluster, _ := f.sim.Get(clusterID)
	assert.Len(t, list(cluster.Outputs, "agentPoolProfiles"), 2, "the cluster lists the pool being created")

	_, _, err := f.create(TypeAgentPool, "batch", with(poolInputs(), map[string]any{"agentPoolName": "batch"}))
	armErr := requireARMError(t, err, 409, "OperationNotAllowed")
	assert.Equal(t, "Operation is not allowed: Another agentpool operation (user - Creating) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details", armErr.Message)
	assert.Contains(t, err.Error(), `Status=409 Code="OperationNotAllowed" Message="{"code":"OperationNotAllowed"`)
	assert.Equal(t, 2, f.sim.CallCount("AgentPool", OpCreate), "OperationNotAllowed is not retried")

	// The cluster itself is busy too.
	_, err = f.update(TypeManagedCluster, "aks", clusterID, clusterInputs(), with(clusterInputs(), map[string]any{"tags": map[string]any{"env": "x"}}))
	requireARMError(t, err, 409, "OperationNotAllowed")
	require.NoError(t, <-first)

	// Once it finished, the next operation runs; while the cluster is
	// updated, a pool waits its turn.
	updated := make(chan error, 1)
	go func() {
		_, err := f.update(TypeManagedCluster, "aks", clusterID, clusterInputs(), with(clusterInputs(), map[string]any{"tags": map[string]any{"env": "y"}}))
		updated <- err
	}()
	waitPending(t, f.sim, clusterID)
	_, _, err = f.create(TypeAgentPool, "batch", with(poolInputs(), map[string]any{"agentPoolName": "batch"}))
	armErr = requireARMError(t, err, 409, "OperationNotAllowed")
	assert.Contains(t, armErr.Message, "Another operation (Updating) is in progress")
	require.NoError(t, <-updated)
	f.mustCreate(TypeAgentPool, "batch", with(poolInputs(), map[string]any{"agentPoolName": "batch"}))

	// Another cluster is not held up.
	g := newFixture(t, Options{Latency: map[OpKey]time.Duration{{Type: "AgentPool", Op: OpCreate}: slow}})
	g.mustCreate(TypeResourceGroup, "rg", rgInputs())
	g.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	g.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	other := with(clusterInputs(), map[string]any{"resourceName": "aks-other", "dnsPrefix": "other"})
	g.mustCreate(TypeManagedCluster, "other", other)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, cluster := range []string{"aks-sim", "aks-other"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = g.create(TypeAgentPool, "user-"+cluster, with(poolInputs(), map[string]any{"resourceName": cluster}))
		}()
	}
	wg.Wait()
	assert.NoError(t, errs[0])
	assert.NoError(t, errs[1], "pools of two clusters are created at the same time")
}

// A cancelled request only stops waiting: ARM goes on with the operation
// it accepted (the cluster stays busy meanwhile) and finishes it at its due
// time; FinishOperations skips the wait. (ARM's asynchronous operations:
// learn.microsoft.com/azure/azure-resource-manager/management/async-operations.)
func TestCancelledRequestLeavesTheOperationToARM(t *testing.T) {
	f := newFixture(t, Options{Latency: map[OpKey]time.Duration{{Type: "AgentPool", Op: OpCreate}: time.Minute}})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	clusterID, _ := f.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	poolID := clusterID + "/agentPools/user"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := f.srv.Create(ctx, &pulumirpc.CreateRequest{Urn: testURN(TypeAgentPool, "user"), Type: TypeAgentPool, Properties: wire(t, poolInputs())})
		done <- err
	}()
	waitPending(t, f.sim, poolID)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	pool, ok := f.sim.Get(poolID)
	require.True(t, ok, "the pool is still being created")
	assert.Equal(t, "Creating", pool.Outputs["provisioningState"])
	_, err := f.update(TypeManagedCluster, "aks", clusterID, clusterInputs(), with(clusterInputs(), map[string]any{"tags": map[string]any{"env": "x"}}))
	requireARMError(t, err, 409, "OperationNotAllowed")
	_, _, err = f.create(TypeAgentPool, "user", poolInputs())
	assert.ErrorContains(t, err, "cannot create already existing resource", "azure-native's pre-check finds the pool")

	ids, err := f.sim.FinishOperations()
	require.NoError(t, err)
	assert.Equal(t, []string{poolID}, ids)
	pool, ok = f.sim.Get(poolID)
	require.True(t, ok)
	assert.Equal(t, "Succeeded", pool.Outputs["provisioningState"])
	assert.Len(t, f.sim.Resources(), 4, "the group, the VNet, the cluster and the pool")
	f.mustUpdateTags(clusterID)
}

// An operation whose request is gone finishes at its due time by itself,
// and another simulator on the same state file (another process) sees it
// in progress, meets the cluster's one-operation rule, and sees it finish.
func TestOperationOutlivesItsSimulator(t *testing.T) {
	path := filepath.Join(t.TempDir(), "azure.json")
	a := newFixture(t, Options{StateFile: path, Latency: map[OpKey]time.Duration{{Type: "AgentPool", Op: OpCreate}: 3 * time.Second}})
	a.mustCreate(TypeResourceGroup, "rg", rgInputs())
	a.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	clusterID, _ := a.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	poolID := clusterID + "/agentPools/user"
	done := make(chan error, 1)
	go func() {
		_, _, err := a.create(TypeAgentPool, "user", poolInputs())
		done <- err
	}()
	waitPending(t, a.sim, poolID)
	a.sim.Stop() // the process serving the request goes away
	require.ErrorIs(t, <-done, context.Canceled)

	b := newFixture(t, Options{StateFile: path})
	pool, ok := b.sim.Get(poolID)
	require.True(t, ok, "another process sees the create in progress")
	assert.Equal(t, "Creating", pool.Outputs["provisioningState"])
	_, err := b.update(TypeManagedCluster, "aks", clusterID, clusterInputs(), with(clusterInputs(), map[string]any{"tags": map[string]any{"env": "x"}}))
	armErr := requireARMError(t, err, 409, "OperationNotAllowed")
	assert.Contains(t, armErr.Message, "Another agentpool operation (user - Creating) is in progress")
	require.Eventually(t, func() bool {
		p, ok := b.sim.Get(poolID)
		return ok && p.Outputs["provisioningState"] == "Succeeded"
	}, 30*time.Second, 10*time.Millisecond, "ARM finishes the create at its due time")
	b.mustUpdateTags(clusterID)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(data), `"operations"`, "nothing is left in progress in the state file")
}

func (f *fixture) mustUpdateTags(clusterID string) {
	f.t.Helper()
	_, err := f.update(TypeManagedCluster, "aks", clusterID, clusterInputs(), with(clusterInputs(), map[string]any{"tags": map[string]any{"env": "z"}}))
	require.NoError(f.t, err)
}

// waitPending waits until an operation on id is in progress.
func waitPending(t *testing.T, s *Simulator, id string) {
	t.Helper()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, ok := s.state.ops[lower(id)]
		return ok
	}, 10*time.Second, time.Millisecond, "no operation on %s started", id)
}

func requireARMError(t *testing.T, err error, status int, reason string) *ARMError {
	t.Helper()
	require.Error(t, err)
	var armErr *ARMError
	require.ErrorAs(t, err, &armErr)
	assert.Equal(t, status, armErr.StatusCode, err.Error())
	assert.Equal(t, reason, armErr.Reason(), err.Error())
	return armErr
}

// A refresh reads the cluster as ARM returns it: agentPoolProfiles lists the
// AgentPool resources too (pulumi/pulumi-azure-native#2719), and azure-native
// carries the new entries into the inputs; what ARM computes (eTag,
// provisioningState, currentOrchestratorVersion) never enters them.
func TestRefreshListsAgentPoolsInTheCluster(t *testing.T) {
	f := newFixture(t, Options{})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	clusterID, created := f.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	require.Len(t, list(created, "agentPoolProfiles"), 1, "created before its pools")
	f.mustCreate(TypeAgentPool, "user", poolInputs())

	resp, err := f.srv.Read(context.Background(), &pulumirpc.ReadRequest{
		Urn: testURN(TypeManagedCluster, "aks"), Type: TypeManagedCluster, Id: clusterID,
		Properties: wire(t, created), Inputs: wire(t, clusterInputs()),
	})
	require.NoError(t, err)
	outs, ins := unwire(t, resp.GetProperties()), unwire(t, resp.GetInputs())
	require.Len(t, list(outs, "agentPoolProfiles"), 2)
	pools := list(ins, "agentPoolProfiles")
	require.Len(t, pools, 2, "the refreshed inputs gain the AgentPool")
	user := pools[1].(map[string]any)
	assert.Equal(t, "user", user["name"])
	assert.Equal(t, "VirtualMachineScaleSets", user["type"])
	for _, k := range []string{"eTag", "provisioningState", "currentOrchestratorVersion", "nodeImageVersion"} {
		assert.NotContains(t, user, k, "read-only")
	}
	assert.NotContains(t, ins, "eTag")
	assert.Equal(t, list(clusterInputs(), "agentPoolProfiles")[0], pools[0], "the system pool's inputs are unchanged")
}
