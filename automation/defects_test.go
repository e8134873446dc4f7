package automation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/internal/tooltest"
)

// internalCLI finds the pulumi CLI for this package's internal tests (they
// cannot import automationtest, which imports this package); a missing CLI
// skips, or fails under AKS_CILIUM_REQUIRE_TOOLS=1.
func internalCLI(t *testing.T) *CLI {
	t.Helper()
	cli, err := FindCLI()
	if err != nil {
		tooltest.Missing(t, err.Error())
	}
	return cli
}

// An EngineError keeps its cause for errors.Is and errors.As, with the
// cause's text masked like the error's own.
func TestEngineErrorUnwrapsItsCause(t *testing.T) {
	e := &Engine{}
	e.addSecret("s3cr3t-canary")
	cause := fmt.Errorf("pulumi failed near s3cr3t-canary: %w", os.ErrDeadlineExceeded)
	err := e.classify(context.Background(), "up", "dev", cause, nil)
	var ee *EngineError
	require.ErrorAs(t, err, &ee)
	assert.ErrorIs(t, err, cause)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded, "the whole chain is reachable")
	require.NotNil(t, errors.Unwrap(err))
	assert.NotContains(t, errors.Unwrap(err).Error(), "s3cr3t-canary", "the cause's text is masked")
	assert.NotContains(t, err.Error(), "s3cr3t-canary")
}

// Finding a pulumi binary that is not in a bin/ folder leaves no temporary
// folder behind (it used to link one into a new root folder each time).
func TestFindCLILeavesNoTempFolder(t *testing.T) {
	real := internalCLI(t).Path
	link := filepath.Join(t.TempDir(), "pulumi-link")
	require.NoError(t, os.Symlink(real, link))
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("AKS_CILIUM_PULUMI", link)
	cli, err := FindCLI()
	require.NoError(t, err)
	assert.Equal(t, link, cli.Path)
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "nothing is left in the temporary folder")
}

// An Engine with a PulumiHome runs its `pulumi version` check with that
// home: pulumi's log of that call lands there, not in ~/.pulumi.
func TestVersionCheckStaysInPulumiHome(t *testing.T) {
	internalCLI(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	_, err := New(Options{Dir: filepath.Join(dir, "engine"), Passphrase: "version check", PulumiHome: home})
	require.NoError(t, err)
	logs, _ := filepath.Glob(filepath.Join(home, "logs", "*version*"))
	assert.NotEmpty(t, logs, "the version call's log is under PulumiHome")
}

// SetPolicies' read-modify-write of the settings file holds the stack's
// lock: racing with the spec written by prepare, neither write is lost.
func TestSetPoliciesHoldsTheStackLock(t *testing.T) {
	cli := internalCLI(t)
	dir := t.TempDir()
	eng, err := New(Options{Dir: dir, Passphrase: "lock test", CLI: cli, PulumiHome: filepath.Join(dir, "home")})
	require.NoError(t, err)
	ctx := context.Background()
	c := spec.Cluster{
		Name: "race", Location: "westeurope", ResourceGroup: spec.ResourceGroup{Name: "rg-race"}, KubernetesVersion: "1.32",
		Network: spec.Network{Mode: spec.Overlay{PodCIDR: "192.168.0.0/16"}, ServiceCIDR: "10.0.0.0/16", DNSServiceIP: "10.0.0.10",
			VNet: spec.VNet{Name: "vnet-race", AddressSpace: []string{"10.10.0.0/16"}, NodeSubnet: spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/22"}}},
		SystemPool: spec.NodePool{Name: "system", VMSize: "Standard_D4ds_v5", Count: 1},
	}
	_, err = eng.prepare(ctx, "race", &c) // creates the stack once
	require.NoError(t, err)

	for i := range 100 {
		c.Tags = map[string]string{"round": fmt.Sprint(i)}
		p := &components.PoliciesArgs{Config: netpol.Config{Namespaces: []string{fmt.Sprintf("ns-%d", i)}}}
		var wg sync.WaitGroup
		var prepErr, setErr error
		wg.Add(2)
		go func() { defer wg.Done(); _, prepErr = eng.prepare(ctx, "race", &c) }()
		go func() { defer wg.Done(); setErr = eng.SetPolicies(ctx, "race", p) }()
		wg.Wait()
		require.NoError(t, prepErr)
		require.NoError(t, setErr)

		entry, err := eng.entry(ctx, "race")
		require.NoError(t, err)
		settings, err := entry.ws.StackSettings(ctx, "race")
		require.NoError(t, err)
		var gotSpec, gotPolicies string
		for k, v := range settings.Config {
			raw, _ := v.Value(nil)
			switch k.String() {
			case spec.ConfigCluster:
				gotSpec = raw
			case spec.ConfigPolicies:
				gotPolicies = raw
			}
		}
		require.Contains(t, gotSpec, fmt.Sprintf(`"round":"%d"`, i), "round %d: the spec written by prepare is kept", i)
		require.Contains(t, gotPolicies, fmt.Sprintf(`"ns-%d"`, i), "round %d: the policies written by SetPolicies are kept", i)
	}
}
