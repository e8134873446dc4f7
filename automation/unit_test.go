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
)

const (
	urnCluster = "urn:pulumi:prod::aks-cilium::aks-cilium:index:Platform$aks-cilium:azure:Cluster$" + typeManagedCluster + "::platform-cluster"
	urnVNet    = "urn:pulumi:prod::aks-cilium::aks-cilium:index:Platform$aks-cilium:azure:Network$" + typeVirtualNetwork + "::platform-network-vnet"
)

func TestGuardrail(t *testing.T) {
	replaceCluster := Step{URN: urnCluster, Type: typeManagedCluster, Op: apitype.OpReplace, ReplaceKeys: []string{"networkProfile"}}
	updateCluster := Step{URN: urnCluster, Type: typeManagedCluster, Op: apitype.OpUpdate}
	deleteCluster := Step{URN: urnCluster, Type: typeManagedCluster, Op: apitype.OpDelete}
	replaceVNet := Step{URN: urnVNet, Type: typeVirtualNetwork, Op: apitype.OpReplace, ReplaceKeys: []string{"location"}}
	deleteVNet := Step{URN: urnVNet, Type: typeVirtualNetwork, Op: apitype.OpDelete}
	createRG := Step{Type: "azure-native:resources:ResourceGroup", Op: apitype.OpCreate}

	assert.Equal(t, []Step{replaceCluster}, guarded([]Step{createRG, replaceCluster}))
	assert.Empty(t, guarded([]Step{updateCluster, createRG}), "in-place updates pass")
	assert.Equal(t, []Step{deleteCluster}, guarded([]Step{deleteCluster}), "a deleted cluster is guarded")
	assert.Equal(t, []Step{replaceVNet}, guarded([]Step{updateCluster, replaceVNet}), "a VNet in use by a cluster that stays")
	assert.Empty(t, guarded([]Step{replaceVNet}), "a VNet with no cluster in the stack is not in use")
	assert.Equal(t, []Step{deleteCluster}, guarded([]Step{deleteCluster, deleteVNet}),
		"with the cluster going too, the VNet is not in use; the cluster is still guarded")

	other := Step{Type: "azure-native:containerservice:ManagedCluster", Op: apitype.OpReplace}
	assert.Len(t, guarded([]Step{other}), 1, "any API version of ManagedCluster is guarded")

	err := &ReplacementRefusedError{Stack: "prod", Steps: []Step{{Name: "platform-cluster", Type: typeManagedCluster, Op: apitype.OpReplace, ReplaceKeys: []string{"networkProfile"}}}}
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
	assert.Equal(t, apitype.OpReplace, s.Op)
	assert.True(t, s.Replaces())
	assert.Equal(t, "platform-cluster", s.Name)
	assert.Equal(t, []string{"networkProfile"}, s.ReplaceKeys)
	assert.Equal(t, []PropertyDiff{
		{Path: "networkProfile.networkDataplane", Kind: "update-replace", Old: `"azure"`, New: `"cilium"`},
		{Path: "networkProfile.networkPolicy", Kind: "update-replace", Old: `"azure"`, New: `"cilium"`},
		{Path: "tags.token", Kind: "update", Old: "[secret]", New: "[secret]"},
	}, s.Diffs, "old plaintext secrets are masked by value, new ones by the engine's secret encoding")
	require.Len(t, diags, 1)
	assert.Equal(t, Diagnostic{Severity: "info", Message: "warning token [secret]"}, diags[0], "ANSI codes, colour tags and secrets are removed")
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

func TestResultSummary(t *testing.T) {
	r := &Result{Changes: map[Op]int{"same": 3}}
	assert.False(t, r.HasChanges())
	assert.Equal(t, "no changes", r.ChangeSummary())
	r.Changes = map[Op]int{"update": 1, "create": 2, "same": 4, "replace": 1}
	assert.True(t, r.HasChanges())
	assert.Equal(t, "2 create, 1 replace, 1 update", r.ChangeSummary())
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
	for !zombie(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.True(t, zombie(pid), "an exited, unreaped child is a zombie")
	lock := filepath.Join(t.TempDir(), "lock.json")
	host, _ := os.Hostname()
	require.NoError(t, os.WriteFile(lock, []byte(fmt.Sprintf(`{"pid":%d,"hostname":%q}`, pid, host)), 0o600))
	_, alive := lockHolderAlive(lock)
	assert.False(t, alive, "a zombie holds no lock")
	require.NoError(t, cmd.Wait())
	assert.False(t, zombie(os.Getpid()), "this test process is not a zombie")
	require.NoError(t, os.WriteFile(lock, []byte(fmt.Sprintf(`{"pid":%d,"hostname":%q}`, os.Getpid(), host)), 0o600))
	_, alive = lockHolderAlive(lock)
	assert.True(t, alive, "a live process holds its lock")
}
