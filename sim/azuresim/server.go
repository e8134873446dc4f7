package azuresim

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/aks-cilium/aks-cilium/sim/internal/grpcprovider"
)

// server is the provider's gRPC service. Several engine runs (and several
// provider instances of one run) may share it; all state lives in the
// Simulator. The protocol's plumbing (Attach, Handshake, GetPluginInfo,
// GetSchema, CheckConfig, DiffConfig, Cancel) is the shared grpcprovider.Base.
type server struct {
	grpcprovider.Base
	sim *Simulator
}

// Server returns the simulator as a provider gRPC service, for a host that
// serves it itself: the plugin binary passes provider.Main's host here (nil
// is fine: diagnostics are then dropped). Start serves it in-process.
func (s *Simulator) Server(host *provider.HostClient) pulumirpc.ResourceProviderServer {
	if host != nil {
		s.setHost(host, false)
	}
	return &server{sim: s, Base: grpcprovider.Base{
		Label: "azure-native (simulated)", Package: Package, Version: Version,
		Description: "SIMULATED azure-native (aks-cilium Azure simulator): no Azure API is called.",
		OnAttach:    func(h *provider.HostClient) { s.setHost(h, true) },
	}}
}

// Configure takes the default location and says, as a diagnostic on the
// provider, that Azure is simulated.
func (p *server) Configure(ctx context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	location := req.GetVariables()["azure-native:config:location"]
	if args := req.GetArgs(); args != nil {
		if v, ok := args.GetFields()["location"]; ok && v.GetStringValue() != "" {
			location = v.GetStringValue()
		}
	}
	p.sim.mu.Lock()
	if location != "" {
		p.sim.location = location
	}
	p.sim.mu.Unlock()
	p.sim.diag(ctx, req.GetUrn(), false, fmt.Sprintf(
		"azure-native %s is SIMULATED (aks-cilium Azure simulator): no Azure API is called; resources exist only in the simulator (subscription %s).",
		Version, p.sim.subscriptionID()))
	return &pulumirpc.ConfigureResponse{SupportsPreview: true}, nil
}

