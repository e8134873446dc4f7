package azuresim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A write to ARM is a long-running operation: ARM accepts the request (after
// the rules), the resource shows provisioningState Creating, Updating or
// Deleting while it runs, and it finishes after the operation's latency.
// One pipeline serves the Pulumi engine (gRPC) and the ARM front end (the
// Azure SDK for Go), so both meet the same rules, the same concurrency and
// the same eTags.
//
// An accepted operation belongs to ARM, not to the request: it is kept with
// the simulated Azure (in the state file, when there is one) and finishes at
// its due time whether or not anybody still waits for it. A cancelled
// request, a killed engine or a stopped simulator only stop the waiting.
// Source: "Track asynchronous Azure operations" (learn.microsoft.com/azure/
// azure-resource-manager/management/async-operations): after ARM answers
// 201 or 202 the operation runs on and the client only polls its status;
// banzaicloud/pipeline#1782 (a client that stopped waiting, "the operation
// continues to run on the cloud provider side and eventually complete"),
// pulumi/pulumi-azure-native#1123 (the resource then exists without the
// engine knowing: "cannot create already existing resource").

// pendingOp is an accepted operation that has not finished. It is stored
// with the simulated Azure, so its fields are exported for JSON.
type pendingOp struct {
	// Seq tells this operation apart from a later one on the same ID.
	Seq string `json:"seq"`
	// Family is what admits one operation at a time: a cluster and its agent
	// pools share the cluster's lower-cased ID; other types have none.
	Family string `json:"family,omitempty"`
	ID     string `json:"id"`
	Token  string `json:"type"`
	Op     Op     `json:"op"`
	// Due is when ARM finishes the operation.
	Due time.Time `json:"due"`
	// Result is what the operation commits (nil for a delete); while it runs
	// reads see it (or the existing resource of a delete) with state.
	Result   *Resource `json:"result,omitempty"`
	Existing *Resource `json:"existing,omitempty"`
	// Pools are the cluster's AgentPool resources that a cluster PUT changes
	// (a PUT built from a GET names every pool).
	Pools []*Resource `json:"pools,omitempty"`
}

// state is the provisioningState ARM reports while the operation runs.
func (p *pendingOp) state() string {
	switch p.Op {
	case OpCreate:
		return "Creating"
	case OpDelete:
		return "Deleting"
	}
	return "Updating"
}

// familyOf is the concurrency family of a resource: AKS runs one operation
// at a time on a cluster and its agent pools (cilium/cilium#25944,
// Azure/AKS#1913: 409 OperationNotAllowed).
func familyOf(token, id string) string {
	switch token {
	case TypeManagedCluster:
		return strings.ToLower(id)
	case TypeAgentPool:
		return strings.ToLower(parentID(id))
	}
	return ""
}

// errTimedOut marks an operation that ARM accepted and finished but the
// provider gave up waiting for (FaultTimeout).
var errTimedOut = errors.New("operation timed out")

// TimedOutError is an operation ARM accepted whose result the provider did
// not wait for: the resource exists (Resource) and the engine records it as
// created (or updated) with an initialization error.
type TimedOutError struct {
	// Resource is the resource as ARM now holds it.
	Resource Resource
}

// Error says what happened.
func (e *TimedOutError) Error() string {
	return fmt.Sprintf("azure-native (simulated): %s: operation timed out after ARM accepted the request (simulated timeout fault); the resource exists and the next update retries it", e.Resource.ID)
}

// Unwrap is errTimedOut.
func (e *TimedOutError) Unwrap() error { return errTimedOut }

// mutate runs one ARM write or delete the way azure-native experiences it:
// each attempt is counted and may meet an injected fault (429, 5xx and 409
// AnotherOperationInProgress are retried), then ARM judges the request
// (concurrency, eTag, rules) and accepts it, the operation takes its
// latency, and it commits. A cancelled request stops waiting, and the
// operation still finishes at its due time, as ARM's does. It returns the
// resource as committed (nil for a delete).
func (s *Simulator) mutate(ctx context.Context, req *armRequest, urn string) (*Resource, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopOnShutdown := context.AfterFunc(s.serving.Context(), cancel)
	defer stopOnShutdown()

	rec := Operation{Op: req.op, Type: req.spec.token, ID: req.id, Start: time.Now()}
	res, err := s.runMutation(ctx, &rec, req, urn)
	rec.End = time.Now()
	if err != nil {
		rec.Err = err.Error()
	}
	s.record(rec, err)
	return res, err
}

func (s *Simulator) runMutation(ctx context.Context, rec *Operation, req *armRequest, urn string) (*Resource, error) {
	timedOut, err := s.frontDoor(ctx, rec, urn)
	if err != nil {
		return nil, err
	}
	p, done, err := s.accept(req, s.latency(rec.Type, rec.Op))
	if err != nil || done {
		return nil, err
	}
	if err := sleep(ctx, time.Until(p.Due)); err != nil {
		return nil, fmt.Errorf("azure-native (simulated): %s %s %s: %w (the request was interrupted; ARM goes on with the operation)", rec.Op, shortName(rec.Type), rec.ID, err)
	}
	res, err := s.commit(p)
	if err != nil {
		return nil, err
	}
	switch {
	case timedOut && res != nil:
		return res, &TimedOutError{Resource: res.copy()}
	case timedOut:
		return nil, fmt.Errorf("azure-native (simulated): %s %s %s: %w (simulated timeout fault; ARM finished the operation)", rec.Op, shortName(rec.Type), rec.ID, errTimedOut)
	}
	return res, nil
}

// frontDoor counts the attempts of a call and applies the injected faults:
// throttling, server errors and AnotherOperationInProgress are retried with
// backoff like azure-native's azcore pipeline
// (provider/pkg/azure/client_azcore.go: 408, 429, 500, 502, 503, 504 and a
// 409 whose code is AnotherOperationInProgress), anything else fails the
// call. A timeout fault lets the request through and reports that the
// provider stopped waiting.
func (s *Simulator) frontDoor(ctx context.Context, rec *Operation, urn string) (timedOut bool, err error) {
	action := fmt.Sprintf("%s %s %s", rec.Op, shortName(rec.Type), rec.ID)
	for {
		rec.Attempts++
		s.statsMu.Lock()
		s.calls[OpKey{rec.Type, rec.Op}]++
		s.statsMu.Unlock()

		f, faulted := s.takeFault(rec.Type, rec.Op)
		if !faulted {
			return false, nil
		}
		s.logf("injected fault %s on %s (attempt %d)", f.Kind, action, rec.Attempts)
		switch {
		case f.Kind == FaultTimeout:
			return true, nil
		case f.retryable() && rec.Attempts <= s.opts.Retry.maxRetries():
			wait := s.opts.Retry.backoff(rec.Attempts)
			s.diag(ctx, urn, true, fmt.Sprintf("Azure answered %s; retrying in %s (simulated)", f.Kind, wait))
			if err := sleep(ctx, wait); err != nil {
				return false, err
			}
		default:
			return false, f.err(action)
		}
	}
}

// accept judges a request under the state lock and, when ARM would accept
// it, registers its operation, due after latency, with the simulated Azure
// (where other processes on the same state file see it). done is true for a
// request that needs no operation (the delete of a resource that is already
// gone).
func (s *Simulator) accept(req *armRequest, latency time.Duration) (p *pendingOp, done bool, err error) {
	err = s.writeState(func(st *store) error {
		p, done, err = s.judge(st, req, latency)
		return err
	})
	return p, done, err
}

// judge is accept's decision on the current state: ARM's checks in order,
// then the operation registered in st.
func (s *Simulator) judge(st *store, req *armRequest, latency time.Duration) (p *pendingOp, done bool, err error) {
	id := strings.ToLower(req.id)
	committed := st.get(req.id)
	pending := st.ops[id]
	switch req.op {
	case OpCreate:
		// azure-native's Create first GETs the resource and refuses one
		// that exists (provider CanCreate); an agent pool made inline with
		// its cluster exists too.
		if committed != nil || pending != nil || (req.spec.token == TypeAgentPool && s.inlinePoolExists(st, req.id)) {
			return nil, false, fmt.Errorf("cannot create already existing resource '%s'", req.id)
		}
	case OpUpdate:
		req.existing = committed
	case OpDelete:
		if committed == nil && pending == nil {
			return nil, true, nil // ARM's DELETE of a missing resource succeeds
		}
		req.existing = committed
	}
	if family := familyOf(req.spec.token, req.id); family != "" {
		if busy := st.busy(family); busy != nil {
			return nil, false, operationNotAllowed(busy)
		}
	}
	if err := checkETag(req); err != nil {
		return nil, false, err
	}
	if err := checkRules(st, req); err != nil {
		return nil, false, err
	}
	now := time.Now()
	p = &pendingOp{Seq: guid("operation", id, now.Format(time.RFC3339Nano)), Family: familyOf(req.spec.token, req.id),
		ID: req.id, Token: req.spec.token, Op: req.op, Due: now.Add(latency), Existing: committed}
	if req.op != OpDelete {
		p.Result, p.Pools = s.build(st, req)
	}
	st.ops[id] = p
	return p, false, nil
}

// operationNotAllowed is AKS's answer to an operation on a cluster or pool
// while another runs (cilium/cilium#25944 quotes "Operation is not allowed:
// Another agentpool operation (nodepool1 - Creating) is in progress, please
// wait for it to finish before starting a new operation. See
// https://aka.ms/aks-pending-operation for more details"; Azure/terraform-
// azurerm-avm-ptn-aks-production#25 the cluster's "Another operation
// (Updating) is in progress"). azure-native does not retry it.
func operationNotAllowed(busy *pendingOp) *ARMError {
	what := busy.state()
	if busy.Token == TypeAgentPool {
		return aksError(409, "OperationNotAllowed", "", "",
			"Operation is not allowed: Another agentpool operation (%s - %s) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details",
			lastSegment(busy.ID), what)
	}
	return aksError(409, "OperationNotAllowed", "", "",
		"Operation is not allowed: Another operation (%s) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details", what)
}

// checkETag applies If-Match and If-None-Match to a cluster or an agent
// pool (the REST spec's If-Match/If-None-Match headers of ManagedClusters
// and AgentPools CreateOrUpdate and Delete; "*" matches any existing
// resource). A mismatch is 412 PreconditionFailed.
func checkETag(req *armRequest) *ARMError {
	if req.spec.token != TypeManagedCluster && req.spec.token != TypeAgentPool {
		return nil
	}
	current := ""
	if req.existing != nil {
		current = str(req.existing.Outputs, "eTag")
	}
	if m := req.ifMatch; m != "" {
		if req.existing == nil || (m != "*" && m != current) {
			return armError(412, "PreconditionFailed",
				"The request's If-Match header '%s' does not match the current eTag '%s' of the resource; read it again and retry.", m, current)
		}
	}
	if m := req.ifNoneMatch; m != "" && req.existing != nil && (m == "*" || m == current) {
		return armError(412, "PreconditionFailed",
			"The request's If-None-Match header '%s' matches the existing resource (eTag '%s').", m, current)
	}
	return nil
}

// build computes what a write commits: the resource with fresh outputs and
// a new eTag, and for a cluster PUT the AgentPool resources it changes.
func (s *Simulator) build(st *store, req *armRequest) (*Resource, []*Resource) {
	now := time.Now().UTC()
	inputs := cloneMap(req.inputs)
	var pools []*Resource
	if req.spec.token == TypeManagedCluster {
		inline, external := splitPools(st, req.id, list(inputs, "agentPoolProfiles"))
		if req.existing != nil {
			inline = mergePools(list(req.existing.Inputs, "agentPoolProfiles"), inline)
		}
		if inline != nil {
			inputs["agentPoolProfiles"] = inline
		}
		for _, ap := range agentPoolsOf(st, req.id) {
			e, ok := external[strings.ToLower(lastSegment(ap.ID))]
			if !ok {
				continue
			}
			if !poolChanged(ap.Outputs, e) {
				continue
			}
			body := mergeBody(ap.Inputs, e)
			u := ap.copy()
			u.Inputs = body
			u.Generation++
			u.Updated = now
			u.Outputs = s.computeOutputs(resourceTypes[TypeAgentPool], u.ID, body, st.get)
			setETag(&u)
			pools = append(pools, &u)
		}
	}
	res := &Resource{
		ID:            req.id,
		Type:          req.spec.token,
		ARMType:       req.spec.armType,
		Name:          lastSegment(req.id),
		ResourceGroup: resourceGroupName(req.id),
		Inputs:        inputs,
		Created:       now,
		Updated:       now,
		Simulated:     true,
	}
	if req.existing != nil {
		res.ID = req.existing.ID // ARM keeps the casing it was created with
		res.Created = req.existing.Created
		res.Generation = req.existing.Generation + 1
	}
	res.Outputs = s.computeOutputs(req.spec, res.ID, inputs, st.get)
	setETag(res)
	return res, pools
}

// poolChanged reports whether a cluster PUT's entry for an AgentPool
// resource sets a writable field to another value than the pool has.
func poolChanged(outputs, entry map[string]any) bool {
	for k, v := range entry {
		if k == "name" || k == "type" || readOnlyPoolFields[k] {
			continue
		}
		if !equal(v, outputs[k]) {
			return true
		}
	}
	return false
}

// setETag gives a cluster or agent pool the eTag of its generation: it
// changes with every write (REST spec: "The eTag value will change when the
// resource is updated").
func setETag(r *Resource) {
	if r.Type == TypeManagedCluster || r.Type == TypeAgentPool {
		r.Outputs["eTag"] = guid("etag", strings.ToLower(r.ID), fmt.Sprint(r.Generation))
	}
}

// commit finishes an operation whose request waited for it: the write is
// stored (or the resource deleted, with what ARM nests under it) and the
// state saved, under the state file's lock. (Reading the state after its
// due time finishes it too: store.settle.)
func (s *Simulator) commit(p *pendingOp) (*Resource, error) {
	var committed *Resource
	err := s.writeState(func(st *store) error {
		if op := st.ops[strings.ToLower(p.ID)]; op != nil && op.Seq == p.Seq {
			st.finish(op)
		}
		if p.Op != OpDelete {
			committed = s.view(st, p.Result.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return committed, nil
}

// inlinePoolExists reports whether a cluster already has an inline pool of
// an agent pool's name.
func (s *Simulator) inlinePoolExists(st *store, poolID string) bool {
	c := st.get(parentID(poolID))
	if c == nil {
		return false
	}
	_, ok := poolsByName(list(c.Inputs, "agentPoolProfiles"))[strings.ToLower(lastSegment(poolID))]
	return ok
}

// view is a resource as an ARM GET returns it now, or nil: an operation in
// progress shows as its provisioningState (Creating, Updating, Deleting),
// and a cluster lists every agent pool in agentPoolProfiles, its inline
// pools and its AgentPool resources (pulumi/pulumi-azure-native#2719).
// Called under the state lock.
func (s *Simulator) view(st *store, id string) *Resource {
	var r *Resource
	if p := st.ops[strings.ToLower(id)]; p != nil {
		switch {
		case p.Result != nil:
			c := p.Result.copy()
			r = &c
		case p.Existing != nil:
			c := p.Existing.copy()
			r = &c
		}
		if r != nil {
			setProvisioningState(r, p.state())
		}
	} else if c := st.get(id); c != nil {
		cp := c.copy()
		r = &cp
	}
	if r == nil {
		return nil
	}
	if r.Type == TypeManagedCluster {
		s.listPools(st, r)
	}
	return r
}

// listPools puts the cluster's AgentPool resources after its inline pools
// in agentPoolProfiles, shaped as ARM lists them there.
func (s *Simulator) listPools(st *store, cluster *Resource) {
	pools := list(cluster.Outputs, "agentPoolProfiles")
	out := make([]any, 0, len(pools))
	for _, p := range pools {
		out = append(out, clone(p))
	}
	ids := map[string]bool{}
	for _, ap := range agentPoolsOf(st, cluster.ID) {
		ids[strings.ToLower(ap.ID)] = true
		out = append(out, profileOf(s.view(st, ap.ID)))
	}
	for id, p := range st.ops {
		if p.Token == TypeAgentPool && p.Op == OpCreate && !ids[id] && strings.EqualFold(parentID(p.ID), cluster.ID) {
			out = append(out, profileOf(s.view(st, p.ID)))
		}
	}
	cluster.Outputs["agentPoolProfiles"] = out
}

// profileOf is an AgentPool resource as an entry of its cluster's
// agentPoolProfiles: named, with the pool type instead of the ARM type.
func profileOf(ap *Resource) map[string]any {
	out := cloneMap(ap.Outputs)
	out["name"] = lastSegment(ap.ID)
	t := str(ap.Inputs, "type")
	if t == "" {
		t = "VirtualMachineScaleSets"
	}
	out["type"] = t
	return out
}

func setProvisioningState(r *Resource, state string) {
	switch r.Type {
	case TypeResourceGroup:
		r.Outputs["properties"] = map[string]any{"provisioningState": state}
	default:
		r.Outputs["provisioningState"] = state
	}
}

// record logs and keeps an operation for Operations.
func (s *Simulator) record(rec Operation, err error) {
	s.statsMu.Lock()
	s.ops = append(s.ops, rec)
	s.statsMu.Unlock()
	outcome := "ok"
	if err != nil {
		outcome = "failed: " + errorSummary(err)
	}
	s.logf("%s %s %s: %s (%d call(s), %s)", rec.Op, shortName(rec.Type), rec.ID, outcome, rec.Attempts, rec.Duration().Round(time.Millisecond))
}

func lower(s string) string { return strings.ToLower(s) }
