package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"

	"github.com/aks-cilium/aks-cilium/automation/acns"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Phase is a step of Apply, reported through ApplyOptions.Progress.
type Phase string

// The phases of Apply, in order.
const (
	// PhaseRead: reading the cluster again, right before the update.
	PhaseRead Phase = "read"
	// PhaseSubmit: sending the update (PUT), then ARM accepted it.
	PhaseSubmit Phase = "submit"
	// PhasePoll: one poll of the long-running operation.
	PhasePoll Phase = "poll"
	// PhaseDone: the operation finished (or there was nothing to do).
	PhaseDone Phase = "done"
	// PhaseAfterUpdate: ApplyOptions.AfterUpdate (the stack refresh) runs.
	PhaseAfterUpdate Phase = "afterUpdate"
)

// Event is one progress report of Apply.
type Event struct {
	Time    time.Time
	Cluster string
	Phase   Phase
	// Status is the operation's status when ARM gives one: Accepted,
	// InProgress, Updating, Succeeded.
	Status string
	// Message is one line for a log.
	Message string
	// Elapsed since Apply started.
	Elapsed time.Duration
}

// String is one log line.
func (e Event) String() string {
	s := fmt.Sprintf("[%s] %s: %s", e.Elapsed.Round(time.Second), e.Phase, e.Message)
	if e.Status != "" {
		s += " (" + e.Status + ")"
	}
	return s
}

// ApplyOptions control Apply.
type ApplyOptions struct {
	// Progress, when set, is called on every step, from Apply's goroutine.
	Progress func(Event)
	// PollInterval between polls of the long-running operation; default 15s.
	PollInterval time.Duration
	// Timeout bounds the ARM part of Apply (read, update, polling) on top of
	// the context; 0 means the context alone. When it passes, Apply returns
	// an InterruptedError and the update continues in Azure. AfterUpdate
	// runs under the caller's context only.
	Timeout time.Duration
	// AfterUpdate runs once the cluster is at the target (also when it
	// already was): the hook that refreshes the Pulumi stack, so that its
	// state records the new network profile. ApplyToStack sets it to the
	// Engine's refresh (and runs this one after it).
	AfterUpdate func(ctx context.Context) error
}

// Result is what Apply did.
type Result struct {
	Cluster string
	// Change is the plan's change.
	Change Change
	// NoOp is true when the cluster already was at the target: nothing was sent.
	NoOp bool
	// Before and After are the network profile as read before the update and
	// as ARM returned it at the end.
	Before, After NetworkState
	// ProvisioningState at the end, normally Succeeded.
	ProvisioningState string
	// Polls of the long-running operation.
	Polls int
	// Duration of the whole Apply, AfterUpdate included.
	Duration time.Duration
	// AfterUpdateRan says whether AfterUpdate ran and succeeded.
	AfterUpdateRan bool
}

// Apply updates the cluster in place as the plan says, the ARM equivalent
// of `az aks update --network-dataplane cilium --network-policy cilium`
// (or --enable-acns / --disable-acns): it reads the cluster again, sets
// networkProfile.networkDataplane and networkPolicy to cilium (and/or
// networkProfile.advancedNetworking) and nothing else, sends the whole
// cluster back with If-Match on its ETag (ManagedClusters.BeginCreateOrUpdate),
// and polls the long-running operation until it ends, reporting progress.
// Then it runs AfterUpdate.
//
// It refuses a plan with blockers (BlockedError), a cluster whose network
// profile or provisioningState changed since the plan (StalePlanError) and
// a cluster with an operation running (ConflictError). A cluster already at
// the target is not updated again, unless its last operation failed and the
// plan says so (CodeResubmit): then the same values are sent again, which is
// how AKS retries. A plan read back from its JSON applies the same way. Errors are typed: ConflictError,
// ThrottledError, OperationFailedError, InterruptedError, AfterUpdateError.
// The Result is returned with every error after the update was submitted.
func (c *Client) Apply(ctx context.Context, plan *Plan, opts ApplyOptions) (*Result, error) {
	if plan == nil {
		return nil, errors.New("migrate.Apply: nil plan")
	}
	if plan.Blocked() {
		return nil, &BlockedError{Cluster: plan.Cluster, Blockers: plan.Blockers}
	}
	parent := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 15 * time.Second
	}
	a := &applier{c: c, plan: plan, opts: opts, start: time.Now(), parent: parent}
	res, err := a.run(ctx)
	if res != nil {
		res.Duration = time.Since(a.start)
	}
	return res, err
}

