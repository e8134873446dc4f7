package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// A run that dies (killed, cancelled past the grace period, or unable to
// write its state: a full disk) leaves pending operations in the stack's
// state: the resource operations it had started and not recorded. Pulumi's
// next update only warns about them, and they stay. A pending create is the
// dangerous one: against Azure the create usually goes on and succeeds
// without Pulumi, so dropping it from the state (refresh
// --clear-pending-creates) makes the next up fail on "already existing
// resource". So the Engine imports it instead, along Pulumi's documented
// path for a pending create that succeeded (export the state, give the
// resource its ID, import the state, refresh): it names the resource's ARM
// ID from its inputs (the type's ARM path, azureIDPaths), moves it from the
// pending operations into the resources with that ID, and refreshes. The
// refresh reads it from Azure: a resource that exists is kept with what
// Azure holds, one that does not is dropped (and the next up creates it).
// A pending create the Engine cannot name is cleared, with a warning and the
// `pulumi import` command to run if the resource turns out to exist.
// (`pulumi refresh --import-pending-creates` would be the one-step form,
// but in pulumi 3.274.1 the refresh drops the "importing" operations that
// flag makes: backend/journal.go carries only "creating" ones over.)

// azureIDPaths are the ARM resource ID templates of the azure-native types a
// Platform stack creates, by type token without its API version: the ARM
// REST API paths, which azure-native 2.88.0 uses as its resource paths
// (Azure REST API reference: Resource Groups - Create Or Update; Virtual
// Networks and Subnets - Create Or Update; Managed Clusters and Agent Pools
// - Create Or Update, learn.microsoft.com/rest/api/resources,
// learn.microsoft.com/rest/api/virtualnetwork, learn.microsoft.com/rest/api/aks).
// The braces name the resource's input properties that fill them.
var azureIDPaths = map[string]string{
	"azure-native:resources:ResourceGroup":         "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
	"azure-native:network:VirtualNetwork":          "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}",
	"azure-native:network:Subnet":                  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
	"azure-native:containerservice:ManagedCluster": "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}",
	"azure-native:containerservice:AgentPool":      "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}",
}

var (
	idParamRE      = regexp.MustCompile(`\{([A-Za-z]+)\}`)
	subscriptionRE = regexp.MustCompile(`^/subscriptions/([^/]+)/`)
)

// azureID names the resource a pending create of type token with inputs
// makes, or reports that it cannot (a type outside azureIDPaths, an input
// missing or not a plain string, no known subscription).
func azureID(token string, inputs map[string]any, subscription string) (string, bool) {
	// azure-native:containerservice/v20241001:ManagedCluster is the same
	// ARM resource as azure-native:containerservice:ManagedCluster.
	parts := strings.Split(token, ":")
	if len(parts) != 3 {
		return "", false
	}
	module, _, _ := strings.Cut(parts[1], "/")
	path, ok := azureIDPaths[parts[0]+":"+module+":"+parts[2]]
	if !ok || subscription == "" {
		return "", false
	}
	complete := true
	id := idParamRE.ReplaceAllStringFunc(path, func(m string) string {
		name := m[1 : len(m)-1]
		if name == "subscriptionId" {
			return subscription
		}
		v, ok := inputs[name].(string)
		if !ok || v == "" || strings.ContainsAny(v, "/") {
			complete = false
		}
		return v
	})
	return id, complete
}

// deployment is the part of a stack's state (Pulumi's DeploymentV3) that
// pending operations are resolved with.
type deployment struct {
	Resources []struct {
		URN     string         `json:"urn"`
		ID      string         `json:"id"`
		Type    string         `json:"type"`
		Outputs map[string]any `json:"outputs"`
	} `json:"resources"`
	Pending []struct {
		Type     string `json:"type"`
		Resource struct {
			URN    string         `json:"urn"`
			Type   string         `json:"type"`
			Inputs map[string]any `json:"inputs"`
		} `json:"resource"`
	} `json:"pending_operations"`
}