// Check returns the inputs, naming the resource after its Pulumi name plus a
// random suffix when its name input is unset (azure-native's autonaming).
func (p *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	t, err := lookupType(grpcprovider.TypeOf(req.GetType(), req.GetUrn()))
	if err != nil {
		return nil, err
	}
	news, err := decode(req.GetNews(), "news")
	if err != nil {
		return nil, err
	}
	name := resource.PropertyKey(t.nameParam())
	if v, ok := news[name]; !ok || v.IsNull() {
		olds, err := decode(req.GetOlds(), "olds")
		if err != nil {
			return nil, err
		}
		if old, ok := olds[name]; ok && old.IsString() {
			news[name] = old
		} else {
			suffix := hex.EncodeToString(req.GetRandomSeed())
			if len(suffix) > 8 {
				suffix = suffix[:8]
			}
			news[name] = resource.NewStringProperty(resource.URN(req.GetUrn()).Name() + suffix)
		}
	}
	var failures []*pulumirpc.CheckFailure
	for _, param := range t.pathParams() {
		if v, ok := news[resource.PropertyKey(param)]; !ok || v.IsNull() {
			failures = append(failures, &pulumirpc.CheckFailure{Property: param, Reason: "missing required property '" + param + "'"})
		}
	}
	inputs, err := encode(news, "inputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// Diff compares the old inputs (not the old outputs) with the new inputs.
func (p *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	t, err := lookupType(grpcprovider.TypeOf(req.GetType(), req.GetUrn()))
	if err != nil {
		return nil, err
	}
	oldOutputs, err := decode(req.GetOlds(), "olds")
	if err != nil {
		return nil, err
	}
	oldInputs := oldOutputs
	if req.GetOldInputs() != nil {
		if oldInputs, err = decode(req.GetOldInputs(), "old inputs"); err != nil {
			return nil, err
		}
	}
	news, err := decode(req.GetNews(), "news")
	if err != nil {
		return nil, err
	}
	return diffInputs(t, toGo(oldInputs), toGo(news), toGo(oldOutputs)), nil
}

// Create creates the resource in the simulated Azure. A preview returns no
// ID, the inputs, and unknowns for everything ARM computes.
func (p *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	t, err := lookupType(grpcprovider.TypeOf(req.GetType(), req.GetUrn()))
	if err != nil {
		return nil, err
	}
	props, err := decode(req.GetProperties(), "properties")
	if err != nil {
		return nil, err
	}
	inputs := toGo(props)
	id, err := buildID(t.path, p.sim.subscriptionID(), inputs)
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		outs, err := encode(p.sim.previewOutputs(t, id, inputs, nil), "preview outputs")
		if err != nil {
			return nil, err
		}
		return &pulumirpc.CreateResponse{Properties: outs}, nil
	}
	res, err := p.sim.mutate(ctx, &armRequest{op: OpCreate, spec: t, id: id, inputs: inputs}, req.GetUrn())
	if err != nil {
		return nil, p.sim.providerError(err, req.GetProperties())
	}
	outs, err := encode(fromGo(res.Outputs), "outputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: res.ID, Properties: outs}, nil
}

// providerError is an operation's error as azure-native returns it: a
// timeout after ARM accepted the request is a partial failure that carries
// the resource (the engine records it with an initialization error), any
// other error is returned as is.
func (s *Simulator) providerError(err error, inputs *structpb.Struct) error {
	var to *TimedOutError
	if !errors.As(err, &to) {
		return err
	}
	outs, encErr := encode(fromGo(to.Resource.Outputs), "outputs")
	if encErr != nil {
		return err
	}
	return partialError(to.Resource.ID, err, outs, inputs)
}

// Update changes the resource in place (ARM's PUT with the new body).
func (p *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	t, err := lookupType(grpcprovider.TypeOf(req.GetType(), req.GetUrn()))
	if err != nil {
		return nil, err
	}
	props, err := decode(req.GetNews(), "news")
	if err != nil {
		return nil, err
	}
	inputs := toGo(props)
	id := req.GetId()
	if req.GetPreview() {
		p.sim.mu.Lock()
		existing := p.sim.state.get(id)
		p.sim.mu.Unlock()
		if existing == nil {
			existing = &Resource{ID: id}
		}
		outs, err := encode(p.sim.previewOutputs(t, id, inputs, existing), "preview outputs")
		if err != nil {
			return nil, err
		}
		return &pulumirpc.UpdateResponse{Properties: outs}, nil
	}
	res, err := p.sim.mutate(ctx, &armRequest{op: OpUpdate, spec: t, id: id, inputs: inputs}, req.GetUrn())
	if err != nil {
		return nil, p.sim.providerError(err, req.GetNews())
	}
	outs, err := encode(fromGo(res.Outputs), "outputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: outs}, nil
}

// Delete deletes the resource (and what ARM nests under it). Deleting a
// resource that is already gone succeeds, as ARM's DELETE does.
func (p *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	t, err := lookupType(grpcprovider.TypeOf(req.GetType(), req.GetUrn()))
	if err != nil {
		return nil, err
	}
	if _, err := p.sim.mutate(ctx, &armRequest{op: OpDelete, spec: t, id: req.GetId()}, req.GetUrn()); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// Read is a refresh (or an import): what ARM reports now. A resource that no
// longer exists answers an empty ID. The inputs follow azure-native: the old
// inputs, with the properties that changed in Azure since the last read
// carried over.
func (p *server) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	t, err := lookupType(grpcprovider.TypeOf(req.GetType(), req.GetUrn()))
	if err != nil {
		return nil, err
	}
	id := req.GetId()
	oldOutputs, err := decode(req.GetProperties(), "properties")
	if err != nil {
		return nil, err
	}
	oldInputs, err := decode(req.GetInputs(), "inputs")
	if err != nil {
		return nil, err
	}
	res, err := p.sim.armCall(ctx, OpRead, t.token, id, req.GetUrn(), func(st *store) (*Resource, error) {
		return p.sim.view(st, id), nil
	})
	if err != nil {
		return nil, err
	}
	if res == nil {
		return &pulumirpc.ReadResponse{Id: ""}, nil
	}
	seen := asSeenByProvider(t.token, res.Outputs)
	inputs := res.Inputs
	if req.GetInputs() != nil {
		inputs = projectChanges(toGo(oldInputs), t.inputShape(toGo(oldOutputs)), t.inputShape(seen))
	}
	outs, err := encode(fromGo(seen), "outputs")
	if err != nil {
		return nil, err
	}
	ins, err := encode(fromGo(inputs), "inputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: res.ID, Properties: outs, Inputs: ins}, nil
}

// Invoke answers the simulated functions.
func (p *server) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	f, err := lookupFunction(req.GetTok())
	if err != nil {
		return nil, err
	}
	args, err := decode(req.GetArgs(), "args")
	if err != nil {
		return nil, err
	}
	ret, err := f(ctx, p.sim, toGo(args))
	if err != nil {
		return nil, err
	}
	out, err := encode(ret, "return")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: out}, nil
}

// GetMapping has no mappings to offer (it is used by `pulumi convert`).
func (p *server) GetMapping(context.Context, *pulumirpc.GetMappingRequest) (*pulumirpc.GetMappingResponse, error) {
	return &pulumirpc.GetMappingResponse{}, nil
}

// previewOutputs is what a preview shows: inputs that ARM echoes unchanged
// stay (unknown where the input is unknown); what ARM computes is unknown
// for a create, and for an update known where it does not depend on an
// unknown input.
func (s *Simulator) previewOutputs(t *typeSpec, id string, inputs map[string]any, existing *Resource) resource.PropertyMap {
	s.mu.Lock()
	outs := s.computeOutputs(t, id, inputs, s.state.get)
	s.mu.Unlock()
	result := resource.PropertyMap{}
	for k, v := range outs {
		key := resource.PropertyKey(k)
		switch {
		case inputs[k] != nil && equal(inputs[k], v):
			result[key] = valueFromGo(inputs[k])
		case existing == nil || hasUnknown(v):
			result[key] = resource.MakeComputed(resource.NewStringProperty(""))
		default:
			result[key] = valueFromGo(v)
		}
	}
	return result
}
