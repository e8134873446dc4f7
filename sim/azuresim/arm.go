package azuresim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8/fake"
)

// ARMTransport is the simulated Azure seen through the Azure SDK for Go:
// an HTTP transport for armcontainerservice (v8, API 2025-10-01) clients that reads and
// writes the simulator's managed clusters and agent pools through the same
// operation pipeline as the Pulumi engine (operations.go): the same rules,
// one operation at a time per cluster (409 OperationNotAllowed), eTags with
// If-Match and If-None-Match (412 PreconditionFailed), the provisioning
// states while an operation runs, latencies and faults. A PUT is a PUT: the
// body replaces the resource, as ARM's does (a GET, a change, a PUT is the
// way to change one property). It serves ManagedClusters Get,
// CreateOrUpdate and Delete and AgentPools Get, List, CreateOrUpdate and
// Delete, so the migration path (automation/migrate) runs against the same
// "Azure" as the engine: an update made here is what the next refresh reads.
// Errors arrive as *azcore.ResponseError with ARM's status, code and body.
// It is built on the SDK's own fake servers. Managed-cluster GET and PUT at
// api-version 2026-01-01 (API2026: ACNS's WireGuard and eBPF host routing,
// which no served SDK has) are answered as raw JSON through the same
// pipeline (arm2026.go).
//
//	client, _ := migrate.NewClient(migrate.ClientOptions{
//		Credential: &azfake.TokenCredential{},
//		ARM:        arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: sim.ARMTransport()}},
//	})
func (s *Simulator) ARMTransport() policy.Transporter {
	return api2026Transport{s: s, next: armTransport{inner: fake.NewServerFactoryTransport(&fake.ServerFactory{
		ManagedClustersServer: fake.ManagedClustersServer{
			Get:                 s.armGetCluster,
			BeginCreateOrUpdate: s.armPutCluster,
			BeginDelete:         s.armDeleteCluster,
		},
		AgentPoolsServer: fake.AgentPoolsServer{
			Get:                 s.armGetPool,
			NewListPager:        s.armListPools,
			BeginCreateOrUpdate: s.armPutPool,
			BeginDelete:         s.armDeletePool,
		},
	})}}
}

// armTransport answers an ARM error as ARM does: the status, the
// x-ms-error-code header and the provider's JSON body (the SDK's fake
// servers only carry a status and a code).
type armTransport struct{ inner policy.Transporter }

type armFailure struct{ err *ARMError }

type armFailureKey struct{}

func (t armTransport) Do(req *http.Request) (*http.Response, error) {
	f := &armFailure{}
	req = req.WithContext(context.WithValue(req.Context(), armFailureKey{}, f))
	resp, err := t.inner.Do(req)
	if f.err != nil {
		return f.err.response(req), nil
	}
	return resp, err
}

// fail answers a request with an error: an *ARMError goes out as ARM's
// response, anything else as a 500.
func fail(ctx context.Context, errResp *azfake.ErrorResponder, err error) {
	var ae *ARMError
	if !errors.As(err, &ae) {
		ae = armError(http.StatusInternalServerError, "InternalServerError", "%v", err)
	}
	if f, ok := ctx.Value(armFailureKey{}).(*armFailure); ok {
		f.err = ae
	}
	errResp.SetResponseError(ae.StatusCode, ae.Code)
}

// clusterID is the ARM ID of a simulated managed cluster.
func (s *Simulator) clusterID(rg, name string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerService/managedClusters/%s",
		s.opts.SubscriptionID, rg, name)
}

// current is the view of a resource, from the simulated Azure as it is now.
func (s *Simulator) current(id string) (*Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.state.sync(); err != nil {
		return nil, err
	}
	return s.view(s.state, id), nil
}

func (s *Simulator) armGetCluster(ctx context.Context, rg, name string, _ *acs.ManagedClustersClientGetOptions) (
	resp azfake.Responder[acs.ManagedClustersClientGetResponse], errResp azfake.ErrorResponder,
) {
	id := s.clusterID(rg, name)
	var mc acs.ManagedCluster
	if err := s.armRead(ctx, TypeManagedCluster, id, &mc); err != nil {
		fail(ctx, &errResp, err)
		return
	}
	resp.SetResponse(http.StatusOK, acs.ManagedClustersClientGetResponse{ManagedCluster: mc}, nil)
	return
}

func (s *Simulator) armGetPool(ctx context.Context, rg, cluster, name string, _ *acs.AgentPoolsClientGetOptions) (
	resp azfake.Responder[acs.AgentPoolsClientGetResponse], errResp azfake.ErrorResponder,
) {
	id := s.clusterID(rg, cluster) + "/agentPools/" + name
	var pool acs.AgentPool
	if err := s.armRead(ctx, TypeAgentPool, id, &pool); err != nil {
		fail(ctx, &errResp, err)
		return
	}
	resp.SetResponse(http.StatusOK, acs.AgentPoolsClientGetResponse{AgentPool: pool}, nil)
	return
}