// readDeployment reads the stack's state: from its checkpoint file with the
// default file backend (no pulumi process; a stack without one has no state
// yet), else, and for Pulumi's compressed checkpoints, with `pulumi stack
// export`.
func (e *Engine) readDeployment(ctx context.Context, st *auto.Stack) (*deployment, error) {
	if file := e.checkpointFile(st.Name()); file != "" {
		data, err := os.ReadFile(file)
		if err == nil {
			var cp struct {
				Checkpoint struct {
					Latest *deployment `json:"latest"`
				} `json:"checkpoint"`
			}
			if err := json.Unmarshal(data, &cp); err != nil {
				return nil, &DamagedStateError{Stack: st.Name(), File: file, Err: err}
			}
			if cp.Checkpoint.Latest == nil {
				return &deployment{}, nil // a stack that never ran an update
			}
			return cp.Checkpoint.Latest, nil
		}
		compressed, _ := filepath.Glob(file + ".*")
		if !slices.ContainsFunc(compressed, func(f string) bool { return strings.HasSuffix(f, ".gz") || strings.HasSuffix(f, ".zst") }) {
			return &deployment{}, nil
		}
	}
	state, err := st.Export(ctx)
	if err != nil {
		return nil, e.classify(ctx, "export", st.Name(), err, nil)
	}
	var d deployment
	if err := json.Unmarshal(state.Deployment, &d); err != nil {
		return nil, fmt.Errorf("stack %s: reading its state: %w", st.Name(), err)
	}
	return &d, nil
}

// checkpointFile is the stack's state file in the default file backend
// (uncompressed), or "" for another backend.
func (e *Engine) checkpointFile(stack string) string {
	state := e.StateDir()
	if state == "" {
		return ""
	}
	return filepath.Join(state, ".pulumi", "stacks", e.opts.Project, stack+".json")
}

// subscription is the Azure subscription the stack's resources live in: the
// one in the ID of a resource already in the state, else ARM_SUBSCRIPTION_ID
// (the Engine's environment, then the process's), as azure-native reads it.
func (e *Engine) subscription(d *deployment) string {
	for _, r := range d.Resources {
		if m := subscriptionRE.FindStringSubmatch(r.ID); m != nil {
			return m[1]
		}
	}
	if s := e.opts.Env["ARM_SUBSCRIPTION_ID"]; s != "" {
		return s
	}
	return os.Getenv("ARM_SUBSCRIPTION_ID")
}

// PendingReport says how the pending operations a dead run left were
// resolved.
type PendingReport struct {
	// Operations are the pending operations found ("creating", "updating",
	// "deleting", ...), by URN. All of them are resolved.
	Operations map[string]string
	// Imported are the pending creates whose resource exists: imported into
	// the state with what Azure holds, by URN (the value is the ARM ID).
	Imported map[string]string
	// Dropped are the pending creates whose resource does not exist: the
	// next up creates them.
	Dropped []string
	// Unnamed are pending creates whose ARM ID the Engine cannot name (a
	// type it does not know, or no known subscription): cleared from the
	// state. If the resource exists, import it before the next up with
	// the command given in Hints.
	Unnamed []string
	// Hints are the `pulumi import` commands for Unnamed resources.
	Hints []string
	// Refresh is the refresh that resolved them.
	Refresh *result.Result
	// Waited are the resources of pending operations that Azure was still
	// working on (the dead run's operation goes on in Azure), by URN, with
	// the provisioningState they had; the Engine waited until Azure
	// finished them (WaitedFor), so the next operation is not refused.
	Waited map[string]string
	// WaitedFor is how long that took.
	WaitedFor time.Duration
}

