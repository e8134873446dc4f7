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

// Lifecycle is a simulator's serving state: started once, stopped once,
// stopped also when the context given to Start ends. Simulators embed it
// and call Start and Stop from their own Start and Stop.
type Lifecycle struct {
	mu     sync.Mutex
	srv    *Server
	base   context.Context
	cancel context.CancelFunc
}

// Context is cancelled by Stop: in-flight operations of the simulator
// derive from it so that Stop ends them.
func (l *Lifecycle) Context() context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	return l.base
}

func (l *Lifecycle) init() {
	if l.base == nil {
		l.base, l.cancel = context.WithCancel(context.Background())
	}
}

// Start serves provider under name on port (0 picks one) and returns the
// port. It refuses a second start and a start after Stop. When ctx ends
// before Stop, stop is called: the simulator's own Stop, which calls
// Lifecycle.Stop.
func (l *Lifecycle) Start(ctx context.Context, name string, port int, provider pulumirpc.ResourceProviderServer, stop func()) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	if l.srv != nil {
		return 0, fmt.Errorf("%s: already started", name)
	}
	if l.base.Err() != nil {
		return 0, fmt.Errorf("%s: stopped; a stopped simulator cannot start again (create a new one)", name)
	}
	srv, err := Serve(name, port, provider)
	if err != nil {
		return 0, err
	}
	l.srv = srv
	base := l.base
	go func() {
		select {
		case <-ctx.Done():
			stop()
		case <-base.Done():
		}
	}()
	return srv.Port(), nil
}

// Stop cancels Context and stops the server. It is safe to call more than
// once, and before Start.
func (l *Lifecycle) Stop() {
	l.mu.Lock()
	l.init()
	l.cancel()
	srv := l.srv
	l.srv = nil
	l.mu.Unlock()
	if srv != nil {
		srv.Stop()
	}
}

// Port is the port the server listens on (0 when not serving).
func (l *Lifecycle) Port() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.srv == nil {
		return 0
	}
	return l.srv.Port()
}
