package automation_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// After a Ctrl-C that outlasts the grace period (pulumi killed while the
// cluster is being created), the next Up resolves the pending create
// instead of leaving it in the state for ever: it does not exist in the
// simulated Azure (the interrupted create wrote nothing), so it is dropped
// and created again; the state holds no pending operation afterwards.
func TestE2EUpClearsPendingAfterCancel(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "engine")
	state := filepath.Join(dir, "azure-simulator.json")
	h := newHarness(t, harnessOptions{Dir: dir, Sim: azuresim.Options{StateFile: state,
		Latency: map[azuresim.OpKey]time.Duration{{Type: "ManagedCluster", Op: azuresim.OpCreate}: time.Minute}}})
	c := referenceSpec("cancel")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cancelWhen(ctx, cancel, func() bool { return h.sim.CallCount("ManagedCluster", azuresim.OpCreate) > 0 })
	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	var cancelled *CancelledError
	require.ErrorAs(t, err, &cancelled)
	require.Contains(t, checkpointText(t, h.eng, "dev"), `"pending_operations"`, "pulumi was killed with the cluster's create pending")

	h.sim.Stop()
	h2 := newHarness(t, harnessOptions{Dir: dir, Sim: azuresim.Options{StateFile: state}})
	up, err := h2.eng.Up(t.Context(), "dev", c, UpOptions{})
	require.NoError(t, err)
	assert.NotContains(t, checkpointText(t, h2.eng, "dev"), `"pending_operations"`, "the next up cleared the pending operation")
	var said []string
	for _, d := range up.Diagnostics {
		said = append(said, d.Message)
	}
	assert.Contains(t, said, "dropped the pending create of platform-cluster-aks: it does not exist, so it is created again")
	assert.Equal(t, 1, simTypes(h2.sim)["ManagedCluster"])
}

// A checkpoint left truncated (as a full disk can leave it, or its .bak)
// stops every operation with a message that points to Recover; Recover
// restores the last good checkpoint, keeps the damaged file, and the stack
// is usable again.
func TestE2ERecoverRestoresDamagedCheckpoint(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := t.Context()
	c := referenceSpec("damaged")
	_, err := h.eng.Up(ctx, "dev", c, UpOptions{})
	require.NoError(t, err)
	file := filepath.Join(h.eng.StateDir(), ".pulumi", "stacks", DefaultProject, "dev.json")
	good, err := os.ReadFile(file)
	require.NoError(t, err)
	truncated := good[:len(good)/2]
	require.NoError(t, os.WriteFile(file, truncated, 0o600))

	_, err = h.eng.Up(ctx, "dev", c, UpOptions{})
	var damaged *DamagedStateError
	require.ErrorAs(t, err, &damaged)
	assert.Contains(t, err.Error(), "Recover")

	rep, err := h.eng.Recover(ctx, "dev")
	require.NoError(t, err)
	require.NotNil(t, rep.Restored, "the damaged checkpoint was replaced")
	assert.Equal(t, file+".bak", rep.Restored.From)
	assert.Contains(t, rep.Restored.Reason, "not valid JSON")
	kept, err := os.ReadFile(rep.Restored.DamagedCopy)
	require.NoError(t, err)
	assert.Equal(t, truncated, kept, "the damaged bytes are kept")
	noop, err := h.eng.Preview(ctx, "dev", c, PreviewOptions{})
	require.NoError(t, err)
	assert.False(t, noop.HasChanges(), noop.ChangeSummary())
}

// checkpointText is the stack's checkpoint file.
func checkpointText(t *testing.T, eng *Engine, stack string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(eng.StateDir(), ".pulumi", "stacks", DefaultProject, stack+".json"))
	require.NoError(t, err)
	return string(data)
}