// resolvePending resolves the stack's pending operations, if there are any:
// the pending creates it can name are moved into the state with their ARM
// ID (one `pulumi stack import`), then one refresh reads everything, drops
// what does not exist and clears the remaining pending creates. It returns
// nil when there was nothing pending.
//
// extra are resources to adopt the same way (Recover, after it restored an
// older checkpoint: what the next up would create); those that do not exist
// are simply not adopted.
func (e *Engine) resolvePending(ctx context.Context, st *auto.Stack, label string, extra []adoptee) (*PendingReport, error) {
	d, err := e.readDeployment(ctx, st)
	if err != nil {
		return nil, err
	}
	if len(d.Pending) == 0 && len(extra) == 0 {
		return nil, nil
	}
	rep := &PendingReport{Operations: map[string]string{}, Imported: map[string]string{}}
	sub := e.subscription(d)
	named := map[string]string{} // URN -> ARM ID of the pending creates
	for _, op := range d.Pending {
		rep.Operations[op.Resource.URN] = op.Type
		if op.Type != "creating" {
			continue
		}
		if id, ok := azureID(op.Resource.Type, op.Resource.Inputs, sub); ok {
			named[op.Resource.URN] = id
			continue
		}
		rep.Unnamed = append(rep.Unnamed, op.Resource.URN)
		rep.Hints = append(rep.Hints, fmt.Sprintf("pulumi import --stack %s %s %s <its ARM ID>", st.Name(), op.Resource.Type, urnName(op.Resource.URN)))
	}
	if err := e.checkRoom(st.Name()); err != nil {
		return nil, err
	}
	if len(named) > 0 || len(extra) > 0 {
		if err := e.adopt(ctx, st, named, extra); err != nil {
			return nil, err
		}
	}
	if rep.Refresh, err = e.refresh(ctx, st, label, []optrefresh.Option{optrefresh.ClearPendingCreates()}); err != nil {
		return nil, err
	}
	after, err := e.readDeployment(ctx, st)
	if err != nil {
		return nil, err
	}
	inState := map[string]string{}
	for _, r := range after.Resources {
		inState[r.URN] = r.ID
	}
	for _, urn := range slices.Sorted(maps.Keys(named)) {
		if id := inState[urn]; id != "" {
			rep.Imported[urn] = id
		} else {
			rep.Dropped = append(rep.Dropped, urn)
		}
	}
	for _, a := range extra {
		if id := inState[a.URN]; id != "" {
			rep.Imported[a.URN] = id
		}
	}
	if err := e.restoreInputs(ctx, st, adoptedInputs(d, extra, rep.Imported)); err != nil {
		return nil, err
	}
	if err := e.waitForAzure(ctx, st, label, after, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// Azure finishes an operation it accepted whether or not its caller still
// waits ("Track asynchronous Azure operations",
// learn.microsoft.com/azure/azure-resource-manager/management/async-operations),
// and AKS refuses any other operation on a cluster and its pools until
// then (409 OperationNotAllowed, "Another operation (Creating) is in
// progress"). So after a dead run, the resources of its pending operations
// may still be Creating, Updating or Deleting; the Engine waits for them
// before it goes on, reading them again with a targeted refresh after
// azureWait, doubling up to azureWaitMax, until ctx ends.
var (
	azureWait    = time.Second
	azureWaitMax = 30 * time.Second
)

// waitForAzure waits until none of the report's resources in the state d
// has an operation in progress in Azure, and records in rep what it waited
// for.
func (e *Engine) waitForAzure(ctx context.Context, st *auto.Stack, label string, d *deployment, rep *PendingReport) error {
	start, wait := time.Now(), azureWait
	for {
		busy := map[string]string{}
		for _, r := range d.Resources {
			_, pending := rep.Operations[r.URN]
			if _, imported := rep.Imported[r.URN]; !pending && !imported {
				continue
			}
			if state := operationInProgress(r.Outputs); state != "" {
				busy[r.URN] = state
			}
		}
		if len(busy) == 0 {
			if len(rep.Waited) > 0 {
				rep.WaitedFor = time.Since(start)
			}
			return nil
		}
		if rep.Waited == nil {
			rep.Waited = maps.Clone(busy)
		}
		if e.opts.Progress != nil {
			var what []string
			for _, urn := range slices.Sorted(maps.Keys(busy)) {
				what = append(what, fmt.Sprintf("%s (%s)", urnName(urn), busy[urn]))
			}
			fmt.Fprintf(e.opts.Progress, "%s of stack %s: Azure is still working on what an earlier run started: %s; reading again in %s\n",
				label, st.Name(), strings.Join(what, ", "), wait)
		}
		select {
		case <-ctx.Done():
			return &CancelledError{Stack: st.Name(), Operation: "wait for Azure", Err: ctx.Err()}
		case <-time.After(wait):
		}
		wait = min(2*wait, azureWaitMax)
		if _, err := e.refresh(ctx, st, label, []optrefresh.Option{optrefresh.Target(slices.Sorted(maps.Keys(busy)))}); err != nil {
			return err
		}
		var err error
		if d, err = e.readDeployment(ctx, st); err != nil {
			return err
		}
	}
}

// operationInProgress is the provisioningState of a resource's outputs
// while Azure runs an operation on it, or "" when none runs: ARM's
// terminal states are Succeeded, Failed and Canceled, and no state means
// the operation finished (async-operations, above). A resource group
// reports it under properties.
func operationInProgress(outputs map[string]any) string {
	state, _ := outputs["provisioningState"].(string)
	if props, ok := outputs["properties"].(map[string]any); ok && state == "" {
		state, _ = props["provisioningState"].(string)
	}
	switch strings.ToLower(state) {
	case "", "succeeded", "failed", "canceled":
		return ""
	}
	return state
}

// An adopted resource has no outputs yet, so the refresh that reads it
// cannot tell what Azure defaulted from what was asked: azure-native's Read
// projects the old outputs (none) and the new ones to the input shape and
// applies the difference to the inputs (pulumi-azure-native
// provider/pkg/provider/provider.go, Read, in the v2 line: read at commit
// 006a62af, whose Read and Diff take the old inputs from the engine's
// request before `__inputs`). That puts every writable property Azure
// reports into them (a cluster's nodeResourceGroup among them, whose
// change then plans a replacement). So after that refresh the Engine gives each imported
// resource back the inputs it was adopted with, the ones the dead run sent
// to Azure: the state is then what a create that finished would have
// recorded, inputs as asked and outputs as read.

// adoptedInputs are the inputs, by URN, that the imported resources were
// adopted with: a pending create's from the state d, an extra one's from
// its adoptee.
func adoptedInputs(d *deployment, extra []adoptee, imported map[string]string) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, op := range d.Pending {
		if _, ok := imported[op.Resource.URN]; ok && op.Type == "creating" {
			if raw, err := json.Marshal(op.Resource.Inputs); err == nil {
				out[op.Resource.URN] = raw
			}
		}
	}
	for _, a := range extra {
		var r struct {
			Inputs json.RawMessage `json:"inputs"`
		}
		if _, ok := imported[a.URN]; ok && json.Unmarshal(a.Resource, &r) == nil && r.Inputs != nil {
			out[a.URN] = r.Inputs
		}
	}
	return out
}

// restoreInputs rewrites the stack's state (export, edit, import) so that
// each resource in inputs, by URN, records those inputs (and azure-native's
// copy of them in its outputs, __inputs, where there is one). Everything
// else is kept as it is.
func (e *Engine) restoreInputs(ctx context.Context, st *auto.Stack, inputs map[string]json.RawMessage) error {
	if len(inputs) == 0 {
		return nil
	}
	return e.editState(ctx, st, func(dep map[string]json.RawMessage) error {
		var resources []map[string]json.RawMessage
		if err := json.Unmarshal(dep["resources"], &resources); err != nil {
			return fmt.Errorf("stack %s: reading its resources: %w", st.Name(), err)
		}
		for _, r := range resources {
			var urn string
			_ = json.Unmarshal(r["urn"], &urn)
			in, ok := inputs[urn]
			if !ok {
				continue
			}
			r["inputs"] = in
			var outputs map[string]json.RawMessage
			if json.Unmarshal(r["outputs"], &outputs) == nil && outputs["__inputs"] != nil {
				outputs["__inputs"] = in
				var err error
				if r["outputs"], err = json.Marshal(outputs); err != nil {
					return err
				}
			}
		}
		var err error
		dep["resources"], err = json.Marshal(resources)
		return err
	})
}

// editState rewrites the stack's state: export, edit the deployment (its
// top-level fields, as raw JSON), import. What edit leaves alone is kept
// byte for byte.
func (e *Engine) editState(ctx context.Context, st *auto.Stack, edit func(dep map[string]json.RawMessage) error) error {
	state, err := st.Export(ctx)
	if err != nil {
		return e.classify(ctx, "export", st.Name(), err, nil)
	}
	var dep map[string]json.RawMessage
	if err := json.Unmarshal(state.Deployment, &dep); err != nil {
		return fmt.Errorf("stack %s: reading its state: %w", st.Name(), err)
	}
	if err := edit(dep); err != nil {
		return err
	}
	if state.Deployment, err = json.Marshal(dep); err != nil {
		return err
	}
	if err := st.Import(ctx, state); err != nil {
		return e.noSpace(st.Name(), e.classify(ctx, "import", st.Name(), err, nil))
	}
	return nil
}

// adoptee is a resource to add to the state with its ARM ID, as Pulumi's
// state holds it (ResourceV3 JSON).
type adoptee struct {
	URN      string
	Resource json.RawMessage
}

// plannedCreates previews the stack (with the spec in its settings) and
// returns, for each custom resource the preview would create whose ARM ID
// the Engine can name, that resource as the state would hold it with that
// ID. After a checkpoint was restored from an older one, these may exist in
// Azure already: the run that damaged the checkpoint created them.
func (e *Engine) plannedCreates(ctx context.Context, st *auto.Stack) ([]adoptee, error) {
	d, err := e.readDeployment(ctx, st)
	if err != nil {
		return nil, err
	}
	sub := e.subscription(d)
	ch := make(chan events.EngineEvent)
	var found []adoptee
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for ev := range ch {
			pre := ev.ResourcePreEvent
			if pre == nil || pre.Metadata.Op != apitype.OpCreate || pre.Metadata.New == nil || !pre.Metadata.New.Custom {
				continue
			}
			n := pre.Metadata.New
			id, ok := azureID(n.Type, n.Inputs, sub)
			if !ok || strings.Contains(n.Provider, "04da6b54-80e4-46f7-96ec-b56ff0331ba9") { // a provider not created yet
				continue
			}
			res, err := json.Marshal(map[string]any{
				"urn": n.URN, "custom": true, "id": id, "type": n.Type, "inputs": n.Inputs,
				"parent": n.Parent, "provider": n.Provider,
			})
			if err == nil {
				found = append(found, adoptee{URN: n.URN, Resource: res})
			}
		}
	}()
	_, err = st.Preview(ctx, optpreview.EventStreams(ch))
	<-collected
	if err != nil {
		return nil, e.classify(ctx, "preview", st.Name(), err, nil)
	}
	return found, nil
}

