package kubesim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/aks-cilium/aks-cilium/sim/apiserver"
	"github.com/aks-cilium/aks-cilium/sim/internal/rpctest"

	"github.com/aks-cilium/aks-cilium/internal/pulumitest"
)

// env is a real kube-apiserver v1.32 with Cilium's CRDs (`make tools`),
// shared by the package's tests; each test uses its own namespaces.
var env *apiserver.Env

func TestMain(m *testing.M) {
	os.Exit(pulumitest.PrivateTemp(func() int { return apiserver.Main(m, &env) }))
}

var (
	gvrNetworkPolicy = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}
	gvrCiliumPolicy  = schema.GroupVersionResource{Group: "cilium.io", Version: "v2", Resource: "ciliumnetworkpolicies"}
	gvrNamespace     = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
)

const (
	tokNetworkPolicy = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	tokCiliumPolicy  = "kubernetes:cilium.io/v2:CiliumNetworkPolicy"
	tokNamespace     = "kubernetes:core/v1:Namespace"
)

// logBuffer collects log lines.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuffer) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// fixture is a simulator on the test API server, its provider service
// called directly, and clients to look at the server.
type fixture struct {
	t    *testing.T
	cfg  *rest.Config
	sim  *Simulator
	srv  pulumirpc.ResourceProviderServer
	log  *logBuffer
	dyn  dynamic.Interface
	kube kubernetes.Interface
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	cfg := env.Require(t)
	log := &logBuffer{}
	sim := New(Options{Config: cfg, Logf: func(format string, args ...any) {
		log.logf(format, args...)
		t.Logf(format, args...)
	}})
	t.Cleanup(sim.Stop)
	return &fixture{t: t, cfg: cfg, sim: sim, srv: sim.Server(), log: log,
		dyn: dynamic.NewForConfigOrDie(cfg), kube: kubernetes.NewForConfigOrDie(cfg)}
}

// uniqueName is prefix and a random hex suffix, drawn when a test runs: the
// API server lives as long as the test binary (go test -count=2 runs every
// test twice against it) and, with no namespace controller, a deleted
// namespace stays Terminating, so a fixed name would collide with the last
// run's.
func uniqueName(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return prefix + "-" + hex.EncodeToString(b)
}

// namespace creates a namespace for the test with client-go.
func (f *fixture) namespace(name string) {
	f.t.Helper()
	_, err := f.kube.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(f.t, err)
}

// rpcClient calls srv with kubesim's own value codec.
func rpcClient(t testing.TB, srv pulumirpc.ResourceProviderServer) *rpctest.Client {
	return &rpctest.Client{T: t, Srv: srv, Project: "kubesim",
		Encode: func(m map[string]any) (*structpb.Struct, error) {
			return encode(resource.NewPropertyMapFromMap(m), "test")
		},
		Decode: func(s *structpb.Struct) (map[string]any, error) {
			m, err := decode(s, "test", false)
			return m.Mappable(), err
		}}
}

// rpc calls the fixture's provider service as its current test.
func (f *fixture) rpc() *rpctest.Client { return rpcClient(f.t, f.srv) }

func urn(token, name string) string { return rpcClient(nil, nil).URN(token, name) }

func wire(t *testing.T, m map[string]any) *structpb.Struct { return rpcClient(t, nil).Wire(m) }

func unwire(t *testing.T, s *structpb.Struct) map[string]any { return rpcClient(t, nil).Unwire(s) }

func (f *fixture) check(token, name string, olds, news map[string]any) (map[string]any, []*pulumirpc.CheckFailure) {
	f.t.Helper()
	resp, err := f.srv.Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: urn(token, name), Type: token, Olds: wire(f.t, olds), News: wire(f.t, news), RandomSeed: []byte("seed-" + name),
	})
	require.NoError(f.t, err)
	return unwire(f.t, resp.GetInputs()), resp.GetFailures()
}

func (f *fixture) create(token, name string, inputs map[string]any, preview bool) (string, map[string]any, error) {
	return f.rpc().Create(token, name, inputs, preview)
}

func (f *fixture) mustCreate(token, name string, inputs map[string]any) (string, map[string]any) {
	f.t.Helper()
	return f.rpc().MustCreate(token, name, inputs)
}

func (f *fixture) update(token, name, id string, olds, news map[string]any) (map[string]any, error) {
	return f.rpc().Update(token, name, id, olds, news)
}

func (f *fixture) read(token, name, id string, outs, inputs map[string]any) (string, map[string]any, map[string]any) {
	f.t.Helper()
	req := &pulumirpc.ReadRequest{Urn: urn(token, name), Type: token, Id: id}
	if outs != nil {
		req.Properties = wire(f.t, outs)
	}
	if inputs != nil {
		req.Inputs = wire(f.t, inputs)
	}
	resp, err := f.srv.Read(context.Background(), req)
	require.NoError(f.t, err)
	return resp.GetId(), unwire(f.t, resp.GetProperties()), unwire(f.t, resp.GetInputs())
}

func (f *fixture) delete(token, name, id string, outs map[string]any) error {
	return f.rpc().Delete(token, name, id, outs)
}

// diff diffs news against olds; kubesim's diff reads only the inputs, so
// the recorded outputs hold a field it must ignore.
func (f *fixture) diff(token string, olds, news map[string]any) *pulumirpc.DiffResponse {
	f.t.Helper()
	return f.rpc().Diff(token, olds, map[string]any{"status": "ignored"}, news)
}

// detailed flattens a detailed diff to path -> kind.
func detailed(resp *pulumirpc.DiffResponse) map[string]pulumirpc.PropertyDiff_Kind {
	out := map[string]pulumirpc.PropertyDiff_Kind{}
	for k, v := range resp.GetDetailedDiff() {
		out[k] = v.GetKind()
	}
	return out
}

// with returns a deep copy of m with the value at the dotted path set (nil
// deletes it).
func with(m map[string]any, path string, v any) map[string]any {
	c := deepCopy(m).(map[string]any)
	keys := strings.Split(path, ".")
	cur := c
	for _, k := range keys[:len(keys)-1] {
		next, ok := cur[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
	if v == nil {
		delete(cur, keys[len(keys)-1])
	} else {
		cur[keys[len(keys)-1]] = v
	}
	return c
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return t
	}
}

// pulumiCLI is the pulumi CLI `make tools` builds, or skips (fails in CI).
func pulumiCLI(t *testing.T) auto.PulumiCommand { return pulumitest.Command(t) }
