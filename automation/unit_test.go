package automation

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/internal/proc"
)

const (
	typeManagedCluster = "azure-native:containerservice/v20241001:ManagedCluster"
	urnCluster         = "urn:pulumi:prod::aks-cilium::aks-cilium:index:Platform$aks-cilium:azure:Cluster$" + typeManagedCluster + "::platform-cluster"
)

func TestReplacementRefusedError(t *testing.T) {
	err := &ReplacementRefusedError{Stack: "prod", Steps: []result.Step{{Name: "platform-cluster", Type: typeManagedCluster, Op: result.OpReplace, ReplaceKeys: []string{"networkProfile"}}}}
	assert.Contains(t, err.Error(), "replace platform-cluster ("+typeManagedCluster+"): changed networkProfile")
	assert.Contains(t, err.Error(), "AllowReplace")
}

func TestRecorderTurnsEventsIntoSteps(t *testing.T) {
	e := &Engine{}
	e.addSecret("s3cr3t-canary")
	rec := newRecorder(e.mask, nil)
	meta := apitype.StepEventMetadata{
		Op: apitype.OpReplace, URN: urnCluster, Type: typeManagedCluster, Keys: []string{"networkProfile"},
		Old: &apitype.StepEventStateMetadata{Inputs: map[string]any{
			"networkProfile": map[string]any{"networkDataplane": "azure", "networkPolicy": "azure"},
			"tags":           map[string]any{"token": "s3cr3t-canary"},
		}},
		New: &apitype.StepEventStateMetadata{Inputs: map[string]any{
			"networkProfile": map[string]any{"networkDataplane": "cilium", "networkPolicy": "cilium"},
			"tags":           map[string]any{"token": map[string]any{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}},
		}},
		DetailedDiff: map[string]apitype.PropertyDiff{
			"networkProfile.networkDataplane": {Kind: apitype.DiffUpdateReplace},
			"networkProfile.networkPolicy":    {Kind: apitype.DiffUpdateReplace},
			"tags.token":                      {Kind: apitype.DiffUpdate},
		},
	}
	rec.record(events.EngineEvent{EngineEvent: apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: meta}}})
	meta.Op = apitype.OpCreateReplacement
	rec.record(events.EngineEvent{EngineEvent: apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: meta}}})
	rec.record(events.EngineEvent{EngineEvent: apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{
		Severity: "info#err", Message: "\x1b[31mwarning <{%reset%}>token s3cr3t-canary\x1b[0m\n"}}})

	steps, diags, _ := rec.result()
	require.Len(t, steps, 1, "a replacement's create-replacement step joins the replace step")
	s := steps[0]
	assert.Equal(t, result.OpReplace, s.Op)
	assert.True(t, s.Replaces())
	assert.Equal(t, "platform-cluster", s.Name)
	assert.Equal(t, []string{"networkProfile"}, s.ReplaceKeys)
	assert.Equal(t, []result.PropertyDiff{
		{Path: "networkProfile.networkDataplane", Kind: "update-replace", Old: `"azure"`, New: `"cilium"`},
		{Path: "networkProfile.networkPolicy", Kind: "update-replace", Old: `"azure"`, New: `"cilium"`},
		{Path: "tags.token", Kind: "update", Old: "[secret]", New: "[secret]"},
	}, s.Diffs, "old plaintext secrets are masked by value, new ones by the engine's secret encoding")
	require.Len(t, diags, 1)
	assert.Equal(t, result.Diagnostic{Severity: "info", Message: "warning token [secret]"}, diags[0], "ANSI codes, colour tags and secrets are removed")
}

func TestLookup(t *testing.T) {
	m := map[string]any{"agentPoolProfiles": []any{map[string]any{"maxPods": 250.0}}, "a": map[string]any{"b.c": "x"}}
	v, ok := lookup(m, "agentPoolProfiles[0].maxPods")
	assert.True(t, ok)
	assert.Equal(t, 250.0, v)
	v, ok = lookup(m, `a["b.c"]`)
	assert.True(t, ok)
	assert.Equal(t, "x", v)
	_, ok = lookup(m, "agentPoolProfiles[3]")
	assert.False(t, ok)
	_, ok = lookup(nil, "a")
	assert.False(t, ok)
}

func TestMaskIgnoresShortValues(t *testing.T) {
	e := &Engine{}
	e.addSecret("ab")
	e.addSecret("secret")
	e.addSecret("secret-longer")
	assert.Equal(t, "ab [secret] [secret]", e.mask("ab secret secret-longer"))
}

// TestZombieIsNotALockHolder: a process that exited but was never reaped
// still answers signal 0; it must not count as holding a lock.
func TestZombieIsNotALockHolder(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("skipped: no /proc on this system, so zombies cannot be told apart (the check then reports false)")
	}
	cmd := exec.Command("true")
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	// Wait until the child has exited (it is a zombie until reaped).
	deadline := time.Now().Add(5 * time.Second)
	for !proc.Zombie(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.True(t, proc.Zombie(pid), "an exited, unreaped child is a zombie")
	lock := filepath.Join(t.TempDir(), "lock.json")
	host, _ := os.Hostname()
	require.NoError(t, os.WriteFile(lock, []byte(fmt.Sprintf(`{"pid":%d,"hostname":%q}`, pid, host)), 0o600))
	_, alive := lockHolderAlive(lock)
	assert.False(t, alive, "a zombie holds no lock")
	require.NoError(t, cmd.Wait())
	assert.False(t, proc.Zombie(os.Getpid()), "this test process is not a zombie")
	require.NoError(t, os.WriteFile(lock, []byte(fmt.Sprintf(`{"pid":%d,"hostname":%q}`, os.Getpid(), host)), 0o600))
	_, alive = lockHolderAlive(lock)
	assert.True(t, alive, "a live process holds its lock")
}

// An operation runs in Azure while provisioningState is anything but ARM's
// terminal states (Succeeded, Failed, Canceled) or absent; a resource group
// reports it under properties.
func TestOperationInProgress(t *testing.T) {
	for _, tc := range []struct {
		outputs map[string]any
		want    string
	}{
		{map[string]any{"provisioningState": "Creating"}, "Creating"},
		{map[string]any{"provisioningState": "Upgrading"}, "Upgrading"},
		{map[string]any{"properties": map[string]any{"provisioningState": "Deleting"}}, "Deleting"},
		{map[string]any{"provisioningState": "Succeeded"}, ""},
		{map[string]any{"provisioningState": "failed"}, ""},
		{map[string]any{"provisioningState": "Canceled"}, ""},
		{map[string]any{"properties": map[string]any{"provisioningState": "Succeeded"}}, ""},
		{map[string]any{}, ""},
		{nil, ""},
	} {
		assert.Equal(t, tc.want, operationInProgress(tc.outputs), "%v", tc.outputs)
	}
}
