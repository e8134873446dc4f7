package migrate

import (
	"github.com/aks-cilium/aks-cilium/components/spec"

	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"
)

// readyPlan plans the default change with no policies and a known subnet.
func (h *harness) readyPlan(c Change) *Plan {
	h.t.Helper()
	p := h.plan(PlanOptions{Change: c, NetworkPolicies: []networkingv1.NetworkPolicy{}, SubnetCIDRs: map[string][]string{nodeSubnet: {"10.10.0.0/22"}}})
	require.Empty(h.t, p.Blockers)
	return p
}

// events collects progress events.
type events struct {
	mu  sync.Mutex
	all []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) phases() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.all {
		s := string(ev.Phase)
		if ev.Status != "" {
			s += ":" + ev.Status
		}
		out = append(out, s)
	}
	return out
}

func fast(ev *events) ApplyOptions {
	return ApplyOptions{Progress: ev.add, PollInterval: time.Millisecond}
}

// putDiff compares the PUT body with the last GET body on the wire and
// returns the GET body with the expected edits applied, and the PUT body.
func putAndGet(t *testing.T, h *harness) (get, put map[string]any) {
	t.Helper()
	g, ok := h.rec.last(http.MethodGet, clusterPath)
	require.True(t, ok)
	p, ok := h.rec.last(http.MethodPut, clusterPath)
	require.True(t, ok)
	require.NoError(t, json.Unmarshal(g.RespBody, &get))
	require.NoError(t, json.Unmarshal(p.Body, &put))
	return get, put
}

func networkProfile(doc map[string]any) map[string]any {
	return doc["properties"].(map[string]any)["networkProfile"].(map[string]any)
}

func TestApplyCiliumSuccess(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	p := h.readyPlan(Change{})
	var ev events
	opts := fast(&ev)
	refreshed := 0
	opts.Timeout = time.Minute
	opts.AfterUpdate = func(ctx context.Context) error {
		_, bounded := ctx.Deadline()
		require.False(t, bounded, "AfterUpdate runs under the caller's context, not Timeout")
		refreshed++
		return nil
	}

	res, err := h.client.Apply(context.Background(), p, opts)
	require.NoError(t, err)

	// The PUT body is the cluster as read, with exactly two fields changed.
	get, put := putAndGet(t, h)
	require.Equal(t, "azure", networkProfile(get)["networkDataplane"])
	require.Equal(t, "azure", networkProfile(get)["networkPolicy"])
	networkProfile(get)["networkDataplane"] = "cilium"
	networkProfile(get)["networkPolicy"] = "cilium"
	require.Equal(t, get, put)
	last, _ := h.rec.last(http.MethodPut, clusterPath)
	require.Equal(t, testETag, last.Header.Get("If-Match"), "the PUT is conditional on the ETag read")
	require.Equal(t, 1, h.rec.count(http.MethodPut, clusterPath))
	require.Contains(t, last.Path, "/subscriptions/"+testSub+"/resourceGroups/"+testRG+"/")

	require.Equal(t, &Result{Cluster: testCluster, Change: Change{Dataplane: "cilium"},
		Before:            p.Current,
		After:             NetworkState{Plugin: "azure", PluginMode: "overlay", Policy: "cilium", Dataplane: "cilium", PodCIDR: "192.168.0.0/16"},
		ProvisioningState: "Succeeded", Polls: 3, Duration: res.Duration, AfterUpdateRan: true}, res)
	require.Equal(t, 1, refreshed)
	require.Equal(t, []string{"read", "submit", "submit:Accepted", "poll:InProgress", "poll:InProgress", "poll:Succeeded",
		"done:Succeeded", "afterUpdate", "afterUpdate:Succeeded"}, ev.phases())
	require.Contains(t, ev.all[2].Message, "reimages every node pool")
	require.Equal(t, "cluster aks-prod: networkDataplane cilium and networkPolicy cilium (was networkDataplane azure and networkPolicy azure); provisioningState Succeeded after 0s (3 polls)", res.String())
	for i := 1; i < len(ev.all); i++ {
		require.GreaterOrEqual(t, ev.all[i].Elapsed, ev.all[i-1].Elapsed)
	}
}

