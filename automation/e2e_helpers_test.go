package automation_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aks-cilium/aks-cilium/automation/result"

	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/automationtest"
	"github.com/aks-cilium/aks-cilium/automation/simulated"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/internal/pulumitest"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
	"github.com/aks-cilium/aks-cilium/sim/kubesim"
)

// The end-to-end tests run the real pulumi CLI and engine (make tools), the
// real Engine with a private file backend, the real components.StackProgram,
// and the azure-native simulator in this process. Nothing reaches Azure.

// testCLI is the pulumi CLI, found once per test binary and shared by every
// Engine of the tests. A missing CLI skips, unless AKS_CILIUM_REQUIRE_TOOLS=1
// (make test, CI) where it fails.
func testCLI(t testing.TB) *CLI { return automationtest.CLI(t) }

// referenceSpec is the stack the end-to-end tests and benchmarks deploy: an
// overlay cluster with a system pool and two user pools (apps autoscaled,
// batch fixed), in a new resource group and VNet.
func referenceSpec(name string) spec.Cluster {
	return spec.Cluster{
		Name:              name,
		Location:          "westeurope",
		ResourceGroup:     spec.ResourceGroup{Name: "rg-" + name},
		KubernetesVersion: "1.32",
		Network: spec.Network{
			Mode:         spec.Overlay{PodCIDR: "192.168.0.0/16"},
			ServiceCIDR:  "10.0.0.0/16",
			DNSServiceIP: "10.0.0.10",
			VNet: spec.VNet{
				Name:         "vnet-" + name,
				AddressSpace: []string{"10.10.0.0/16"},
				NodeSubnet:   spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/22"},
			},
		},
		SystemPool: spec.NodePool{Name: "system", VMSize: "Standard_D4ds_v5", Count: 2},
		UserPools: []spec.NodePool{
			{Name: "apps", VMSize: "Standard_D4ds_v5", Count: 1, Autoscale: &spec.Autoscale{Min: 1, Max: 5}},
			{Name: "batch", VMSize: "Standard_D8ds_v5", Count: 1},
		},
		Tags: map[string]string{"environment": "test"},
	}
}

// referenceResources is what the reference spec creates in (simulated)
// Azure: resource group, VNet, ManagedCluster, two AgentPools, and the
// cluster identity's Network Contributor on the node subnet.
const referenceResources = 6

// harness is an Engine and a simulator in a private temporary folder.
type harness struct {
	t        testing.TB
	dir      string
	sim      *azuresim.Simulator
	eng      *Engine
	env      map[string]string
	progress *syncBuffer
}

// harnessOptions tune newHarness.
type harnessOptions struct {
	// Sim are the simulator's options (Logf is set to the test log).
	Sim azuresim.Options
	// Dir is the Engine's folder; a new temporary one when empty.
	Dir string
	// Passphrase is the secrets passphrase; a fixed test one when empty.
	Passphrase string
	// PulumiHome is PULUMI_HOME; Dir/home when empty.
	PulumiHome string
	// BackendURL is the state backend; the Engine's private file backend
	// when empty.
	BackendURL string
	// Env is added to the Engine's environment (a backend's credentials).
	Env map[string]string
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	cli := testCLI(t)
	if o.Dir == "" {
		o.Dir = filepath.Join(t.TempDir(), "engine")
	}
	if o.Passphrase == "" {
		o.Passphrase = "e2e-passphrase"
	}
	if o.PulumiHome == "" {
		o.PulumiHome = filepath.Join(o.Dir, "home")
	}
	if o.Sim.Retry.Backoff == 0 {
		o.Sim.Retry.Backoff = time.Millisecond
	}
	if _, bench := t.(*testing.B); o.Sim.Logf == nil && !bench {
		o.Sim.Logf = t.Logf
	}
	sim := azuresim.New(o.Sim)
	_, err := sim.Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(sim.Stop)
	env := providerEnv(t, sim)
	maps.Copy(env, o.Env)
	progress := &syncBuffer{}
	eng, err := New(Options{Now: testNow,
		Dir:        o.Dir,
		BackendURL: o.BackendURL,
		Passphrase: o.Passphrase,
		CLI:        cli,
		PulumiHome: o.PulumiHome,
		Env:        env,
		Progress:   progress,
		ACNS:       simulated.ACNSOptions(sim),
	})
	require.NoError(t, err)
	return &harness{t: t, dir: o.Dir, sim: sim, eng: eng, env: env, progress: progress}
}