// armRead is a GET through the read path (latency, faults, counted), into
// an SDK model. An agent pool made inline with its cluster is found too.
func (s *Simulator) armRead(ctx context.Context, token, id string, into any) error {
	t := resourceTypes[token]
	res, err := s.armCall(ctx, OpRead, token, id, "", func(st *store) (*Resource, error) {
		if r := s.view(st, id); r != nil {
			return r, nil
		}
		if token == TypeAgentPool {
			if c := s.view(st, parentID(id)); c != nil {
				for _, p := range list(c.Outputs, "agentPoolProfiles") {
					if pm, ok := p.(map[string]any); ok && str(pm, "name") == lastSegment(id) {
						return &Resource{ID: id, Type: TypeAgentPool, Inputs: pm, Outputs: pm}, nil
					}
				}
			}
		}
		return nil, notFound(t, id)
	})
	if err != nil {
		return err
	}
	return fromMap(armShapeOf(res), into)
}

// armPutCluster is ManagedClusters CreateOrUpdate: the body, flattened to
// the SDK's shape, goes through the operation pipeline like a Pulumi create
// or update; the long-running operation has finished when the poller sees it.
func (s *Simulator) armPutCluster(ctx context.Context, rg, name string, body acs.ManagedCluster, opts *acs.ManagedClustersClientBeginCreateOrUpdateOptions) (
	resp azfake.PollerResponder[acs.ManagedClustersClientCreateOrUpdateResponse], errResp azfake.ErrorResponder,
) {
	id := s.clusterID(rg, name)
	inputs, err := armBody(TypeManagedCluster, body, map[string]any{"resourceGroupName": rg, "resourceName": name})
	if err != nil {
		fail(ctx, &errResp, err)
		return
	}
	req := &armRequest{spec: resourceTypes[TypeManagedCluster], id: id, inputs: inputs}
	if opts != nil {
		req.ifMatch, req.ifNoneMatch = deref(opts.IfMatch), deref(opts.IfNoneMatch)
	}
	var mc acs.ManagedCluster
	status, err := s.armPut(ctx, req, &mc)
	if err != nil {
		fail(ctx, &errResp, err)
		return
	}
	resp.AddNonTerminalResponse(status, nil) // the operation is accepted, then polled
	resp.SetTerminalResponse(http.StatusOK, acs.ManagedClustersClientCreateOrUpdateResponse{ManagedCluster: mc}, nil)
	return
}

// armPutPool is AgentPools CreateOrUpdate.
func (s *Simulator) armPutPool(ctx context.Context, rg, cluster, name string, body acs.AgentPool, opts *acs.AgentPoolsClientBeginCreateOrUpdateOptions) (
	resp azfake.PollerResponder[acs.AgentPoolsClientCreateOrUpdateResponse], errResp azfake.ErrorResponder,
) {
	id := s.clusterID(rg, cluster) + "/agentPools/" + name
	inputs, err := armBody(TypeAgentPool, body, map[string]any{"resourceGroupName": rg, "resourceName": cluster, "agentPoolName": name})
	if err != nil {
		fail(ctx, &errResp, err)
		return
	}
	req := &armRequest{spec: resourceTypes[TypeAgentPool], id: id, inputs: inputs}
	if opts != nil {
		req.ifMatch, req.ifNoneMatch = deref(opts.IfMatch), deref(opts.IfNoneMatch)
	}
	var pool acs.AgentPool
	status, err := s.armPut(ctx, req, &pool)
	if err != nil {
		fail(ctx, &errResp, err)
		return
	}
	resp.AddNonTerminalResponse(status, nil)
	resp.SetTerminalResponse(http.StatusOK, acs.AgentPoolsClientCreateOrUpdateResponse{AgentPool: pool}, nil)
	return
}

// armPut runs a PUT: a create when the resource does not exist, else an
// update. It returns the status of the first response (201 for a create,
// 200 for an update).
func (s *Simulator) armPut(ctx context.Context, req *armRequest, into any) (int, error) {
	existing, err := s.current(req.id)
	if err != nil {
		return 0, err
	}
	status := http.StatusOK
	req.op = OpUpdate
	if existing == nil {
		req.op, status = OpCreate, http.StatusCreated
	}
	res, err := s.mutate(ctx, req, "")
	if err != nil {
		return 0, err
	}
	return status, fromMap(armShapeOf(res), into)
}

func (s *Simulator) armDeleteCluster(ctx context.Context, rg, name string, opts *acs.ManagedClustersClientBeginDeleteOptions) (
	resp azfake.PollerResponder[acs.ManagedClustersClientDeleteResponse], errResp azfake.ErrorResponder,
) {
	var ifMatch *string
	if opts != nil {
		ifMatch = opts.IfMatch
	}
	if err := s.armDelete(ctx, TypeManagedCluster, s.clusterID(rg, name), ifMatch); err != nil {
		fail(ctx, &errResp, err)
		return
	}
	resp.AddNonTerminalResponse(http.StatusAccepted, nil)
	resp.SetTerminalResponse(http.StatusOK, acs.ManagedClustersClientDeleteResponse{}, nil)
	return
}