func TestApplyACNSChangesOnlyAdvancedNetworking(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.NetworkProfile.NetworkDataplane = to.Ptr(acs.NetworkDataplaneCilium)
	mc.Properties.NetworkProfile.NetworkPolicy = to.Ptr(acs.NetworkPolicyCilium)
	h := newHarness(t, mc, linuxPools())
	p := h.readyPlan(Change{ACNS: &ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityL7}})
	var ev events

	res, err := h.client.Apply(context.Background(), p, fast(&ev))
	require.NoError(t, err)
	get, put := putAndGet(t, h)
	networkProfile(get)["advancedNetworking"] = map[string]any{
		"enabled": true, "observability": map[string]any{"enabled": true}, "security": map[string]any{"enabled": true, "advancedNetworkPolicies": "L7"}}
	require.Equal(t, get, put)
	require.Equal(t, ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityL7}, res.After.ACNS)
	require.Equal(t, "ARM accepted the update", ev.all[2].Message, "ACNS alone reimages nothing")
}

func TestApplyNoOpSendsNothingAndStillRefreshes(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.NetworkProfile.NetworkDataplane = to.Ptr(acs.NetworkDataplaneCilium)
	mc.Properties.NetworkProfile.NetworkPolicy = to.Ptr(acs.NetworkPolicyCilium)
	h := newHarness(t, mc, linuxPools())
	p := h.plan(PlanOptions{})
	require.True(t, p.NoOp)
	var ev events
	opts := fast(&ev)
	refreshed := false
	opts.AfterUpdate = func(context.Context) error { refreshed = true; return nil }

	res, err := h.client.Apply(context.Background(), p, opts)
	require.NoError(t, err)
	require.True(t, res.NoOp)
	require.True(t, refreshed, "a rerun after a crash between update and refresh converges")
	require.Zero(t, h.rec.count(http.MethodPut, clusterPath))
	require.Equal(t, []string{"read", "done:Succeeded", "afterUpdate", "afterUpdate:Succeeded"}, ev.phases())
}

func TestApplyResubmitsAFailedOperation(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.NetworkProfile.NetworkDataplane = to.Ptr(acs.NetworkDataplaneCilium)
	mc.Properties.NetworkProfile.NetworkPolicy = to.Ptr(acs.NetworkPolicyCilium)
	mc.Properties.ProvisioningState = to.Ptr("Failed")
	h := newHarness(t, mc, linuxPools())
	p := h.readyPlan(Change{})

	res, err := h.client.Apply(context.Background(), p, ApplyOptions{PollInterval: time.Millisecond})
	require.NoError(t, err)
	require.False(t, res.NoOp)
	get, put := putAndGet(t, h)
	require.Equal(t, get, put, "the same values are sent again")
}

func TestApplyRefusesABlockedPlan(t *testing.T) {
	pools := append(linuxPools(), agentPool("win1", acs.AgentPoolModeUser, acs.OSTypeWindows, 2, nodeSubnet, ""))
	h := newHarness(t, overlayCluster(), pools)
	p := h.plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}})
	gets := h.rec.count(http.MethodGet, clusterPath)

	res, err := h.client.Apply(context.Background(), p, ApplyOptions{})
	require.Nil(t, res)
	var blocked *BlockedError
	require.ErrorAs(t, err, &blocked)
	require.Equal(t, []string{CodeWindowsPool}, codes(blocked.Blockers))
	require.Equal(t, gets, h.rec.count(http.MethodGet, clusterPath), "nothing is sent, not even a read")
}

func TestApplyRefusesAStalePlan(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	p := h.readyPlan(Change{})
	h.getHook = func(n int, mc *acs.ManagedCluster) {
		mc.Properties.NetworkProfile.NetworkPolicy = to.Ptr(acs.NetworkPolicyCalico)
	}
	_, err := h.client.Apply(context.Background(), p, ApplyOptions{})
	var stale *StalePlanError
	require.ErrorAs(t, err, &stale)
	require.Contains(t, err.Error(), "plan again")
	require.Zero(t, h.rec.count(http.MethodPut, clusterPath))
}

