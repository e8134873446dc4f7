package azuresim

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"

	"github.com/aks-cilium/aks-cilium/sim/internal/grpcprovider"
)

// Simulated is always true. It is here so a program can print, next to
// anything the simulator produced, that no real Azure was involved.
const Simulated = true

// Package and Version are the provider the simulator stands in for.
const (
	Package = "azure-native"
	Version = "2.88.0"
)

// The simulated subscription and tenant, unless Options say otherwise.
const (
	DefaultSubscriptionID = "00000000-5151-4000-8000-000000000001"
	DefaultTenantID       = "00000000-5151-4000-8000-000000000002"
)

// Options configure a Simulator. The zero value is a working in-memory
// simulator with no latency and no faults.
type Options struct {
	// SubscriptionID is the simulated subscription in every ARM ID.
	SubscriptionID string
	// TenantID is the simulated Entra ID tenant (identities, OIDC issuer,
	// kubeconfig).
	TenantID string
	// StateFile, when set, persists the simulated Azure as JSON so separate
	// processes (a CLI demo's preview, up and destroy, or a test that kills
	// a child mid-update, two CI runners) see the same resources. It is
	// read before every operation and written atomically after every
	// change, under a lock (<file>.lock) so that processes writing at the
	// same time lose none of each other's changes.
	StateFile string
	// Latency delays ARM calls; see OpKey for the matching. Cancelling the
	// engine's request (or Stop) ends the wait. A write's latency is how
	// long its operation runs (and blocks the cluster's other operations);
	// AKS writes without an entry take DefaultAKSOperationTime.
	Latency map[OpKey]time.Duration
	// Faults are injected from the start (see InjectFault).
	Faults []Fault
	// Retry is how 429 and 5xx answers are retried.
	Retry RetryPolicy
	// KubeconfigServer points the user kubeconfig at a real API server
	// instead of the simulated cluster's FQDN.
	KubeconfigServer *KubeconfigServer
	// Port is the TCP port Start listens on (on 127.0.0.1); 0 picks one.
	Port int
	// Logf, when set, receives one line per ARM call and fault (IDs,
	// operations and outcomes; never property values).
	Logf func(format string, args ...any)
}

// Simulator is a stand-in for the azure-native provider, version 2.88.0,
// with its own simulated Azure. See the package documentation.
type Simulator struct {
	opts Options

	// mu guards the simulated Azure (state, with the operations in
	// progress) and the provider configuration.
	mu       sync.Mutex
	state    *store
	location string

	// statsMu guards the counters, the operation log and the faults.
	statsMu sync.Mutex
	calls   map[OpKey]int
	ops     []Operation
	faults  []*Fault

	// hostMu guards the engine connection used for diagnostics.
	hostMu sync.Mutex
	host   *provider.HostClient
	owned  bool // host was dialled by the simulator (Attach) and is closed by it

	// serving is the gRPC server's lifecycle; its Context ends in-flight
	// operations on Stop.
	serving grpcprovider.Lifecycle
}

// New returns a simulator; Start serves it to the engine.
func New(opts Options) *Simulator {
	if opts.SubscriptionID == "" {
		opts.SubscriptionID = DefaultSubscriptionID
	}
	if opts.TenantID == "" {
		opts.TenantID = DefaultTenantID
	}
	s := &Simulator{
		opts:  opts,
		state: newStore(opts.StateFile),
		calls: map[OpKey]int{},
	}
	for _, f := range opts.Faults {
		s.InjectFault(f)
	}
	return s
}

// String says what this is, for logs: always "simulated".
func (s *Simulator) String() string {
	where := "not serving"
	if port := s.serving.Port(); port != 0 {
		where = "on 127.0.0.1:" + strconv.Itoa(port)
	}
	return fmt.Sprintf("simulated Azure (aks-cilium stand-in for %s %s, subscription %s) %s",
		Package, Version, s.opts.SubscriptionID, where)
}

func (s *Simulator) subscriptionID() string { return s.opts.SubscriptionID }
func (s *Simulator) tenantID() string       { return s.opts.TenantID }

func (s *Simulator) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf("azure simulator: "+format, args...)
	}
}

// Start serves the provider over gRPC on 127.0.0.1 and returns the port.
// The server stops on Stop or when ctx ends. The engine finds it through
// PULUMI_DEBUG_PROVIDERS (see EnvVars).
func (s *Simulator) Start(ctx context.Context) (int, error) {
	s.mu.Lock()
	err := s.state.sync()
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	port, err := s.serving.Start(ctx, "azure-native (simulated)", s.opts.Port, s.Server(nil), s.Stop)
	if err != nil {
		return 0, err
	}
	s.logf("serving simulated %s %s on 127.0.0.1:%d (no Azure is reached)", Package, Version, port)
	return port, nil
}

