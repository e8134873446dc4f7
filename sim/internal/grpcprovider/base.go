package grpcprovider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Base is the part of a simulated provider that every simulator answers the
// same way: Attach, Handshake, GetPluginInfo, GetSchema, CheckConfig,
// DiffConfig and Cancel. Embed it in the provider's server and implement the
// resource methods (Configure, Check, Diff, Create, Read, Update, Delete)
// on that server.
type Base struct {
	pulumirpc.UnimplementedResourceProviderServer
	// Label names the provider in errors, e.g. "azure-native (simulated)".
	Label string
	// Package and Version are what the simulator stands in for, e.g.
	// "azure-native" and "2.88.0".
	Package, Version string
	// Description goes into the minimal schema; it says the provider is
	// simulated.
	Description string
	// HandshakeResponse is the answer to the engine's handshake; empty when nil.
	HandshakeResponse *pulumirpc.ProviderHandshakeResponse
	// OnAttach receives the engine's host client when the engine attaches
	// (PULUMI_DEBUG_PROVIDERS), for diagnostics; nil ignores it.
	OnAttach func(*provider.HostClient)
}

// Attach is how the engine connects to a provider it did not start
// (PULUMI_DEBUG_PROVIDERS): it hands over its address for diagnostics.
func (b *Base) Attach(_ context.Context, req *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	if b.OnAttach != nil {
		host, err := provider.NewHostClient(req.GetAddress())
		if err != nil {
			return nil, fmt.Errorf("%s: connecting to the engine: %w", b.Label, err)
		}
		b.OnAttach(host)
	}
	return &emptypb.Empty{}, nil
}

// Handshake answers what the provider supports (Base.HandshakeResponse).
func (b *Base) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	if b.HandshakeResponse == nil {
		return &pulumirpc.ProviderHandshakeResponse{}, nil
	}
	return b.HandshakeResponse, nil
}

// GetPluginInfo reports the version the simulator stands in for.
func (b *Base) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: b.Version}, nil
}

// GetSchema answers a minimal schema: name, version and the description.
// Preview, up, refresh and destroy do not need more.
func (b *Base) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	schema, err := json.Marshal(map[string]string{"name": b.Package, "version": b.Version, "description": b.Description})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: string(schema)}, nil
}

// CheckConfig accepts the provider configuration as given.
func (b *Base) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig never asks for the provider to be replaced.
func (b *Base) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

// Cancel is sent by the engine after every run. A simulator serves many
// runs, so it does not stop; in-flight calls end with their own requests.
func (b *Base) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// Decode turns wire properties into property values, with o's options
// (Label is set from label); errors name the provider.
func (b *Base) Decode(s *structpb.Struct, label string, o plugin.MarshalOptions) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	o.Label = label
	m, err := plugin.UnmarshalProperties(s, o)
	if err != nil {
		return nil, fmt.Errorf("%s: decoding %s: %w", b.Label, label, err)
	}
	return m, nil
}

// Encode turns property values into the wire form, with o's options.
func (b *Base) Encode(m resource.PropertyMap, label string, o plugin.MarshalOptions) (*structpb.Struct, error) {
	o.Label = label
	s, err := plugin.MarshalProperties(m, o)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding %s: %w", b.Label, label, err)
	}
	return s, nil
}

// TypeOf is the resource type of a request: its type field, or the type in
// its URN.
func TypeOf(typ, urn string) string {
	if typ != "" {
		return typ
	}
	return string(resource.URN(urn).Type())
}