func TestApplyRefusesWhileAnotherOperationRuns(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	p := h.readyPlan(Change{})
	h.getHook = func(n int, mc *acs.ManagedCluster) { mc.Properties.ProvisioningState = to.Ptr("Upgrading") }
	_, err := h.client.Apply(context.Background(), p, ApplyOptions{})
	var conflict *ConflictError
	require.ErrorAs(t, err, &conflict)
	require.Equal(t, 0, conflict.StatusCode)
	require.Equal(t, CodeOperationInProgress, conflict.Code)
	require.Zero(t, h.rec.count(http.MethodPut, clusterPath))
}

func TestApplyConflict409(t *testing.T) {
	for _, code := range []string{"OperationNotAllowed", "AnotherOperationInProgress"} {
		t.Run(code, func(t *testing.T) {
			h := newHarness(t, overlayCluster(), linuxPools())
			h.put = func(acs.ManagedCluster) (resp putResponder, errResp azfake.ErrorResponder) {
				errResp.SetResponseError(http.StatusConflict, code)
				return
			}
			p := h.readyPlan(Change{})
			res, err := h.client.Apply(context.Background(), p, ApplyOptions{PollInterval: time.Millisecond})
			require.Nil(t, res)
			var conflict *ConflictError
			require.ErrorAs(t, err, &conflict)
			require.Equal(t, http.StatusConflict, conflict.StatusCode)
			require.Equal(t, code, conflict.Code)
			var re *azcore.ResponseError
			require.ErrorAs(t, err, &re, "the SDK's error stays reachable")
			require.Equal(t, 1, h.rec.count(http.MethodPut, clusterPath), "a 409 is not retried")
		})
	}
}

func TestApplyPreconditionFailedIsAConflict(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	h.put = func(acs.ManagedCluster) (resp putResponder, errResp azfake.ErrorResponder) {
		errResp.SetResponseError(http.StatusPreconditionFailed, "PreconditionFailed")
		return
	}
	_, err := h.client.Apply(context.Background(), h.readyPlan(Change{}), ApplyOptions{})
	var conflict *ConflictError
	require.ErrorAs(t, err, &conflict)
	require.Equal(t, http.StatusPreconditionFailed, conflict.StatusCode)
}

func TestApplyThrottled429AfterSDKRetries(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	// A real 429 on the wire (the fake servers' errors are not retried):
	// the SDK's retry policy tries 1 + MaxRetries (2) times.
	h.rec.hook = func(req *http.Request, _ []byte) *http.Response {
		if req.Method != http.MethodPut {
			return nil
		}
		return jsonResponse(req, http.StatusTooManyRequests, http.Header{"Retry-After-Ms": {"3"}, "X-Ms-Error-Code": {"TooManyRequests"}},
			map[string]any{"error": map[string]any{"code": "TooManyRequests", "message": "The request is being throttled."}})
	}
	p := h.readyPlan(Change{})
	_, err := h.client.Apply(context.Background(), p, ApplyOptions{})
	var throttled *ThrottledError
	require.ErrorAs(t, err, &throttled)
	require.Equal(t, "TooManyRequests", throttled.Code)
	require.Equal(t, "The request is being throttled.", throttled.Message)
	require.Equal(t, 3*time.Millisecond, throttled.RetryAfter)
	require.False(t, throttled.Submitted)
	require.Equal(t, 3, h.rec.count(http.MethodPut, clusterPath), "the SDK retried twice before giving up")
	require.Contains(t, err.Error(), "after the SDK's retries")
}

func TestApplyThrottledThenAccepted(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	throttles := 1
	h.rec.hook = func(req *http.Request, _ []byte) *http.Response {
		if req.Method != http.MethodPut || throttles == 0 {
			return nil
		}
		throttles--
		return jsonResponse(req, http.StatusTooManyRequests, http.Header{"Retry-After-Ms": {"1"}}, map[string]any{"error": map[string]any{"code": "TooManyRequests"}})
	}
	res, err := h.client.Apply(context.Background(), h.readyPlan(Change{}), ApplyOptions{PollInterval: time.Millisecond})
	require.NoError(t, err)
	require.Equal(t, "cilium", res.After.Dataplane)
	require.Equal(t, 2, h.rec.count(http.MethodPut, clusterPath))
}

