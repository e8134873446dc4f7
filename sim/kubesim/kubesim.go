package kubesim

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/aks-cilium/aks-cilium/sim/internal/grpcprovider"
)

// Simulated is always true, so a program can say next to anything kubesim
// produced that no AKS API server was involved.
const Simulated = true

// Package and Version are the provider kubesim stands in for.
const (
	Package = "kubernetes"
	Version = "4.32.0"
)

// FieldManager is the server-side apply field manager, the one the real
// provider uses.
const FieldManager = "pulumi-kubernetes"

// AutonamedAnnotation marks an object whose metadata.name kubesim chose (as
// pulumi-kubernetes does).
const AutonamedAnnotation = "pulumi.com/autonamed"

// DefaultDeleteTimeout bounds how long Delete waits for an object to go.
const DefaultDeleteTimeout = time.Minute

// Options configure a Simulator.
type Options struct {
	// Config reaches the API server every object is applied to (required),
	// typically sim/apiserver's or envtest's admin config. The provider
	// configuration the program passes (the simulated cluster's kubeconfig)
	// is ignored.
	Config *rest.Config
	// Port is the TCP port Start listens on (on 127.0.0.1); 0 picks one.
	Port int
	// DeleteTimeout bounds the wait for a deleted object to disappear;
	// default DefaultDeleteTimeout.
	DeleteTimeout time.Duration
	// Logf, when set, receives one line per API call (kind, namespace/name,
	// outcome; never property values, never the kubeconfig).
	Logf func(format string, args ...any)
}

// Simulator is a stand-in for the kubernetes provider (4.32.0) that applies
// objects to a real API server. See the package documentation.
type Simulator struct {
	opts Options

	clientOnce sync.Once
	clientErr  error
	dyn        dynamic.Interface
	mapper     *restmapper.DeferredDiscoveryRESTMapper

	// controllers caches whether the server has a kube-controller-manager
	// (garbage collector, namespace controller); see hasControllers.
	ctrlOnce sync.Once
	ctrl     bool

	announce sync.Once

	// hostMu guards the engine connection used for diagnostics.
	hostMu sync.Mutex
	host   *provider.HostClient

	// serving is the gRPC server's lifecycle; its Context ends in-flight
	// operations on Stop.
	serving grpcprovider.Lifecycle
}

// New returns a simulator for the API server opts.Config reaches; Start
// serves it to the engine.
func New(opts Options) *Simulator {
	if opts.DeleteTimeout <= 0 {
		opts.DeleteTimeout = DefaultDeleteTimeout
	}
	s := &Simulator{opts: opts}
	return s
}

// Host is the API server every object goes to ("" without a Config).
func (s *Simulator) Host() string {
	if s.opts.Config == nil {
		return ""
	}
	return s.opts.Config.Host
}

// String says what this is, for logs: always "simulated".
func (s *Simulator) String() string {
	where := "not serving"
	if port := s.serving.Port(); port != 0 {
		where = "serving on 127.0.0.1:" + strconv.Itoa(port)
	}
	return fmt.Sprintf("simulated %s %s (aks-cilium stand-in; objects go to the local API server at %s) %s",
		Package, Version, s.Host(), where)
}

func (s *Simulator) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf("kubesim: "+format, args...)
	}
}

// clients builds the dynamic client and the discovery REST mapper once.
func (s *Simulator) clients() (dynamic.Interface, *restmapper.DeferredDiscoveryRESTMapper, error) {
	s.clientOnce.Do(func() {
		if s.opts.Config == nil {
			s.clientErr = errors.New("kubernetes (simulated): kubesim.Options.Config is required: the API server objects are applied to")
			return
		}
		cfg := rest.CopyConfig(s.opts.Config)
		cfg.WarningHandler = warningLogger{s}
		dyn, err := dynamic.NewForConfig(cfg)
		if err != nil {
			s.clientErr = fmt.Errorf("kubernetes (simulated): %w", err)
			return
		}
		dc, err := discovery.NewDiscoveryClientForConfig(cfg)
		if err != nil {
			s.clientErr = fmt.Errorf("kubernetes (simulated): %w", err)
			return
		}
		s.dyn = dyn
		s.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	})
	return s.dyn, s.mapper, s.clientErr
}