type applier struct {
	c     *Client
	plan  *Plan
	opts  ApplyOptions
	start time.Time
	// parent is the caller's context, without Timeout, for AfterUpdate.
	parent context.Context
}

func (a *applier) emit(phase Phase, status, format string, args ...any) {
	if a.opts.Progress == nil {
		return
	}
	a.opts.Progress(Event{Time: time.Now(), Cluster: a.plan.Cluster, Phase: phase, Status: status,
		Message: fmt.Sprintf(format, args...), Elapsed: time.Since(a.start)})
}

func (a *applier) run(ctx context.Context) (*Result, error) {
	p := a.plan
	clusters, _, err := a.c.clients(p.SubscriptionID)
	if err != nil {
		return nil, err
	}
	a.emit(PhaseRead, "", "reading cluster %s in %s", p.Cluster, p.ResourceGroup)
	got, err := clusters.Get(ctx, p.ResourceGroup, p.Cluster, nil)
	if err != nil {
		return nil, classify(ctx, p.Cluster, "read cluster", err, false)
	}
	mc := got.ManagedCluster
	if mc.Properties == nil || mc.Properties.NetworkProfile == nil {
		return nil, fmt.Errorf("cluster %s: ARM returned no networkProfile", p.Cluster)
	}
	now := networkState(mc.Properties.NetworkProfile)
	state := str(mc.Properties.ProvisioningState)
	res := &Result{Cluster: p.Cluster, Change: p.Change, Before: now, After: now, ProvisioningState: state}

	if !terminal(state) {
		return nil, &ConflictError{Cluster: p.Cluster, Code: CodeOperationInProgress,
			Message: fmt.Sprintf("provisioningState is %q: another operation is running; nothing was sent", state)}
	}
	if state != "Succeeded" && state != p.ProvisioningState {
		return nil, &StalePlanError{Cluster: p.Cluster, What: fmt.Sprintf("provisioningState was %q, is %q", p.ProvisioningState, state)}
	}
	if now.satisfies(p.Change) && state == "Succeeded" {
		res.NoOp = true
		a.emit(PhaseDone, state, "the cluster already has %s; nothing was sent", now.summary(p.Change))
		return res, a.afterUpdate(res)
	}
	if !now.satisfies(p.Change) {
		if what := stale(p, now, mc); what != "" {
			return nil, &StalePlanError{Cluster: p.Cluster, What: what}
		}
	}

	setChange(mc.Properties.NetworkProfile, p.Change)
	var putOpts *armcontainerservice.ManagedClustersClientBeginCreateOrUpdateOptions
	if mc.ETag != nil {
		putOpts = &armcontainerservice.ManagedClustersClientBeginCreateOrUpdateOptions{IfMatch: mc.ETag}
	}
	a.emit(PhaseSubmit, "", "updating %s: %s", p.Cluster, now.apply(p.Change).summary(p.Change))
	poller, err := clusters.BeginCreateOrUpdate(ctx, p.ResourceGroup, p.Cluster, mc, putOpts)
	if err != nil {
		return nil, classify(ctx, p.Cluster, "submit update", err, false)
	}
	if p.Change.Dataplane != "" && !strings.EqualFold(now.Dataplane, DataplaneCilium) {
		a.emit(PhaseSubmit, "Accepted", "ARM accepted the update; AKS now reimages every node pool")
	} else {
		a.emit(PhaseSubmit, "Accepted", "ARM accepted the update")
	}

	for !poller.Done() {
		if ctx.Err() != nil {
			return res, classify(ctx, p.Cluster, "wait for update", ctx.Err(), true)
		}
		timer := time.NewTimer(a.opts.PollInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return res, classify(ctx, p.Cluster, "wait for update", ctx.Err(), true)
		case <-timer.C:
		}
		resp, err := poller.Poll(ctx)
		if err != nil {
			return res, classify(ctx, p.Cluster, "wait for update", err, true)
		}
		res.Polls++
		a.emit(PhasePoll, operationStatus(resp, poller.Done()), "poll %d", res.Polls)
	}
	final, err := poller.Result(ctx)
	if err != nil {
		return res, classify(ctx, p.Cluster, "wait for update", err, true)
	}
	if props := final.Properties; props != nil {
		res.ProvisioningState = str(props.ProvisioningState)
		res.After = networkState(props.NetworkProfile)
	}
	if res.ProvisioningState == "Failed" || res.ProvisioningState == "Canceled" {
		return res, &OperationFailedError{Cluster: p.Cluster, Code: res.ProvisioningState,
			Message: "the operation ended with provisioningState " + res.ProvisioningState}
	}
	if !res.After.satisfies(p.Change) {
		return res, fmt.Errorf("cluster %s: ARM reported success but returned %s, not %s",
			p.Cluster, res.After.summary(p.Change), now.apply(p.Change).summary(p.Change))
	}
	a.emit(PhaseDone, res.ProvisioningState, "the cluster has %s after %d poll(s)", res.After.summary(p.Change), res.Polls)
	return res, a.afterUpdate(res)
}