func TestApplyFailedLongRunningOperation(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	h.put = func(acs.ManagedCluster) (resp putResponder, errResp azfake.ErrorResponder) {
		resp.AddNonTerminalResponse(http.StatusCreated, nil)
		resp.AddNonTerminalResponse(http.StatusOK, nil)
		resp.SetTerminalError(http.StatusOK, "ReconcileVMSSAgentPoolFailed")
		return
	}
	var ev events
	res, err := h.client.Apply(context.Background(), h.readyPlan(Change{}), fast(&ev))
	var failed *OperationFailedError
	require.ErrorAs(t, err, &failed)
	require.Equal(t, "ReconcileVMSSAgentPoolFailed", failed.Code)
	require.NotNil(t, res, "the result comes back with errors after the update was submitted")
	require.Equal(t, 1, res.Polls)
	require.Equal(t, []string{"read", "submit", "submit:Accepted", "poll:InProgress"}, ev.phases())
}

// TestApplyFailedOperationARMProtocol answers the PUT the way ARM does
// (201, Azure-AsyncOperation), so the SDK's real async poller runs and the
// error code and message come from the operation status body.
func TestApplyFailedOperationARMProtocol(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	const opPath = "/subscriptions/" + testSub + "/providers/Microsoft.ContainerService/locations/westeurope/operations/op-1"
	statuses := []map[string]any{
		{"status": "InProgress"},
		{"status": "InProgress"},
		{"status": "Failed", "error": map[string]any{"code": "ReconcileVMSSAgentPoolFailed",
			"message": "Unable to reimage node pool user: VMSS operation failed"}},
	}
	h.rec.hook = func(req *http.Request, body []byte) *http.Response {
		switch {
		case req.Method == http.MethodPut:
			var mc map[string]any
			_ = json.Unmarshal(body, &mc)
			mc["properties"].(map[string]any)["provisioningState"] = "Updating"
			return jsonResponse(req, http.StatusCreated, http.Header{"Azure-Asyncoperation": {"https://management.azure.com" + opPath + "?api-version=2025-02-01"}}, mc)
		case req.Method == http.MethodGet && req.URL.Path == opPath:
			s := statuses[0]
			statuses = statuses[1:]
			return jsonResponse(req, http.StatusOK, nil, s)
		}
		return nil
	}
	var ev events
	res, err := h.client.Apply(context.Background(), h.readyPlan(Change{}), fast(&ev))
	var failed *OperationFailedError
	require.ErrorAs(t, err, &failed)
	require.Equal(t, "ReconcileVMSSAgentPoolFailed", failed.Code)
	require.Equal(t, "Unable to reimage node pool user: VMSS operation failed", failed.Message)
	require.Contains(t, err.Error(), "the update failed: ReconcileVMSSAgentPoolFailed: Unable to reimage")
	require.Equal(t, 3, res.Polls)
	require.Equal(t, []string{"read", "submit", "submit:Accepted", "poll:InProgress", "poll:InProgress", "poll:Failed"}, ev.phases())
}

func slowLRO(acs.ManagedCluster) (resp putResponder, errResp azfake.ErrorResponder) {
	for range 10000 {
		resp.AddNonTerminalResponse(http.StatusOK, nil)
	}
	resp.SetTerminalError(http.StatusOK, "NeverReached")
	return
}

func TestApplyTimeout(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	h.put = slowLRO
	p := h.readyPlan(Change{})
	var ev events
	opts := fast(&ev)
	opts.PollInterval = 2 * time.Millisecond
	opts.Timeout = 50 * time.Millisecond
	opts.AfterUpdate = func(context.Context) error { t.Fatal("AfterUpdate must not run"); return nil }

	res, err := h.client.Apply(context.Background(), p, opts)
	var interrupted *InterruptedError
	require.ErrorAs(t, err, &interrupted)
	require.True(t, interrupted.Timeout())
	require.True(t, interrupted.Submitted)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Contains(t, err.Error(), "timed out; the update continues in Azure")
	require.NotNil(t, res)
	require.Positive(t, res.Polls)
}