// warningLogger passes the API server's warnings (a deprecated API
// version, for example) to Logf.
type warningLogger struct{ s *Simulator }

func (w warningLogger) HandleWarningHeader(code int, agent, text string) {
	if code == 299 && text != "" {
		w.s.logf("API server warning: %s", text)
	}
}

// Start serves the provider over gRPC on 127.0.0.1 and returns the port. It
// checks first that the API server answers. The server stops on Stop or when
// ctx ends. The engine finds it through PULUMI_DEBUG_PROVIDERS (EnvVars).
func (s *Simulator) Start(ctx context.Context) (int, error) {
	if _, _, err := s.clients(); err != nil {
		return 0, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(s.opts.Config)
	if err != nil {
		return 0, fmt.Errorf("kubesim: %w", err)
	}
	if _, err := dc.ServerVersion(); err != nil {
		return 0, fmt.Errorf("kubesim: the API server at %s does not answer: %w", s.Host(), err)
	}
	port, err := s.serving.Start(ctx, "kubernetes (simulated)", s.opts.Port, s.Server(), s.Stop)
	if err != nil {
		return 0, err
	}
	s.logf("serving simulated %s %s on 127.0.0.1:%d; objects go to the local API server at %s",
		Package, Version, port, s.Host())
	return port, nil
}

// Stop ends in-flight operations and stops the server. It is safe to call
// more than once, and on a simulator that never started.
func (s *Simulator) Stop() {
	s.serving.Stop()
	s.setHost(nil)
}

// Port is the port Start listens on (0 before Start).
func (s *Simulator) Port() int { return s.serving.Port() }

// DebugProviderEntry is this simulator's entry of PULUMI_DEBUG_PROVIDERS,
// "kubernetes:<port>". Call it after Start.
func (s *Simulator) DebugProviderEntry() string {
	return fmt.Sprintf("%s:%d", Package, s.Port())
}

// EnvVars is what a workspace needs to use this simulator alone:
// PULUMI_DEBUG_PROVIDERS=kubernetes:<port>. Call it after Start. With the
// azure simulator too, combine both entries in one variable with
// DebugProviders (the engine reads one comma-separated list; a second
// variable would overwrite the first).
func (s *Simulator) EnvVars() map[string]string {
	return map[string]string{"PULUMI_DEBUG_PROVIDERS": s.DebugProviderEntry()}
}

// DebugProviders joins PULUMI_DEBUG_PROVIDERS entries ("<package>:<port>")
// into the variable's value, skipping empty ones, for example
//
//	kubesim.DebugProviders(azure.EnvVars()["PULUMI_DEBUG_PROVIDERS"], kube.DebugProviderEntry())
//
// gives "azure-native:40123,kubernetes:40125". An entry that is itself a
// list is kept whole.
func DebugProviders(entries ...string) string { return grpcprovider.DebugProviders(entries...) }

// setHost replaces the engine connection used for diagnostics.
func (s *Simulator) setHost(h *provider.HostClient) {
	s.hostMu.Lock()
	old := s.host
	s.host = h
	s.hostMu.Unlock()
	if old != nil && old != h {
		_ = old.Close()
	}
}

// diag sends an info diagnostic to the engine, when one is attached.
func (s *Simulator) diag(ctx context.Context, urn, msg string) {
	s.hostMu.Lock()
	h := s.host
	s.hostMu.Unlock()
	if h != nil {
		_ = h.Log(ctx, diag.Info, resource.URN(urn), msg)
	}
}

// label is the line that says where objects really go.
func (s *Simulator) label() string {
	return "simulated: kubernetes objects are applied to the local API server at " + s.Host() +
		" (aks-cilium kubesim stands in for the kubernetes provider " + Version +
		"; the cluster's kubeconfig is ignored; no nodes, kubelets or Cilium: objects are stored and validated, not enforced)"
}
