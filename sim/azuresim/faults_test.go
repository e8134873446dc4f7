package azuresim

import (
	"context"
	"errors"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/status"
)

func armCode(t *testing.T, err error) string {
	t.Helper()
	var armErr *ARMError
	require.True(t, errors.As(err, &armErr), "%v", err)
	return armErr.Code
}

func TestThrottlingIsRetried(t *testing.T) {
	f := newFixture(t, Options{Retry: RetryPolicy{Backoff: time.Millisecond}})
	f.sim.InjectFault(Fault{Type: "ResourceGroup", Op: OpCreate, Kind: FaultTooManyRequests, Times: 2})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	assert.Equal(t, 3, f.sim.CallCount(TypeResourceGroup, OpCreate), "two 429s, then success")
	ops := f.sim.Operations()
	require.Len(t, ops, 1)
	assert.Equal(t, 3, ops[0].Attempts)
	assert.Empty(t, ops[0].Err)
	assert.Empty(t, f.sim.Faults(), "the fault is used up")
}

func TestRetriesAreBounded(t *testing.T) {
	for _, kind := range []FaultKind{FaultTooManyRequests, FaultInternalServerError} {
		t.Run(string(kind), func(t *testing.T) {
			f := newFixture(t, Options{Retry: RetryPolicy{Backoff: time.Millisecond}})
			f.sim.InjectFault(Fault{Type: TypeResourceGroup, Kind: kind, Times: Forever})
			_, _, err := f.create(TypeResourceGroup, "rg", rgInputs())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Status="+string(kind))
			assert.Equal(t, 4, f.sim.CallCount("ResourceGroup", OpCreate), "1 call + 3 retries")
			assert.Empty(t, f.sim.Resources())
			assert.Len(t, f.sim.Faults(), 1, "a Forever fault stays")
			f.sim.ClearFaults()
			f.mustCreate(TypeResourceGroup, "rg", rgInputs())
		})
	}
	f := newFixture(t, Options{Retry: RetryPolicy{MaxRetries: -1}})
	f.sim.InjectFault(Fault{Kind: FaultInternalServerError})
	_, _, err := f.create(TypeResourceGroup, "rg", rgInputs())
	assert.Equal(t, "InternalServerError", armCode(t, err))
	assert.Equal(t, 1, f.sim.CallCount("", ""), "retries disabled")
}

// azure-native retries a 409 AnotherOperationInProgress like a 429
// (provider/pkg/azure/client_azcore.go, shouldRetryConflict).
func TestAnotherOperationInProgressIsRetried(t *testing.T) {
	f := newFixture(t, Options{Retry: RetryPolicy{Backoff: time.Millisecond},
		Faults: []Fault{{Type: "ResourceGroup", Op: OpCreate, Kind: FaultAnotherOperationInProgress}}})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	assert.Equal(t, 2, f.sim.CallCount("ResourceGroup", OpCreate), "the 409, then the create")

	g := newFixture(t, Options{Retry: RetryPolicy{MaxRetries: -1},
		Faults: []Fault{{Type: "ResourceGroup", Op: OpCreate, Kind: FaultAnotherOperationInProgress}}})
	_, _, err := g.create(TypeResourceGroup, "rg", rgInputs())
	assert.Equal(t, "AnotherOperationInProgress", armCode(t, err))
	assert.Contains(t, err.Error(), "Status=409")
}

// A timeout after ARM accepted a create leaves the resource in Azure, and
// the provider answers a partial failure that carries it, so the engine
// records it as created with an initialization error.
func TestTimeoutAfterARMAcceptedIsAPartialFailure(t *testing.T) {
	latency := 50 * time.Millisecond
	f := newFixture(t, Options{Latency: map[OpKey]time.Duration{{Type: "ResourceGroup", Op: OpCreate}: latency}})
	f.sim.InjectFault(Fault{Type: TypeResourceGroup, Op: OpCreate, Kind: FaultTimeout})
	start := time.Now()
	_, _, err := f.create(TypeResourceGroup, "rg", rgInputs())
	require.Error(t, err)
	assert.GreaterOrEqual(t, time.Since(start), latency)
	assert.Contains(t, err.Error(), "timed out")
	st, ok := status.FromError(err)
	require.True(t, ok, "a gRPC status: %v", err)
	var initFailed *pulumirpc.ErrorResourceInitFailed
	for _, d := range st.Details() {
		if e, ok := d.(*pulumirpc.ErrorResourceInitFailed); ok {
			initFailed = e
		}
	}
	require.NotNil(t, initFailed, "the error carries the resource")
	assert.Equal(t, "/subscriptions/"+DefaultSubscriptionID+"/resourceGroups/rg-sim", initFailed.GetId())
	assert.Equal(t, "rg-sim", unwire(t, initFailed.GetProperties())["name"])
	require.Len(t, f.sim.Resources(), 1, "ARM finished the create")
	assert.Equal(t, "Succeeded", str(obj(f.sim.Resources()[0].Outputs, "properties"), "provisioningState"))

	// A timed-out read just fails.
	f.sim.InjectFault(Fault{Type: TypeResourceGroup, Op: OpRead, Kind: FaultTimeout})
	_, err = f.srv.Read(context.Background(), &pulumirpc.ReadRequest{
		Urn: testURN(TypeResourceGroup, "rg"), Type: TypeResourceGroup, Id: initFailed.GetId(),
	})
	assert.ErrorIs(t, err, errTimedOut)
}