// afterUpdate runs the caller's hook (the stack refresh).
func (a *applier) afterUpdate(res *Result) error {
	if a.opts.AfterUpdate == nil {
		return nil
	}
	a.emit(PhaseAfterUpdate, "", "running AfterUpdate (refresh the stack)")
	if err := a.opts.AfterUpdate(a.parent); err != nil {
		return &AfterUpdateError{Cluster: a.plan.Cluster, Err: err}
	}
	res.AfterUpdateRan = true
	a.emit(PhaseAfterUpdate, "Succeeded", "AfterUpdate done: the stack's state matches the cluster; set the same values in the spec before the next up")
	return nil
}

// stale says what changed between the plan and the cluster read now, or "".
func stale(p *Plan, now NetworkState, mc armcontainerservice.ManagedCluster) string {
	if now != p.Current {
		return fmt.Sprintf("network profile was %+v, is %+v", p.Current, now)
	}
	if p.Change.Dataplane == "" {
		return ""
	}
	for _, ap := range mc.Properties.AgentPoolProfiles {
		if ap != nil && spec.IsWindowsPool(str((*string)(ap.OSType)), str((*string)(ap.OSSKU))) {
			return fmt.Sprintf("Windows node pool %s appeared", str(ap.Name))
		}
	}
	return ""
}

// setChange writes the change into the network profile read from ARM and
// touches nothing else.
func setChange(np *armcontainerservice.NetworkProfile, c Change) {
	if c.Dataplane != "" {
		np.NetworkDataplane = to.Ptr(armcontainerservice.NetworkDataplaneCilium)
		np.NetworkPolicy = to.Ptr(armcontainerservice.NetworkPolicyCilium)
	}
	if a := c.ACNS; a != nil {
		np.AdvancedNetworking = acns.ToARM(*a)
	}
}

// operationStatus reads the status of a poll: an operation status body
// ({"status": "InProgress"}) or the cluster ({"properties":
// {"provisioningState": "Updating"}}).
func operationStatus(resp *http.Response, done bool) string {
	if resp != nil {
		if body, err := runtime.Payload(resp); err == nil && len(body) > 0 {
			var doc struct {
				Status     string `json:"status"`
				Properties struct {
					ProvisioningState string `json:"provisioningState"`
				} `json:"properties"`
			}
			if json.Unmarshal(body, &doc) == nil {
				if s := strings.TrimSpace(doc.Status); s != "" {
					return s
				}
				if s := doc.Properties.ProvisioningState; s != "" {
					return s
				}
			}
		}
	}
	if done {
		return "Done"
	}
	return "InProgress"
}
