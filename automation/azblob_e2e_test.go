package automation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/internal/tooltest"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
	"github.com/aks-cilium/aks-cilium/sim/azurite"
)

// State in Azure Blob Storage: the pulumi CLI's azblob:// backend on
// Azurite, Microsoft's storage emulator (sim/azurite), with the Engines
// in separate processes as on separate CI runners. Locks, checkpoints and
// history are blobs; the simulated Azure is shared through its state file.

const stateContainer = "state"

// azuriteFor starts the emulator with the state container, for the test.
func azuriteFor(t testing.TB) *azurite.Emulator {
	t.Helper()
	if _, err := azurite.Find(); err != nil {
		tooltest.Missing(t, err.Error())
	}
	emu, err := azurite.Start(t.Context(), azurite.Options{})
	require.NoError(t, err)
	t.Cleanup(emu.Stop)
	require.NoError(t, emu.CreateContainer(t.Context(), stateContainer))
	return emu
}

// blobHarness is a harness whose Engine keeps its state in the emulator.
func blobHarness(t testing.TB, emu *azurite.Emulator, o harnessOptions) *harness {
	o.BackendURL, o.Env = emu.BackendURL(stateContainer), emu.Env()
	return newHarness(t, o)
}

// lockBlobs lists the stack's lock blobs (.pulumi/locks/<org>/<project>/<stack>/).
func lockBlobs(t testing.TB, emu *azurite.Emulator, stack string) []string {
	t.Helper()
	names, err := emu.Names(context.Background(), stateContainer, ".pulumi/locks/")
	require.NoError(t, err)
	var locks []string
	for _, n := range names {
		if strings.Contains(n, "/"+DefaultProject+"/"+stack+"/") {
			locks = append(locks, n)
		}
	}
	return locks
}

func checkpointBlob(stack string) string {
	return ".pulumi/stacks/" + DefaultProject + "/" + stack + ".json"
}

// The lifecycle with the state in Azure Blob Storage, and no secret in
// plaintext in any blob: the passphrase and the kubeconfig carry a canary.
func TestE2EAzblobLifecycle(t *testing.T) {
	emu := azuriteFor(t)
	canary := fmt.Sprintf("canary%x", time.Now().UnixNano())
	h := blobHarness(t, emu, harnessOptions{Passphrase: "pass-" + canary,
		Sim: azuresim.Options{KubeconfigServer: &azuresim.KubeconfigServer{URL: "https://kube-" + canary + ".example:6443"}}})
	ctx := t.Context()
	c := referenceSpec("blob")
	assert.Empty(t, h.eng.StateDir(), "no local state folder")

	pre, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.Equal(t, referenceCreates, pre.Changes[result.OpCreate])
	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	assert.Equal(t, clusterID(c), up.Outputs["clusterId"].Value)
	kubeconfig, err := h.eng.SecretOutput(ctx, "dev", "kubeconfig")
	require.NoError(t, err)
	require.Contains(t, kubeconfig, canary, "the canary is in the kubeconfig, so its absence below means something")
	changed := raiseApps(c)
	_, err = h.eng.Up(ctx, "dev", changed, UpOptions{})
	require.NoError(t, err)
	noop, err := h.eng.Preview(ctx, "dev", changed, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, noop.HasChanges(), noop.ChangeSummary())
	_, err = h.eng.Refresh(ctx, "dev", RefreshOptions{})
	require.NoError(t, err)

	blobs, err := emu.Blobs(ctx, stateContainer)
	require.NoError(t, err)
	require.Contains(t, blobs, checkpointBlob("dev"), "the checkpoint is a blob")
	history := 0
	for name, data := range blobs {
		assert.NotContains(t, string(data), canary, "blob %s holds a secret in plaintext", name)
		if strings.HasPrefix(name, ".pulumi/history/") {
			history++
		}
	}
	assert.GreaterOrEqual(t, history, 3, "the update history is kept in blobs too")
	assert.Empty(t, lockBlobs(t, emu, "dev"))

	des, err := h.eng.Destroy(ctx, "dev", DestroyOptions{})
	require.NoError(t, err)
	assert.Equal(t, referenceCreates, des.Changes[result.OpDelete])
	require.NoError(t, h.eng.Remove(ctx, "dev"))
	names, err := emu.Names(ctx, stateContainer, checkpointBlob("dev"))
	require.NoError(t, err)
	assert.NotContains(t, names, checkpointBlob("dev"), "Remove deletes the stack's checkpoint (pulumi keeps a .bak)")
}

// child is the test binary run again as an Engine in a process of its own
// (helperBackendUp): an Up of one stack against the shared backend and the
// shared simulated Azure.
type child struct {
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan error
	once   sync.Once
	err    error
}