// Stop ends in-flight operations and stops the server. It is safe to call
// more than once, and on a simulator that never started.
func (s *Simulator) Stop() {
	s.serving.Stop()
	s.setHost(nil, false)
}

// Port is the port Start listens on (0 before Start).
func (s *Simulator) Port() int { return s.serving.Port() }

// EnvVars is what a Pulumi workspace needs in its environment to use this
// simulator for azure-native: PULUMI_DEBUG_PROVIDERS=azure-native:<port>.
// Call it after Start. Merge it into auto.EnvVars (PULUMI_DEBUG_PROVIDERS
// takes a comma-separated list: join it yourself with entries for other
// providers).
func (s *Simulator) EnvVars() map[string]string {
	return map[string]string{"PULUMI_DEBUG_PROVIDERS": fmt.Sprintf("%s:%d", Package, s.Port())}
}

// setHost replaces the engine connection used for diagnostics.
func (s *Simulator) setHost(h *provider.HostClient, owned bool) {
	s.hostMu.Lock()
	old, oldOwned := s.host, s.owned
	s.host, s.owned = h, owned
	s.hostMu.Unlock()
	if old != nil && old != h && oldOwned {
		_ = old.Close()
	}
}

// diag sends a diagnostic to the engine, when one is attached; status
// messages only show while the operation runs.
func (s *Simulator) diag(ctx context.Context, urn string, status bool, msg string) {
	s.hostMu.Lock()
	h := s.host
	s.hostMu.Unlock()
	if h == nil {
		return
	}
	if status {
		_ = h.LogStatus(ctx, diag.Info, resource.URN(urn), msg)
	} else {
		_ = h.Log(ctx, diag.Info, resource.URN(urn), msg)
	}
}

func (s *Simulator) configLocation() string {
	return s.location // read under s.mu by every caller
}

// Resources returns a copy of every resource in the simulated Azure,
// ordered by ID. A resource whose create is still in progress is not among
// them until the create finishes (Get shows it, provisioningState
// Creating); one being updated or deleted shows its provisioningState.
func (s *Simulator) Resources() []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.state.sync(); err != nil {
		s.logf("%v", err)
	}
	all := s.state.all()
	out := make([]Resource, len(all))
	for i, r := range all {
		out[i] = *s.view(s.state, r.ID)
	}
	return out
}

// Get returns a copy of the resource with the ARM ID id (any case).
func (s *Simulator) Get(id string) (Resource, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.state.sync(); err != nil {
		s.logf("%v", err)
	}
	r := s.view(s.state, id)
	if r == nil {
		return Resource{}, false
	}
	return *r, true
}

// FinishOperations lets ARM finish now every operation in progress, as if
// its time had passed: a test's way to skip the wait for an operation
// whose request is gone (an interrupted run). It returns the IDs of the
// resources they were on, in the order they finished.
func (s *Simulator) FinishOperations() ([]string, error) {
	var ids []string
	err := s.writeState(func(st *store) error {
		for _, op := range st.operations() {
			st.finish(op)
			ids = append(ids, op.ID)
			s.logf("%s %s %s: finished by ARM (FinishOperations)", op.Op, shortName(op.Token), op.ID)
		}
		return nil
	})
	return ids, err
}

// writeState runs change on the simulated Azure as one step, under the
// state lock and the state file's lock (another process on the same file
// writes under the same lock, so sync, change and save are never
// interleaved with its), and saves the result. When change fails nothing
// is saved; a change that cannot be saved is forgotten (the next read
// reloads the file).
func (s *Simulator) writeState(change func(st *store) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.state.exclusive()
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.state.sync(); err != nil {
		return err
	}
	if err := change(s.state); err != nil {
		return err
	}
	if err := s.state.save(); err != nil {
		s.state.forget()
		return err
	}
	return nil
}

