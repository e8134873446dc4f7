package azuresim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8/fake"
)

// ARMTransport is the simulated Azure seen through the Azure SDK for Go:
// an HTTP transport for armcontainerservice (v8, API 2025-10-01) clients that reads and
// updates the simulator's managed clusters and agent pools. It serves what
// an in-place ARM update needs (ManagedClusters Get and CreateOrUpdate,
// AgentPools List), so the migration path (automation/migrate) runs against
// the same "Azure" as the Pulumi engine: an update made here is what the
// next refresh reads. It is built on the SDK's own fake servers.
//
//	client, _ := migrate.NewClient(migrate.ClientOptions{
//		Credential: &azfake.TokenCredential{},
//		ARM:        arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: sim.ARMTransport()}},
//	})
func (s *Simulator) ARMTransport() policy.Transporter {
	return fake.NewServerFactoryTransport(&fake.ServerFactory{
		ManagedClustersServer: fake.ManagedClustersServer{
			Get:                 s.armGetCluster,
			BeginCreateOrUpdate: s.armPutCluster,
		},
		AgentPoolsServer: fake.AgentPoolsServer{
			NewListPager: s.armListPools,
		},
	})
}

// clusterID is the ARM ID of a simulated managed cluster.
func (s *Simulator) clusterID(rg, name string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerService/managedClusters/%s",
		s.opts.SubscriptionID, rg, name)
}

func (s *Simulator) armGetCluster(_ context.Context, rg, name string, _ *acs.ManagedClustersClientGetOptions) (
	resp azfake.Responder[acs.ManagedClustersClientGetResponse], errResp azfake.ErrorResponder,
) {
	mc, err := s.armCluster(rg, name)
	if err != nil {
		errResp.SetResponseError(http.StatusNotFound, "ResourceNotFound")
		return
	}
	resp.SetResponse(http.StatusOK, acs.ManagedClustersClientGetResponse{ManagedCluster: mc}, nil)
	return
}

// armPutCluster applies an update's properties to the simulated cluster,
// the way ARM's PUT of an existing cluster does, and answers with the result
// once the (immediately finished) long-running operation is polled.
func (s *Simulator) armPutCluster(_ context.Context, rg, name string, body acs.ManagedCluster, _ *acs.ManagedClustersClientBeginCreateOrUpdateOptions) (
	resp azfake.PollerResponder[acs.ManagedClustersClientCreateOrUpdateResponse], errResp azfake.ErrorResponder,
) {
	id := s.clusterID(rg, name)
	current, err := s.armCluster(rg, name)
	if err != nil {
		errResp.SetResponseError(http.StatusNotFound, "ResourceNotFound")
		return
	}
	before, err1 := toMap(current.Properties)
	after, err2 := toMap(body.Properties)
	if err1 != nil || err2 != nil {
		errResp.SetResponseError(http.StatusBadRequest, "InvalidRequestContent")
		return
	}
	// Only what the request changes is written, as a merge patch: a PUT
	// echoes the whole cluster as read, computed fields included.
	if err := s.PatchOutOfBand(id, changed(before, after)); err != nil {
		errResp.SetResponseError(http.StatusInternalServerError, "InternalServerError")
		return
	}
	mc, err := s.armCluster(rg, name)
	if err != nil {
		errResp.SetResponseError(http.StatusInternalServerError, "InternalServerError")
		return
	}
	resp.AddNonTerminalResponse(http.StatusCreated, nil) // the operation is accepted, then polled
	resp.SetTerminalResponse(http.StatusOK, acs.ManagedClustersClientCreateOrUpdateResponse{ManagedCluster: mc}, nil)
	return
}

// armListPools lists a cluster's pools as AKS does: the inline pools of
// agentPoolProfiles and the separate AgentPool resources.
func (s *Simulator) armListPools(rg, name string, _ *acs.AgentPoolsClientListOptions) (resp azfake.PagerResponder[acs.AgentPoolsClientListResponse]) {
	id := s.clusterID(rg, name)
	var pools []*acs.AgentPool
	if r, ok := s.Get(id); ok {
		for _, p := range list(r.Outputs, "agentPoolProfiles") {
			pm, _ := p.(map[string]any)
			if pool, err := armPool(id+"/agentPools/"+str(pm, "name"), pm); err == nil {
				pools = append(pools, pool)
			}
		}
	}
	for _, r := range s.Resources() {
		if r.Type == TypeAgentPool && strings.HasPrefix(strings.ToLower(r.ID), strings.ToLower(id)+"/agentpools/") {
			if pool, err := armPool(r.ID, r.Outputs); err == nil {
				pools = append(pools, pool)
			}
		}
	}
	resp.AddPage(http.StatusOK, acs.AgentPoolsClientListResponse{AgentPoolListResult: acs.AgentPoolListResult{Value: pools}}, nil)
	return
}

// armCluster is the simulated cluster in ARM's REST shape: the SDK's
// flattened outputs with the resource properties under "properties".
func (s *Simulator) armCluster(rg, name string) (acs.ManagedCluster, error) {
	r, ok := s.Get(s.clusterID(rg, name))
	if !ok {
		return acs.ManagedCluster{}, fmt.Errorf("no cluster %s/%s", rg, name)
	}
	var mc acs.ManagedCluster
	err := fromMap(armShape(r.ID, r.Outputs, "location", "tags", "identity", "sku", "extendedLocation"), &mc)
	return mc, err
}

// armPool converts a pool's flattened outputs into an AgentPool.
func armPool(id string, outputs map[string]any) (*acs.AgentPool, error) {
	var pool acs.AgentPool
	err := fromMap(armShape(id, outputs), &pool)
	return &pool, err
}

// armShape nests everything but the top-level ARM fields under "properties".
func armShape(id string, flat map[string]any, topLevel ...string) map[string]any {
	out := map[string]any{"id": id, "name": lastSegment(id)}
	props := map[string]any{}
	for k, v := range flat {
		switch {
		case k == "id" || k == "name" || k == "type" || k == "etag":
			out[k] = v
		case slices.Contains(topLevel, k):
			out[k] = v
		default:
			props[k] = v
		}
	}
	out["id"] = id
	out["properties"] = props
	return out
}

// changed is the part of after that differs from before, nested as a merge
// patch; keys absent from after are left alone.
func changed(before, after map[string]any) map[string]any {
	patch := map[string]any{}
	for k, v := range after {
		bm, bok := before[k].(map[string]any)
		am, aok := v.(map[string]any)
		switch {
		case bok && aok:
			if sub := changed(bm, am); len(sub) > 0 {
				patch[k] = sub
			}
		case !reflect.DeepEqual(before[k], v):
			patch[k] = v
		}
	}
	return patch
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