// childUp starts a child that runs Up on stack (the reference spec named
// cluster), with the ManagedCluster's create taking latency.
func childUp(t *testing.T, emu *azurite.Emulator, state, stack, cluster string, latency time.Duration) *child {
	t.Helper()
	testCLI(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=backend-up",
		"AKS_CILIUM_E2E_DIR="+filepath.Join(t.TempDir(), "child-engine"), "AKS_CILIUM_E2E_STATE="+state,
		"AKS_CILIUM_E2E_BACKEND="+emu.BackendURL(stateContainer), "AKS_CILIUM_E2E_STACK="+stack,
		"AKS_CILIUM_E2E_CLUSTER="+cluster, "AKS_CILIUM_E2E_LATENCY="+latency.String())
	for k, v := range emu.Env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	c := &child{cmd: cmd, out: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	require.NoError(t, cmd.Start())
	go func() { c.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = c.wait()
		t.Logf("child %s output:\n%s", stack, c.out.String())
	})
	return c
}

// wait returns the child's exit error once it has exited.
func (c *child) wait() error {
	c.once.Do(func() { c.err = <-c.exited })
	return c.err
}

// helperBackendUp is the child's side: an Engine with its own folder on the
// backend AKS_CILIUM_E2E_BACKEND, and a simulator on the simulated Azure in
// AKS_CILIUM_E2E_STATE, runs one Up. Exit 0 when it succeeded.
func helperBackendUp() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	latency, err := time.ParseDuration(os.Getenv("AKS_CILIUM_E2E_LATENCY"))
	if err != nil {
		return fail(err)
	}
	eng, err := backendChildEngine(azuresim.Options{StateFile: os.Getenv("AKS_CILIUM_E2E_STATE"),
		Latency: map[azuresim.OpKey]time.Duration{{Type: "ManagedCluster", Op: azuresim.OpCreate}: latency}}, os.Stderr)
	if err != nil {
		return fail(err)
	}
	up, err := eng.Up(context.Background(), os.Getenv("AKS_CILIUM_E2E_STACK"), referenceSpec(os.Getenv("AKS_CILIUM_E2E_CLUSTER")), UpOptions{})
	if err != nil {
		return fail(err)
	}
	fmt.Fprintln(os.Stderr, "helper: up done:", up.ChangeSummary())
	return 0
}

// backendChildEngine is a child process's Engine: its own simulator (on
// the simulated Azure the options name), the Engine folder
// AKS_CILIUM_E2E_DIR and the backend AKS_CILIUM_E2E_BACKEND with the
// parent's Azure Storage credentials. progress may be nil.
func backendChildEngine(o azuresim.Options, progress io.Writer) (*Engine, error) {
	sim := azuresim.New(o)
	if _, err := sim.Start(context.Background()); err != nil {
		return nil, err
	}
	env, _, err := providerEnvOf(sim)
	if err != nil {
		return nil, err
	}
	env["AZURE_STORAGE_ACCOUNT"], env["AZURE_STORAGE_KEY"] = os.Getenv("AZURE_STORAGE_ACCOUNT"), os.Getenv("AZURE_STORAGE_KEY")
	cli, err := FindCLI()
	if err != nil {
		return nil, err
	}
	dir := os.Getenv("AKS_CILIUM_E2E_DIR")
	return New(Options{Now: testNow, Dir: dir, BackendURL: os.Getenv("AKS_CILIUM_E2E_BACKEND"), Passphrase: "e2e-passphrase",
		CLI: cli, PulumiHome: filepath.Join(dir, "home"), Progress: progress, Env: env})
}

// Two Engines in two processes update one stack in Azure Blob Storage: the
// second is refused with a *ConcurrentUpdateError while the first holds
// the lock (and Recover refuses to break a live update's lock), the first
// finishes, and nothing is lost. Two other stacks update in parallel from
// the two processes.
func TestE2EAzblobTwoProcesses(t *testing.T) {
	emu := azuriteFor(t)
	state := filepath.Join(t.TempDir(), "azure-simulator.json")
	h := blobHarness(t, emu, harnessOptions{Sim: azuresim.Options{StateFile: state}})
	ctx := t.Context()
	c := referenceSpec("shared")

	first := childUp(t, emu, state, "dev", "shared", 5*time.Second)
	// An Up previews first (the replacement guardrail), and the preview
	// holds the lock too: the child's update has begun once its resource
	// group exists, and from then the cluster's create keeps the lock held.
	require.Eventually(t, func() bool { return simTypes(h.sim)["ResourceGroup"] == 1 && len(lockBlobs(t, emu, "dev")) == 1 },
		2*time.Minute, 20*time.Millisecond, "the child's Up never took the lock")
	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	var busy *ConcurrentUpdateError
	require.ErrorAs(t, err, &busy, "the second Up, from another process, is refused: %v", err)
	assert.Equal(t, "dev", busy.Stack)
	_, err = h.eng.Recover(ctx, "dev")
	require.ErrorAs(t, err, &busy, "Recover does not break the lock of a live update: %v", err)
	assert.Contains(t, busy.Err.Error(), "still running")
	assert.Len(t, lockBlobs(t, emu, "dev"), 1, "the live update's lock is kept")
	require.NoError(t, first.wait(), "the first Up succeeds")
	assert.Empty(t, lockBlobs(t, emu, "dev"))

	noop, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, noop.HasChanges(), "nothing lost: the other process's update is in the state: %s", noop.ChangeSummary())
	assert.Equal(t, 1, simTypes(h.sim)["ManagedCluster"], "one cluster, created once")

	// Two other stacks at once, one from each process.
	second := childUp(t, emu, state, "east", "east", time.Second)
	_, err = h.eng.Up(ctx, "west", referenceSpec("west"), UpOptions{})
	require.NoError(t, err, "a different stack is not locked")
	require.NoError(t, second.wait())
	for _, stack := range []string{"east", "west"} {
		cluster := referenceSpec(stack)
		noop, err := h.eng.Preview(ctx, stack, cluster, PreviewOptions{})
		require.NoError(t, err, stack)
		assert.False(t, noop.HasChanges(), "%s: %s", stack, noop.ChangeSummary())
	}
	assert.Equal(t, 3, simTypes(h.sim)["ManagedCluster"])
}

