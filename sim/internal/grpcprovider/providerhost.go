// Package providerhost serves an in-process Pulumi resource provider (the
// project's simulators) over gRPC on 127.0.0.1, for the engine to attach to
// through PULUMI_DEBUG_PROVIDERS.
package grpcprovider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// Server is a running provider server.
type Server struct {
	mu   sync.Mutex
	port int
	stop chan bool
	done <-chan error
}

// Serve starts serving provider on port (0 picks a free one). name labels
// errors, e.g. "azure-native (simulated)". A panic in a handler fails that
// call only, so a simulator bug fails one operation, not the process.
func Serve(name string, port int, provider pulumirpc.ResourceProviderServer) (*Server, error) {
	stop := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Port:   port,
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, provider)
			return nil
		},
		Options: []grpc.ServerOption{grpc.ChainUnaryInterceptor(recoverPanics(name))},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &Server{port: handle.Port, stop: stop, done: handle.Done}, nil
}

// Port is the port the server listens on.
func (s *Server) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.port
}

// Stop stops the server and waits for it; safe to call more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.stop, s.done = nil, nil
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// DebugProviders joins PULUMI_DEBUG_PROVIDERS entries ("<package>:<port>"):
// the engine reads one comma-separated list, so a workspace with two
// simulators sets the variable once, with both.
func DebugProviders(entries ...string) string {
	var out []string
	for _, e := range entries {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return strings.Join(out, ",")
}

func recoverPanics(name string) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%s: internal error in %s: %v", name, info.FullMethod, r)
			}
		}()
		return handler(ctx, req)
	}
}
