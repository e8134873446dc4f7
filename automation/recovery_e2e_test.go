package automation_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
)

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