// adopt rewrites the stack's state (export, edit, import): each pending
// create in ids becomes a resource with that ID, and each extra resource is
// added, after every resource already there (so after its parent, provider
// and dependencies); the adopted pending operations are removed. Everything
// else in the state is kept byte for byte.
func (e *Engine) adopt(ctx context.Context, st *auto.Stack, ids map[string]string, extra []adoptee) error {
	return e.editState(ctx, st, func(dep map[string]json.RawMessage) error {
		var resources, pending, kept []json.RawMessage
		if raw, ok := dep["resources"]; ok {
			if err := json.Unmarshal(raw, &resources); err != nil {
				return fmt.Errorf("stack %s: reading its resources: %w", st.Name(), err)
			}
		}
		if raw, ok := dep["pending_operations"]; ok {
			if err := json.Unmarshal(raw, &pending); err != nil {
				return fmt.Errorf("stack %s: reading its pending operations: %w", st.Name(), err)
			}
		}
		for _, raw := range pending {
			var op struct {
				Type     string                     `json:"type"`
				Resource map[string]json.RawMessage `json:"resource"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				return fmt.Errorf("stack %s: reading a pending operation: %w", st.Name(), err)
			}
			var urn string
			_ = json.Unmarshal(op.Resource["urn"], &urn)
			id, ok := ids[urn]
			if op.Type != "creating" || !ok {
				kept = append(kept, raw)
				continue
			}
			op.Resource["id"], _ = json.Marshal(id)
			res, err := json.Marshal(op.Resource)
			if err != nil {
				return err
			}
			resources = append(resources, res)
		}
		for _, a := range extra {
			resources = append(resources, a.Resource)
		}
		var err error
		if dep["resources"], err = json.Marshal(resources); err != nil {
			return err
		}
		if len(kept) == 0 {
			delete(dep, "pending_operations")
		} else if dep["pending_operations"], err = json.Marshal(kept); err != nil {
			return err
		}
		return nil
	})
}

// urnName is the resource name at the end of a URN.
func urnName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }

// diagnostics are lines for a result: what resolving the pending
// operations found and did (none for a nil report).
func (p *PendingReport) diagnostics() []result.Diagnostic {
	if p == nil {
		return nil
	}
	var out []result.Diagnostic
	// Warnings: the state was repaired, which an operator should see.
	add := func(format string, args ...any) {
		out = append(out, result.Diagnostic{Severity: "warning", Message: fmt.Sprintf(format, args...)})
	}
	add("resolved %d pending operation(s) an earlier run left", len(p.Operations))
	for _, urn := range slices.Sorted(maps.Keys(p.Imported)) {
		add("imported %s: its create had gone on in Azure (%s)", urnName(urn), p.Imported[urn])
	}
	if len(p.Waited) > 0 {
		var what []string
		for _, urn := range slices.Sorted(maps.Keys(p.Waited)) {
			what = append(what, fmt.Sprintf("%s (%s)", urnName(urn), p.Waited[urn]))
		}
		add("waited %s for Azure to finish what the earlier run started: %s", p.WaitedFor.Round(time.Second), strings.Join(what, ", "))
	}
	for _, urn := range p.Dropped {
		add("dropped the pending create of %s: it does not exist, so it is created again", urnName(urn))
	}
	for i, urn := range p.Unnamed {
		out = append(out, result.Diagnostic{Severity: "warning", Message: fmt.Sprintf("cleared the pending create of %s without knowing its ARM ID: if it exists, import it (%s)", urnName(urn), p.Hints[i])})
	}
	return out
}
