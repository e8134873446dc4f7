package azuresim

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Op is a kind of ARM call.
type Op string

// The ARM calls the simulator counts, delays and can fail. Previews, Check
// and Diff never reach ARM and are not counted.
const (
	// OpCreate is the PUT that creates a resource.
	OpCreate Op = "create"
	// OpRead is the GET of a refresh.
	OpRead Op = "read"
	// OpUpdate is the PUT that updates a resource in place.
	OpUpdate Op = "update"
	// OpDelete is the DELETE of a resource.
	OpDelete Op = "delete"
	// OpInvoke is a function call (a POST such as listClusterUserCredential).
	OpInvoke Op = "invoke"
)

// OpKey names ARM calls of one type and operation. Type is a resource or
// function token (TypeManagedCluster) or its short name ("ManagedCluster");
// in Options.Latency an empty Type or Op matches every type or operation.
type OpKey struct {
	Type string
	Op   Op
}

// String renders the key as TYPE/OP, with "*" for a wildcard.
func (k OpKey) String() string {
	t, op := k.Type, string(k.Op)
	if t == "" {
		t = "*"
	}
	if op == "" {
		op = "*"
	}
	return t + "/" + op
}

// matchesType reports whether pattern (a token, a short name or "") names token.
func matchesType(pattern, token string) bool {
	return pattern == "" || pattern == token || pattern == shortName(token)
}

// FaultKind is the failure a Fault injects.
type FaultKind string

// The injectable faults. azure-native's azcore pipeline retries 408, 429,
// 5xx and a 409 whose code is AnotherOperationInProgress
// (provider/pkg/azure/client_azcore.go, initPipelineOpts and
// shouldRetryConflict; the simulator retries Options.Retry.MaxRetries times
// with a short backoff) and fails the operation on anything else, such as
// AKS's 409 OperationNotAllowed.
const (
	// FaultTooManyRequests answers 429 TooManyRequests (ARM throttling);
	// retried.
	FaultTooManyRequests FaultKind = "429"
	// FaultAnotherOperationInProgress answers 409 AnotherOperationInProgress
	// (ARM is busy with another operation on the resource); retried.
	FaultAnotherOperationInProgress FaultKind = "409"
	// FaultInternalServerError answers 500 InternalServerError; retried.
	FaultInternalServerError FaultKind = "500"
	// FaultTimeout lets ARM accept the request and finish the operation,
	// and then fails the call as timed out, as when azure-native stops
	// waiting for a long-running operation: a create or update returns a
	// partial failure that the engine records as a resource with an
	// initialization error (the next update retries it); a read or a
	// delete simply fails.
	FaultTimeout FaultKind = "timeout"
)

// Forever, as Fault.Times, fails every matching call until ClearFaults.
const Forever = -1

// Fault makes matching ARM calls fail.
type Fault struct {
	// Type is a token or short name ("ManagedCluster"); empty matches all.
	Type string
	// Op is the operation; empty matches all.
	Op Op
	// Kind is the failure.
	Kind FaultKind
	// Times is how many matching calls fail (each retry is a call); 0 means
	// once, Forever means every call.
	Times int
}

// String renders the fault in ParseFaults syntax.
func (f Fault) String() string {
	n := strconv.Itoa(f.Times)
	if f.Times == Forever {
		n = "*"
	}
	return fmt.Sprintf("%s=%sx%s", OpKey{f.Type, f.Op}, f.Kind, n)
}

// err is the answer a fault gives.
func (f Fault) err(action string) error {
	switch f.Kind {
	case FaultTooManyRequests:
		return armError(429, "TooManyRequests",
			"The request is being throttled as the limit has been reached for this operation type; retry after 1 second(s) (simulated fault).")
	case FaultAnotherOperationInProgress:
		return armError(409, "AnotherOperationInProgress",
			"Operation is not allowed because there's another operation in progress on this resource; please wait for it to finish before starting a new operation (simulated fault).")
	case FaultInternalServerError:
		return armError(500, "InternalServerError",
			"An internal server error occurred; please retry the request (simulated fault).")
	default:
		return fmt.Errorf("azure-native (simulated): %s: %w (simulated timeout fault)", action, errTimedOut)
	}
}

// retryable reports whether azure-native retries the fault's answer.
func (f Fault) retryable() bool {
	return f.Kind == FaultTooManyRequests || f.Kind == FaultInternalServerError || f.Kind == FaultAnotherOperationInProgress
}

// RetryPolicy is how the simulated provider retries 429, 5xx and 409
// AnotherOperationInProgress answers, like azure-native's HTTP client does
// (first delay 20 s, at most 120 s, 3 retries there; scaled down here).
type RetryPolicy struct {
	// MaxRetries is how many times a retryable answer is retried before the
	// operation fails; 0 means the default (3), negative means never.
	MaxRetries int
	// Backoff is the wait before the first retry, doubled for each further
	// one; 0 means the default (10ms).
	Backoff time.Duration
}

func (p RetryPolicy) maxRetries() int {
	switch {
	case p.MaxRetries < 0:
		return 0
	case p.MaxRetries == 0:
		return 3
	}
	return p.MaxRetries
}

func (p RetryPolicy) backoff(attempt int) time.Duration {
	b := p.Backoff
	if b <= 0 {
		b = 10 * time.Millisecond
	}
	return b << (attempt - 1)
}

