package kubesim

import (
	"context"
	"fmt"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/aks-cilium/aks-cilium/sim/internal/grpcprovider"
)

// NoAPIServer is the kubernetes provider stand-in for runs without a local
// API server: enough for a program's Kubernetes provider resource (the
// Cluster component creates one) to check, configure and diff, and an error
// naming the resource for any object deployed into the cluster. Reads and
// deletes succeed, so refresh and destroy of a stack whose objects an earlier
// run applied still work. It never logs its configuration (the kubeconfig).
// Start it with Serve. Use Simulator when objects should be
// applied and validated for real.
type NoAPIServer struct {
	grpcprovider.Base
	srv *grpcprovider.Server
}

// Serve serves a NoAPIServer on a free port of 127.0.0.1; its
// PULUMI_DEBUG_PROVIDERS entry is DebugProviderEntry.
func (n *NoAPIServer) Serve() error {
	n.Base = grpcprovider.Base{Label: "kubernetes (stand-in, no API server)", Package: Package, Version: Version,
		Description: "kubernetes stand-in (aks-cilium kubesim, no API server): objects cannot be applied."}
	srv, err := grpcprovider.Serve(n.Label, 0, n)
	if err != nil {
		return err
	}
	n.srv = srv
	return nil
}

// Port is the port it serves on (0 before Serve).
func (n *NoAPIServer) Port() int {
	if n.srv == nil {
		return 0
	}
	return n.srv.Port()
}

// DebugProviderEntry is its PULUMI_DEBUG_PROVIDERS entry, "kubernetes:<port>".
func (n *NoAPIServer) DebugProviderEntry() string { return fmt.Sprintf("%s:%d", Package, n.Port()) }

// Stop stops serving; safe to call more than once.
func (n *NoAPIServer) Stop() {
	if n.srv != nil {
		n.srv.Stop()
	}
}

// Configure accepts secrets and previews.
func (*NoAPIServer) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

// Check refuses every object: there is no API server to apply it to.
func (*NoAPIServer) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return nil, fmt.Errorf("kubernetes (stand-in): %s cannot be applied: there is no local kube-apiserver (run `make tools`, or use kubesim.Simulator)", req.GetUrn())
}

// Read returns the object as the state has it.
func (*NoAPIServer) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

// Delete succeeds.
func (*NoAPIServer) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