func (s *Simulator) armDeletePool(ctx context.Context, rg, cluster, name string, opts *acs.AgentPoolsClientBeginDeleteOptions) (
	resp azfake.PollerResponder[acs.AgentPoolsClientDeleteResponse], errResp azfake.ErrorResponder,
) {
	var ifMatch *string
	if opts != nil {
		ifMatch = opts.IfMatch
	}
	if err := s.armDelete(ctx, TypeAgentPool, s.clusterID(rg, cluster)+"/agentPools/"+name, ifMatch); err != nil {
		fail(ctx, &errResp, err)
		return
	}
	resp.AddNonTerminalResponse(http.StatusAccepted, nil)
	resp.SetTerminalResponse(http.StatusOK, acs.AgentPoolsClientDeleteResponse{}, nil)
	return
}

// armDelete runs a DELETE through the operation pipeline.
func (s *Simulator) armDelete(ctx context.Context, token, id string, ifMatch *string) error {
	_, err := s.mutate(ctx, &armRequest{op: OpDelete, spec: resourceTypes[token], id: id, ifMatch: deref(ifMatch)}, "")
	return err
}

// armListPools lists a cluster's pools as AKS does: the inline pools of
// agentPoolProfiles and the separate AgentPool resources.
func (s *Simulator) armListPools(rg, name string, _ *acs.AgentPoolsClientListOptions) (resp azfake.PagerResponder[acs.AgentPoolsClientListResponse]) {
	id := s.clusterID(rg, name)
	cluster, err := s.current(id)
	if err != nil || cluster == nil {
		resp.AddResponseError(http.StatusNotFound, "ResourceNotFound")
		return
	}
	var pools []*acs.AgentPool
	for _, p := range list(cluster.Outputs, "agentPoolProfiles") {
		pm, _ := p.(map[string]any)
		poolID := id + "/agentPools/" + str(pm, "name")
		var pool acs.AgentPool
		if err := fromMap(armShapeOf(&Resource{ID: poolID, Type: TypeAgentPool, Inputs: pm, Outputs: pm}), &pool); err == nil {
			pools = append(pools, &pool)
		}
	}
	resp.AddPage(http.StatusOK, acs.AgentPoolsClientListResponse{AgentPoolListResult: acs.AgentPoolListResult{Value: pools}}, nil)
	return
}

// armTopLevel are the ARM resource fields outside "properties".
var armTopLevel = map[string][]string{
	TypeManagedCluster: {"location", "tags", "identity", "sku", "extendedLocation", "kind"},
	TypeAgentPool:      {},
}

// armShapeOf is a resource in ARM's REST shape: the SDK's flattened outputs
// with the resource properties under "properties". An agent pool's
// properties.type is its pool type (the outputs' type is the ARM type).
func armShapeOf(r *Resource) map[string]any {
	out := map[string]any{"id": r.ID, "name": lastSegment(r.ID)}
	props := map[string]any{}
	for k, v := range r.Outputs {
		switch {
		case k == "name":
		case k == "type":
			out["type"] = resourceTypes[r.Type].armType
		case k == "eTag" && r.Type == TypeManagedCluster:
			out["eTag"] = v
		case slices.Contains(armTopLevel[r.Type], k):
			out[k] = v
		default:
			props[k] = v
		}
	}
	if r.Type == TypeAgentPool {
		t := str(r.Inputs, "type")
		if t == "" {
			t = "VirtualMachineScaleSets"
		}
		props["type"] = t
	}
	out["properties"] = props
	return out
}

// armBody flattens an SDK model of a PUT body into the SDK's input shape:
// the properties at the top, what ARM computes dropped, and the path
// parameters added as the Pulumi inputs hold them.
func armBody(token string, body any, path map[string]any) (map[string]any, error) {
	m, err := toMap(body)
	if err != nil {
		return nil, armError(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: %v", err)
	}
	flat := map[string]any{}
	for k, v := range m {
		switch k {
		case "properties":
			for pk, pv := range asMap(v) {
				flat[pk] = pv
			}
		case "id", "name", "type", "eTag", "systemData":
		default:
			flat[k] = v
		}
	}
	poolType := flat["type"] // an agent pool's properties.type
	flat = resourceTypes[token].inputShape(flat)
	if token == TypeAgentPool && poolType != nil {
		flat["type"] = poolType
	}
	for k, v := range path {
		flat[k] = v
	}
	return flat, nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func toMap(v any) (map[string]any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	err = json.Unmarshal(data, &m)
	return m, err
}

func fromMap(m map[string]any, v any) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}