// finishWhenWaiting lets AKS finish the harness's simulated operations in
// progress (FinishOperations, their time skipped) once the Engine's
// progress says it waits for Azure to finish what an earlier run started
// on what ("platform-cluster-aks (Creating)"). The function it returns
// stops watching and says how that went: nil when it finished them, the
// watch's context error when the Engine never waited.
func (h *harness) finishWhenWaiting(ctx context.Context, what string) func() error {
	watch, stop := context.WithCancel(ctx)
	finished := make(chan error, 1)
	go func() {
		for !strings.Contains(h.progress.String(), "Azure is still working on what an earlier run started: "+what) {
			if watch.Err() != nil {
				finished <- watch.Err()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		_, err := h.sim.FinishOperations()
		finished <- err
	}()
	return func() error {
		stop()
		return <-finished
	}
}

// providerEnv is the environment that sends the engine's azure-native calls
// to sim and its kubernetes provider to kubesim, until the test ends.
func providerEnv(t testing.TB, sim *azuresim.Simulator) map[string]string {
	t.Helper()
	env, stop, err := providerEnvOf(sim)
	require.NoError(t, err)
	t.Cleanup(stop)
	return env
}

// providerEnvOf serves the kubernetes stand-in and returns the environment
// that sends both providers' calls to the stand-ins.
func providerEnvOf(sim *azuresim.Simulator) (map[string]string, func(), error) {
	kube := &kubesim.NoAPIServer{}
	if err := kube.Serve(); err != nil {
		return nil, nil, err
	}
	return map[string]string{
		"PULUMI_DEBUG_PROVIDERS":        kubesim.DebugProviders(sim.EnvVars()["PULUMI_DEBUG_PROVIDERS"], kube.DebugProviderEntry()),
		"PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
	}, kube.Stop, nil
}

// syncBuffer is a bytes.Buffer safe for the Engine's progress writes.
type syncBuffer = pulumitest.SyncBuffer

// stepTimer logs how long each step of a scenario took.
func stepTimer(t testing.TB) func(name string) {
	last := time.Now()
	return func(name string) {
		t.Logf("step %-50s %s", name, time.Since(last).Round(time.Millisecond))
		last = time.Now()
	}
}

// stepOf returns the step of the resource whose name ends with suffix.
func stepOf(r *result.Result, suffix string) *result.Step {
	for i := range r.Steps {
		if strings.HasSuffix(r.Steps[i].Name, suffix) {
			return &r.Steps[i]
		}
	}
	return nil
}

// simTypes counts the simulated Azure's resources by short type name.
func simTypes(sim *azuresim.Simulator) map[string]int {
	out := map[string]int{}
	for _, r := range sim.Resources() {
		out[r.Type[strings.LastIndex(r.Type, ":")+1:]]++
	}
	return out
}

// helperEnv selects a helper mode of the test binary: TestE2EKilledUp runs
// the binary again as a child that starts an Up, and kills it mid-run.
const helperEnv = "AKS_CILIUM_E2E_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "up":
		os.Exit(helperUp())
	case "backend-up":
		os.Exit(helperBackendUp())
	case "fleet-preview":
		os.Exit(helperFleetPreview())
	}
	os.Exit(pulumitest.PrivateTemp(m.Run))
}

// helperUp runs an Up of the reference spec in the Engine folder
// AKS_CILIUM_E2E_DIR against a simulator whose Azure is the state file
// AKS_CILIUM_E2E_STATE, with a ManagedCluster create that takes minutes,
// so the parent can kill it while the create is in flight.
func helperUp() int {
	dir, state := os.Getenv("AKS_CILIUM_E2E_DIR"), os.Getenv("AKS_CILIUM_E2E_STATE")
	sim := azuresim.New(azuresim.Options{StateFile: state,
		Latency: map[azuresim.OpKey]time.Duration{{Type: "ManagedCluster", Op: azuresim.OpCreate}: 5 * time.Minute}})
	if _, err := sim.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	env, _, err := providerEnvOf(sim)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	cli, err := FindCLI()
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	eng, err := New(Options{Now: testNow, Dir: dir, Passphrase: "e2e-passphrase", CLI: cli, PulumiHome: filepath.Join(dir, "home"),
		Progress: os.Stderr, Env: env})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "helper: up starts")
	_, err = eng.Up(context.Background(), "dev", referenceSpec("crash"), UpOptions{})
	fmt.Fprintln(os.Stderr, "helper: up returned (it should have been killed first):", err)
	return 1
}

// testNow is the Engines' clock in these tests (automationtest.Today), so
// that the specs' Kubernetes versions do not age out of AKS support.
func testNow() time.Time { return automationtest.Today }