// InjectFault adds a fault; it applies to calls from now on, in the order
// faults were added.
func (s *Simulator) InjectFault(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every pending fault.
func (s *Simulator) ClearFaults() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.faults = nil
}

// Faults returns the faults still pending, with their remaining Times.
func (s *Simulator) Faults() []Fault {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	out := make([]Fault, 0, len(s.faults))
	for _, f := range s.faults {
		out = append(out, *f)
	}
	return out
}

// takeFault consumes one use of the first fault that matches, if any.
func (s *Simulator) takeFault(token string, op Op) (Fault, bool) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	for i, f := range s.faults {
		if !matchesType(f.Type, token) || (f.Op != "" && f.Op != op) {
			continue
		}
		taken := *f
		if f.Times != Forever {
			f.Times--
			if f.Times <= 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return taken, true
	}
	return Fault{}, false
}

// DefaultAKSOperationTime is how long a create, update or delete of a
// managed cluster or agent pool takes when Options.Latency has no entry for
// it. Real ones take minutes; a zero-length operation would hide the
// concurrency rule (one operation at a time per cluster and its pools), so
// overlapping operations meet 409 OperationNotAllowed in every test.
const DefaultAKSOperationTime = 50 * time.Millisecond

// latency is the configured delay of a call: the most specific entry of
// Options.Latency wins (type and op, then type, then op, then the default),
// and an AKS write without one takes DefaultAKSOperationTime.
func (s *Simulator) latency(token string, op Op) time.Duration {
	best, bestScore := time.Duration(0), -1
	if (token == TypeManagedCluster || token == TypeAgentPool) && (op == OpCreate || op == OpUpdate || op == OpDelete) {
		best = DefaultAKSOperationTime
	}
	for k, d := range s.opts.Latency {
		if !matchesType(k.Type, token) || (k.Op != "" && k.Op != op) {
			continue
		}
		score := 0
		if k.Type != "" {
			score += 2
		}
		if k.Op != "" {
			score++
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ParseLatency reads latencies written as comma-separated TYPE/OP=DURATION
// entries, where TYPE is a token or short name and TYPE or OP may be "*":
//
//	ManagedCluster/create=300ms,AgentPool/*=100ms,*/*=10ms
func ParseLatency(s string) (map[OpKey]time.Duration, error) {
	out := map[OpKey]time.Duration{}
	for _, entry := range splitList(s) {
		key, value, ok := strings.Cut(entry, "=")
		if !ok {
			return nil, fmt.Errorf("latency %q: want TYPE/OP=DURATION", entry)
		}
		k, err := parseOpKey(key)
		if err != nil {
			return nil, fmt.Errorf("latency %q: %w", entry, err)
		}
		d, err := time.ParseDuration(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("latency %q: %w", entry, err)
		}
		out[k] = d
	}
	return out, nil
}

// ParseFaults reads faults written as comma-separated TYPE/OP=KIND[xTIMES]
// entries, where KIND is 429, 409, 500 or timeout and TIMES a number or "*"
// (Forever):
//
//	ManagedCluster/create=429x2,ResourceGroup/delete=409
func ParseFaults(s string) ([]Fault, error) {
	var out []Fault
	for _, entry := range splitList(s) {
		key, value, ok := strings.Cut(entry, "=")
		if !ok {
			return nil, fmt.Errorf("fault %q: want TYPE/OP=KIND[xTIMES]", entry)
		}
		k, err := parseOpKey(key)
		if err != nil {
			return nil, fmt.Errorf("fault %q: %w", entry, err)
		}
		kind, times, _ := strings.Cut(strings.TrimSpace(value), "x")
		f := Fault{Type: k.Type, Op: k.Op, Kind: FaultKind(kind), Times: 1}
		switch f.Kind {
		case FaultTooManyRequests, FaultAnotherOperationInProgress, FaultInternalServerError, FaultTimeout:
		default:
			return nil, fmt.Errorf("fault %q: kind %q is not one of 429, 409, 500, timeout", entry, kind)
		}
		switch times {
		case "":
		case "*":
			f.Times = Forever
		default:
			n, err := strconv.Atoi(times)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("fault %q: times %q is not a positive number or *", entry, times)
			}
			f.Times = n
		}
		out = append(out, f)
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func parseOpKey(s string) (OpKey, error) {
	s = strings.TrimSpace(s)
	i := strings.LastIndex(s, "/")
	if i < 0 {
		return OpKey{}, fmt.Errorf("want TYPE/OP")
	}
	typ, op := s[:i], Op(s[i+1:])
	if typ == "*" {
		typ = ""
	}
	switch op {
	case "*":
		op = ""
	case OpCreate, OpRead, OpUpdate, OpDelete, OpInvoke:
	default:
		return OpKey{}, fmt.Errorf("operation %q is not one of create, read, update, delete, invoke, *", op)
	}
	return OpKey{Type: typ, Op: op}, nil
}

// The environment variables the plugin binary
// (cmd/pulumi-resource-azure-native) reads its options from.
const (
	// EnvStateFile is Options.StateFile.
	EnvStateFile = "AKS_CILIUM_SIMULATOR_STATE"
	// EnvLatency is Options.Latency in ParseLatency syntax.
	EnvLatency = "AKS_CILIUM_SIMULATOR_LATENCY"
	// EnvFaults is Options.Faults in ParseFaults syntax.
	EnvFaults = "AKS_CILIUM_SIMULATOR_FAULTS"
)
