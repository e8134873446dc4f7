package kubesim

import (
	"context"
	"fmt"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/aks-cilium/aks-cilium/internal/providerhost"
)

// NoAPIServer is the kubernetes provider stand-in for runs without a local
// API server: enough for a program's Kubernetes provider resource (the
// Cluster component creates one) to check, configure and diff, and an error
// naming the resource for any object deployed into the cluster. Reads and
// deletes succeed, so refresh and destroy of a stack whose objects an earlier
// run applied still work. It never logs its configuration (the kubeconfig).
// Serve it with ServeNoAPIServer. Use Simulator when objects should be
// applied and validated for real.
type NoAPIServer struct {
	pulumirpc.UnimplementedResourceProviderServer
}

// ServeNoAPIServer serves a NoAPIServer on a free port; its
// PULUMI_DEBUG_PROVIDERS entry is "kubernetes:<port>" (see DebugProviders).
func ServeNoAPIServer() (*providerhost.Server, error) {
	return providerhost.Serve("kubernetes (stand-in, no API server)", 0, &NoAPIServer{})
}

// Attach accepts the engine.
func (NoAPIServer) Attach(context.Context, *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// GetPluginInfo reports the provider version the SDK asks for.
func (NoAPIServer) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

// GetSchema answers a minimal schema.
func (NoAPIServer) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"` + Package + `","version":"` + Version + `"}`}, nil
}

// CheckConfig accepts any provider configuration.
func (NoAPIServer) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig never replaces the provider.
func (NoAPIServer) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

// Configure accepts secrets and previews.
func (NoAPIServer) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

// Cancel does nothing; the server keeps serving.
func (NoAPIServer) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// Check refuses every object: there is no API server to apply it to.
func (NoAPIServer) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return nil, fmt.Errorf("kubernetes (stand-in): %s cannot be applied: there is no local kube-apiserver (run `make tools`, or use kubesim.Simulator)", req.GetUrn())
}

// Read returns the object as the state has it.
func (NoAPIServer) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// Delete succeeds.
func (NoAPIServer) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