func TestLatencyIsAppliedAndRecorded(t *testing.T) {
	f := newFixture(t, Options{Latency: map[OpKey]time.Duration{
		{Type: TypeResourceGroup, Op: OpCreate}: 40 * time.Millisecond,
		{Op: OpCreate}:                          5 * time.Millisecond,
		{}:                                      time.Second,
	}})
	assert.Equal(t, 40*time.Millisecond, f.sim.latency(TypeResourceGroup, OpCreate))
	assert.Equal(t, 5*time.Millisecond, f.sim.latency(TypeVirtualNetwork, OpCreate))
	assert.Equal(t, time.Second, f.sim.latency(TypeVirtualNetwork, OpDelete))
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	ops := f.sim.Operations()
	require.Len(t, ops, 2)
	assert.Equal(t, OpCreate, ops[0].Op)
	assert.Equal(t, TypeResourceGroup, ops[0].Type)
	assert.GreaterOrEqual(t, ops[0].Duration(), 40*time.Millisecond)
	assert.False(t, ops[1].Start.Before(ops[0].End), "the VNet started after the group ended")
	assert.Equal(t, ops[1].End.Sub(ops[0].Start), Span(ops))
	assert.GreaterOrEqual(t, Span(ops), ops[0].Duration()+ops[1].Duration())
	assert.Zero(t, Span(nil))
	f.sim.ResetStats()
	assert.Empty(t, f.sim.Operations())
	assert.Zero(t, f.sim.CallCount("", ""))
}

func TestLatencyHonoursCancellation(t *testing.T) {
	f := newFixture(t, Options{Latency: map[OpKey]time.Duration{{}: time.Hour}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := f.srv.Create(ctx, &pulumirpc.CreateRequest{
		Urn: testURN(TypeResourceGroup, "rg"), Type: TypeResourceGroup, Properties: wire(t, rgInputs()),
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "ARM goes on with the operation")
	rg, ok := f.sim.Get("/subscriptions/" + DefaultSubscriptionID + "/resourceGroups/" + testRG)
	require.True(t, ok, "the create the request no longer waits for goes on")
	assert.Equal(t, "Creating", rg.Outputs["properties"].(map[string]any)["provisioningState"])
	assert.Empty(t, f.sim.Resources(), "and has not finished")

	// Stop ends the waiting of requests too.
	done := make(chan error)
	go func() {
		_, _, err := f.create(TypeResourceGroup, "rg2", with(rgInputs(), map[string]any{"resourceGroupName": "rg-two"}))
		done <- err
	}()
	// Stop once the create is waiting out its latency (the call is
	// counted when it arrives).
	require.Eventually(t, func() bool { return f.sim.CallCount(TypeResourceGroup, OpCreate) == 2 }, time.Minute, time.Millisecond)
	f.sim.Stop()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not end a waiting operation")
	}
}

func TestParseLatencyAndFaults(t *testing.T) {
	lat, err := ParseLatency("ManagedCluster/create=300ms, */*=10ms ,azure-native:containerservice/v20241001:AgentPool/*=1s")
	require.NoError(t, err)
	assert.Equal(t, map[OpKey]time.Duration{
		{Type: "ManagedCluster", Op: OpCreate}: 300 * time.Millisecond,
		{}:                                     10 * time.Millisecond,
		{Type: TypeAgentPool}:                  time.Second,
	}, lat)
	faults, err := ParseFaults("ManagedCluster/create=429x2,ResourceGroup/delete=409,*/read=500x*,AgentPool/update=timeout")
	require.NoError(t, err)
	assert.Equal(t, []Fault{
		{Type: "ManagedCluster", Op: OpCreate, Kind: FaultTooManyRequests, Times: 2},
		{Type: "ResourceGroup", Op: OpDelete, Kind: FaultAnotherOperationInProgress, Times: 1},
		{Op: OpRead, Kind: FaultInternalServerError, Times: Forever},
		{Type: "AgentPool", Op: OpUpdate, Kind: FaultTimeout, Times: 1},
	}, faults)
	assert.Equal(t, "ManagedCluster/create=429x2", faults[0].String())
	for _, bad := range []string{"ManagedCluster=1s", "ManagedCluster/poke=1s", "x/create=soon"} {
		_, err := ParseLatency(bad)
		assert.Error(t, err, bad)
	}
	for _, bad := range []string{"ManagedCluster/create=404", "ManagedCluster/create=429x0", "ManagedCluster/create"} {
		_, err := ParseFaults(bad)
		assert.Error(t, err, bad)
	}
}