// DeleteOutOfBand deletes a resource (and what is nested under it, as ARM
// does) behind Pulumi's back, to simulate drift: a refresh then finds it
// gone. It returns the IDs it deleted; an unknown ID is an error.
func (s *Simulator) DeleteOutOfBand(id string) ([]string, error) {
	var ids []string
	err := s.writeState(func(st *store) error {
		if st.get(id) == nil {
			return fmt.Errorf("azure simulator: no resource %s", id)
		}
		for _, r := range st.remove(id) {
			ids = append(ids, r.ID)
		}
		sort.Strings(ids)
		s.logf("out-of-band delete of %s", strings.Join(ids, ", "))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// PatchOutOfBand changes a resource behind Pulumi's back, like a change in
// the portal or `az aks update` would: patch is a JSON merge patch (RFC
// 7386; a nil value removes a key) applied to what ARM reports (the
// outputs) and to the stored request body (the inputs). A refresh then
// carries the changed properties into the stack's inputs, as azure-native
// does.
func (s *Simulator) PatchOutOfBand(id string, patch map[string]any) error {
	return s.writeState(func(st *store) error {
		r := st.get(id)
		if r == nil {
			return fmt.Errorf("azure simulator: no resource %s", id)
		}
		mergePatch(r.Outputs, patch)
		mergePatch(r.Inputs, patch)
		r.Updated = time.Now()
		r.Generation++
		setETag(r)
		s.logf("out-of-band change of %s", r.ID)
		return nil
	})
}

// Operation is one ARM call the simulator served (retries included), for
// tests and benchmarks: the deploy's critical path is the span from the
// first Start to the last End, its ideal chain the sum of the dependent
// operations' durations.
type Operation struct {
	// Op is the operation.
	Op Op
	// Type is the resource or function token.
	Type string
	// ID is the ARM ID (or the function token for an invoke).
	ID string
	// Start and End bracket the call, retries and latency included.
	Start, End time.Time
	// Attempts is how many ARM calls it took (1 + retries).
	Attempts int
	// Err is the error it ended with, "" on success.
	Err string
}

// Duration is End - Start.
func (o Operation) Duration() time.Duration { return o.End.Sub(o.Start) }

// Span is the wall-clock time from the first operation's start to the last
// one's end: a deployment's critical path as ARM saw it. Compare it with the
// sum of the durations along the longest dependency chain (the ideal chain)
// to see what the engine's scheduling added.
func Span(ops []Operation) time.Duration {
	if len(ops) == 0 {
		return 0
	}
	first, last := ops[0].Start, ops[0].End
	for _, o := range ops[1:] {
		if o.Start.Before(first) {
			first = o.Start
		}
		if o.End.After(last) {
			last = o.End
		}
	}
	return last.Sub(first)
}

// Operations returns every ARM operation served so far, in start order.
func (s *Simulator) Operations() []Operation {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	out := append([]Operation(nil), s.ops...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// Calls returns how many ARM calls were made, per type token and operation;
// every retry is a call.
func (s *Simulator) Calls() map[OpKey]int {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	out := make(map[OpKey]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// CallCount is how many ARM calls matched typ (a token, a short name or "")
// and op ("" for all).
func (s *Simulator) CallCount(typ string, op Op) int {
	n := 0
	for k, v := range s.Calls() {
		if matchesType(typ, k.Type) && (op == "" || op == k.Op) {
			n += v
		}
	}
	return n
}

// ResetStats forgets the counted calls and recorded operations.
func (s *Simulator) ResetStats() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.calls = map[OpKey]int{}
	s.ops = nil
}

// armCall runs one ARM call that changes nothing (a GET of a refresh, a
// POST of a function): each attempt is counted and may meet an injected
// fault (429 and 5xx are retried), the call takes its latency, and then
// apply reads the simulated Azure under the state lock (with the state file
// freshly read). Writes go through mutate (operations.go).
func (s *Simulator) armCall(ctx context.Context, op Op, token, id, urn string,
	apply func(st *store) (*Resource, error),
) (*Resource, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopOnShutdown := context.AfterFunc(s.serving.Context(), cancel)
	defer stopOnShutdown()

	rec := Operation{Op: op, Type: token, ID: id, Start: time.Now()}
	res, err := func() (*Resource, error) {
		timedOut, err := s.frontDoor(ctx, &rec, urn)
		if err != nil {
			return nil, err
		}
		if err := sleep(ctx, s.latency(token, op)); err != nil {
			return nil, fmt.Errorf("azure-native (simulated): %s %s %s: %w", op, shortName(token), id, err)
		}
		if timedOut {
			return nil, fmt.Errorf("azure-native (simulated): %s %s %s: %w (simulated timeout fault)", op, shortName(token), id, errTimedOut)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := s.state.sync(); err != nil {
			return nil, err
		}
		return apply(s.state)
	}()
	rec.End = time.Now()
	if err != nil {
		rec.Err = err.Error()
	}
	s.record(rec, err)
	return res, err
}

// errorSummary is an error's first line, for logs (errors never carry
// property values).
func errorSummary(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