// The process running an Up on Azure Blob state is killed (kill -9, with
// its pulumi process) while the cluster is being created: the lock blob
// and a pending operation stay, and ARM goes on creating the cluster.
// Another process's Up is refused; its Recover removes the dead run's lock,
// imports the cluster, waits until AKS has finished creating it, and a
// rerun converges.
func TestE2EAzblobKilledUpRecover(t *testing.T) {
	emu := azuriteFor(t)
	state := filepath.Join(t.TempDir(), "azure-simulator.json")
	ctx := t.Context()
	crashed := childUp(t, emu, state, "dev", "crash", 5*time.Minute)

	var pulumiPID int
	require.Eventually(t, func() bool {
		data, err := emu.Blob(ctx, stateContainer, checkpointBlob("dev"))
		if err != nil || !strings.Contains(string(data), `"pending_operations"`) || !strings.Contains(string(data), "platform-cluster-aks") {
			return false
		}
		locks := lockBlobs(t, emu, "dev")
		if len(locks) != 1 {
			return false
		}
		data, err = emu.Blob(ctx, stateContainer, locks[0])
		var lock struct{ Pid int }
		if err != nil || json.Unmarshal(data, &lock) != nil || lock.Pid <= 0 {
			return false
		}
		pulumiPID = lock.Pid
		return true
	}, 2*time.Minute, 50*time.Millisecond, "the child's Up never reached the cluster's create")
	require.NoError(t, syscall.Kill(pulumiPID, syscall.SIGKILL))
	require.Eventually(t, func() bool {
		_, err := os.Stat(fmt.Sprintf("/proc/%d", pulumiPID))
		return err != nil
	}, 30*time.Second, 10*time.Millisecond, "pulumi (pid %d) is gone", pulumiPID)
	_ = crashed.cmd.Process.Signal(syscall.SIGKILL)
	_ = crashed.wait()
	require.Len(t, lockBlobs(t, emu, "dev"), 1, "the dead run's lock is still there")

	h := blobHarness(t, emu, harnessOptions{Sim: azuresim.Options{StateFile: state}})
	c := referenceSpec("crash")
	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	var busy *ConcurrentUpdateError
	require.ErrorAs(t, err, &busy, "the dead run's lock still holds the stack")

	// AKS finishes the create (its minutes skipped) once Recover says it
	// waits for it.
	finished := h.finishWhenWaiting(ctx, "platform-cluster-aks (Creating)")
	report, err := h.eng.Recover(ctx, "dev")
	waited := finished()
	require.NoError(t, err)
	require.NoError(t, waited, "Recover waited for the cluster")
	assert.Equal(t, 1, report.LocksRemoved)
	mcURN := "urn:pulumi:dev::" + DefaultProject + "::aks-cilium:index:Platform$aks-cilium:azure:Cluster$" + typeManagedCluster + "::platform-cluster-aks"
	assert.Equal(t, map[string]string{mcURN: "creating"}, report.PendingOperations)
	require.NotNil(t, report.Pending)
	assert.Equal(t, map[string]string{mcURN: clusterID(c)}, report.Pending.Imported)
	assert.Equal(t, map[string]string{mcURN: "Creating"}, report.Pending.Waited)
	assert.Empty(t, lockBlobs(t, emu, "dev"))

	up, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err, "a rerun converges")
	assert.Zero(t, up.Changes[result.OpReplace]+up.Changes[result.OpDelete], up.ChangeSummary())
	assert.Equal(t, map[string]int{"ResourceGroup": 1, "VirtualNetwork": 1, "ManagedCluster": 1, "AgentPool": 2, "RoleAssignment": 1}, simTypes(h.sim))
	assert.Zero(t, h.sim.CallCount("ManagedCluster", azuresim.OpCreate), "the cluster was not created again")
}