func TestApplyCancel(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	h.put = slowLRO
	p := h.readyPlan(Change{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := ApplyOptions{PollInterval: time.Millisecond, Progress: func(e Event) {
		if e.Phase == PhasePoll {
			cancel() // the operator presses Ctrl-C after the first poll
		}
	}}
	res, err := h.client.Apply(ctx, p, opts)
	var interrupted *InterruptedError
	require.ErrorAs(t, err, &interrupted)
	require.False(t, interrupted.Timeout())
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, res.Polls)
}

func TestApplyTimeoutBeforeSubmit(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	p := h.readyPlan(Change{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := h.client.Apply(ctx, p, ApplyOptions{})
	var interrupted *InterruptedError
	require.ErrorAs(t, err, &interrupted)
	require.False(t, interrupted.Submitted)
	require.NotContains(t, err.Error(), "continues in Azure")
	require.Zero(t, h.rec.count(http.MethodPut, clusterPath))
}

func TestApplyAfterUpdateError(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	opts := ApplyOptions{PollInterval: time.Millisecond, AfterUpdate: func(context.Context) error { return errors.New("stack locked") }}
	res, err := h.client.Apply(context.Background(), h.readyPlan(Change{}), opts)
	var after *AfterUpdateError
	require.ErrorAs(t, err, &after)
	require.Contains(t, err.Error(), "was updated, but the step after it failed: stack locked")
	require.Equal(t, "cilium", res.After.Dataplane, "the update itself succeeded")
	require.False(t, res.AfterUpdateRan)
}

func TestApplyChecksTheFinalState(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	h.put = func(body acs.ManagedCluster) (putResponder, azfake.ErrorResponder) {
		body.Properties.NetworkProfile.NetworkDataplane = to.Ptr(acs.NetworkDataplaneAzure) // ARM ignored it
		return succeedAfter(0, body), azfake.ErrorResponder{}
	}
	_, err := h.client.Apply(context.Background(), h.readyPlan(Change{}), ApplyOptions{PollInterval: time.Millisecond})
	require.ErrorContains(t, err, "ARM reported success but returned networkDataplane azure")
}

func TestEventString(t *testing.T) {
	e := Event{Phase: PhasePoll, Status: "InProgress", Message: "poll 3", Elapsed: 95 * time.Second}
	require.Equal(t, "[1m35s] poll: poll 3 (InProgress)", e.String())
	require.True(t, strings.HasPrefix(Event{Phase: PhaseRead, Message: "x"}.String(), "[0s] read: x"))
}

func TestApplyRefusesAClusterThatFailedSinceThePlan(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	p := h.readyPlan(Change{})
	h.getHook = func(n int, mc *acs.ManagedCluster) { mc.Properties.ProvisioningState = to.Ptr("Failed") }
	_, err := h.client.Apply(context.Background(), p, ApplyOptions{})
	var stale *StalePlanError
	require.ErrorAs(t, err, &stale)
	require.Contains(t, stale.What, `provisioningState was "Succeeded", is "Failed"`)
	require.Zero(t, h.rec.count(http.MethodPut, clusterPath))
}

// A plan kept as JSON (say, for an approval step in CI) applies as it is.
func TestApplyAPlanReadBackFromJSON(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	raw, err := json.Marshal(h.readyPlan(Change{}))
	require.NoError(t, err)
	var p Plan
	require.NoError(t, json.Unmarshal(raw, &p))
	res, err := h.client.Apply(context.Background(), &p, ApplyOptions{PollInterval: time.Millisecond})
	require.NoError(t, err)
	require.Equal(t, "cilium", res.After.Policy)
	get, put := putAndGet(t, h)
	networkProfile(get)["networkDataplane"] = "cilium"
	networkProfile(get)["networkPolicy"] = "cilium"
	require.Equal(t, get, put)
}
